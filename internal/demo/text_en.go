package demo

// English lines.

var enCommon = common{
	greetings:   []string{"Hi {name},", "Hello {name},", "Dear {name},"},
	signoffs:    []string{"Best regards,\n{agent}\nCustomer Care", "Kind regards,\n{agent}", "Thanks for your patience,\n{agent}\nCustomer Care"},
	customerEnd: []string{"Thanks,\n{fullname}", "Thanks in advance,\n{name}", "{fullname}", "Regards,\n{name}"},
	chatIntro:   []string{"Hi {name}, this is {agent} from customer care.", "Hello {name}! {agent} here, happy to help."},
	nudges: []string{
		"Any update?",
		"Hi, it's been a day and I haven't heard back. Any news?",
		"I'd appreciate an update, this is getting urgent.",
		"Hello, still waiting to hear back about this.",
	},
	updates: []string{
		"We haven't heard back yet. We'll update you as soon as we do — thanks for bearing with us.",
		"The investigation is still open. We've chased them again and will get back to you by the end of the business day.",
	},
	apology:  []string{"Sorry for the extra hassle.", "Apologies — that shouldn't have happened."},
	vipNotes: []string{"VIP customer — please prioritise, and check with me if compensation needs approval.", "VIP tier — please answer today. Compensation up to ₪100 is pre-approved."},
}

var enLate = lines{
	stories: []story{{
		subjects: []string{"My order hasn't arrived yet", "Delivery delay on order {order}"},
		opening:  "Hello, I ordered {a_product} on {date} (order {order}) and was told it would arrive within 3-5 business days. It's been {days} days and I still haven't received anything. Could you check what's going on?",
		ask:      "So we can check with the courier, could you confirm your full delivery address (including apartment number) and a phone number the courier can reach you on?",
		answer:   "The address is correct, but the apartment number was missing — it's apartment 7, 3rd floor. My phone is on all day.",
		hold:     "Opened a ticket with {courier}, reference {ticket}. They promise an answer within 48 hours.",
		fix:      "Update: the parcel was found at the {courier} sorting hub and is out for delivery again. It should reach you tomorrow by 6 pm. To make up for the delay we've added a ₪30 coupon to your account for your next order: {coupon}.",
		reopen:   "Another day has gone by and the parcel still hasn't arrived. The courier never called.",
		refix:    "We checked with {courier} again — the driver couldn't find the address. We've booked delivery for tomorrow morning, and the driver will call half an hour before.",
	}, {
		subjects: []string{"Where is my package? Order {order}", "Tracking hasn't updated"},
		opening:  "Hi, the tracking number {tracking} hasn't updated in several days. Order {order} was supposed to arrive by yesterday. What's happening with it?",
		ask:      "According to tracking, the parcel is waiting at a pickup point. Did you get a text message with a pickup code? If not, could you confirm the phone number on the order?",
		answer:   "I never got a text. My number is the one on my account — maybe it was saved with a wrong digit.",
		hold:     "Parcel is stuck at the {courier} sorting hub. Asked for a manual release, reference {ticket}.",
		fix:      "We found the parcel: it wasn't scanned because of a damaged label. It went out for delivery today and will reach you by tomorrow; tracking number {tracking} will update during the day.",
		reopen:   "Tracking is still stuck on the same status and nothing has arrived.",
		refix:    "The original parcel was lost in transit, so we've sent a new one by express delivery at our expense. Your new tracking number is {new_tracking}.",
	}, {
		subjects: []string{"Urgent: birthday gift, order {order}", "Will my gift arrive in time?"},
		opening:  "I ordered {a_product} as a birthday present and the party is in two days. Has order {order} even left the warehouse? I'm running out of time.",
		ask:      "The order left our warehouse on {date}. To speed things up, could you collect it from a pickup point? If so, which city suits you best?",
		answer:   "Yes, I can pick it up. Petah Tikva would be best.",
		hold:     "Asked {courier} dispatch to move the parcel to priority delivery. Waiting for their confirmation.",
		fix:      "Your parcel has been moved to priority delivery and will arrive tomorrow by 2 pm — in time for the birthday. Tracking number: {tracking}.",
		reopen:   "The courier didn't come today as promised, and the party is tomorrow!",
		refix:    "We've just sent a new one by same-day courier — it will reach you today by 8 pm, and you can simply refuse the original parcel.",
	}, {
		subjects: []string{"Order shows as shipped but never arrived", "No courier has been in touch"},
		opening:  "Hello, order {order} has shown as 'shipped' on your website for a week, but no courier has been in touch. Who should I contact?",
		ask:      "According to {courier} the parcel was delivered yesterday. Could it have been left with a neighbour, in the lobby or in a parcel locker? Please let us know once you've checked.",
		answer:   "I checked with the neighbours and in the lobby, there's no parcel.",
		hold:     "Opened a delivery investigation with {courier}, reference {ticket}. Asked for the driver's proof-of-delivery photo.",
		fix:      "It turns out the parcel was delivered to another address on your street by mistake. The driver has collected it and it will reach you tomorrow morning. Sorry for the trouble.",
		reopen:   "Still nothing has arrived, and tracking says 'delivered' — but I never got a parcel!",
		refix:    "Rather than wait for another investigation, we've sent a new parcel by express delivery at our expense, tracking number {new_tracking}, and added a ₪30 coupon: {coupon}.",
	}},
	acks: []string{
		"Thanks for reaching out, and sorry for the delay. We've checked order {order} and opened an inquiry with {courier} to find out where the parcel is stuck. We'll update you as soon as we hear back.",
		"Sorry to hear that! The parcel is with {courier} under tracking number {tracking}. We've opened an urgent inquiry and will get back to you by the end of the business day.",
	},
	notes: []string{
		"Returning customer, second delay with {courier}. Consider compensation.",
		"System shows the order left the warehouse on {date} with no scan since.",
	},
}

