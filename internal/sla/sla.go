// Package sla keeps SLA state for conversations: business-hours calendars
// and SLA policies stored in the database (with their CRUD and
// validation), the per-conversation evaluation that replays a
// conversation's timeline under the first matching policy and stores where
// each target stands (conversation_sla and the conversations.sla_*
// summary), and the durable warning and breach jobs that notify and
// escalate exactly once per clock.
//
// The pure engine lives in the subpackages: calendar (business-hours
// math) and policy (Select, Evaluate).
package sla

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/sla/calendar"
	"github.com/kesherdesk/kesher/internal/sla/policy"
)

// Job kinds of the SLA timers.
const (
	JobWarn   = "sla.warn"
	JobBreach = "sla.breach"
	// JobReevaluate re-evaluates the open conversations, a batch per job,
	// after a policy or calendar change.
	JobReevaluate = "sla.reevaluate"
)

// TopicSLAChanged is published when a conversation's SLA summary
// (sla_state, sla_due_at, policy) changes outside bulk quiet evaluations;
// payload {"conversation_id", "sla_state", "previous_sla_state",
// "sla_due_at" (RFC 3339 or null), "policy_id"}. The realtime hub pushes it
// with the conversation like every conversation.* event.
const TopicSLAChanged = "conversation.sla_changed"

// Target names, as stored in conversation_sla.target.
const (
	TargetFirstResponse = "first_response"
	TargetNextResponse  = "next_response"
	TargetResolution    = "resolution"
)

// TargetNames lists the target names in display order.
var TargetNames = []string{TargetFirstResponse, TargetNextResponse, TargetResolution}

// Service runs SLA calendars, policies and per-conversation tracking. Its
// caches (built calendars, enabled policies) are per process and dropped on
// every change made through it.
type Service struct {
	db            *db.DB
	outbox        *events.Outbox
	conversations *conversation.Service
	runner        *jobs.Runner
	log           *slog.Logger
	// Now is the clock (UTC, ms); tests may replace it.
	Now func() time.Time

	mu         sync.Mutex
	gen        uint64
	calendars  map[string]*calendar.Calendar
	policies   []Policy
	engines    []policy.Policy
	policiesOK bool
}

// New returns the SLA service. When runner is not nil the warning and
// breach handlers are registered on it and timers are scheduled through
// it (waking it for timers already due).
func New(d *db.DB, outbox *events.Outbox, conversations *conversation.Service, runner *jobs.Runner, log *slog.Logger) *Service {
	s := &Service{db: d, outbox: outbox, conversations: conversations, runner: runner, log: log,
		Now:       func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) },
		calendars: map[string]*calendar.Calendar{}}
	if runner != nil {
		runner.Register(JobWarn, s.HandleJob)
		runner.Register(JobBreach, s.HandleJob)
		runner.Register(JobReevaluate, s.handleReevaluate)
	}
	return s
}

// invalidate drops the cached policies and stored calendars (the
// built-in "il" never changes and stays).
func (s *Service) invalidate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	il := s.calendars[BuiltinIL]
	s.calendars = map[string]*calendar.Calendar{}
	if il != nil {
		s.calendars[BuiltinIL] = il
	}
	s.policies, s.engines, s.policiesOK = nil, nil, false
}

// Subscribe re-evaluates a conversation's SLA on conversation.created,
// conversation.updated and message.created; it returns a func that
// unsubscribes.
func (s *Service) Subscribe(bus events.Bus) (unsubscribe func()) {
	u1 := bus.Subscribe(events.ConversationCreated, s.onEvent)
	u2 := bus.Subscribe(events.ConversationUpdated, s.onEvent)
	u3 := bus.Subscribe(events.MessageCreated, s.onEvent)
	return func() { u1(); u2(); u3() }
}

