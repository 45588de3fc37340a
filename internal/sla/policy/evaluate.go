package policy

import (
	"math"
	"time"

	"github.com/kesherdesk/kesher/internal/sla/calendar"
)

// EventKind says what happened in a timeline Event.
type EventKind string

// Event kinds.
const (
	// EventCreated marks the conversation's creation; it starts the first
	// response and resolution clocks. A timeline without one starts them
	// at its first event.
	EventCreated EventKind = "created"
	// EventCustomerMessage is a message from the contact. It moves a
	// pending, on-hold or solved conversation to open (reopening a solved
	// one), as the conversation service does, and starts a next-response
	// clock when it is the first customer message after an agent reply.
	EventCustomerMessage EventKind = "customer_message"
	// EventAgentReply is a public reply. It counts as a response only when
	// Automated is false (bots and auto-replies do not answer anyone).
	// Internal notes are not timeline events here.
	EventAgentReply EventKind = "agent_reply"
	// EventStatus is a status change to Status.
	EventStatus EventKind = "status"
)

// Statuses as in the conversation package (conversation.Status*).
const (
	StatusNew     = "new"
	StatusOpen    = "open"
	StatusPending = "pending"
	StatusOnHold  = "on_hold"
	StatusSolved  = "solved"
	StatusClosed  = "closed"
)

// Event is one entry of a conversation's timeline. Timelines are in time
// order; an event earlier than its predecessor is treated as happening at
// the predecessor's instant.
type Event struct {
	Kind EventKind
	At   time.Time
	// Status is the new status of an EventStatus.
	Status string
	// Automated marks an EventAgentReply sent by a bot or an auto-reply.
	Automated bool
}

// Target states reported by Evaluate.
const (
	// StateNone: the policy sets no such target, or its clock has not
	// started (no customer message awaits a next response).
	StateNone = "none"
	// StateOK: running, less than the warn fraction elapsed.
	StateOK = "ok"
	// StateAtRisk: running, at least WarnFraction of the target elapsed.
	StateAtRisk = "at_risk"
	// StateBreached: the due instant has been reached before the target was
	// met (now ≥ due, or met at or after due). A breach is final: it stays
	// breached when later paused or met.
	StateBreached = "breached"
	// StateMet: met strictly before the due instant.
	StateMet = "met"
	// StatePaused: the clock is stopped while the conversation waits on the
	// customer or a third party (pending, on hold) or is solved; DueAt is
	// nil and RemainingMinutes says what is left.
	StatePaused = "paused"
)

// TargetState is where one target stands at the evaluation instant.
// Instants are UTC; minutes are business minutes for a business target and
// calendar minutes otherwise.
type TargetState struct {
	Target Target `json:"target"`
	State  string `json:"state"`
	// StartedAt is when the current clock started.
	StartedAt *time.Time `json:"started_at"`
	// DueAt is the first instant at which the target is breached, given
	// the pauses so far; nil when paused, met, or not started.
	DueAt *time.Time `json:"due_at"`
	// AtRiskAt is when the target turns at risk, while running and not yet
	// breached; nil when WarnFraction is 0.
	AtRiskAt   *time.Time `json:"at_risk_at"`
	MetAt      *time.Time `json:"met_at"`
	BreachedAt *time.Time `json:"breached_at"`
	// Deadline is the instant the target is or was due: DueAt while
	// running, BreachedAt once breached, and for a met target the instant
	// it would have been due had it kept running from MetAt (so one can
	// see how early it was met); nil when paused or not started.
	Deadline *time.Time `json:"deadline"`
	// ElapsedMinutes is the counted time so far, rounded down.
	ElapsedMinutes int `json:"elapsed_minutes"`
	// RemainingMinutes is Target.Minutes − ElapsedMinutes, at least 0,
	// rounded up (0 once met or breached).
	RemainingMinutes int `json:"remaining_minutes"`
}

// State is the SLA standing of one conversation under one policy.
type State struct {
	PolicyID      int64       `json:"policy_id"`
	FirstResponse TargetState `json:"first_response"`
	// NextResponse is the current (most recently started) next-response
	// clock.
	NextResponse TargetState `json:"next_response"`
	Resolution   TargetState `json:"resolution"`
	// NextResponsesMet counts next-response clocks met in time so far;
	// NextResponsesBreached counts those breached, the current one
	// included once it has breached.
	NextResponsesMet      int `json:"next_responses_met"`
	NextResponsesBreached int `json:"next_responses_breached"`
	// Status is the conversation status the timeline ends in.
	Status string `json:"status"`
}

