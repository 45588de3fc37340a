package policy

import (
	"testing"
	"time"
	_ "time/tzdata" // the test binary does not link cmd/kesher

	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/sla/calendar"
)

func il(t testing.TB) *calendar.Calendar {
	t.Helper()
	c, err := calendar.Builtin("il")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ts(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// want is the expected view of one target; instants are RFC 3339 strings
// ("" for nil) compared as instants.
type want struct {
	state              string
	due, met, breached string
	elapsed, remaining int
	// deadline, when not empty, is the expected Deadline.
	deadline string
}

func check(t *testing.T, name string, got TargetState, w want) {
	t.Helper()
	if got.State != w.state {
		t.Errorf("%s: state %q, want %q", name, got.State, w.state)
	}
	for _, f := range []struct {
		field string
		got   *time.Time
		want  string
	}{{"due_at", got.DueAt, w.due}, {"met_at", got.MetAt, w.met}, {"breached_at", got.BreachedAt, w.breached}} {
		switch {
		case f.want == "" && f.got != nil:
			t.Errorf("%s: %s %s, want nil", name, f.field, f.got)
		case f.want != "" && f.got == nil:
			t.Errorf("%s: %s nil, want %s", name, f.field, f.want)
		case f.want != "" && !f.got.Equal(ts(t, f.want)):
			t.Errorf("%s: %s %s, want %s", name, f.field, f.got, ts(t, f.want).UTC())
		case f.got != nil && f.got.Location() != time.UTC:
			t.Errorf("%s: %s not UTC", name, f.field)
		}
	}
	if w.deadline != "" && (got.Deadline == nil || !got.Deadline.Equal(ts(t, w.deadline))) {
		t.Errorf("%s: deadline %v, want %s", name, got.Deadline, w.deadline)
	}
	if got.ElapsedMinutes != w.elapsed || got.RemainingMinutes != w.remaining {
		t.Errorf("%s: elapsed/remaining %d/%d, want %d/%d", name, got.ElapsedMinutes, got.RemainingMinutes, w.elapsed, w.remaining)
	}
}

// Timeline event builders.
func created(at time.Time) Event  { return Event{Kind: EventCreated, At: at} }
func customer(at time.Time) Event { return Event{Kind: EventCustomerMessage, At: at} }
func agent(at time.Time) Event    { return Event{Kind: EventAgentReply, At: at} }
func bot(at time.Time) Event      { return Event{Kind: EventAgentReply, At: at, Automated: true} }
func status(s string, at time.Time) Event {
	return Event{Kind: EventStatus, At: at, Status: s}
}

// clockPolicy is the 24×7 variant: calendar-time targets of 60 (first
// response), 30 (next response) and 480 (resolution) minutes, at risk after
// 75 % (45, 22.5 and 360 minutes).
var clockPolicy = Policy{ID: 1, Name: "24x7",
	FirstResponse: Target{Minutes: 60}, NextResponse: Target{Minutes: 30}, Resolution: Target{Minutes: 480},
	WarnFraction: 0.75}

// businessPolicy measures on "il" (Sun–Thu 09:00–17:00 Asia/Jerusalem):
// first response 240, next response 60, resolution 960 business minutes, at
// risk after 75 % (180, 45, 720).
var businessPolicy = Policy{ID: 2, Name: "business", Calendar: "il",
	FirstResponse: Target{Minutes: 240, Business: true}, NextResponse: Target{Minutes: 60, Business: true},
	Resolution: Target{Minutes: 960, Business: true}, WarnFraction: 0.75}

func TestEvaluateCalendarTime(t *testing.T) {
	T := func(s string) time.Time { return ts(t, "2026-01-05T"+s+"Z") } // a Monday, UTC
	type targets struct{ first, next, resol want }
	cases := []struct {
		name      string
		timeline  []Event
		now       string
		want      targets
		met, brch int // next responses met / breached
	}{
		{
			// Created 08:00; first due 09:00, resolution due 16:00.
			// 10 minutes in: nothing at risk.
			name:     "fresh",
			timeline: []Event{created(T("08:00:00"))},
			now:      "08:10:00",
			want: targets{
				first: want{state: StateOK, due: "2026-01-05T09:00:00Z", elapsed: 10, remaining: 50},
				next:  want{state: StateNone},
				resol: want{state: StateOK, due: "2026-01-05T16:00:00Z", elapsed: 10, remaining: 470},
			},
		},
		{
			// Pending 08:20 after 20 minutes: clocks stop, due unknown,
			// 40 / 460 minutes remain.
			name:     "paused on pending",
			timeline: []Event{created(T("08:00:00")), status(StatusPending, T("08:20:00"))},
			now:      "09:00:00",
			want: targets{
				first: want{state: StatePaused, elapsed: 20, remaining: 40},
				next:  want{state: StateNone},
				resol: want{state: StatePaused, elapsed: 20, remaining: 460},
			},
		},
		{
			// Paused 08:20–09:20 (60 min), the customer reply resumes: every
			// due moves by exactly 60 minutes, first 09:00 → 10:00 and
			// resolution 16:00 → 17:00. Elapsed at 09:30 is 20 + 10 = 30.
			name: "resume on customer reply",
			timeline: []Event{created(T("08:00:00")), status(StatusPending, T("08:20:00")),
				customer(T("09:20:00"))},
			now: "09:30:00",
			want: targets{
				first: want{state: StateOK, due: "2026-01-05T10:00:00Z", elapsed: 30, remaining: 30},
				next:  want{state: StateNone}, // no agent reply yet: the first-response clock covers it
				resol: want{state: StateOK, due: "2026-01-05T17:00:00Z", elapsed: 30, remaining: 450},
			},
		},
		{
			// On hold 08:10–08:40 (30 min), back to open by the agent: first
			// due 09:30. At 09:15 counted 10 + 35 = 45 = 75 % of 60: at risk.
			name: "on hold, at risk at the warn fraction",
			timeline: []Event{created(T("08:00:00")), status(StatusOnHold, T("08:10:00")),
				status(StatusOpen, T("08:40:00"))},
			now: "09:15:00",
			want: targets{
				first: want{state: StateAtRisk, due: "2026-01-05T09:30:00Z", elapsed: 45, remaining: 15},
				next:  want{state: StateNone},
				resol: want{state: StateOK, due: "2026-01-05T16:30:00Z", elapsed: 45, remaining: 435},
			},
		},
		{
			// One second before 45 minutes: still ok (44 whole minutes).
			name:     "just below the warn fraction",
			timeline: []Event{created(T("08:00:00"))},
			now:      "08:44:59",
			want: targets{
				first: want{state: StateOK, due: "2026-01-05T09:00:00Z", elapsed: 44, remaining: 16},
				next:  want{state: StateNone},
				resol: want{state: StateOK, due: "2026-01-05T16:00:00Z", elapsed: 44, remaining: 436},
			},
		},
		{
			// One second before due: at risk, not breached.
			name:     "just before due",
			timeline: []Event{created(T("08:00:00"))},
			now:      "08:59:59",
			want: targets{
				first: want{state: StateAtRisk, due: "2026-01-05T09:00:00Z", elapsed: 59, remaining: 1},
				next:  want{state: StateNone},
				resol: want{state: StateOK, due: "2026-01-05T16:00:00Z", elapsed: 59, remaining: 421},
			},
		},
		{
			// Exactly at due: breached (now ≥ due and not met).
			name:     "breached at the due instant",
			timeline: []Event{created(T("08:00:00"))},
			now:      "09:00:00",
			want: targets{
				first: want{state: StateBreached, breached: "2026-01-05T09:00:00Z", elapsed: 60, deadline: "2026-01-05T09:00:00Z"},
				next:  want{state: StateNone},
				resol: want{state: StateOK, due: "2026-01-05T16:00:00Z", elapsed: 60, remaining: 420, deadline: "2026-01-05T16:00:00Z"},
			},
		},
		{
			// Breached at 09:00 while running, then pending at 09:30: a
			// breach is final, it does not turn into paused.
			name:     "breach survives a pause",
			timeline: []Event{created(T("08:00:00")), status(StatusPending, T("09:30:00"))},
			now:      "10:00:00",
			want: targets{
				first: want{state: StateBreached, breached: "2026-01-05T09:00:00Z", elapsed: 90},
				next:  want{state: StateNone},
				resol: want{state: StatePaused, elapsed: 90, remaining: 390},
			},
		},
		{
			// Replied 08:59, before the 09:00 due: met, met time recorded.
			name:     "met before due",
			timeline: []Event{created(T("08:00:00")), agent(T("08:59:00"))},
			now:      "12:00:00",
			want: targets{
				first: want{state: StateMet, met: "2026-01-05T08:59:00Z", elapsed: 59, deadline: "2026-01-05T09:00:00Z"},
				next:  want{state: StateNone},
				resol: want{state: StateOK, due: "2026-01-05T16:00:00Z", elapsed: 240, remaining: 240},
			},
		},
		{
			// Replied exactly at due: too late, breached at 09:00 and met at 09:00.
			name:     "reply at the due instant is a breach",
			timeline: []Event{created(T("08:00:00")), agent(T("09:00:00"))},
			now:      "09:10:00",
			want: targets{
				first: want{state: StateBreached, met: "2026-01-05T09:00:00Z", breached: "2026-01-05T09:00:00Z", elapsed: 60},
				next:  want{state: StateNone},
				resol: want{state: StateOK, due: "2026-01-05T16:00:00Z", elapsed: 70, remaining: 410},
			},
		},
		{
			// Bot reply 08:05 and auto-reply 08:06 do not count: first
			// response still running; the customer message 08:10 does not
			// start a next-response clock (no agent reply yet).
			name: "bot replies don't count",
			timeline: []Event{created(T("08:00:00")), bot(T("08:05:00")), bot(T("08:06:00")),
				customer(T("08:10:00"))},
			now: "08:30:00",
			want: targets{
				first: want{state: StateOK, due: "2026-01-05T09:00:00Z", elapsed: 30, remaining: 30},
				next:  want{state: StateNone},
				resol: want{state: StateOK, due: "2026-01-05T16:00:00Z", elapsed: 30, remaining: 450},
			},
		},
		{
			// Reply 08:30 (first met). Customer 09:00 → next #1 due 09:30,
			// met by the reply at 09:20. Customer 10:00 → next #2 due 10:30;
			// the customer's second message 10:10 does not restart it. At
			// 10:25, 25 ≥ 22.5 minutes: at risk. Met 1, breached 0.
			name: "next response after a second customer message",
			timeline: []Event{created(T("08:00:00")), customer(T("08:00:00")), agent(T("08:30:00")),
				customer(T("09:00:00")), agent(T("09:20:00")), customer(T("10:00:00")), customer(T("10:10:00"))},
			now: "10:25:00",
			want: targets{
				first: want{state: StateMet, met: "2026-01-05T08:30:00Z", elapsed: 30},
				next:  want{state: StateAtRisk, due: "2026-01-05T10:30:00Z", elapsed: 25, remaining: 5},
				resol: want{state: StateOK, due: "2026-01-05T16:00:00Z", elapsed: 145, remaining: 335},
			},
			met: 1,
		},
		{
			// Same, evaluated at 10:30: next #2 breached exactly at due.
			name: "next response breached",
			timeline: []Event{created(T("08:00:00")), customer(T("08:00:00")), agent(T("08:30:00")),
				customer(T("09:00:00")), agent(T("09:20:00")), customer(T("10:00:00")), customer(T("10:10:00"))},
			now: "10:30:00",
			want: targets{
				first: want{state: StateMet, met: "2026-01-05T08:30:00Z", elapsed: 30},
				next:  want{state: StateBreached, breached: "2026-01-05T10:30:00Z", elapsed: 30},
				resol: want{state: StateOK, due: "2026-01-05T16:00:00Z", elapsed: 150, remaining: 330},
			},
			met: 1, brch: 1,
		},
		{
			// Next #1 (09:00) answered 09:40, 10 minutes late; next #2
			// (10:00) answered 10:05. Tallies: met 1 (the current), breached 1.
			name: "next response tallies",
			timeline: []Event{created(T("08:00:00")), agent(T("08:30:00")),
				customer(T("09:00:00")), agent(T("09:40:00")), customer(T("10:00:00")), agent(T("10:05:00"))},
			now: "11:00:00",
			want: targets{
				first: want{state: StateMet, met: "2026-01-05T08:30:00Z", elapsed: 30},
				next:  want{state: StateMet, met: "2026-01-05T10:05:00Z", elapsed: 5},
				resol: want{state: StateOK, due: "2026-01-05T16:00:00Z", elapsed: 180, remaining: 300},
			},
			met: 1, brch: 1,
		},
		{
			// Solved 10:00 after 120 minutes: resolution met.
			name:     "solved stops resolution",
			timeline: []Event{created(T("08:00:00")), agent(T("08:10:00")), status(StatusSolved, T("10:00:00"))},
			now:      "12:00:00",
			want: targets{
				first: want{state: StateMet, met: "2026-01-05T08:10:00Z", elapsed: 10},
				next:  want{state: StateNone},
				resol: want{state: StateMet, met: "2026-01-05T10:00:00Z", elapsed: 120},
			},
		},
		{
			// The customer replies 12:00 after the solve: reopened, resolution
			// continues from 120 counted minutes, due 12:00 + 360 = 18:00;
			// a next-response clock starts at 12:00 (due 12:30).
			name: "customer reply after solved reopens",
			timeline: []Event{created(T("08:00:00")), agent(T("08:10:00")), status(StatusSolved, T("10:00:00")),
				customer(T("12:00:00"))},
			now: "12:10:00",
			want: targets{
				first: want{state: StateMet, met: "2026-01-05T08:10:00Z", elapsed: 10},
				next:  want{state: StateOK, due: "2026-01-05T12:30:00Z", elapsed: 10, remaining: 20},
				resol: want{state: StateOK, due: "2026-01-05T18:00:00Z", elapsed: 130, remaining: 350},
			},
		},
		{
			// Solved 09:00 (60 counted), set pending 09:30 (reopened but
			// waiting: resolution paused), open 10:00: resolution resumes,
			// due 10:00 + 420 = 17:00.
			name: "solved, pending, open continues resolution",
			timeline: []Event{created(T("08:00:00")), agent(T("08:10:00")), status(StatusSolved, T("09:00:00")),
				status(StatusPending, T("09:30:00")), status(StatusOpen, T("10:00:00"))},
			now: "10:30:00",
			want: targets{
				first: want{state: StateMet, met: "2026-01-05T08:10:00Z", elapsed: 10},
				next:  want{state: StateNone},
				resol: want{state: StateOK, due: "2026-01-05T17:00:00Z", elapsed: 90, remaining: 390},
			},
		},
		{
			// On hold 08:10; the customer writes 08:50, which moves the
			// conversation to open: clocks resume, 40 minutes not counted,
			// first due 09:40.
			name: "customer message ends on hold",
			timeline: []Event{created(T("08:00:00")), status(StatusOnHold, T("08:10:00")),
				customer(T("08:50:00"))},
			now: "09:00:00",
			want: targets{
				first: want{state: StateOK, due: "2026-01-05T09:40:00Z", elapsed: 20, remaining: 40},
				next:  want{state: StateNone},
				resol: want{state: StateOK, due: "2026-01-05T16:40:00Z", elapsed: 20, remaining: 460},
			},
		},
		{
			// Closed 09:00 without a reply: resolution met at 09:00, first
			// response stopped (paused); closed is final, so later events
			// (a customer message starts a follow-up elsewhere) change nothing.
			name: "closed is final",
			timeline: []Event{created(T("08:00:00")), status(StatusClosed, T("08:30:00")),
				customer(T("09:00:00")), agent(T("09:10:00"))},
			now: "12:00:00",
			want: targets{
				first: want{state: StatePaused, elapsed: 30, remaining: 30},
				next:  want{state: StateNone},
				resol: want{state: StateMet, met: "2026-01-05T08:30:00Z", elapsed: 30},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Evaluate(&clockPolicy, nil, c.timeline, T(c.now))
			check(t, "first_response", got.FirstResponse, c.want.first)
			check(t, "next_response", got.NextResponse, c.want.next)
			check(t, "resolution", got.Resolution, c.want.resol)
			if got.NextResponsesMet != c.met || got.NextResponsesBreached != c.brch {
				t.Errorf("next responses met/breached %d/%d, want %d/%d",
					got.NextResponsesMet, got.NextResponsesBreached, c.met, c.brch)
			}
		})
	}
}

// TestEvaluateBusinessHours uses the "il" calendar: Sun–Thu 09:00–17:00
// Asia/Jerusalem (UTC+2 in winter, +3 in summer). 2026-01-08 is a Thursday;
// Independence Day is Wed 22 Apr 2026; Rosh Hashanah is Sat–Sun 12–13 Sep
// 2026.
func TestEvaluateBusinessHours(t *testing.T) {
	cal := il(t)
	cases := []struct {
		name     string
		timeline []Event
		now      string
		first    want
		resol    want
	}{
		{
			// Thu 15:00 + 240: 120 to Thu 17:00, Fri–Sat closed, 120 more
			// Sun 09:00–11:00. Friday noon: 120 counted, ok (at risk at 180).
			name:     "across a weekend",
			timeline: []Event{created(ts(t, "2026-01-08T15:00:00+02:00"))},
			now:      "2026-01-09T12:00:00+02:00",
			first:    want{state: StateOK, due: "2026-01-11T11:00:00+02:00", elapsed: 120, remaining: 120},
			// 960: Thu 120, Sun 480, Mon 09:00–15:00 360.
			resol: want{state: StateOK, due: "2026-01-12T15:00:00+02:00", elapsed: 120, remaining: 840},
		},
		{
			// Sun 10:00: 120 + 60 = 180 = 75 %: at risk.
			name:     "at risk after the weekend",
			timeline: []Event{created(ts(t, "2026-01-08T15:00:00+02:00"))},
			now:      "2026-01-11T10:00:00+02:00",
			first:    want{state: StateAtRisk, due: "2026-01-11T11:00:00+02:00", elapsed: 180, remaining: 60},
			resol:    want{state: StateOK, due: "2026-01-12T15:00:00+02:00", elapsed: 180, remaining: 780},
		},
		{
			// Pending Thu 16:00 (60 counted), customer reply Sun 10:00. The
			// pause covered 120 business minutes (Thu 16–17, Sun 09–10), so
			// first due moves 11:00 → 13:00 and resolution Mon 15:00 → 17:00.
			name: "pause on pending, resume on customer reply",
			timeline: []Event{created(ts(t, "2026-01-08T15:00:00+02:00")),
				status(StatusPending, ts(t, "2026-01-08T16:00:00+02:00")),
				customer(ts(t, "2026-01-11T10:00:00+02:00"))},
			now:   "2026-01-11T10:30:00+02:00",
			first: want{state: StateOK, due: "2026-01-11T13:00:00+02:00", elapsed: 90, remaining: 150},
			resol: want{state: StateOK, due: "2026-01-12T17:00:00+02:00", elapsed: 90, remaining: 870},
		},
		{
			// Same pause seen on Sunday 09:30 before the reply: paused, 60
			// counted, 180 / 900 left, no due instant.
			name: "paused over the weekend",
			timeline: []Event{created(ts(t, "2026-01-08T15:00:00+02:00")),
				status(StatusPending, ts(t, "2026-01-08T16:00:00+02:00"))},
			now:   "2026-01-11T09:30:00+02:00",
			first: want{state: StatePaused, elapsed: 60, remaining: 180},
			resol: want{state: StatePaused, elapsed: 60, remaining: 900},
		},
		{
			// Tue 21 Apr 16:00 + 240: 60 Tue, Wed 22 Apr Independence Day
			// closed, Thu 09:00–12:00. At Wed noon 60 counted.
			name:     "across Independence Day",
			timeline: []Event{created(ts(t, "2026-04-21T16:00:00+03:00"))},
			now:      "2026-04-22T12:00:00+03:00",
			first:    want{state: StateOK, due: "2026-04-23T12:00:00+03:00", elapsed: 60, remaining: 180},
			// 960: Tue 60, Thu 480, Fri–Sat closed, Sun 26 Apr 09:00–16:00 420.
			resol: want{state: StateOK, due: "2026-04-26T16:00:00+03:00", elapsed: 60, remaining: 900},
		},
		{
			// Reply Thu 23 Apr 11:59: met one minute early.
			name: "met across Independence Day",
			timeline: []Event{created(ts(t, "2026-04-21T16:00:00+03:00")),
				agent(ts(t, "2026-04-23T11:59:00+03:00"))},
			now:   "2026-04-23T14:00:00+03:00",
			first: want{state: StateMet, met: "2026-04-23T11:59:00+03:00", elapsed: 239},
			resol: want{state: StateOK, due: "2026-04-26T16:00:00+03:00", elapsed: 360, remaining: 600},
		},
		{
			// Thu 10 Sep 16:00 + 240: 60 Thu, Fri–Sat, Sun 13 Sep (Rosh
			// Hashanah II) closed, Mon 14 Sep 09:00–12:00. Evaluated exactly
			// at due: breached.
			name:     "weekend plus Rosh Hashanah, breached at due",
			timeline: []Event{created(ts(t, "2026-09-10T16:00:00+03:00"))},
			now:      "2026-09-14T12:00:00+03:00",
			first:    want{state: StateBreached, breached: "2026-09-14T12:00:00+03:00", elapsed: 240},
			// 960: Thu 60, Mon 480, Tue 15 Sep 09:00–16:00 420.
			resol: want{state: StateOK, due: "2026-09-15T16:00:00+03:00", elapsed: 240, remaining: 720},
		},
		{
			// Created Friday (closed): the clock waits for Sunday 09:00.
			name:     "created outside business hours",
			timeline: []Event{created(ts(t, "2026-01-09T10:00:00+02:00"))},
			now:      "2026-01-10T10:00:00+02:00",
			first:    want{state: StateOK, due: "2026-01-11T13:00:00+02:00", elapsed: 0, remaining: 240},
			resol:    want{state: StateOK, due: "2026-01-12T17:00:00+02:00", elapsed: 0, remaining: 960},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Evaluate(&businessPolicy, cal, c.timeline, ts(t, c.now))
			check(t, "first_response", got.FirstResponse, c.first)
			check(t, "resolution", got.Resolution, c.resol)
		})
	}
}

func TestSelect(t *testing.T) {
	policies := []Policy{
		{ID: 1, Name: "vip", Conditions: Conditions{ContactTiers: []string{"vip"}}},
		{ID: 2, Name: "urgent email", Conditions: Conditions{Priorities: []string{"high", "urgent"}, Channels: []string{"email"}}},
		{ID: 3, Name: "billing in inbox 7", Conditions: Conditions{InboxIDs: []int64{7}, Tags: []string{"billing", "refund"}}},
		{ID: 4, Name: "acme", Conditions: Conditions{OrganizationIDs: []int64{42}}},
		{ID: 5, Name: "default"},
	}
	cases := []struct {
		name  string
		facts Facts
		want  int64 // 0: none
	}{
		{"vip wins by order even when urgent email matches", Facts{ContactTier: "vip", Priority: "urgent", Channel: "email"}, 1},
		{"urgent email", Facts{ContactTier: "standard", Priority: "urgent", Channel: "email"}, 2},
		{"urgent chat: channel fails, falls through", Facts{Priority: "urgent", Channel: "chat"}, 5},
		{"one of the tags in the inbox", Facts{InboxID: 7, Tags: []string{"x", "refund"}}, 3},
		{"tag in another inbox", Facts{InboxID: 8, Tags: []string{"refund"}}, 5},
		{"inbox without the tag", Facts{InboxID: 7, Tags: []string{"x"}}, 5},
		{"organization", Facts{OrganizationID: 42}, 4},
		{"nothing special", Facts{Priority: "normal"}, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Select(policies, c.facts)
			if got == nil || got.ID != c.want {
				t.Errorf("Select = %v, want policy %d", got, c.want)
			}
		})
	}
	if got := Select(policies[:4], Facts{Priority: "low"}); got != nil {
		t.Errorf("no default: Select = %+v, want nil", got)
	}
}

