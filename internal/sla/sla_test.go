package sla_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/sla"
	"github.com/kesherdesk/kesher/internal/sla/policy"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// start is Sunday 2026-03-01 09:00 in Israel (UTC+2): a plain business day.
var start = time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC)

// desk is a store with a core whose SLA service listens on its bus and
// runs on a jobs runner, all on one test clock.
type desk struct {
	t      *testing.T
	ctx    context.Context
	d      *db.DB
	core   *app.Core
	svc    *sla.Service
	runner *jobs.Runner
	disp   *events.Dispatcher
	inbox  int64
	n      int

	mu  sync.Mutex
	now time.Time
}

func newDesk(t *testing.T, d *db.DB) *desk {
	t.Helper()
	k := &desk{t: t, ctx: context.Background(), d: d, now: start}
	log := testkit.Logger()
	k.core = app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, log)
	k.core.Conversations.Now = k.clock
	k.runner, k.svc = k.process("w1")
	k.svc.Subscribe(k.core.Bus)
	k.disp = events.NewDispatcher(d, k.core.Outbox, k.core.Bus, log)
	box, err := k.core.Inboxes.Create(k.ctx, audit.System, inbox.Input{Name: "API", Channel: "api"})
	if err != nil {
		t.Fatal(err)
	}
	k.inbox = box.ID
	return k
}

// process builds the SLA service and job runner of one (simulated)
// process on the shared store and clock.
func (k *desk) process(worker string) (*jobs.Runner, *sla.Service) {
	r := jobs.NewRunner(k.d, jobs.Options{WorkerID: worker, Now: k.clock, PollInterval: 5 * time.Millisecond, Log: testkit.Logger()})
	s := sla.New(k.d, k.core.Outbox, k.core.Conversations, r, testkit.Logger())
	s.Now = k.clock
	return r, s
}

func (k *desk) clock() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.now
}

func (k *desk) advance(d time.Duration) {
	k.mu.Lock()
	k.now = k.now.Add(d)
	k.mu.Unlock()
}

