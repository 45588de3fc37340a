package lateness

import (
	"strconv"
	"strings"
	"time"
)

// texts is one language's catalog of the customer- and agent-visible
// strings of late deliveries. Placeholders: {number} the order number
// (the external_id when the order has none; never Kesher's internal id),
// {promised} the promised date, {eta} the carrier's new estimate,
// {days} the days late, {name} the contact's name.
type texts struct {
	SubjectLate    string // conversation subject and notice subject, order late
	SubjectAtRisk  string // … order at risk
	Greeting       string // first line, with {name}
	GreetingNoName string
	BodyLate       string
	BodyAtRisk     string
	ETA            string // appended when the carrier gave a new estimate
	NoETA          string // … when it did not
	Closing        string
	// Internal notes for agents.
	NoteLate      string // opening note of the conversation, order late
	NoteAtRisk    string // … at risk
	NoteDelivered string // the order was delivered after being late or at risk
	NoteOnTime    string // back on time for another reason (new promise, cancelled, returned)
	NoteNoNotice  string // why no notice went out, with {why}
	// Why names, for NoteNoNotice, each reason a notice is withheld.
	Why map[string]string
}

// catalog holds the strings per language ("he", "en"); he is the default.
var catalog = map[string]texts{
	"he": {
		SubjectLate:    "עדכון על הזמנה {number}: המשלוח מתעכב",
		SubjectAtRisk:  "עדכון על הזמנה {number}: ייתכן עיכוב במשלוח",
		Greeting:       "שלום {name},",
		GreetingNoName: "שלום,",
		BodyLate:       "ההזמנה שלך מספר {number} הייתה אמורה להגיע עד {promised}, ועדיין לא נמסרה. אנחנו מצטערים על העיכוב ועוקבים אחרי המשלוח.",
		BodyAtRisk:     "ההזמנה שלך מספר {number} אמורה להגיע עד {promised}, אבל ייתכן שתתעכב. רצינו לעדכן אותך מראש.",
		ETA:            "לפי חברת השילוח, מועד ההגעה המשוער החדש הוא {eta}.",
		NoETA:          "נעדכן אותך ברגע שיהיה לנו מועד הגעה חדש.",
		Closing:        "אפשר להשיב למייל זה בכל שאלה.",
		NoteLate:       "הזמנה {number} באיחור (ימי איחור: {days}; הובטחה עד {promised}).",
		NoteAtRisk:     "הזמנה {number} בסיכון לאיחור (הובטחה עד {promised}).",
		NoteDelivered:  "הזמנה {number} נמסרה.",
		NoteOnTime:     "הזמנה {number} אינה מאחרת עוד.",
		NoteNoNotice:   "לא נשלחה הודעה ללקוח: {why}.",
		Why: map[string]string{whyNoInbox: "תיבת הפניות אינה תיבת דואר", whyNoAddress: "ללקוח אין כתובת דואר",
			whyBounced: "הדואר לכתובת הלקוח חוזר", whyLimit: "הגיעה מכסת ההודעות האוטומטיות לשעה"},
	},
	"en": {
		SubjectLate:    "Update on order {number}: your delivery is delayed",
		SubjectAtRisk:  "Update on order {number}: your delivery may be delayed",
		Greeting:       "Hello {name},",
		GreetingNoName: "Hello,",
		BodyLate:       "Your order {number} was due to arrive by {promised} and has not been delivered yet. We are sorry for the delay and are following the shipment.",
		BodyAtRisk:     "Your order {number} is due to arrive by {promised}, but it may be delayed. We wanted to let you know early.",
		ETA:            "The carrier's new estimated delivery is {eta}.",
		NoETA:          "We will let you know as soon as we have a new delivery date.",
		Closing:        "You can reply to this email with any question.",
		NoteLate:       "Order {number} is late (days late: {days}; promised by {promised}).",
		NoteAtRisk:     "Order {number} is at risk of being late (promised by {promised}).",
		NoteDelivered:  "Order {number} was delivered.",
		NoteOnTime:     "Order {number} is no longer late.",
		NoteNoNotice:   "No notice was sent to the customer: {why}.",
		Why: map[string]string{whyNoInbox: "the inbox is not an email inbox", whyNoAddress: "the customer has no email address",
			whyBounced: "mail to the customer's address bounces", whyLimit: "the hourly limit of automatic mail is reached"},
	},
}