func (s *Service) onEvent(ctx context.Context, e events.Event) error {
	var p struct {
		ConversationID int64 `json:"conversation_id"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("sla: decode %s %d: %w", e.Topic, e.ID, err)
	}
	if p.ConversationID == 0 {
		return nil
	}
	return s.Evaluate(ctx, p.ConversationID)
}

// Evaluate re-evaluates conversation id now and stores its SLA state,
// scheduling or moving its warning and breach timers, in one transaction.
// It runs no escalation: the timers do. A conversation that no longer
// exists is ignored.
func (s *Service) Evaluate(ctx context.Context, id int64) error {
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		return s.evaluateTx(ctx, tx, id, evalOpts{})
	})
}

// HandleJob is the handler of the sla.warn and sla.breach jobs: it
// re-evaluates the job's conversation inside the job's transaction and,
// for each target newly at risk or breached whose warning or escalation
// has not yet run for its current clock, records that it ran (warned_at,
// escalated_at) and notifies and escalates in that same transaction — so a
// crash before commit loses nothing and a second run finds the marks set.
func (s *Service) HandleJob(ctx context.Context, tx *db.Tx, j jobs.Job) error {
	var p struct {
		ConversationID int64 `json:"conversation_id"`
	}
	if err := j.Decode(&p); err != nil {
		return err
	}
	// Evaluated no earlier than the job's due instant, so that a runner
	// whose clock lags a little still sees the warning or breach it was
	// scheduled for (the job's key is spent after this run).
	at := s.Now()
	if j.RunAt.After(at) {
		at = j.RunAt.UTC()
	}
	return s.evaluateTx(ctx, tx, p.ConversationID, evalOpts{act: true, jobKey: j.UniqueKey, at: at})
}

// evalOpts tune one evaluation.
type evalOpts struct {
	// act runs warnings and escalations that are due and not yet done.
	act bool
	// quiet marks due warnings and escalations as done without running
	// them (demo data, bulk back-fills).
	quiet bool
	// jobKey is the unique key of the job running this evaluation, which
	// must not cancel itself.
	jobKey string
	// at is the evaluation instant; zero means s.Now().
	at time.Time
}

// facts are what evaluation needs to know about a conversation.
type facts struct {
	id         int64
	status     string
	createdAt  time.Time
	assigneeID int64
	teamID     int64
	policy     policy.Facts
	// The stored summary, to skip writing an unchanged one.
	slaPolicy int64
	slaState  string
	slaDue    int64
}

func (f facts) closed() bool { return f.status == conversation.StatusClosed }

const factsSelect = `SELECT c.id, c.status, c.priority, c.inbox_id, c.channel, c.created_at, c.assignee_id, c.team_id,
	r.tier, r.organization_id, c.sla_policy_id, c.sla_state, c.sla_due_at, COALESCE((SELECT string_agg(t.name, ',' ORDER BY t.name) FROM conversation_tags ct
		JOIN tags t ON t.id = ct.tag_id WHERE ct.conversation_id = c.id), '')
	FROM conversations c JOIN contacts r ON r.id = c.requester_id`

func scanFacts(rows interface{ Scan(...any) error }) (facts, error) {
	var f facts
	var created int64
	var assignee, team, org, slaPolicy, slaDue db.NullMs
	var tags string
	if err := rows.Scan(&f.id, &f.status, &f.policy.Priority, &f.policy.InboxID, &f.policy.Channel, &created, &assignee, &team,
		&f.policy.ContactTier, &org, &slaPolicy, &f.slaState, &slaDue, &tags); err != nil {
		return facts{}, err
	}
	f.slaPolicy, f.slaDue = slaPolicy.Int64, slaDue.Int64
	f.createdAt = db.Time(created)
	f.assigneeID, f.teamID, f.policy.OrganizationID = assignee.Int64, team.Int64, org.Int64
	if tags != "" {
		f.policy.Tags = splitComma(tags)
	}
	return f, nil
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// timelineRow is one message row that matters to the SLA.
type timelineRow struct {
	convID     int64
	direction  string
	kind       string
	authorType string
	meta       string
	at         int64
}

const timelineSelect = `SELECT conversation_id, direction, kind, author_type, channel_meta, created_at FROM messages`

func scanTimelineRow(rows interface{ Scan(...any) error }) (timelineRow, error) {
	var r timelineRow
	err := rows.Scan(&r.convID, &r.direction, &r.kind, &r.authorType, &r.meta, &r.at)
	return r, err
}

// buildTimeline turns a conversation's replies and status events (in
// created_at, id order) into the engine's timeline. Inbound replies are
// customer messages; outbound replies agent replies, automated unless an
// agent wrote them (bots, auto-replies); status_changed and reopened
// events are status changes. The status the conversation was created in
// is the "from" of its first status event, or its current status.
func buildTimeline(f facts, rows []timelineRow) []policy.Event {
	tl := make([]policy.Event, 0, len(rows)+2)
	tl = append(tl, policy.Event{Kind: policy.EventCreated, At: f.createdAt})
	initial := ""
	var rest []policy.Event
	for _, r := range rows {
		at := db.Time(r.at)
		switch {
		case r.kind == conversation.KindReply && r.direction == conversation.DirectionInbound:
			rest = append(rest, policy.Event{Kind: policy.EventCustomerMessage, At: at})
		case r.kind == conversation.KindReply && r.direction == conversation.DirectionOutbound:
			rest = append(rest, policy.Event{Kind: policy.EventAgentReply, At: at, Automated: r.authorType != "agent"})
		case r.kind == conversation.KindEvent:
			var m struct {
				Event string `json:"event"`
				From  string `json:"from"`
				To    string `json:"to"`
			}
			if json.Unmarshal([]byte(r.meta), &m) != nil || (m.Event != "status_changed" && m.Event != "reopened") || m.To == "" {
				continue
			}
			if initial == "" {
				initial = m.From
			}
			rest = append(rest, policy.Event{Kind: policy.EventStatus, At: at, Status: m.To})
		}
	}
	if initial == "" {
		initial = f.status
	}
	if initial != policy.StatusNew && initial != "" {
		tl = append(tl, policy.Event{Kind: policy.EventStatus, At: f.createdAt, Status: initial})
	}
	return append(tl, rest...)
}

// loadOne reads the facts and timeline rows of conversation id; ok is
// false when it does not exist.
func loadOne(ctx context.Context, q db.Querier, id int64) (facts, []timelineRow, bool, error) {
	rows, err := q.Query(ctx, factsSelect+` WHERE c.id = ?`, id)
	if err != nil {
		return facts{}, nil, false, fmt.Errorf("sla: load conversation %d: %w", id, err)
	}
	var f facts
	found := false
	for rows.Next() {
		if f, err = scanFacts(rows); err != nil {
			rows.Close()
			return facts{}, nil, false, fmt.Errorf("sla: load conversation %d: %w", id, err)
		}
		found = true
	}
	rows.Close()
	if err := rows.Err(); err != nil || !found {
		return facts{}, nil, false, err
	}
	trs, err := q.Query(ctx, timelineSelect+` WHERE conversation_id = ? AND kind IN ('reply', 'event') ORDER BY created_at, id`, id)
	if err != nil {
		return facts{}, nil, false, fmt.Errorf("sla: load timeline %d: %w", id, err)
	}
	defer trs.Close()
	var tl []timelineRow
	for trs.Next() {
		r, err := scanTimelineRow(trs)
		if err != nil {
			return facts{}, nil, false, fmt.Errorf("sla: load timeline %d: %w", id, err)
		}
		tl = append(tl, r)
	}
	return f, tl, true, trs.Err()
}

// stored is one conversation_sla row; times are Unix ms, 0 when NULL.
type stored struct {
	target                                                 string
	policyID                                               int64
	state                                                  string
	started, due, atRisk, met, breached, warned, escalated int64
}

func loadStored(ctx context.Context, q db.Querier, ids []int64) (map[int64][]stored, error) {
	if len(ids) == 0 {
		return map[int64][]stored{}, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return queryStored(ctx, q, `conversation_id IN (`+marks(len(ids))+`)`, args...)
}

// loadStoredRange reads the stored state of the conversations with ids
// from first to last, both included.
func loadStoredRange(ctx context.Context, q db.Querier, first, last int64) (map[int64][]stored, error) {
	return queryStored(ctx, q, `conversation_id >= ? AND conversation_id <= ?`, first, last)
}

func queryStored(ctx context.Context, q db.Querier, where string, args ...any) (map[int64][]stored, error) {
	out := map[int64][]stored{}
	rows, err := q.Query(ctx, `SELECT conversation_id, target, policy_id, state, started_at, due_at, at_risk_at, met_at, breached_at,
		warned_at, escalated_at FROM conversation_sla WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("sla: load state: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r stored
		var pol, st, du, ar, me, br, wa, es db.NullMs
		if err := rows.Scan(&id, &r.target, &pol, &r.state, &st, &du, &ar, &me, &br, &wa, &es); err != nil {
			return nil, fmt.Errorf("sla: load state: %w", err)
		}
		r.policyID, r.started, r.due, r.atRisk, r.met, r.breached, r.warned, r.escalated =
			pol.Int64, st.Int64, du.Int64, ar.Int64, me.Int64, br.Int64, wa.Int64, es.Int64
		out[id] = append(out[id], r)
	}
	return out, rows.Err()
}

func marks(n int) string {
	b := make([]byte, 0, 2*n)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '?')
	}
	return string(b)
}