func (k *desk) deliver() {
	k.t.Helper()
	for range 100 {
		n, err := k.disp.DeliverOnce(k.ctx)
		if err != nil {
			k.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	k.t.Fatal("outbox never drained")
}

// runJobs runs runners until no job is due at the test clock.
func (k *desk) runJobs(runners ...*jobs.Runner) {
	k.t.Helper()
	ctx, cancel := context.WithCancel(k.ctx)
	var wg sync.WaitGroup
	for _, r := range runners {
		wg.Add(1)
		go func() { defer wg.Done(); _ = r.Run(ctx) }()
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		if err := k.d.R().QueryRow(k.ctx, `SELECT COUNT(*) FROM jobs WHERE done_at IS NULL AND dead_at IS NULL AND run_at <= ?`,
			k.clock().UnixMilli()).Scan(&n); err != nil {
			k.t.Fatal(err)
		}
		if n == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	// A handler that failed left its job for a retry the test clock never
	// reaches: say why instead of checking a half-run desk.
	var failed string
	if err := k.d.R().QueryRow(k.ctx, `SELECT COALESCE(MAX(kind || ': ' || last_error), '') FROM jobs
		WHERE done_at IS NULL AND last_error IS NOT NULL`).Scan(&failed); err != nil {
		k.t.Fatal(err)
	}
	if failed != "" {
		k.t.Fatalf("a job failed and waits for a retry: %s", failed)
	}
	k.deliver()
}

func (k *desk) policy(in sla.PolicyInput) sla.Policy {
	k.t.Helper()
	p, err := k.svc.CreatePolicy(k.ctx, audit.System, in)
	if err != nil {
		k.t.Fatal(err)
	}
	return p
}

func (k *desk) agent(name, role string, teams ...int64) int64 {
	k.t.Helper()
	a, err := k.core.Agents.Create(k.ctx, audit.System, agent.Input{Name: name, Email: name + "@kesher.test", Role: role, TeamIDs: teams})
	if err != nil {
		k.t.Fatal(err)
	}
	return a.ID
}

func (k *desk) conv(priority string, assignee *int64, team *int64) conversation.Conversation {
	k.t.Helper()
	k.n++
	c, _, err := k.core.Conversations.Create(k.ctx, audit.System, conversation.CreateInput{InboxID: k.inbox, Subject: "Help",
		Priority: priority, AssigneeID: assignee, TeamID: team,
		Requester: conversation.RequesterInput{Email: fmt.Sprintf("c%d@example.com", k.n)},
		Message:   &conversation.MessageInput{Direction: conversation.DirectionInbound, Body: "Where is my order?"}})
	if err != nil {
		k.t.Fatal(err)
	}
	k.deliver()
	return k.get(c.ID)
}

func (k *desk) get(id int64) conversation.Conversation {
	k.t.Helper()
	c, err := k.core.Conversations.Get(k.ctx, id)
	if err != nil {
		k.t.Fatal(err)
	}
	return c
}

func (k *desk) message(id int64, direction string, status string) {
	k.t.Helper()
	actor := audit.System
	if direction == conversation.DirectionOutbound {
		actor = audit.Actor{Type: "agent", ID: k.firstAgent()}
	}
	if _, _, err := k.core.Conversations.AddMessage(k.ctx, actor, id, conversation.MessageInput{Direction: direction,
		Body: "text", Status: status}); err != nil {
		k.t.Fatal(err)
	}
	k.deliver()
}

func (k *desk) firstAgent() int64 {
	var id int64
	if err := k.d.R().QueryRow(k.ctx, `SELECT MIN(id) FROM agents`).Scan(&id); err != nil {
		k.t.Fatal(err)
	}
	return id
}

func (k *desk) setStatus(id int64, status string) {
	k.t.Helper()
	if _, err := k.core.Conversations.Update(k.ctx, audit.System, id, conversation.Patch{Status: patch.Of(status)}); err != nil {
		k.t.Fatal(err)
	}
	k.deliver()
}

// row reads one conversation_sla row: state and instants (zero when NULL).
type row struct {
	state                                                  string
	started, due, atRisk, met, breached, warned, escalated time.Time
}

func (k *desk) row(id int64, target string) (row, bool) {
	k.t.Helper()
	var r row
	var st, du, ar, me, br, wa, es db.NullMs
	err := k.d.R().QueryRow(k.ctx, `SELECT state, started_at, due_at, at_risk_at, met_at, breached_at, warned_at, escalated_at
		FROM conversation_sla WHERE conversation_id = ? AND target = ?`, id, target).Scan(&r.state, &st, &du, &ar, &me, &br, &wa, &es)
	if err != nil {
		return row{}, false
	}
	t := func(v db.NullMs) time.Time {
		if !v.Valid {
			return time.Time{}
		}
		return db.Time(v.Int64)
	}
	r.started, r.due, r.atRisk, r.met, r.breached, r.warned, r.escalated = t(st), t(du), t(ar), t(me), t(br), t(wa), t(es)
	return r, true
}

func (k *desk) count(q string, args ...any) int {
	k.t.Helper()
	var n int
	if err := k.d.R().QueryRow(k.ctx, q, args...).Scan(&n); err != nil {
		k.t.Fatal(err)
	}
	return n
}

func mustEqualTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s = %v, want %v", what, got.UTC(), want.UTC())
	}
}

// calendarPolicy is a round-the-clock policy: first response 60 min, next
// response 30 min, resolution 8 h.
var calendarPolicy = sla.PolicyInput{Name: "Default", Targets: sla.Targets{
	FirstResponse: policy.Target{Minutes: 60}, NextResponse: policy.Target{Minutes: 30}, Resolution: policy.Target{Minutes: 480}}}

func TestPauseOnPendingAndResume(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		k.agent("dana", "agent")
		k.policy(calendarPolicy)
		var changes []string
		k.core.Bus.Subscribe(sla.TopicSLAChanged, func(_ context.Context, e events.Event) error {
			var p struct {
				State string `json:"sla_state"`
				Prev  string `json:"previous_sla_state"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return err
			}
			changes = append(changes, p.Prev+"→"+p.State)
			return nil
		})
		c := k.conv("normal", nil, nil)
		if c.SLAState != policy.StateOK || c.SLADueAt == nil {
			t.Fatalf("after create: state %q due %v", c.SLAState, c.SLADueAt)
		}
		mustEqualTime(t, "sla_due_at", *c.SLADueAt, start.Add(time.Hour))
		r, _ := k.row(c.ID, sla.TargetFirstResponse)
		mustEqualTime(t, "at_risk_at", r.atRisk, start.Add(45*time.Minute))

		k.advance(20 * time.Minute)
		k.setStatus(c.ID, conversation.StatusPending)
		c = k.get(c.ID)
		if c.SLAState != policy.StatePaused || c.SLADueAt != nil {
			t.Fatalf("pending: state %q due %v", c.SLAState, c.SLADueAt)
		}
		if r, _ := k.row(c.ID, sla.TargetFirstResponse); r.state != policy.StatePaused || !r.due.IsZero() {
			t.Fatalf("pending row: %+v", r)
		}
		// The breach timer scheduled at creation was cancelled.
		if n := k.count(`SELECT COUNT(*) FROM jobs WHERE kind = ? AND done_at IS NULL`, sla.JobBreach); n != 0 {
			t.Fatalf("%d breach timers pending while paused", n)
		}

		k.advance(30 * time.Minute)
		k.message(c.ID, conversation.DirectionInbound, "") // pending → open: the clocks resume
		c = k.get(c.ID)
		if c.Status != conversation.StatusOpen || c.SLAState != policy.StateOK {
			t.Fatalf("resumed: status %q state %q", c.Status, c.SLAState)
		}
		// Due moved by the 30 paused minutes.
		mustEqualTime(t, "sla_due_at", *c.SLADueAt, start.Add(90*time.Minute))
		r, _ = k.row(c.ID, sla.TargetFirstResponse)
		mustEqualTime(t, "due_at", r.due, start.Add(90*time.Minute))
		mustEqualTime(t, "at_risk_at", r.atRisk, start.Add(75*time.Minute))
		if n := k.count(`SELECT COUNT(*) FROM jobs WHERE kind = ? AND done_at IS NULL AND run_at = ?`, sla.JobBreach,
			start.Add(90*time.Minute).UnixMilli()); n != 1 {
			t.Fatalf("%d breach timers at the new due", n)
		}
		// The summary changes went out for the realtime hub: created, paused,
		// resumed (the due moved).
		if got := fmt.Sprint(changes); got != "[→ok ok→paused paused→ok]" {
			t.Fatalf("sla_changed events: %s", got)
		}
	})
}

func TestFirstResponseMetAndNextResponse(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		k.agent("dana", "agent")
		k.policy(calendarPolicy)
		c := k.conv("normal", nil, nil)

		k.advance(10 * time.Minute)
		k.message(c.ID, conversation.DirectionOutbound, "")
		r, _ := k.row(c.ID, sla.TargetFirstResponse)
		if r.state != policy.StateMet {
			t.Fatalf("first response %q, want met", r.state)
		}
		mustEqualTime(t, "met_at", r.met, start.Add(10*time.Minute))
		if _, ok := k.row(c.ID, sla.TargetNextResponse); ok {
			t.Fatal("next response started without a customer message after the reply")
		}

		k.advance(5 * time.Minute)
		k.message(c.ID, conversation.DirectionInbound, "")
		r, ok := k.row(c.ID, sla.TargetNextResponse)
		if !ok || r.state != policy.StateOK {
			t.Fatalf("next response after the second customer message: %+v", r)
		}
		mustEqualTime(t, "next started_at", r.started, start.Add(15*time.Minute))
		mustEqualTime(t, "next due_at", r.due, start.Add(45*time.Minute))
		c = k.get(c.ID)
		// The summary due is the earliest running target: next response.
		mustEqualTime(t, "sla_due_at", *c.SLADueAt, start.Add(45*time.Minute))

		k.advance(10 * time.Minute)
		k.message(c.ID, conversation.DirectionOutbound, "")
		r, _ = k.row(c.ID, sla.TargetNextResponse)
		if r.state != policy.StateMet {
			t.Fatalf("next response %q, want met", r.state)
		}
		mustEqualTime(t, "next met_at", r.met, start.Add(25*time.Minute))

		view, err := k.svc.ForConversation(k.ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if view.PolicyName != "Default" || len(view.Targets) != 3 || view.Targets[2].Target != sla.TargetResolution ||
			view.Targets[2].State != policy.StateOK || view.Targets[2].RemainingMinutes != 480-25 {
			t.Fatalf("view: %+v", view)
		}
	})
}

func TestBreachEscalatesExactlyOnceAcrossRestart(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		tm, err := k.core.Agents.CreateTeam(k.ctx, audit.System, agent.TeamInput{Name: "Support"})
		if err != nil {
			t.Fatal(err)
		}
		dana := k.agent("dana", "agent", tm.ID)
		sue := k.agent("sue", "supervisor", tm.ID)
		in := calendarPolicy
		in.Escalation = []sla.Action{{Type: "notify", Value: "assignee"}, {Type: "notify", Value: "supervisor"},
			{Type: "raise_priority"}}
		p := k.policy(in)
		c := k.conv("normal", &dana, &tm.ID)

		// At 45 minutes the warning fires once, to the assignee.
		k.advance(46 * time.Minute)
		k.runJobs(k.runner)
		if n := k.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'sla.warning' AND agent_id = ?`, dana); n != 1 {
			t.Fatalf("%d warnings", n)
		}
		if c = k.get(c.ID); c.SLAState != policy.StateAtRisk {
			t.Fatalf("state %q, want at_risk", c.SLAState)
		}

		k.advance(15 * time.Minute) // past the 60-minute due
		var job jobs.Job
		if err := d.R().QueryRow(k.ctx, `SELECT id FROM jobs WHERE kind = ? AND done_at IS NULL`, sla.JobBreach).Scan(&job.ID); err != nil {
			t.Fatal(err)
		}
		job, err = jobs.Get(k.ctx, d.R(), job.ID)
		if err != nil {
			t.Fatal(err)
		}
		// A process runs the handler and dies before its commit.
		crash := errors.New("crash before commit")
		err = d.WriteTx(k.ctx, func(tx *db.Tx) error {
			if err := k.svc.HandleJob(k.ctx, tx, job); err != nil {
				return err
			}
			return crash
		})
		if !errors.Is(err, crash) {
			t.Fatal(err)
		}
		if n := k.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'sla.breached'`); n != 0 {
			t.Fatalf("%d breach notifications survived the crash", n)
		}
		// Two processes restart and race for the job.
		r2, _ := k.process("w2")
		k.runJobs(k.runner, r2)
		// A late duplicate run (a redelivered event, a second timer) changes nothing.
		if err := d.WriteTx(k.ctx, func(tx *db.Tx) error { return k.svc.HandleJob(k.ctx, tx, job) }); err != nil {
			t.Fatal(err)
		}
		if err := k.svc.Evaluate(k.ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		k.deliver()
		k.runJobs(k.runner)

		if n := k.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'sla.breached' AND agent_id = ?`, dana); n != 1 {
			t.Fatalf("assignee got %d breach notifications", n)
		}
		if n := k.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'sla.breached' AND agent_id = ?`, sue); n != 1 {
			t.Fatalf("supervisor got %d breach notifications", n)
		}
		c = k.get(c.ID)
		if c.Priority != "high" || c.SLAState != policy.StateBreached {
			t.Fatalf("priority %q state %q, want high breached", c.Priority, c.SLAState)
		}
		r, _ := k.row(c.ID, sla.TargetFirstResponse)
		mustEqualTime(t, "breached_at", r.breached, start.Add(time.Hour))
		mustEqualTime(t, "escalated_at", r.escalated, start.Add(61*time.Minute))
		if n := k.count(`SELECT COUNT(*) FROM audit_log WHERE entity_type = 'conversation' AND entity_id = ? AND actor_type = 'sla'
			AND actor_id = ?`, c.ID, p.ID); n != 1 {
			t.Fatalf("%d SLA audit entries", n)
		}
	})
}

func TestAtRiskListOrder(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		k.agent("dana", "agent")
		k.policy(calendarPolicy)
		a := k.conv("normal", nil, nil) // due start+60
		k.advance(10 * time.Minute)
		b := k.conv("normal", nil, nil) // due start+70
		k.advance(time.Minute)
		ok := k.conv("normal", nil, nil) // due start+71, stays ok
		k.advance(40 * time.Minute)      // t = 51: a and b at risk, ok not yet (at risk at 56)
		k.message(ok.ID, conversation.DirectionOutbound, "")
		k.advance(12 * time.Minute) // t = 63: a breached, b at risk
		if _, err := k.svc.EvaluateAll(k.ctx, sla.BulkOptions{}); err != nil {
			t.Fatal(err)
		}
		list := func(filter string) []int64 {
			res, err := k.core.Conversations.List(k.ctx, conversation.ListParams{SLA: filter, Visibility: conversation.Visibility{All: true}})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, c := range res.Data {
				ids = append(ids, c.ID)
			}
			return ids
		}
		if got := list(conversation.SLAAtRisk); fmt.Sprint(got) != fmt.Sprint([]int64{a.ID, b.ID}) {
			t.Fatalf("at risk: %v, want [%d %d]", got, a.ID, b.ID)
		}
		if got := list(conversation.SLABreached); fmt.Sprint(got) != fmt.Sprint([]int64{a.ID}) {
			t.Fatalf("breached: %v, want [%d]", got, a.ID)
		}
		// Paging by due keeps the order.
		res, err := k.core.Conversations.List(k.ctx, conversation.ListParams{SLA: conversation.SLAAtRisk, Limit: 1,
			Visibility: conversation.Visibility{All: true}})
		if err != nil || len(res.Data) != 1 || res.NextCursor == nil {
			t.Fatalf("page 1: %v %+v", err, res)
		}
		res, err = k.core.Conversations.List(k.ctx, conversation.ListParams{SLA: conversation.SLAAtRisk, Limit: 1,
			Cursor: *res.NextCursor, Visibility: conversation.Visibility{All: true}})
		if err != nil || len(res.Data) != 1 || res.Data[0].ID != b.ID {
			t.Fatalf("page 2: %v %+v", err, res)
		}
	})
}

func TestBusinessHoursPolicyOnIL(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		// Thursday 2026-03-05 16:00 Israel: one business hour left that day.
		k.now = time.Date(2026, 3, 5, 14, 0, 0, 0, time.UTC)
		k.policy(sla.PolicyInput{Name: "Business", Calendar: "il", Targets: sla.Targets{
			FirstResponse: policy.Target{Minutes: 120, Business: true}}})
		c := k.conv("normal", nil, nil)
		// 60 minutes Thursday, then Sunday 09:00 + 60 = 10:00 Israel.
		mustEqualTime(t, "sla_due_at", *c.SLADueAt, time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC))
	})
}

func TestCalendarCRUD(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		day := []sla.Interval{{Start: "08:00", End: "16:00"}}
		in := sla.CalendarInput{Name: "support-il", TimeZone: "Asia/Jerusalem", IncludeHolidays: "il",
			Week:      [][]sla.Interval{day, day, day, day, day, {}, {}},
			Overrides: []sla.Day{{Date: "2026-03-06", Name: "Backlog Friday", Open: day}}}
		c, err := k.svc.CreateCalendar(k.ctx, audit.System, in)
		if err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || c.Builtin || c.CreatedAt == nil || len(c.Week) != 7 || len(c.Week[5]) != 0 {
			t.Fatalf("created: %+v", c)
		}
		cs, err := k.svc.ListCalendars(k.ctx)
		if err != nil || len(cs) != 2 || cs[0].Name != "il" || !cs[0].Builtin || cs[1].Name != "support-il" {
			t.Fatalf("list: %v %+v", err, cs)
		}
		// include_holidays il: Pesach 2026 (Thursday April 2) is closed, its
		// eve (Wednesday April 1) open only until 13:00 (and from 09:00, where
		// the eve's hours and the calendar's meet only in 09:00–13:00).
		days, err := k.svc.Days(k.ctx, "support-il", "2026-03-01", "2026-04-03")
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(days)
		want := "[{2026-03-06 Backlog Friday [{08:00 16:00}]} {2026-04-01 Erev Pesach [{09:00 13:00}]} {2026-04-02 Pesach []}]"
		if got != want {
			t.Fatalf("days:\n got %s\nwant %s", got, want)
		}
		// Due on the custom calendar: Wednesday April 1, 12:00 + 120 minutes:
		// 60 minutes to 13:00, Pesach closed, Friday closed (no override),
		// Sunday April 5 08:00 + 60 = 09:00 Israel (UTC+3).
		due, err := k.svc.Due(k.ctx, "support-il", time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC), 120)
		if err != nil {
			t.Fatal(err)
		}
		mustEqualTime(t, "due", due, time.Date(2026, 4, 5, 6, 0, 0, 0, time.UTC))

		// Update invalidates the cache.
		longer := []sla.Interval{{Start: "08:00", End: "20:00"}}
		if _, err := k.svc.UpdateCalendar(k.ctx, audit.System, "support-il", sla.CalendarPatch{
			Week: patch.Of([][]sla.Interval{longer, longer, longer, longer, longer, {}, {}})}); err != nil {
			t.Fatal(err)
		}
		n, err := k.svc.Between(k.ctx, "support-il", time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC))
		if err != nil || n != 12*60 {
			t.Fatalf("between after update: %d %v", n, err)
		}

		// il is read-only; a calendar in use cannot go.
		if _, err := k.svc.UpdateCalendar(k.ctx, audit.System, "il", sla.CalendarPatch{TimeZone: patch.Of("UTC")}); err == nil {
			t.Fatal("il changed")
		}
		if err := k.svc.DeleteCalendar(k.ctx, audit.System, "il"); err == nil {
			t.Fatal("il deleted")
		}
		k.policy(sla.PolicyInput{Name: "P", Calendar: "support-il", Targets: sla.Targets{Resolution: policy.Target{Minutes: 60, Business: true}}})
		if err := k.svc.DeleteCalendar(k.ctx, audit.System, "support-il"); err == nil {
			t.Fatal("deleted a calendar in use")
		}
	})
}

// TestPolicyChangeReevaluatesOpenConversations: a new policy reaches
// existing open conversations through the durable re-evaluation job; a
// disabled one lets them go.
func TestPolicyChangeReevaluatesOpenConversations(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		c := k.conv("normal", nil, nil)
		if c.SLAState != "" || c.SLADueAt != nil {
			t.Fatalf("without a policy: %q %v", c.SLAState, c.SLADueAt)
		}
		p := k.policy(calendarPolicy)
		k.runJobs(k.runner)
		if c = k.get(c.ID); c.SLAState != policy.StateOK || c.SLADueAt == nil {
			t.Fatalf("after the policy: %q %v", c.SLAState, c.SLADueAt)
		}
		mustEqualTime(t, "sla_due_at", *c.SLADueAt, start.Add(time.Hour))
		if _, err := k.svc.UpdatePolicy(k.ctx, audit.System, p.ID, sla.PolicyPatch{Enabled: patch.Of(false)}); err != nil {
			t.Fatal(err)
		}
		k.runJobs(k.runner)
		if c = k.get(c.ID); c.SLAState != "" || c.SLADueAt != nil {
			t.Fatalf("after disabling: %q %v", c.SLAState, c.SLADueAt)
		}
		if _, ok := k.row(c.ID, sla.TargetFirstResponse); ok {
			t.Fatal("conversation_sla row kept without a policy")
		}
		if n := k.count(`SELECT COUNT(*) FROM jobs WHERE kind = ? AND done_at IS NULL`, sla.JobBreach); n != 0 {
			t.Fatalf("%d breach timers left without a policy", n)
		}
	})
}

// TestEscalationActions: set_team then assign_supervisor (who is found in
// the new team, inside the same transaction), notify team and agent:<id>.
func TestEscalationActions(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		tier2, err := k.core.Agents.CreateTeam(k.ctx, audit.System, agent.TeamInput{Name: "Tier 2"})
		if err != nil {
			t.Fatal(err)
		}
		ann := k.agent("ann", "agent", tier2.ID)
		sue := k.agent("sue", "supervisor", tier2.ID)
		boss := k.agent("boss", "admin")
		k.policy(sla.PolicyInput{Name: "Escalate", WarnFraction: new(float64), Targets: sla.Targets{FirstResponse: policy.Target{Minutes: 30}},
			Escalation: []sla.Action{{Type: "set_team", Value: tier2.ID}, {Type: "assign_supervisor"},
				{Type: "notify", Value: "team"}, {Type: "notify", Value: fmt.Sprintf("agent:%d", boss)}}})
		c := k.conv("normal", nil, nil)
		if n := k.count(`SELECT COUNT(*) FROM jobs WHERE kind = ?`, sla.JobWarn); n != 0 {
			t.Fatalf("%d warning timers with warn_fraction 0", n)
		}
		k.advance(31 * time.Minute)
		k.runJobs(k.runner)
		c = k.get(c.ID)
		if c.TeamID == nil || *c.TeamID != tier2.ID || c.AssigneeID == nil || *c.AssigneeID != sue {
			t.Fatalf("team %v assignee %v, want %d and %d", c.TeamID, c.AssigneeID, tier2.ID, sue)
		}
		for _, a := range []int64{ann, sue, boss} {
			if n := k.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'sla.breached' AND agent_id = ? AND conversation_id = ?`, a, c.ID); n != 1 {
				t.Fatalf("agent %d: %d breach notifications", a, n)
			}
		}
		var data string
		if err := d.R().QueryRow(k.ctx, `SELECT data FROM notifications WHERE agent_id = ?`, boss).Scan(&data); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`"due_at":"%s"`, start.Add(30*time.Minute).Format(time.RFC3339))
		if !strings.Contains(data, want) || !strings.Contains(data, `"target":"first_response"`) {
			t.Fatalf("notification data %s", data)
		}
		if n := k.count(`SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND kind = 'event' AND author_type = 'system'`, c.ID); n != 2 {
			t.Fatalf("%d timeline events for the escalation, want team and assignee", n)
		}
	})
}