// Evaluate replays timeline under p and reports each target at now.
//
// Rules: all clocks run while the conversation is new or open and stop
// while it is pending or on hold (time waiting on someone else does not
// count) and resume when it is back to new or open, or a customer message
// arrives. Solving meets the resolution target and stops the response
// clocks (nothing is owed on a solved conversation); a customer message or
// status change back to open reopens it and resolution continues from the
// minutes already counted. Closed is final. A running target's due instant
// is Due(last resume, target − counted) on cal for business targets, last
// resume + (target − counted) otherwise; it is breached when now ≥ due and
// not met before due. Business time is counted per running stretch in whole
// minutes, rounded down (calendar.Between), so each pause may shift the due
// instant later by under a minute. With a nil cal, business targets are
// measured in calendar time.
func Evaluate(p *Policy, cal *calendar.Calendar, timeline []Event, now time.Time) State {
	e := evaluator{
		first:  newClock(p.FirstResponse, p.WarnFraction, cal),
		next:   newClock(p.NextResponse, p.WarnFraction, cal),
		resol:  newClock(p.Resolution, p.WarnFraction, cal),
		status: StatusNew,
	}
	var last time.Time
	for i, ev := range timeline {
		at := ev.At
		if i > 0 && at.Before(last) {
			at = last
		}
		last = at
		if i == 0 || ev.Kind == EventCreated && !e.created {
			e.create(at)
		}
		switch ev.Kind {
		case EventCustomerMessage:
			e.customerMessage(at)
		case EventAgentReply:
			if !ev.Automated {
				e.agentReply(at)
			}
		case EventStatus:
			e.setStatus(ev.Status, at)
		}
	}
	st := State{PolicyID: p.ID, Status: e.status}
	st.FirstResponse = e.first.report(now)
	st.Resolution = e.resol.report(now)
	st.NextResponse = e.next.report(now)
	st.NextResponsesMet, st.NextResponsesBreached = e.nextMet, e.nextBreached
	switch st.NextResponse.State {
	case StateMet:
		st.NextResponsesMet++
	case StateBreached:
		st.NextResponsesBreached++
	}
	return st
}

// evaluator is the replay state of one conversation.
type evaluator struct {
	first, next, resol clock
	status             string
	created            bool
	agentReplied       bool
	// nextMet and nextBreached count finished next-response clocks.
	nextMet, nextBreached int
}

func running(status string) bool { return status == StatusNew || status == StatusOpen }

func (e *evaluator) create(at time.Time) {
	e.created = true
	e.first.start(at, running(e.status))
	e.resol.start(at, running(e.status))
}

func (e *evaluator) customerMessage(at time.Time) {
	switch e.status {
	case StatusPending, StatusOnHold, StatusSolved:
		e.setStatus(StatusOpen, at)
	case StatusClosed:
		return // a follow-up conversation takes it
	}
	if e.agentReplied && !(e.next.started && !e.next.done) {
		if e.next.started {
			e.countNext()
		}
		e.next = newClock(e.next.t, e.next.warnFrac, e.next.cal)
		e.next.start(at, running(e.status))
	}
}

func (e *evaluator) agentReply(at time.Time) {
	if e.status == StatusClosed {
		return
	}
	e.agentReplied = true
	e.first.meet(at)
	e.next.meet(at)
}

// countNext adds the finished next-response clock to the tallies.
func (e *evaluator) countNext() {
	if e.next.breached {
		e.nextBreached++
	} else if e.next.done {
		e.nextMet++
	}
}

func (e *evaluator) setStatus(s string, at time.Time) {
	if e.status == StatusClosed || s == e.status {
		return
	}
	prev := e.status
	e.status = s
	if prev == StatusSolved && s != StatusClosed {
		// Leaving solved for anything but closed reopens the conversation.
		e.resol.reopen(at)
	}
	switch s {
	case StatusNew, StatusOpen:
		e.first.resume(at)
		e.next.resume(at)
		e.resol.resume(at)
	case StatusPending, StatusOnHold:
		e.first.pause(at)
		e.next.pause(at)
		e.resol.pause(at)
	case StatusSolved, StatusClosed:
		e.first.pause(at)
		e.next.pause(at)
		if prev != StatusSolved {
			e.resol.meet(at)
		}
	}
}

// clock measures one target. Amounts are durations; for business targets
// they are whole minutes.
type clock struct {
	t        Target
	warnFrac float64
	cal      *calendar.Calendar
	target   time.Duration // 0: no target
	warn     time.Duration // 0: no warning

	started   bool
	startedAt time.Time
	running   bool
	since     time.Time     // start of the current running stretch
	counted   time.Duration // time counted before since
	done      bool
	metAt     time.Time
	breached  bool
	breachAt  time.Time
}

