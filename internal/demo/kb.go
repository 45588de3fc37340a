package demo

import (
	"context"
	"fmt"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/kb"
)

// The demo knowledge base: the shop's help center, with every article in
// Hebrew and English linked as translations, so `kesher serve --demo`
// shows a help center at /help/he and the answer bot and agent assist
// have articles to find.

type kbGroup struct {
	slug, he, en, descHe, descEn string
}

type kbArticle struct {
	section         int // index into kbSections
	titleHe, bodyHe string
	titleEn, bodyEn string
	slugEn          string
	internal        bool
}

var kbCategories = []kbGroup{
	{"orders-shipping", "הזמנות ומשלוחים", "Orders and shipping", "זמני משלוח, מעקב אחרי הזמנה ושינויים בהזמנה.",
		"Delivery times, tracking an order and changing an order."},
	{"returns-refunds", "החזרות והחזרים כספיים", "Returns and refunds", "איך מחזירים מוצר ומתי מקבלים את הכסף.",
		"How to return an item and when you get your money back."},
	{"account-billing", "חשבון וחיובים", "Account and billing", "התחברות, סיסמה, חשבוניות ואמצעי תשלום.",
		"Signing in, passwords, invoices and payment methods."},
}

// kbSections: the category index, then the group.
var kbSections = []struct {
	category int
	kbGroup
}{
	{0, kbGroup{"shipping", "משלוחים", "Shipping", "", ""}},
	{0, kbGroup{"orders", "ההזמנה שלי", "My order", "", ""}},
	{1, kbGroup{"returns", "החזרות", "Returns", "", ""}},
	{2, kbGroup{"account", "החשבון שלי", "My account", "", ""}},
	{2, kbGroup{"billing", "חיובים וחשבוניות", "Billing and invoices", "", ""}},
}