var enRefund = lines{
	stories: []story{{
		subjects: []string{"Still waiting for my refund", "Returned an item, no refund yet"},
		opening:  "Hello, I returned the item two weeks ago (order {order}) and I still don't see a refund on my card. When will I get my money back?",
		ask:      "So we can find your return, could you send a photo of the post office receipt or the return's tracking number?",
		answer:   "I've attached a photo of the receipt. The tracking number is {tracking}.",
		hold:     "The return hasn't been scanned at the warehouse yet. Asked the warehouse whether the parcel arrived.",
		fix:      "The item has arrived at our warehouse and your refund is approved: we've refunded {amount} to your card ending in {last4}. Depending on your card issuer, it will show up within 3-5 business days.",
		reopen:   "It's been 5 business days and there's still no refund on my card.",
		refix:    "We checked with our payment processor: the refund went out under reference {ticket}. Some card issuers only show it on the next statement, and your issuer can trace it with that reference.",
	}, {
		subjects: []string{"Refund request", "Not what I expected — can I return it?"},
		opening:  "I ordered {a_product} but it isn't what I was looking for. Can I return it for a full refund? Order {order}.",
		ask:      "Of course. Is the item in its original packaging and unused? Under our returns policy, items can be returned within 14 days in their original packaging.",
		answer:   "Yes, it's still in the original packaging, I never even opened it.",
		hold:     "Asked the warehouse to let us know as soon as the return is scanned.",
		fix:      "We've emailed you a free return label. You can drop the parcel off at any post office, and as soon as it reaches our warehouse we'll refund {amount} to your card ending in {last4}.",
		reopen:   "The label you sent won't scan at the post office.",
		refix:    "We've generated a new label and emailed it again. If there's any more trouble, we can also arrange a courier pickup from your home — just reply here.",
	}, {
		subjects: []string{"Cancel order {order} and refund", "Cancelled my order but was still charged"},
		opening:  "I asked to cancel order {order} the same day I placed it and got a confirmation, but the {amount} charge is still on my card.",
		ask:      "Could you send a screenshot of the charge as it appears on your statement? We need to see whether it's marked 'pending' or as a final charge.",
		answer:   "Screenshot attached. It says 'pending transaction'.",
		hold:     "Asked accounting to confirm the {amount} void was sent to the payment processor.",
		fix:      "Order {order} has been cancelled and the charge voided on our side. Pending charges usually disappear within a few business days, and if it shows up on your next statement it will be refunded automatically.",
		reopen:   "The charge has now gone through as a final charge on my statement.",
		refix:    "You're right, and we're sorry. We've issued a manual refund of {amount} to your card ending in {last4}, reference {ticket}.",
	}, {
		subjects: []string{"Received an item I didn't order", "Returning an item from order {order}"},
		opening:  "Order {order} arrived with an item I didn't order ({product}). I'd like to send it back and make sure I wasn't charged for it.",
		ask:      "Thanks for letting us know! Could you send a photo of the item and the label on its packaging? That will help us trace where it came from.",
		answer:   "I've sent photos of the item and the label.",
		hold:     "Label shows the item belongs to another order. Waiting for the warehouse to confirm.",
		fix:      "We checked — you weren't charged for it; it was sent by mistake. A courier will collect it in the next few days. Thanks for your honesty! We've added a ₪20 coupon to your account: {coupon}.",
		reopen:   "The courier still hasn't come to collect the item.",
		refix:    "We've rebooked the pickup for tomorrow between 9 am and 1 pm. The courier will call before arriving.",
	}},
	acks: []string{
		"We've received your request and are checking with our finance team. We'll update you within one business day.",
		"Thanks! Your request is being handled, and we'll get back to you as soon as we've finished checking.",
	},
	notes: []string{
		"Refund under ₪500 — no manager approval needed per policy.",
		"Customer also asked for the shipping fee back. Policy says no, but they're a long-time customer — approved an exception.",
	},
}

