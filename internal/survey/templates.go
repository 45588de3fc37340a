package survey

import (
	"fmt"
	"strings"
)

// Texts is one language's strings of survey emails and the public pages.
type Texts struct {
	Dir            string // "rtl" or "ltr"
	CSATSubject    string
	NPSSubject     string
	Greeting       string // with %s: the contact's name
	GreetingNoName string
	CSATIntro      string
	CSATScoreLine  string // with %d and %s: a score and its link
	CSATFormLine   string // with %s: the link
	NPSIntro       string
	NPSFormLine    string // with %s: the link
	Thanks         string
	// Pages.
	PageTitle     string
	CSATQuestion  string
	CSATLabels    [5]string // 1 … 5
	CESQuestion   string
	CESLow        string // 1
	CESHigh       string // 7
	NPSQuestion   string
	NPSLow        string // 0
	NPSHigh       string // 10
	Comment       string
	NPSComment    string
	Submit        string
	ThanksTitle   string
	ThanksBody    string
	ChangeAnswer  string
	ClosedTitle   string
	ClosedBody    string
	NotFoundTitle string
	NotFoundBody  string
	ScoreMissing  string
	TooLong       string
	ScoreRange    string // with %d and %d: the lowest and highest score
	CESUnexpected string
	CESRange      string
	InvalidUTF8   string
	// Error pages (the title and one line each).
	TooManyTitle, TooManyBody     string
	ForbiddenTitle, ForbiddenBody string
	BadFormTitle, BadFormBody     string
	TooLargeTitle, TooLargeBody   string
	FailedTitle, FailedBody       string
}

// catalog holds the strings per language; "he" is the default.
var catalog = map[string]Texts{
	"he": {
		Dir:            "rtl",
		CSATSubject:    "איך היה השירות שקיבלת?",
		NPSSubject:     "נשמח לשמוע את דעתך",
		Greeting:       "שלום %s,",
		GreetingNoName: "שלום,",
		CSATIntro:      "פנייתך טופלה. נשמח לדעת עד כמה היית מרוצה מהשירות (1 – לא מרוצה בכלל, 5 – מרוצה מאוד). לחיצה אחת מספיקה:",
		CSATScoreLine:  "%d – %s",
		CSATFormLine:   "או בטופס: %s",
		NPSIntro:       "עד כמה סביר שתמליץ עלינו לחבר או לעמית (0–10)? התשובה לוקחת פחות מדקה:",
		NPSFormLine:    "%s",
		Thanks:         "תודה!",
		PageTitle:      "סקר שביעות רצון",
		CSATQuestion:   "עד כמה היית מרוצה מהשירות שקיבלת?",
		CSATLabels:     [5]string{"1 – לא מרוצה בכלל", "2 – לא מרוצה", "3 – בסדר", "4 – מרוצה", "5 – מרוצה מאוד"},
		CESQuestion:    "כמה קל היה לטפל בפנייה שלך?",
		CESLow:         "קשה מאוד",
		CESHigh:        "קל מאוד",
		NPSQuestion:    "עד כמה סביר שתמליץ עלינו לחבר או לעמית?",
		NPSLow:         "בכלל לא סביר",
		NPSHigh:        "סביר מאוד",
		Comment:        "רוצה להוסיף משהו? (לא חובה)",
		NPSComment:     "למה? (לא חובה)",
		Submit:         "שליחה",
		ThanksTitle:    "תודה על המשוב!",
		ThanksBody:     "התשובה שלך נשמרה. אפשר לשנות אותה בקישור שבמייל במשך שבעה ימים.",
		ChangeAnswer:   "שינוי התשובה",
		ClosedTitle:    "הסקר נסגר",
		ClosedBody:     "אפשר היה לענות על הסקר הזה עד שבעה ימים מהשליחה. תודה בכל זאת!",
		NotFoundTitle:  "הקישור אינו תקין",
		NotFoundBody:   "לא מצאנו סקר בקישור הזה. ודאו שהעתקתם את כל הקישור מהמייל.",
		ScoreMissing:   "נא לבחור ציון.",
		TooLong:        "ההערה ארוכה מדי (עד 2000 תווים).",
		ScoreRange:     "נא לבחור ציון בין %d ל-%d.",
		CESUnexpected:  "בסקר הזה אין שאלת קלות טיפול.",
		CESRange:       "נא לבחור ציון קלות בין 1 ל-7.",
		InvalidUTF8:    "ההערה מכילה תווים לא תקינים.",
		TooManyTitle:   "יותר מדי בקשות",
		TooManyBody:    "נא לנסות שוב בעוד דקה.",
		ForbiddenTitle: "הבקשה נדחתה",
		ForbiddenBody:  "אפשר לשלוח את הטופס רק מדף הסקר עצמו. נא לפתוח שוב את הקישור מהמייל.",
		BadFormTitle:   "הטופס אינו תקין",
		BadFormBody:    "לא הצלחנו לקרוא את הטופס. נא לפתוח שוב את הקישור מהמייל ולנסות שוב.",
		TooLargeTitle:  "הטופס גדול מדי",
		TooLargeBody:   "הטופס שנשלח גדול מדי. נא לקצר את ההערה ולנסות שוב.",
		FailedTitle:    "משהו השתבש",
		FailedBody:     "לא הצלחנו לטפל בבקשה. נא לנסות שוב מאוחר יותר.",
	},
	"en": {
		Dir:            "ltr",
		CSATSubject:    "How did we do?",
		NPSSubject:     "We would love your opinion",
		Greeting:       "Hello %s,",
		GreetingNoName: "Hello,",
		CSATIntro:      "Your request was solved. How satisfied were you with our service (1 – very dissatisfied, 5 – very satisfied)? One click is enough:",
		CSATScoreLine:  "%d – %s",
		CSATFormLine:   "Or use the form: %s",
		NPSIntro:       "How likely are you to recommend us to a friend or colleague (0–10)? It takes less than a minute:",
		NPSFormLine:    "%s",
		Thanks:         "Thank you!",
		PageTitle:      "Customer satisfaction survey",
		CSATQuestion:   "How satisfied were you with the service you received?",
		CSATLabels:     [5]string{"1 – very dissatisfied", "2 – dissatisfied", "3 – neutral", "4 – satisfied", "5 – very satisfied"},
		CESQuestion:    "How easy was it to get your issue handled?",
		CESLow:         "very difficult",
		CESHigh:        "very easy",
		NPSQuestion:    "How likely are you to recommend us to a friend or colleague?",
		NPSLow:         "not at all likely",
		NPSHigh:        "extremely likely",
		Comment:        "Anything to add? (optional)",
		NPSComment:     "Why? (optional)",
		Submit:         "Send",
		ThanksTitle:    "Thank you for your feedback!",
		ThanksBody:     "Your answer was saved. You can change it with the link in the email for seven days.",
		ChangeAnswer:   "Change my answer",
		ClosedTitle:    "This survey is closed",
		ClosedBody:     "This survey could be answered for seven days after it was sent. Thank you anyway!",
		NotFoundTitle:  "This link is not valid",
		NotFoundBody:   "We found no survey at this link. Please make sure you copied the whole link from the email.",
		ScoreMissing:   "Please choose a score.",
		TooLong:        "The comment is too long (2000 characters at most).",
		ScoreRange:     "Please choose a score from %d to %d.",
		CESUnexpected:  "This survey asks no ease-of-handling question.",
		CESRange:       "Please choose an ease score from 1 to 7.",
		InvalidUTF8:    "The comment contains invalid characters.",
		TooManyTitle:   "Too many requests",
		TooManyBody:    "Please try again in a minute.",
		ForbiddenTitle: "Request refused",
		ForbiddenBody:  "The form can only be sent from the survey page itself. Please open the link from the email again.",
		BadFormTitle:   "The form is not valid",
		BadFormBody:    "We could not read the form. Please open the link from the email again and retry.",
		TooLargeTitle:  "The form is too large",
		TooLargeBody:   "The form sent is too large. Please shorten the comment and try again.",
		FailedTitle:    "Something went wrong",
		FailedBody:     "We could not handle the request. Please try again later.",
	},
}