// evaluateTx evaluates conversation id inside tx.
func (s *Service) evaluateTx(ctx context.Context, tx *db.Tx, id int64, o evalOpts) error {
	// One evaluation of a conversation at a time: a timer and an event (or
	// two timers) evaluating it at once on PostgreSQL would otherwise write
	// its SLA rows in different orders and may deadlock. SQLite has a
	// single writer already.
	if s.db.Dialect == db.Postgres {
		if _, err := tx.Exec(ctx, `SELECT id FROM conversations WHERE id = ? FOR UPDATE`, id); err != nil {
			return fmt.Errorf("sla: lock conversation %d: %w", id, err)
		}
	}
	f, rows, ok, err := loadOne(ctx, tx, id)
	if err != nil || !ok {
		return err
	}
	old, err := loadStored(ctx, tx, []int64{id})
	if err != nil {
		return err
	}
	return s.apply(ctx, tx, f, rows, old[id], o)
}

// selectPolicy returns the policy for f with its engine form and calendar,
// or nil.
func (s *Service) selectPolicy(ctx context.Context, f facts) (*Policy, *policy.Policy, *calendar.Calendar, error) {
	ps, es, err := s.enabledPolicies(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	e := policy.Select(es, f.policy)
	if e == nil {
		return nil, nil, nil, nil
	}
	var p *Policy
	for i := range ps {
		if ps[i].ID == e.ID {
			p = &ps[i]
		}
	}
	var cal *calendar.Calendar
	if e.Calendar != "" {
		if cal, err = s.BusinessCalendar(ctx, e.Calendar); err != nil {
			// A policy whose calendar vanished counts in calendar time
			// rather than stopping SLA tracking.
			s.log.Warn("sla: policy calendar unavailable; using calendar time", "policy_id", e.ID, "calendar", e.Calendar, "err", err)
			cal = nil
		}
	}
	return p, e, cal, nil
}

// targetState returns the state of target name in st.
func targetState(st *policy.State, name string) *policy.TargetState {
	switch name {
	case TargetFirstResponse:
		return &st.FirstResponse
	case TargetNextResponse:
		return &st.NextResponse
	}
	return &st.Resolution
}

func msOf(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.UnixMilli()
}

func nullable(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// keepStoredBreach keeps a breach already stored for the same clock (the
// same policy and start): once breached_at or escalated_at is recorded, ts
// is breached at that stored instant, whatever a re-evaluation now finds —
// a policy or calendar change that moves the due instant later (or
// earlier), or a breach computed at a later instant. A breach is final
// and stays as it happened (and as its notification said). ts's met
// instant is kept.
func keepStoredBreach(ts *policy.TargetState, prev stored, had bool, policyID int64) {
	if !had || prev.policyID != policyID || ts.StartedAt == nil || prev.started != ts.StartedAt.UnixMilli() {
		return
	}
	at := prev.breached
	if at == 0 {
		at = prev.escalated // escalated rows stored before breaches were kept
	}
	if at == 0 {
		return
	}
	t := db.Time(at)
	ts.State, ts.BreachedAt, ts.Deadline = policy.StateBreached, &t, &t
	ts.DueAt, ts.AtRiskAt, ts.RemainingMinutes = nil, nil, 0
}

// stateRank orders target states for the conversation summary, worst
// first.
var stateRank = map[string]int{policy.StateBreached: 5, policy.StateAtRisk: 4, policy.StateOK: 3, policy.StatePaused: 2, policy.StateMet: 1}

// jobKeys returns the warning and breach job keys a row wants ("" for
// none).
func (s *Service) jobKeys(convID int64, r stored) (warn, breach string) {
	if r.started == 0 {
		return "", ""
	}
	running := r.state == policy.StateOK || r.state == policy.StateAtRisk
	if running && r.atRisk != 0 && r.warned == 0 && r.escalated == 0 {
		warn = fmt.Sprintf("sla:warn:%d:%s:%d:%d", convID, r.target, r.started, r.atRisk)
	}
	if (running || r.state == policy.StateBreached) && r.due != 0 && r.escalated == 0 {
		breach = fmt.Sprintf("sla:breach:%d:%s:%d:%d", convID, r.target, r.started, r.due)
	}
	return warn, breach
}

// apply evaluates f at now, writes its rows and summary, moves its timers
// and, with o.act, runs due warnings and escalations.
func (s *Service) apply(ctx context.Context, tx *db.Tx, f facts, rows []timelineRow, old []stored, o evalOpts) error {
	now := o.at
	if now.IsZero() {
		now = s.Now()
	}
	p, e, cal, err := s.selectPolicy(ctx, f)
	if err != nil {
		return err
	}
	var st policy.State
	if e != nil {
		st = policy.Evaluate(e, cal, buildTimeline(f, rows), now)
	}
	oldBy := map[string]stored{}
	for _, r := range old {
		oldBy[r.target] = r
	}
	summary, due := "", int64(0)
	var policyID any
	if p != nil {
		policyID = p.ID
	}
	var breachedNow, warnNow []string
	for _, name := range TargetNames {
		prev, had := oldBy[name]
		var r stored
		keep := false
		if e != nil {
			ts := targetState(&st, name)
			if ts.Target.Set() && ts.State != policy.StateNone {
				keep = true
				keepStoredBreach(ts, prev, had, e.ID)
				r = stored{target: name, policyID: e.ID, state: ts.State, started: msOf(ts.StartedAt), due: msOf(ts.Deadline),
					atRisk: msOf(ts.AtRiskAt), met: msOf(ts.MetAt), breached: msOf(ts.BreachedAt)}
				if had && prev.policyID == r.policyID && prev.started == r.started {
					r.warned, r.escalated = prev.warned, prev.escalated
				}
				if (o.act || o.quiet) && !f.closed() {
					if r.state == policy.StateBreached && r.escalated == 0 {
						r.escalated = now.UnixMilli()
						if r.warned == 0 {
							r.warned = r.escalated
						}
						breachedNow = append(breachedNow, name)
					} else if r.state == policy.StateAtRisk && r.warned == 0 {
						r.warned = now.UnixMilli()
						warnNow = append(warnNow, name)
					}
				}
				if stateRank[r.state] > stateRank[summary] {
					summary = r.state
				}
				if (r.state == policy.StateOK || r.state == policy.StateAtRisk || r.state == policy.StateBreached && r.met == 0) &&
					r.due != 0 && (due == 0 || r.due < due) {
					due = r.due
				}
			}
		}
		// Timers: cancel what the old row wanted and the new one does not.
		var ow, ob, nw, nb string
		if had {
			ow, ob = s.jobKeys(f.id, prev)
		}
		if keep && !f.closed() { // closed is final: nothing left to warn or escalate
			nw, nb = s.jobKeys(f.id, r)
		}
		for _, k := range [][2]string{{ow, nw}, {ob, nb}} {
			if k[0] != "" && k[0] != k[1] && k[0] != o.jobKey {
				if _, err := jobs.Cancel(ctx, tx, k[0]); err != nil {
					return err
				}
			}
		}
		unchanged := had && keep && prev == r
		if nw != "" && !unchanged {
			if err := s.schedule(ctx, tx, JobWarn, nw, r.atRisk, f.id); err != nil {
				return err
			}
		}
		if nb != "" && !unchanged {
			if err := s.schedule(ctx, tx, JobBreach, nb, r.due, f.id); err != nil {
				return err
			}
		}
		if !keep {
			if had {
				if _, err := tx.Exec(ctx, `DELETE FROM conversation_sla WHERE conversation_id = ? AND target = ?`, f.id, name); err != nil {
					return fmt.Errorf("sla: clear %s: %w", name, err)
				}
			}
			continue
		}
		if unchanged {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO conversation_sla (conversation_id, target, policy_id, state, started_at, due_at,
			at_risk_at, met_at, breached_at, warned_at, escalated_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (conversation_id, target) DO UPDATE SET policy_id = excluded.policy_id, state = excluded.state,
			started_at = excluded.started_at, due_at = excluded.due_at, at_risk_at = excluded.at_risk_at, met_at = excluded.met_at,
			breached_at = excluded.breached_at, warned_at = excluded.warned_at, escalated_at = excluded.escalated_at,
			updated_at = excluded.updated_at`, f.id, name, r.policyID, r.state, nullable(r.started), nullable(r.due),
			nullable(r.atRisk), nullable(r.met), nullable(r.breached), nullable(r.warned), nullable(r.escalated), now.UnixMilli()); err != nil {
			return fmt.Errorf("sla: store %s: %w", name, err)
		}
	}
	if p != nil && summary == "" {
		summary = policy.StateOK // a policy applies, no clock has started
	}
	var pid int64
	if p != nil {
		pid = p.ID
	}
	if pid != f.slaPolicy || summary != f.slaState || due != f.slaDue {
		if _, err := tx.Exec(ctx, `UPDATE conversations SET sla_policy_id = ?, sla_state = ?, sla_due_at = ? WHERE id = ?`,
			policyID, summary, nullable(due), f.id); err != nil {
			return fmt.Errorf("sla: store summary: %w", err)
		}
		if !o.quiet && s.outbox != nil {
			var dueAt any
			if due != 0 {
				dueAt = db.Time(due).Format(time.RFC3339Nano)
			}
			if err := s.outbox.Publish(ctx, tx, TopicSLAChanged, map[string]any{"conversation_id": f.id, "sla_state": summary,
				"previous_sla_state": f.slaState, "sla_due_at": dueAt, "policy_id": policyID}); err != nil {
				return err
			}
		}
	}
	if !o.act || p == nil {
		return nil
	}
	for _, name := range warnNow {
		if err := s.warn(ctx, tx, f, p, name, targetState(&st, name), now); err != nil {
			return err
		}
	}
	for _, name := range breachedNow {
		if err := s.escalate(ctx, tx, f, p, name, targetState(&st, name), now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) schedule(ctx context.Context, tx *db.Tx, kind, key string, at, convID int64) error {
	_, _, err := s.scheduleJob(ctx, tx, jobs.Job{Kind: kind, UniqueKey: key, RunAt: db.Time(at),
		Payload: map[string]int64{"conversation_id": convID}})
	return err
}

// scheduleJob schedules j through the runner (which wakes for due jobs)
// or, without one, straight into the table.
func (s *Service) scheduleJob(ctx context.Context, tx *db.Tx, j jobs.Job) (jobs.Job, bool, error) {
	if s.runner != nil {
		return s.runner.Schedule(ctx, tx, j)
	}
	return jobs.Schedule(ctx, tx, j)
}