func newClock(t Target, warnFrac float64, cal *calendar.Calendar) clock {
	k := clock{t: t, warnFrac: warnFrac, cal: cal}
	if !t.Set() {
		return k
	}
	if cal == nil {
		t.Business = false // documented fallback: calendar time
		k.t.Business = false
	}
	k.target = time.Duration(t.Minutes) * time.Minute
	if warnFrac > 0 && warnFrac < 1 {
		w := warnFrac * float64(t.Minutes)
		if t.Business {
			// Business time moves in whole minutes: warn at the first whole
			// minute at or past the fraction.
			k.warn = time.Duration(math.Ceil(w-1e-9)) * time.Minute
		} else {
			k.warn = time.Duration(w * float64(time.Minute))
		}
	}
	return k
}

// measure returns the counted time in [from, to).
func (k *clock) measure(from, to time.Time) time.Duration {
	if k.t.Business {
		return time.Duration(k.cal.Between(from, to)) * time.Minute
	}
	return max(to.Sub(from), 0)
}

// advance returns the instant at which d more time has been counted from.
func (k *clock) advance(from time.Time, d time.Duration) time.Time {
	if k.t.Business {
		return k.cal.Due(from, int(d/time.Minute)).UTC()
	}
	return from.Add(d).UTC()
}

func (k *clock) start(at time.Time, run bool) {
	if k.target == 0 {
		return
	}
	k.started, k.startedAt, k.running, k.since = true, at, run, at
}

// fold counts the running stretch up to at, noting a breach inside it.
func (k *clock) fold(at time.Time) {
	if !k.running {
		return
	}
	seg := k.measure(k.since, at)
	if !k.breached && k.counted+seg >= k.target {
		k.breached, k.breachAt = true, k.advance(k.since, k.target-k.counted)
	}
	k.counted += seg
	k.since = at
}

func (k *clock) pause(at time.Time) {
	if !k.started || k.done || !k.running {
		return
	}
	k.fold(at)
	k.running = false
}

func (k *clock) resume(at time.Time) {
	if !k.started || k.done || k.running {
		return
	}
	k.running, k.since = true, at
}

func (k *clock) meet(at time.Time) {
	if !k.started || k.done {
		return
	}
	k.fold(at)
	k.running, k.done, k.metAt = false, true, at
}

// reopen undoes meet: the clock continues from what it had counted.
func (k *clock) reopen(at time.Time) {
	if !k.started || !k.done {
		return
	}
	k.done, k.metAt = false, time.Time{}
	k.running, k.since = false, at
}

func utc(t time.Time) *time.Time { u := t.UTC(); return &u }

// report describes the clock at now without changing it.
func (k clock) report(now time.Time) TargetState {
	ts := TargetState{Target: k.t, State: StateNone}
	if !k.started {
		return ts
	}
	ts.StartedAt = utc(k.startedAt)
	var due, riskAt time.Time
	if k.running && !k.breached {
		due = k.advance(k.since, k.target-k.counted)
		if k.warn > 0 {
			if k.counted < k.warn {
				riskAt = k.advance(k.since, k.warn-k.counted)
			} else {
				riskAt = k.since
			}
		}
	}
	if k.running && now.After(k.since) {
		k.fold(now)
	}
	if k.running && !k.breached && !now.Before(due) {
		// Between rounds down; the due instant decides.
		k.breached, k.breachAt = true, due
	}
	ts.ElapsedMinutes = int(k.counted / time.Minute)
	if !k.done && !k.breached {
		ts.RemainingMinutes = int((k.target - k.counted + time.Minute - 1) / time.Minute)
	}
	if k.done {
		ts.MetAt = utc(k.metAt)
	}
	if k.breached {
		ts.BreachedAt = utc(k.breachAt)
		ts.Deadline = ts.BreachedAt
	} else if k.done {
		ts.Deadline = utc(k.advance(k.metAt, k.target-k.counted))
	}
	switch {
	case k.breached:
		ts.State = StateBreached
	case k.done:
		ts.State = StateMet
	case !k.running:
		ts.State = StatePaused
	default:
		ts.DueAt = utc(due)
		ts.Deadline = ts.DueAt
		if !riskAt.IsZero() {
			ts.AtRiskAt = utc(riskAt)
			if !now.Before(riskAt) {
				ts.State = StateAtRisk
				break
			}
		}
		ts.State = StateOK
	}
	return ts
}