var enDamaged = lines{
	stories: []story{{
		subjects: []string{"Item arrived broken", "Crushed box and broken item"},
		opening:  "I opened the parcel today and there's a big crack on the side of the {product}. The box was crushed too. What should I do?",
		ask:      "We're so sorry! To sort this out quickly, could you send a photo of the item and the packaging? As soon as we have it we'll ship a replacement.",
		answer:   "I've attached three photos — the crack, the box and the label.",
		hold:     "Filed a damage claim with {courier} based on the photos, reference {ticket}.",
		fix:      "We've shipped a replacement, and the courier will collect the damaged one on the same visit — no need to repack it. Tracking number: {new_tracking}.",
		reopen:   "The replacement arrived — and it's cracked too. This is getting really frustrating.",
		refix:    "We've issued a full refund of {amount} to your card ending in {last4}, and you don't need to send anything back. We've raised the packaging problem with the supplier.",
	}, {
		subjects: []string{"Received a damaged item — order {order}", "Item won't turn on"},
		opening:  "The {product} I ordered (order {order}) won't turn on at all. I tried another socket and another cable — same thing.",
		ask:      "Could you send a photo of the label with the serial number on the bottom of the item? We'll check with the importer whether it's a known fault in that batch.",
		answer:   "Here's the photo of the label. The number is a bit blurry but readable.",
		hold:     "Ordered a replacement from the supplier — out of stock right now, expected at the warehouse in 3 days.",
		fix:      "It's a known fault in that batch. We've sent a replacement from a corrected batch, and a courier will collect the old one. Tracking number: {new_tracking}.",
		reopen:   "The replacement won't turn on either.",
		refix:    "We've issued a full refund of {amount} to your card ending in {last4}, and the courier will collect both items.",
	}, {
		subjects: []string{"Parts missing from my parcel", "Order {order} arrived incomplete"},
		opening:  "Parts are missing — the instructions say there should be 4 screws and only 2 came. Order {order}.",
		ask:      "Could you send a photo of the instruction sheet showing the model number? That way we'll send exactly the right parts.",
		answer:   "I've attached a photo of the instructions. The model is printed at the top.",
		hold:     "Asked the supplier for a replacement screw kit. Should reach the warehouse by the end of the week.",
		fix:      "The missing parts went out today by registered mail, tracking number {new_tracking}. Here's a ₪20 coupon for the trouble: {coupon}.",
		reopen:   "The screws arrived but they're the wrong size.",
		refix:    "This time we've sent the complete kit from the warehouse, with every screw size, by courier to your door.",
	}, {
		subjects: []string{"My order arrived soaking wet", "Water-damaged item — order {order}"},
		opening:  "Order {order} arrived soaking wet and the item inside is covered in water stains. Not something I can give as a gift.",
		ask:      "We're so sorry! Could you send a photo of the parcel and the item? We'll attach them to our complaint to the courier.",
		answer:   "Photos sent. Can I get a replacement instead of a refund?",
		hold:     "Filed a damage claim with {courier} based on the photos, reference {ticket}.",
		fix:      "We've shipped a replacement in gift wrapping, and the courier will collect the damaged one on the same visit. Tracking number: {new_tracking}.",
		reopen:   "The courier never came to collect the damaged item.",
		refix:    "We've booked a new pickup for tomorrow morning. If that doesn't suit you, you can also drop it off at any post office with the label we've emailed you.",
	}},
	acks: []string{
		"Thanks for letting us know, and sorry about this. We've passed the details to the warehouse to see how quickly we can put it right.",
		"Sorry to hear that! We've opened a replacement request and will let you know as soon as a replacement is ready.",
	},
	notes: []string{
		"Looks like transit damage — charge it back to {courier}.",
		"Third time this month this item arrives damaged. Flag to purchasing to review the packaging.",
	},
}