var kbArticles = []kbArticle{
	{section: 0, slugEn: "shipping-times",
		titleHe: "זמני משלוח", bodyHe: `## כמה זמן לוקח המשלוח?

- **משלוח רגיל:** 3–5 ימי עסקים לכל הארץ.
- **משלוח מהיר:** 1–2 ימי עסקים באזור המרכז.
- **איסוף עצמי** מנקודת חלוקה: בדרך כלל תוך 2 ימי עסקים.

ימי עסקים הם ראשון עד חמישי, לא כולל חגים. הזמנה שבוצעה אחרי 14:00 יוצאת למחרת.

לאילת ולישובים מרוחקים ייתכן יום עסקים נוסף.`,
		titleEn: "Shipping times", bodyEn: `## How long does delivery take?

- **Standard delivery:** 3–5 business days anywhere in Israel.
- **Express delivery:** 1–2 business days in the central region.
- **Pickup point:** usually within 2 business days.

Business days are Sunday to Thursday, holidays excluded. Orders placed after 14:00 ship the next business day.

Eilat and remote communities may take one more business day.`},
	{section: 0, slugEn: "track-your-order",
		titleHe: "מעקב אחרי הזמנה", bodyHe: `כשההזמנה יוצאת מהמחסן נשלח אליך מייל ו-SMS עם **מספר מעקב**.

1. היכנסו לאזור האישי > "ההזמנות שלי".
2. לחצו על ההזמנה ואז על "מעקב משלוח".
3. הסטטוס מתעדכן אצל חברת השילוח עד 24 שעות אחרי היציאה מהמחסן.

לא קיבלתם מספר מעקב תוך יומיים מההזמנה? [צרו איתנו קשר](/help/he/contact) עם מספר ההזמנה.`,
		titleEn: "Track your order", bodyEn: `When your order leaves the warehouse we send an email and a text message with a **tracking number**.

1. Go to your account > "My orders".
2. Open the order and choose "Track shipment".
3. The carrier updates the status within 24 hours of dispatch.

No tracking number two days after ordering? [Contact us](/help/en/contact) with your order number.`},
	{section: 0, slugEn: "late-delivery",
		titleHe: "המשלוח מתעכב", bodyHe: `אם עבר מועד המסירה המשוער:

- בדקו את סטטוס המשלוח בקישור המעקב.
- ייתכן שהחבילה ממתינה בנקודת האיסוף — חפשו SMS מחברת השילוח.
- אם אין עדכון 3 ימי עסקים אחרי המועד, נפתח בירור מול חברת השילוח ונעדכן אותך.

במשלוח שמתעכב יותר מ-7 ימי עסקים נציע משלוח חוזר או החזר כספי מלא.`,
		titleEn: "My delivery is late", bodyEn: `If the estimated delivery date has passed:

- Check the shipment status through the tracking link.
- The parcel may be waiting at a pickup point — look for a text message from the carrier.
- With no update 3 business days after the date, we open an inquiry with the carrier and keep you posted.

For a delivery more than 7 business days late we offer a replacement shipment or a full refund.`},
	{section: 1, slugEn: "change-or-cancel-an-order",
		titleHe: "שינוי או ביטול הזמנה", bodyHe: `אפשר לשנות או לבטל הזמנה **עד שהיא יוצאת מהמחסן** (בדרך כלל עד שעתיים אחרי ההזמנה).

- באזור האישי: "ההזמנות שלי" > "ביטול הזמנה".
- כדי לשנות כתובת או מוצר, צרו קשר ונעדכן עבורכם.

הזמנה שכבר נשלחה אפשר להחזיר לפי מדיניות ההחזרות.`,
		titleEn: "Change or cancel an order", bodyEn: `You can change or cancel an order **until it leaves the warehouse** (usually up to two hours after ordering).

- In your account: "My orders" > "Cancel order".
- To change the address or an item, contact us and we will update it for you.

An order that has shipped can be returned under the returns policy.`},
	{section: 2, slugEn: "returns-policy",
		titleHe: "מדיניות החזרות", bodyHe: `אפשר להחזיר מוצר תוך **14 יום** מקבלתו, באריזה המקורית ובלי סימני שימוש.

1. באזור האישי בחרו "החזרת מוצר".
2. הדפיסו את תווית ההחזרה ששלחנו במייל.
3. מסרו את החבילה בנקודת איסוף או לשליח.

משלוח ההחזרה בחינם למוצר פגום או שגוי. בכל מקרה אחר ינוכו 15 ₪ דמי משלוח.`,
		titleEn: "Returns policy", bodyEn: `You can return an item within **14 days** of receiving it, in its original packaging and unused.

1. In your account choose "Return an item".
2. Print the return label we emailed you.
3. Drop the parcel at a pickup point or hand it to the courier.

Return shipping is free for a damaged or wrong item; otherwise a 15 ILS shipping fee is deducted.`},
	{section: 2, slugEn: "refund-times",
		titleHe: "מתי מקבלים החזר כספי?", bodyHe: `ההחזר יוצא **תוך 3 ימי עסקים** מרגע שההחזרה הגיעה למחסן ונבדקה.

- בכרטיס אשראי: הזיכוי מופיע בדף החיוב הבא, לפעמים עד 10 ימים.
- ב-PayPal: תוך 1–2 ימי עסקים.
- בזיכוי לחשבון בחנות: מיד.

קיבלתם חיוב כפול? צרו קשר ונבטל את החיוב המיותר.`,
		titleEn: "When will I get my refund?", bodyEn: `We issue the refund **within 3 business days** of the return reaching our warehouse and being checked.

- Credit card: the credit shows on your next statement, sometimes up to 10 days.
- PayPal: within 1–2 business days.
- Store credit: immediately.

Charged twice? Contact us and we will cancel the extra charge.`},
	{section: 2, slugEn: "damaged-item",
		titleHe: "קיבלתי מוצר פגום", bodyHe: `מצטערים! צלמו את המוצר ואת האריזה ושלחו לנו דרך [טופס יצירת הקשר](/help/he/contact) עם מספר ההזמנה.

נשלח מוצר חלופי או החזר מלא, לבחירתכם, ואת משלוח ההחזרה אנחנו מממנים.`,
		titleEn: "I received a damaged item", bodyEn: `We're sorry! Take photos of the item and its packaging and send them through the [contact form](/help/en/contact) with your order number.

We will send a replacement or a full refund, as you prefer, and we pay for the return shipping.`},
	{section: 3, slugEn: "change-your-password",
		titleHe: "שינוי סיסמה", bodyHe: `1. התחברו לאזור האישי.
2. עברו ל"הגדרות חשבון" > "סיסמה".
3. הקלידו את הסיסמה הנוכחית ואת החדשה (לפחות 10 תווים).

שכחתם את הסיסמה? בדף ההתחברות לחצו "שכחתי סיסמה" ונשלח קישור לאיפוס. הקישור תקף לשעה.`,
		titleEn: "Change your password", bodyEn: `1. Sign in to your account.
2. Go to "Account settings" > "Password".
3. Enter your current password and the new one (at least 10 characters).

Forgot your password? On the sign-in page choose "Forgot password" and we will email a reset link, valid for one hour.`},
	{section: 4, slugEn: "invoices",
		titleHe: "חשבונית מס להזמנה", bodyHe: `חשבונית מס/קבלה נשלחת למייל **עם יציאת ההזמנה** מהמחסן.

- אפשר להוריד אותה שוב מהאזור האישי > "ההזמנות שלי" > "חשבונית".
- צריכים חשבונית על שם חברה (ח.פ.)? ציינו זאת בהזמנה או צרו קשר תוך 30 יום.`,
		titleEn: "Tax invoice for an order", bodyEn: `A tax invoice/receipt is emailed **when your order ships**.

- You can download it again from your account > "My orders" > "Invoice".
- Need the invoice in a company's name (company number)? Say so when ordering or contact us within 30 days.`},
	{section: 4, slugEn: "payment-methods",
		titleHe: "אמצעי תשלום", bodyHe: `אנחנו מקבלים כרטיסי אשראי (ויזה, מאסטרקארד, אמריקן אקספרס, ישראכרט), PayPal, Bit ו-Apple Pay.

אפשר לחלק תשלום ל-3 תשלומים ללא ריבית בהזמנה מעל 300 ₪.`,
		titleEn: "Payment methods", bodyEn: `We accept credit cards (Visa, Mastercard, American Express, Isracard), PayPal, Bit and Apple Pay.

Orders over 300 ILS can be split into 3 interest-free payments.`},
	{section: 1, internal: true, slugEn: "agents-compensation-for-late-deliveries",
		titleHe: "לנציגים: פיצוי על איחור במשלוח", bodyHe: `**פנימי — לא לשתף עם לקוחות.**

- איחור של 3–6 ימי עסקים: קוד הנחה של 10%.
- איחור של 7 ימים ומעלה: החזר דמי המשלוח ואפשרות להחזר מלא.
- לקוחות VIP: לפנות לראש הצוות לפני הצעת פיצוי.`,
		titleEn: "For agents: compensation for late deliveries", bodyEn: `**Internal — do not share with customers.**

- 3–6 business days late: a 10% discount code.
- 7 or more days late: refund the shipping fee and offer a full refund.
- VIP customers: ask the team lead before offering compensation.`},
}