// Language returns lang ("he", "en", "en-US", …) reduced to a language the
// surveys speak ("he" or "en"); anything else is "he".
func Language(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i]
	}
	if _, ok := catalog[lang]; ok {
		return lang
	}
	return "he"
}

// Catalog returns the strings of lang (see Language).
func Catalog(lang string) Texts { return catalog[Language(lang)] }

// mail is a rendered survey email.
type mail struct{ Subject, Body string }

func greeting(t Texts, name string) string {
	if strings.TrimSpace(name) == "" {
		return t.GreetingNoName
	}
	return fmt.Sprintf(t.Greeting, strings.TrimSpace(name))
}

// renderCSAT renders the CSAT email: one-click links for scores 1–5
// (link?score=N, which pre-select the score on the page) and the form's
// link. The CES question, when the inbox asks it, is on the page only.
func renderCSAT(lang, name, link string) mail {
	t := catalog[lang]
	var b strings.Builder
	b.WriteString(greeting(t, name) + "\n\n" + t.CSATIntro + "\n\n")
	for n := 5; n >= 1; n-- {
		b.WriteString(fmt.Sprintf(t.CSATScoreLine, n, fmt.Sprintf("%s?score=%d", link, n)) + "\n")
	}
	b.WriteString("\n" + fmt.Sprintf(t.CSATFormLine, link) + "\n\n" + t.Thanks)
	return mail{Subject: t.CSATSubject, Body: b.String()}
}

// renderNPS renders an NPS campaign's email with the page's link.
func renderNPS(lang, name, link string) mail {
	t := catalog[lang]
	body := greeting(t, name) + "\n\n" + t.NPSIntro + "\n" + fmt.Sprintf(t.NPSFormLine, link) + "\n\n" + t.Thanks
	return mail{Subject: t.NPSSubject, Body: body}
}
