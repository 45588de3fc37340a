package lateness

import (
	"slices"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/sla/calendar"
)

func at(t *testing.T, s string) *time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return &v
}

// TestEvaluate checks verdicts computed by hand on the built-in "il"
// calendar (Asia/Jerusalem: UTC+2 in November, UTC+3 in April; Sunday to
// Thursday open; Pesach 2026 on Thursday 2 April and Wednesday 8 April
// closed, their eves 1 and 7 April half days).
func TestEvaluate(t *testing.T) {
	il, err := calendar.IL()
	if err != nil {
		t.Fatal(err)
	}
	// Thursday 26 Nov 2026, end of day in Israel.
	thu := "2026-11-26T21:59:59.999Z"
	biz := Rules{Unit: BusinessDays, MinTransitBusinessDays: 1}
	cal := Rules{Unit: CalendarDays, MinTransitBusinessDays: 1}
	cases := []struct {
		name    string
		f       Facts
		r       Rules
		now     string
		want    string
		days    int
		reasons []string
	}{
		{"friday after a thursday promise: late, 0 business days", Facts{Status: "shipped", PromisedBy: at(t, thu)}, biz,
			"2026-11-27T08:00:00Z", Late, 0, []string{ReasonPastPromise}},
		{"saturday: still 0 business days", Facts{Status: "shipped", PromisedBy: at(t, thu)}, biz,
			"2026-11-28T08:00:00Z", Late, 0, []string{ReasonPastPromise}},
		{"sunday: 1 business day", Facts{Status: "shipped", PromisedBy: at(t, thu)}, biz,
			"2026-11-29T08:00:00Z", Late, 1, []string{ReasonPastPromise}},
		{"monday: 2 business days", Facts{Status: "shipped", PromisedBy: at(t, thu)}, biz,
			"2026-11-30T08:00:00Z", Late, 2, []string{ReasonPastPromise}},
		{"sunday in calendar days: 3", Facts{Status: "shipped", PromisedBy: at(t, thu)}, cal,
			"2026-11-29T08:00:00Z", Late, 3, []string{ReasonPastPromise}},
		{"sunday 01:30 local is sunday already (zone, not UTC)", Facts{Status: "shipped", PromisedBy: at(t, thu)}, biz,
			"2026-11-28T23:30:00Z", Late, 1, []string{ReasonPastPromise}},
		{"promised by 14:00, now 16:00 the same day: late, 0 days", Facts{Status: "shipped", PromisedBy: at(t, "2026-11-24T12:00:00Z")},
			biz, "2026-11-24T14:00:00Z", Late, 0, []string{ReasonPastPromise}},
		{"one millisecond before the promise: on time", Facts{Status: "shipped", PromisedBy: at(t, thu)}, biz,
			"2026-11-26T21:59:59.998Z", OnTime, 0, nil},
		// Promised by Tuesday 31 March; on Thursday 9 April the business
		// days after it are 1 (eve, half day), 5, 6, 7 (eve) and 9 April:
		// 5. Pesach (2, 8 April) and Friday/Saturday do not count.
		{"pesach: 5 business days", Facts{Status: "shipped", PromisedBy: at(t, "2026-03-31T20:59:59.999Z")}, biz,
			"2026-04-09T09:00:00Z", Late, 5, []string{ReasonPastPromise}},
		{"pesach in calendar days: 9", Facts{Status: "shipped", PromisedBy: at(t, "2026-03-31T20:59:59.999Z")}, cal,
			"2026-04-09T09:00:00Z", Late, 9, []string{ReasonPastPromise}},
		{"on the first day of pesach: 1 (the eve)", Facts{Status: "shipped", PromisedBy: at(t, "2026-03-31T20:59:59.999Z")}, biz,
			"2026-04-02T09:00:00Z", Late, 1, []string{ReasonPastPromise}},
		{"delivered late: no longer late", Facts{Status: "delivered", PromisedBy: at(t, thu), DeliveredAt: at(t, "2026-11-29T10:00:00Z")},
			biz, "2026-11-30T08:00:00Z", OnTime, 0, []string{ReasonDelivered}},
		{"delivered_at set, status not yet", Facts{Status: "shipped", PromisedBy: at(t, thu), DeliveredAt: at(t, "2026-11-29T10:00:00Z")},
			biz, "2026-11-30T08:00:00Z", OnTime, 0, []string{ReasonDelivered}},
		{"carrier says delivered", Facts{Status: "shipped", CarrierStatus: "delivered", PromisedBy: at(t, thu)},
			biz, "2026-11-30T08:00:00Z", OnTime, 0, []string{ReasonDelivered}},
		{"cancelled", Facts{Status: "cancelled", PromisedBy: at(t, thu)}, biz, "2026-11-30T08:00:00Z", OnTime, 0,
			[]string{ReasonCancelled}},
		{"returned", Facts{Status: "returned", PromisedBy: at(t, thu)}, biz, "2026-11-30T08:00:00Z", OnTime, 0,
			[]string{ReasonReturned}},
		{"no promise", Facts{Status: "shipped", CarrierStatus: "delayed"}, biz, "2026-11-30T08:00:00Z", OnTime, 0,
			[]string{ReasonNoPromise}},
		{"carrier delayed before the promise: at risk", Facts{Status: "shipped", CarrierStatus: "delayed", PromisedBy: at(t, thu),
			ShippedAt: at(t, "2026-11-23T08:00:00Z")}, biz, "2026-11-24T08:00:00Z", AtRisk, 0, []string{ReasonCarrierDelayed}},
		{"carrier exception and eta after the promise", Facts{Status: "shipped", CarrierStatus: "exception", PromisedBy: at(t, thu),
			ShippedAt: at(t, "2026-11-23T08:00:00Z"), CarrierETA: at(t, "2026-11-30T14:00:00Z")}, biz, "2026-11-24T08:00:00Z", AtRisk, 0,
			[]string{ReasonCarrierException, ReasonETAAfterPromise}},
		{"eta before the promise: on time", Facts{Status: "shipped", CarrierStatus: "in_transit", PromisedBy: at(t, thu),
			ShippedAt: at(t, "2026-11-23T08:00:00Z"), CarrierETA: at(t, "2026-11-26T10:00:00Z")}, biz, "2026-11-24T08:00:00Z", OnTime, 0, nil},
		{"carrier delayed after the promise: late wins", Facts{Status: "shipped", CarrierStatus: "delayed", PromisedBy: at(t, thu)},
			biz, "2026-11-29T08:00:00Z", Late, 1, []string{ReasonPastPromise}},
		{"not shipped, promised for today: at risk", Facts{Status: "paid", PromisedBy: at(t, "2026-11-24T21:59:59.999Z")}, biz,
			"2026-11-24T08:00:00Z", AtRisk, 0, []string{ReasonNotShippedInTime}},
		{"not shipped thursday, promised sunday: 1 business day left, on time", Facts{Status: "paid",
			PromisedBy: at(t, "2026-11-29T21:59:59.999Z")}, biz, "2026-11-26T08:00:00Z", OnTime, 0, nil},
		{"same with 2 days of transit: at risk", Facts{Status: "paid", PromisedBy: at(t, "2026-11-29T21:59:59.999Z")},
			Rules{Unit: BusinessDays, MinTransitBusinessDays: 2}, "2026-11-26T08:00:00Z", AtRisk, 0, []string{ReasonNotShippedInTime}},
		{"not shipped thursday, promised saturday: no business day left", Facts{Status: "placed",
			PromisedBy: at(t, "2026-11-28T21:59:59.999Z")}, biz, "2026-11-26T08:00:00Z", AtRisk, 0, []string{ReasonNotShippedInTime}},
		{"transit rule off", Facts{Status: "placed", PromisedBy: at(t, "2026-11-28T21:59:59.999Z")},
			Rules{Unit: BusinessDays}, "2026-11-26T08:00:00Z", OnTime, 0, nil},
		{"shipped after the promise (recorded ahead)", Facts{Status: "shipped", PromisedBy: at(t, thu),
			ShippedAt: at(t, "2026-11-27T08:00:00Z")}, biz, "2026-11-24T08:00:00Z", AtRisk, 0, []string{ReasonShippedAfterPromise}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Evaluate(c.f, il, c.r, *at(t, c.now))
			if v.Lateness != c.want || v.DaysLate != c.days || !slices.Equal(v.Reasons, c.reasons) {
				t.Errorf("got %s %d days %v, want %s %d days %v", v.Lateness, v.DaysLate, v.Reasons, c.want, c.days, c.reasons)
			}
			if c.want == Late && !v.Since.Equal(*c.f.PromisedBy) {
				t.Errorf("since %s, want the promise %s", v.Since, c.f.PromisedBy)
			}
			if c.want != Late && !v.Since.IsZero() {
				t.Errorf("since %s, want zero", v.Since)
			}
		})
	}
}