var enCharge = lines{
	stories: []story{{
		subjects: []string{"I was charged twice", "Double charge on order {order}"},
		opening:  "Hello, my card statement shows two charges of {amount} for the same order ({order}). I only placed one order. Please cancel the duplicate charge.",
		ask:      "So we can find the charges, could you send the last 4 digits of the card and the dates of the charges as they appear on your statement?",
		answer:   "Last 4 digits: {last4}. Both charges are from {date}.",
		hold:     "Opened an inquiry with the payment processor — the second transaction seems stuck as 'pending'. Reference {ticket}.",
		fix:      "We found the duplicate charge and cancelled it. A refund of {amount} will appear on your card ending in {last4} within 3-5 business days. Sorry again.",
		reopen:   "The refund still hasn't shown up and it's been 7 days.",
		refix:    "The refund went out under reference {ticket}. Some card issuers only show it on the next statement — if it isn't there, we'll take it up with your issuer directly.",
	}, {
		subjects: []string{"Payment failed but I was charged", "Charged twice after a failed payment"},
		opening:  "The payment on your website failed so I tried again, and now I've been charged {amount} twice.",
		ask:      "Could you send a screenshot of your statement? (Feel free to hide the other details.) We'll check whether the second one is a real charge or only an authorisation hold.",
		answer:   "I've attached a screenshot from my banking app.",
		hold:     "Asked the payment processor to release the hold from the failed attempt. Reference {ticket}.",
		fix:      "The second charge was only a temporary authorisation hold, not an actual charge — it will be released automatically within a few days. You haven't been charged twice.",
		reopen:   "It's been 10 days and the hold is still there.",
		refix:    "We've asked the payment processor to release the hold manually, reference {ticket}. It will clear within one business day.",
	}, {
		subjects: []string{"Wrong amount on my invoice", "Invoice doesn't match the sale price"},
		opening:  "The invoice for order {order} says {amount}, but the sale price was supposed to be lower.",
		ask:      "Could you send a screenshot or a link to the sale you saw on our website? We'll check whether the discount should have applied to this item.",
		answer:   "It was the 15% off electronics sale — screenshot from the website attached.",
		hold:     "Asked accounting to issue a credit note for the difference.",
		fix:      "We've corrected the invoice to the sale price and refunded the difference to your card ending in {last4}. The updated invoice has been emailed to you.",
		reopen:   "I got the corrected invoice but the amount is still wrong.",
		refix:    "You're right — the discount was calculated before VAT by mistake. We've issued another invoice and refunded the rest of the difference.",
	}, {
		subjects: []string{"Unrecognised charge on my credit card", "A charge I don't recognise"},
		opening:  "There's a charge of {amount} on my card from {date} that I don't recognise. Is it from you?",
		ask:      "So we can check, could you send the last 4 digits of the card and the merchant name as it appears on your statement?",
		answer:   "The card ends in {last4}, and the statement says KESHER SHOP.",
		hold:     "There's a transaction on this card from another account on the site. Asked the payment processor for details.",
		fix:      "It's a charge for order {order}, placed from a second account using the same card. We've emailed you the order details — if you don't recognise it, just reply here and we'll cancel it right away.",
		reopen:   "I didn't place that order, and I don't have a second account with you.",
		refix:    "We've cancelled the order and refunded {amount} to your card ending in {last4}. The second account has been blocked, and we recommend letting your card issuer know too.",
	}},
	acks: []string{
		"Sorry for the confusion! We've passed this to our finance team and will update you as soon as we find the charge.",
		"Thanks for letting us know. We're checking the charges with our payment processor.",
	},
	notes: []string{
		"Double charge caused by a payment-page timeout — the fourth this week. Filed a bug with the dev team.",
		"Refunds over ₪500 need the team lead's approval.",
	},
}