// language returns lang when the catalog has it, else "he".
func language(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i]
	}
	if _, ok := catalog[lang]; ok {
		return lang
	}
	return "he"
}

// fill replaces the placeholders of s with vals.
func fill(s string, vals map[string]string) string {
	pairs := make([]string, 0, 2*len(vals))
	for k, v := range vals {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// formatDate shows t as a date in loc: 24/11/2026 in Hebrew, 24 Nov 2026
// in English.
func formatDate(t time.Time, loc *time.Location, lang string) string {
	if lang == "he" {
		return t.In(loc).Format("02/01/2006")
	}
	return t.In(loc).Format("2 Jan 2006")
}

// notice is a rendered proactive notice.
type notice struct {
	Subject string
	Body    string
}

// noticeFacts are what a notice or a note says about an order.
type noticeFacts struct {
	Lateness string
	Number   string
	Name     string
	Promised time.Time
	ETA      *time.Time
	DaysLate int
	Offer    string // the Offer's explanation, "" when none
}

func (f noticeFacts) values(loc *time.Location, lang string) map[string]string {
	v := map[string]string{"number": f.Number, "promised": formatDate(f.Promised, loc, lang), "name": f.Name,
		"days": itoa(f.DaysLate)}
	if f.ETA != nil {
		v["eta"] = formatDate(*f.ETA, loc, lang)
	}
	return v
}

// subject is the subject of the conversation and notice for f in lang.
func subject(f noticeFacts, loc *time.Location, lang string) string {
	t := catalog[lang]
	s := t.SubjectLate
	if f.Lateness == AtRisk {
		s = t.SubjectAtRisk
	}
	return fill(s, f.values(loc, lang))
}

// renderNotice renders the proactive notice of f in lang ("he" or "en").
func renderNotice(f noticeFacts, loc *time.Location, lang string) notice {
	t := catalog[lang]
	vals := f.values(loc, lang)
	var b strings.Builder
	if strings.TrimSpace(f.Name) != "" {
		b.WriteString(fill(t.Greeting, vals))
	} else {
		b.WriteString(t.GreetingNoName)
	}
	b.WriteString("\n\n")
	if f.Lateness == AtRisk {
		b.WriteString(fill(t.BodyAtRisk, vals))
	} else {
		b.WriteString(fill(t.BodyLate, vals))
	}
	b.WriteString("\n")
	if f.ETA != nil {
		b.WriteString(fill(t.ETA, vals))
	} else {
		b.WriteString(t.NoETA)
	}
	if f.Offer != "" {
		b.WriteString("\n\n")
		b.WriteString(f.Offer)
	}
	b.WriteString("\n\n")
	b.WriteString(t.Closing)
	return notice{Subject: subject(f, loc, lang), Body: b.String()}
}

// note renders an internal note for agents: the opening note (late or at
// risk) or the closing one (delivered or back on time).
func note(f noticeFacts, loc *time.Location, lang, reason string) string {
	t := catalog[lang]
	vals := f.values(loc, lang)
	switch {
	case f.Lateness == Late:
		return fill(t.NoteLate, vals)
	case f.Lateness == AtRisk:
		return fill(t.NoteAtRisk, vals)
	case reason == ReasonDelivered:
		return fill(t.NoteDelivered, vals)
	}
	return fill(t.NoteOnTime, vals)
}

func itoa(n int) string { return strconv.Itoa(n) }