// TestBreachSurvivesPolicyChange: a breach that happened (and was
// escalated) stays recorded at its instant when the policy changes
// afterwards, in the stored row, the conversation summary and the /sla
// view; a met target keeps the instant it was due.
func TestBreachSurvivesPolicyChange(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		dana := k.agent("dana", "agent")
		in := calendarPolicy
		in.Escalation = []sla.Action{{Type: "notify", Value: "assignee"}}
		p := k.policy(in)
		c := k.conv("normal", &dana, nil)
		met := k.conv("normal", &dana, nil)
		k.advance(25 * time.Minute)
		k.message(met.ID, conversation.DirectionOutbound, "")

		k.advance(36 * time.Minute) // 61 minutes: first response breached at 60
		k.runJobs(k.runner)
		breachedAt := start.Add(time.Hour)
		check := func(when string) {
			t.Helper()
			if n := k.count(`SELECT COUNT(*) FROM notifications WHERE kind = 'sla.breached' AND conversation_id = ?`, c.ID); n != 1 {
				t.Fatalf("%s: %d breach notifications", when, n)
			}
			r, _ := k.row(c.ID, sla.TargetFirstResponse)
			if r.state != policy.StateBreached {
				t.Fatalf("%s: row state %q", when, r.state)
			}
			mustEqualTime(t, when+": breached_at", r.breached, breachedAt)
			mustEqualTime(t, when+": due_at", r.due, breachedAt)
			got := k.get(c.ID)
			if got.SLAState != policy.StateBreached || got.SLADueAt == nil {
				t.Fatalf("%s: summary %q %v", when, got.SLAState, got.SLADueAt)
			}
			mustEqualTime(t, when+": sla_due_at", *got.SLADueAt, breachedAt)
			v, err := k.svc.ForConversation(k.ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.State != policy.StateBreached || v.DueAt == nil || v.Targets[0].BreachedAt == nil || v.Targets[0].DueAt == nil {
				t.Fatalf("%s: view %+v", when, v)
			}
			mustEqualTime(t, when+": view breached_at", *v.Targets[0].BreachedAt, breachedAt)
			mustEqualTime(t, when+": view due_at", *v.Targets[0].DueAt, breachedAt)
			mustEqualTime(t, when+": view summary due", *v.DueAt, breachedAt)
		}
		check("breached")

		// A re-evaluation that finds a later breach (65 minutes) keeps the stored one.
		k.advance(9 * time.Minute)
		targets := in.Targets
		targets.FirstResponse.Minutes = 65
		if _, err := k.svc.UpdatePolicy(k.ctx, audit.System, p.ID, sla.PolicyPatch{Targets: patch.Of(targets)}); err != nil {
			t.Fatal(err)
		}
		k.runJobs(k.runner)
		check("65 minutes")

		// A longer target (due in the future now) does not undo the breach.
		targets.FirstResponse.Minutes = 120
		if _, err := k.svc.UpdatePolicy(k.ctx, audit.System, p.ID, sla.PolicyPatch{Targets: patch.Of(targets)}); err != nil {
			t.Fatal(err)
		}
		k.runJobs(k.runner)
		check("120 minutes")
		k.advance(2 * time.Hour)
		k.runJobs(k.runner)
		check("later")

		// The met target (replied at 25 minutes) still says when it was due.
		v, err := k.svc.ForConversation(k.ctx, met.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.Targets[0].State != policy.StateMet || v.Targets[0].DueAt == nil {
			t.Fatalf("met view %+v", v.Targets[0])
		}
		mustEqualTime(t, "met due_at", *v.Targets[0].DueAt, start.Add(120*time.Minute))
	})
}