var enLogin = lines{
	stories: []story{{
		subjects: []string{"Can't log in to my account", "It says 'wrong password'"},
		opening:  "Every time I try to log in I get 'wrong password', even though the password is correct. I tried resetting it and no email arrived.",
		ask:      "Which email address is the account registered with? And could you also check your spam and promotions folders?",
		answer:   "It's this email address. I checked spam — nothing there.",
		hold:     "Looks like our emails to this mail provider are being blocked. Opened a ticket with the infrastructure team.",
		fix:      "We've sent the password reset link again, this time from a different address. It's valid for one hour — if it doesn't arrive within a few minutes, please check your spam folder.",
		reopen:   "The link doesn't work, it says it has expired.",
		refix:    "We've reset your password manually and sent a temporary one by SMS. After you log in you'll be asked to choose a new password.",
	}, {
		subjects: []string{"Verification code not arriving", "No SMS code"},
		opening:  "The SMS verification code never arrives on my phone. I've tried five times already.",
		ask:      "Which number is the code being sent to? Could you tell us the last digits shown on the login screen?",
		answer:   "The screen shows a number ending in {last4} — that's my number.",
		hold:     "SMS provider reports delivery delays to some networks. Waiting for their update.",
		fix:      "Our SMS provider has fixed the issue and codes are being delivered normally again. Please try logging in now.",
		reopen:   "Still no code.",
		refix:    "We've switched your account to email verification instead of SMS. Next time you log in, the code will go to your email address.",
	}, {
		subjects: []string{"My account is locked", "Account locked"},
		opening:  "After a few attempts my account got locked, and now it says I need to contact customer service.",
		ask:      "To verify your identity, could you tell us your most recent order number and the last 4 digits of your card?",
		answer:   "My last order was {order}, the card ends in {last4}.",
		hold:     "Lock was triggered by the fraud protection system. Asked the security team to approve the release.",
		fix:      "We've unlocked your account and sent a password reset link that's valid for one hour. If it doesn't arrive within a few minutes, please check your spam folder.",
		reopen:   "I got in once, and now the account is locked again.",
		refix:    "The account locked again because the app on your phone kept trying the old password. We've unlocked it — please log out of the app and log back in.",
	}, {
		subjects: []string{"New phone number, can't access my account", "Updating the phone number on my account"},
		opening:  "I changed my phone number and now I can't get into my account because the code goes to my old number.",
		ask:      "Happy to update it. To verify your identity, could you tell us your most recent order number, the last 4 digits of your card and your new number?",
		answer:   "My last order was {order}, the card ends in {last4}, and my new number is {phone}.",
		hold:     "Changing the number needs sign-off from the security team. Passed it on.",
		fix:      "We've updated the phone number on your account. You can log in now and the code will go to your new number.",
		reopen:   "The code is still going to my old number.",
		refix:    "Your old number was also saved as a backup number. We've removed it, so the code will only go to your new number now.",
	}},
	acks: []string{
		"We're looking into your account and will get back to you shortly.",
		"Thanks for the details! We've passed this to our technical team and will update you today.",
	},
	notes: []string{
		"Identity verified with order number and last 4 card digits.",
		"General login issue since this morning — 6 tickets so far. Told the dev team.",
	},
}