// TestTargetNotSet: a policy without a next-response target reports none
// even after a customer message that follows an agent reply.
func TestTargetNotSet(t *testing.T) {
	p := Policy{ID: 9, FirstResponse: Target{Minutes: 60}}
	at := ts(t, "2026-01-05T08:00:00Z")
	got := Evaluate(&p, nil, []Event{created(at), agent(at.Add(time.Minute)), customer(at.Add(2 * time.Minute))}, at.Add(time.Hour))
	if got.NextResponse.State != StateNone || got.Resolution.State != StateNone || got.FirstResponse.State != StateMet {
		t.Errorf("states %s/%s/%s, want met/none/none", got.FirstResponse.State, got.NextResponse.State, got.Resolution.State)
	}
}

func TestValidate(t *testing.T) {
	if err := businessPolicy.Validate(); err != nil {
		t.Errorf("business policy: %v", err)
	}
	bad := Policy{Name: "bad", FirstResponse: Target{Minutes: -1}, Resolution: Target{Minutes: 60, Business: true}, WarnFraction: 1}
	if err := bad.Validate(); err == nil {
		t.Error("bad policy validated")
	}
}

// TestStatusesMatchConversation keeps the local status names in step with
// the conversation package.
func TestStatusesMatchConversation(t *testing.T) {
	pairs := [][2]string{{StatusNew, conversation.StatusNew}, {StatusOpen, conversation.StatusOpen},
		{StatusPending, conversation.StatusPending}, {StatusOnHold, conversation.StatusOnHold},
		{StatusSolved, conversation.StatusSolved}, {StatusClosed, conversation.StatusClosed}}
	for _, p := range pairs {
		if p[0] != p[1] {
			t.Errorf("status %q here, %q in conversation", p[0], p[1])
		}
	}
}