// TestNoticeCatalog: every language has every string, and the Hebrew
// notice names the order, the promised date and the new estimate.
func TestNoticeCatalog(t *testing.T) {
	for lang, tx := range catalog {
		for name, s := range map[string]string{"SubjectLate": tx.SubjectLate, "SubjectAtRisk": tx.SubjectAtRisk,
			"BodyLate": tx.BodyLate, "BodyAtRisk": tx.BodyAtRisk, "ETA": tx.ETA, "NoETA": tx.NoETA, "Closing": tx.Closing,
			"NoteLate": tx.NoteLate, "NoteAtRisk": tx.NoteAtRisk, "NoteDelivered": tx.NoteDelivered, "NoteOnTime": tx.NoteOnTime,
			"NoteNoNotice": tx.NoteNoNotice} {
			if s == "" {
				t.Errorf("%s: %s is empty", lang, name)
			}
		}
		for _, why := range []string{whyNoInbox, whyNoAddress, whyBounced, whyLimit} {
			if tx.Why[why] == "" {
				t.Errorf("%s: no text for %s", lang, why)
			}
		}
	}
	il, _ := calendar.IL()
	n := renderNotice(noticeFacts{Lateness: Late, Number: "1001", Name: "דנה", Promised: *at(t, "2026-11-24T21:59:59.999Z"),
		ETA: at(t, "2026-11-30T14:00:00Z"), Offer: "זיכוי של 20 ₪"}, il.Location(), "he")
	want := "שלום דנה,\n\nההזמנה שלך מספר 1001 הייתה אמורה להגיע עד 24/11/2026, ועדיין לא נמסרה. אנחנו מצטערים על העיכוב ועוקבים אחרי המשלוח.\n" +
		"לפי חברת השילוח, מועד ההגעה המשוער החדש הוא 30/11/2026.\n\nזיכוי של 20 ₪\n\nאפשר להשיב למייל זה בכל שאלה."
	if n.Body != want || n.Subject != "עדכון על הזמנה 1001: המשלוח מתעכב" {
		t.Errorf("notice:\n%q\n%q", n.Subject, n.Body)
	}
	if got := language("en-US"); got != "en" {
		t.Errorf("language(en-US) = %q", got)
	}
	if got := language(""); got != "he" {
		t.Errorf("language('') = %q", got)
	}
	if got := language("fr"); got != "he" {
		t.Errorf("language(fr) = %q", got)
	}
}
