package helpcenter

// Texts are the help center's words in one language.
type Texts struct {
	Lang, Dir, OtherLang, OtherLangName        string
	HelpCenter, SearchLabel, SearchButton      string
	SearchPlaceholder, ResultsFor, NoResults   string
	Categories, NoArticles, Home               string
	Helpful, Yes, No, ThanksVote, AlreadyVoted string
	OtherVersion, ContactUs, ContactIntro      string
	Name, Email, Subject, Message, Send        string
	Website                                    string
	ContactThanksTitle, ContactThanks          string
	NotFoundTitle, NotFound                    string
	ForbiddenTitle, Forbidden                  string
	TooManyTitle, TooMany                      string
	ErrEmail, ErrMessage, ErrName, ErrTooLong  string
	Updated, StillNeedHelp, ContactUnavailable string
}

var texts = map[string]Texts{
	"he": {
		Lang: "he", Dir: "rtl", OtherLang: "en", OtherLangName: "English",
		HelpCenter: "מרכז העזרה", SearchLabel: "חיפוש במרכז העזרה", SearchButton: "חיפוש",
		SearchPlaceholder: "במה אפשר לעזור?", ResultsFor: "תוצאות עבור", NoResults: "לא נמצאו מאמרים. נסו מילים אחרות או פנו אלינו.",
		Categories: "נושאים", NoArticles: "אין עדיין מאמרים בנושא הזה.", Home: "ראשי",
		Helpful: "האם המאמר עזר לך?", Yes: "כן", No: "לא", ThanksVote: "תודה על המשוב!", AlreadyVoted: "כבר ענית — תודה!",
		OtherVersion: "המאמר באנגלית", ContactUs: "צרו קשר", ContactIntro: "לא מצאתם תשובה? כתבו לנו ונחזור אליכם במייל.",
		Name: "שם", Email: "אימייל", Subject: "נושא", Message: "הודעה", Send: "שליחה", Website: "אתר (השאירו ריק)",
		ContactThanksTitle: "ההודעה נשלחה", ContactThanks: "תודה! קיבלנו את הפנייה ונענה בהקדם לכתובת האימייל שמסרת.",
		NotFoundTitle: "הדף לא נמצא", NotFound: "הדף שחיפשת לא קיים או שאינו זמין.",
		ForbiddenTitle: "הטופס פג תוקף", Forbidden: "טענו את הדף מחדש ונסו שוב.",
		TooManyTitle: "יותר מדי בקשות", TooMany: "נסו שוב בעוד דקה.",
		ErrEmail: "כתבו כתובת אימייל תקינה.", ErrMessage: "כתבו הודעה.", ErrName: "השם ארוך מדי.", ErrTooLong: "הטקסט ארוך מדי.",
		Updated: "עודכן", StillNeedHelp: "עדיין צריכים עזרה?", ContactUnavailable: "טופס יצירת הקשר אינו זמין כרגע.",
	},
	"en": {
		Lang: "en", Dir: "ltr", OtherLang: "he", OtherLangName: "עברית",
		HelpCenter: "Help center", SearchLabel: "Search the help center", SearchButton: "Search",
		SearchPlaceholder: "How can we help?", ResultsFor: "Results for", NoResults: "No articles found. Try other words or contact us.",
		Categories: "Topics", NoArticles: "No articles in this topic yet.", Home: "Home",
		Helpful: "Was this article helpful?", Yes: "Yes", No: "No", ThanksVote: "Thanks for your feedback!", AlreadyVoted: "You already answered — thanks!",
		OtherVersion: "This article in Hebrew", ContactUs: "Contact us", ContactIntro: "Didn't find an answer? Write to us and we will reply by email.",
		Name: "Name", Email: "Email", Subject: "Subject", Message: "Message", Send: "Send", Website: "Website (leave empty)",
		ContactThanksTitle: "Message sent", ContactThanks: "Thank you! We received your message and will reply to your email soon.",
		NotFoundTitle: "Page not found", NotFound: "The page you were looking for does not exist or is not available.",
		ForbiddenTitle: "The form expired", Forbidden: "Reload the page and try again.",
		TooManyTitle: "Too many requests", TooMany: "Please try again in a minute.",
		ErrEmail: "Enter a valid email address.", ErrMessage: "Write a message.", ErrName: "The name is too long.", ErrTooLong: "The text is too long.",
		Updated: "Updated", StillNeedHelp: "Still need help?", ContactUnavailable: "The contact form is not available right now.",
	},
}