// fieldCodes returns "field:code" of each field a validation error names.
func fieldCodes(t *testing.T, err error) []string {
	t.Helper()
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error, got %v", err)
	}
	var out []string
	for _, f := range ve.Fields {
		out = append(out, f.Field+":"+f.Code)
	}
	return out
}

func wantFields(t *testing.T, what string, err error, want ...string) {
	t.Helper()
	got := fieldCodes(t, err)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: fields %v, want %v", what, got, want)
	}
}

// TestValidationGaps: policy conditions name existing inboxes and
// organizations, valid tags and tiers; calendar intervals do not overlap,
// holiday dates are unique; Due and Between stay within RFC 3339 years.
func TestValidationGaps(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		in := calendarPolicy
		in.Conditions = policy.Conditions{InboxIDs: []int64{k.inbox, 999999, -1}, OrganizationIDs: []int64{0, 777777},
			Tags: []string{"fast-sla", " ", "a,b"}, ContactTiers: []string{"vip", "", strings.Repeat("x", 33)}}
		_, err := k.svc.CreatePolicy(k.ctx, audit.System, in)
		wantFields(t, "conditions", err, "conditions.inbox_ids[1]:not_found", "conditions.inbox_ids[2]:invalid",
			"conditions.organization_ids[0]:invalid", "conditions.organization_ids[1]:not_found",
			"conditions.tags[1]:required", "conditions.tags[2]:invalid",
			"conditions.contact_tiers[1]:required", "conditions.contact_tiers[2]:too_long")
		in.Conditions = policy.Conditions{InboxIDs: []int64{k.inbox}, Tags: []string{"Fast SLA"}}
		p, err := k.svc.CreatePolicy(k.ctx, audit.System, in)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(p.Conditions.Tags) != "[fast-sla]" {
			t.Fatalf("tags %v, want normalized", p.Conditions.Tags)
		}

		day := []sla.Interval{{Start: "08:00", End: "12:00"}, {Start: "12:00", End: "16:00"}}
		bad := []sla.Interval{{Start: "08:00", End: "12:00"}, {Start: "11:00", End: "16:00"}}
		cin := sla.CalendarInput{Name: "c1", TimeZone: "UTC", Week: [][]sla.Interval{day, bad, day, day, day, {}, {}},
			Holidays: []sla.Day{{Date: "2026-05-01", Open: bad}, {Date: "2026-05-01"}}}
		_, err = k.svc.CreateCalendar(k.ctx, audit.System, cin)
		wantFields(t, "calendar", err, "week[1][1]:overlap", "holidays[0].open[1]:overlap", "holidays[1].date:duplicate")

		cin.Week[1], cin.Holidays = day, nil
		if _, err := k.svc.CreateCalendar(k.ctx, audit.System, cin); err != nil {
			t.Fatal(err)
		}
		_, err = k.svc.Due(k.ctx, "c1", time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC), 100_000)
		wantFields(t, "due past 9999", err, "minutes:out_of_range")
		_, err = k.svc.Due(k.ctx, "c1", time.Date(0, 12, 30, 0, 0, 0, 0, time.UTC), 10)
		wantFields(t, "start before year 1", err, "start:out_of_range")
		_, err = k.svc.Between(k.ctx, "c1", time.Date(0, 12, 30, 0, 0, 0, 0, time.UTC), start)
		wantFields(t, "from before year 1", err, "from:out_of_range")
		due, err := k.svc.Due(k.ctx, "c1", time.Date(9999, 12, 1, 0, 0, 0, 0, time.UTC), 60)
		if err != nil {
			t.Fatal(err)
		}
		mustEqualTime(t, "due in 9999", due, time.Date(9999, 12, 1, 9, 0, 0, 0, time.UTC))
	})
}