var enProduct = lines{
	stories: []story{{
		subjects: []string{"Question about the {product}", "Regular or Pro?"},
		opening:  "Hi, what's the difference between the regular {product} and the Pro model? Is it worth the extra money?",
		ask:      "What will you mostly use it for? That way we can recommend the right model.",
		answer:   "Mostly everyday use at home, for two or three people.",
		hold:     "Asked the importer for the full spec sheet of both models.",
		fix:      "The Pro has more power, a metal finish and an extra year of warranty. For everyday use at home, the regular model is plenty.",
		reopen:   "One more question: does the regular model come in black?",
		refix:    "Yes, black is in stock — you can choose it on the product page.",
	}, {
		subjects: []string{"Stock question — {product}", "When will it be back in stock?"},
		opening:  "When will the {product} be back in stock? I've been waiting for a month.",
		ask:      "Which colour are you after? Stock is restocked separately for each colour.",
		answer:   "Black, if possible.",
		hold:     "Asked the supplier when the next stock shipment is due.",
		fix:      "We expect it back in stock next week. You can sign up for an alert on the product page and we'll email you as soon as it's available.",
		reopen:   "Two weeks later and it's still out of stock.",
		refix:    "The supplier's shipment was held up at the port. We've reserved one for you from the next shipment and will let you know as soon as it's in the warehouse.",
	}, {
		subjects: []string{"Warranty on the {product}", "Warranty question"},
		opening:  "How many years of warranty does the {product} have, and is it an official Israeli importer warranty?",
		ask:      "Which model do you mean? Feel free to paste the link to the product page here.",
		answer:   "It's the first one on the category page — link attached.",
		hold:     "Asked the importer for the exact warranty terms for this model.",
		fix:      "It comes with a two-year official importer warranty covering parts and labour. The warranty certificate is emailed to you after purchase.",
		reopen:   "I bought it, but the warranty certificate never arrived by email.",
		refix:    "We've resent the warranty certificate, and it's also saved in your account under 'My orders'.",
	}, {
		subjects: []string{"Store pickup instead of delivery", "Question before buying"},
		opening:  "Can I pick up my order at your store instead of having it delivered? It's the {product}.",
		ask:      "Which part of the country are you in? We'll check for a pickup point near you.",
		answer:   "Central area, Petah Tikva.",
		hold:     "Checked with the branches which of them accept pickup orders.",
		fix:      "Yes — just choose 'store pickup' at checkout, from our Tel Aviv or Haifa branch. Orders are usually ready for pickup within one business day.",
		reopen:   "There's no store pickup option at checkout.",
		refix:    "The option only appears after you enter an address. If it still isn't there, write 'pickup' in the order notes and we'll take care of it.",
	}},
	acks: []string{
		"Great question! We're checking and will get back to you.",
		"Thanks for asking — we're confirming the details with the importer.",
	},
	notes: []string{
		"Potential bulk buyer — pass to sales.",
		"This question comes up a lot — worth adding an answer to the help centre.",
	},
}