// seedKB writes the demo knowledge base through the knowledge-base service
// (so the articles are rendered, versioned and indexed) and turns on the
// help center with its contact form in the support email inbox. It returns
// the number of articles.
func seedKB(ctx context.Context, k *kb.Service, contactInbox int64) (int, error) {
	actor := audit.Actor{Type: "system", Name: "demo"}
	cats := make([]int64, len(kbCategories))
	for i, c := range kbCategories {
		got, err := k.CreateCategory(ctx, kb.GroupInput{Slug: &c.slug, NameHe: &c.he, NameEn: &c.en, DescriptionHe: &c.descHe,
			DescriptionEn: &c.descEn, Position: &i})
		if err != nil {
			return 0, fmt.Errorf("demo: kb category %s: %w", c.slug, err)
		}
		cats[i] = got.ID
	}
	secs := make([]int64, len(kbSections))
	for i, s := range kbSections {
		got, err := k.CreateSection(ctx, kb.GroupInput{Slug: &s.slug, NameHe: &s.he, NameEn: &s.en, Position: &i, CategoryID: &cats[s.category]})
		if err != nil {
			return 0, fmt.Errorf("demo: kb section %s: %w", s.slug, err)
		}
		secs[i] = got.ID
	}
	n := 0
	for _, a := range kbArticles {
		vis := kb.VisibilityPublic
		if a.internal {
			vis = kb.VisibilityInternal
		}
		he, err := k.CreateArticle(ctx, actor, kb.ArticleInput{Language: "he", SectionID: &secs[a.section], Title: a.titleHe,
			BodyMarkdown: a.bodyHe, Status: kb.StatusPublished, Visibility: vis})
		if err != nil {
			return n, fmt.Errorf("demo: kb article %s: %w", a.slugEn, err)
		}
		if _, err := k.CreateArticle(ctx, actor, kb.ArticleInput{Language: "en", SectionID: &secs[a.section], Title: a.titleEn,
			Slug: a.slugEn, BodyMarkdown: a.bodyEn, Status: kb.StatusPublished, Visibility: vis, TranslationOf: &he.ID}); err != nil {
			return n, fmt.Errorf("demo: kb article %s (en): %w", a.slugEn, err)
		}
		n += 2
	}
	if _, err := k.UpdateSettings(ctx, kb.SettingsInput{Enabled: true, BrandName: "Kesher Shop", Color: "#0f766e",
		ContactInboxID: &contactInbox}); err != nil {
		return n, err
	}
	return n, nil
}