var enComplaint = lines{
	stories: []story{{
		subjects: []string{"Nobody gets back to me", "Third time asking, no answer"},
		opening:  "I've contacted you three times about order {order} and nobody has got back to me. This isn't acceptable.",
		ask:      "We're very sorry. Which channel did you use before — email, chat or phone? That will help us find your earlier messages.",
		answer:   "Twice by email and once by phone.",
		hold:     "Escalated to the team lead — why the earlier requests went unanswered.",
		fix:      "We reviewed your earlier messages and we did drop the ball — your request was closed by mistake without an answer. We've sorted out order {order} and added a ₪50 credit to your account as an apology.",
		reopen:   "The credit doesn't show on my account.",
		refix:    "The credit has now been loaded to your account and will show at checkout on your next order.",
	}, {
		subjects: []string{"Bad experience with the courier", "Complaint about a driver"},
		opening:  "The {courier} driver was rude, dumped the parcel by the door and didn't wait for me to open it. I expect a response.",
		ask:      "We'd like to look into this properly. Roughly what day and time did the driver come?",
		answer:   "It was Wednesday afternoon, around four.",
		hold:     "Asked {courier} dispatch for the driver's report for that day.",
		fix:      "We've passed your complaint to the courier company and the driver has been given feedback. Your next delivery is on us — coupon code: {coupon}.",
		reopen:   "The coupon code isn't accepted at checkout.",
		refix:    "The code was limited to orders over ₪200 by mistake. We've removed the limit, so it should work now.",
	}, {
		subjects: []string{"Promised a call back that never came", "Complaint about your service"},
		opening:  "I was promised on the phone that someone would call me back within 24 hours. It's been 4 days. If this isn't sorted, it's the last time I shop with you.",
		ask:      "We're very sorry. So we can look into it, could you tell us roughly when you called and which number you called from?",
		answer:   "I called Monday morning around 10, from the number on my account.",
		hold:     "Asked the call centre for the call recording.",
		fix:      "We listened to the recording — the rep did promise a call back and never called, which isn't OK. We've dealt with your original request and added a ₪50 credit to your account for the trouble.",
		reopen:   "My original request still isn't fully sorted.",
		refix:    "It's now fully resolved, and from now on your requests go straight to the team lead.",
	}, {
		subjects: []string{"Disappointing customer service", "Impossible to reach you by phone"},
		opening:  "I waited 40 minutes on hold and then the call dropped. Is there no other way to reach you?",
		ask:      "Sorry about the wait. What was it about? We're happy to help right here.",
		answer:   "I wanted to ask when order {order} would arrive, but it has arrived in the meantime. Still, 40 minutes is a lot.",
		hold:     "Escalated to the call-centre shift manager.",
		fix:      "Thanks for your patience, and sorry about the wait. You can now book a call back at a time that suits you on our website, and we're also on chat and email. We've added a ₪30 credit to your account for the time you lost.",
		reopen:   "The credit doesn't show on my account.",
		refix:    "The credit has now been loaded to your account and will show at checkout on your next order.",
	}},
	acks: []string{
		"Thank you for writing to us, and sorry about your experience. We've escalated this to the team lead and will get back to you by tomorrow noon.",
		"We're very sorry. This isn't the service we want to give, and we're looking into what happened.",
	},
	notes: []string{
		"Very upset customer, handle with care. Approved compensation up to ₪100.",
		"Check whether there were similar complaints this week and tell the call-centre manager.",
	},
}
