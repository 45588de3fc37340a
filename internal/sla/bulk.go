package sla

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/sla/policy"
)

// bulkBatch is how many conversations EvaluateAll reads and writes per
// transaction.
const bulkBatch = 500

// BulkOptions tune EvaluateAll.
type BulkOptions struct {
	// Statuses limits the conversations evaluated; empty means new, open,
	// pending and on hold.
	Statuses []string
	// Quiet records warnings and escalations already due as done without
	// notifying or escalating (demo data, back-fills after a policy
	// change); otherwise the timers do them as usual.
	Quiet bool
	// At is the evaluation instant (zero: the service's clock).
	At time.Time
}

// allStatuses are the conversation statuses.
var allStatuses = []string{policy.StatusNew, policy.StatusOpen, policy.StatusPending, policy.StatusOnHold, policy.StatusSolved,
	policy.StatusClosed}

// openStatuses are the statuses EvaluateAll covers by default.
var openStatuses = []string{policy.StatusNew, policy.StatusOpen, policy.StatusPending, policy.StatusOnHold}

// EvaluateAll re-evaluates every conversation in opts.Statuses, reading
// facts, timelines and stored state in a few queries per batch of
// conversations and writing each batch in one transaction. It returns the
// number of conversations evaluated.
func (s *Service) EvaluateAll(ctx context.Context, opts BulkOptions) (int, error) {
	statuses := opts.Statuses
	if len(statuses) == 0 {
		statuses = openStatuses
	}
	n := 0
	after := int64(0)
	for {
		var got int
		err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
			var err error
			got, after, err = s.evaluateBatchTx(ctx, tx, statuses, after, evalOpts{quiet: opts.Quiet, at: opts.At})
			return err
		})
		if err != nil {
			return n, err
		}
		n += got
		if got < bulkBatch {
			return n, nil
		}
	}
}

// evaluateBatchTx evaluates up to bulkBatch conversations in statuses with
// ids above after, in id order, inside tx. It returns how many it
// evaluated and the last id.
func (s *Service) evaluateBatchTx(ctx context.Context, tx *db.Tx, statuses []string, after int64, o evalOpts) (int, int64, error) {
	// The batch's ids: one (status, id) index range per status, merged, so
	// a batch costs the same at the end of a large desk as at its start.
	// The statuses are literals (checked against the known ones): a
	// prepared statement's generic plan could not know that a rare status
	// wants its index and would walk the primary key to the end instead.
	parts := make([]string, len(statuses))
	args := make([]any, 0, len(statuses))
	for i, st := range statuses {
		if !slices.Contains(allStatuses, st) {
			return 0, after, fmt.Errorf("sla: unknown status %q", st)
		}
		parts[i] = fmt.Sprintf("SELECT id FROM (SELECT id FROM conversations WHERE status = '%s' AND id > ? ORDER BY id LIMIT %d) s%d",
			st, bulkBatch, i)
		args = append(args, after)
	}
	// MATERIALIZED: the ids first, then only their rows are joined (as the
	// conversation list does), which keeps PostgreSQL from a hash join
	// over the whole table.
	rows, err := tx.Query(ctx, `WITH page AS MATERIALIZED (SELECT id FROM (`+strings.Join(parts, " UNION ALL ")+`) u
		ORDER BY id LIMIT `+fmt.Sprint(bulkBatch)+`) `+factsSelect+` JOIN page ON page.id = c.id ORDER BY c.id`, args...)
	var fs []facts
	for rows.Next() {
		f, err := scanFacts(rows)
		if err != nil {
			rows.Close()
			return 0, after, fmt.Errorf("sla: bulk facts: %w", err)
		}
		fs = append(fs, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(fs) == 0 {
		return 0, after, err
	}
	ids := make([]int64, len(fs))
	idArgs := make([]any, len(fs))
	for i, f := range fs {
		ids[i], idArgs[i] = f.id, f.id
	}
	tls := map[int64][]timelineRow{}
	trs, err := tx.Query(ctx, timelineSelect+` WHERE conversation_id IN (`+marks(len(ids))+`) AND kind IN ('reply', 'event')
		ORDER BY conversation_id, created_at, id`, idArgs...)
	if err != nil {
		return 0, after, fmt.Errorf("sla: bulk timelines: %w", err)
	}
	for trs.Next() {
		r, err := scanTimelineRow(trs)
		if err != nil {
			trs.Close()
			return 0, after, fmt.Errorf("sla: bulk timelines: %w", err)
		}
		tls[r.convID] = append(tls[r.convID], r)
	}
	trs.Close()
	if err := trs.Err(); err != nil {
		return 0, after, err
	}
	// Lock the batch's conversations (in id order, as evaluateTx locks one)
	// before reading their stored SLA state: a timer that recorded a breach
	// meanwhile is then seen, never overwritten by this batch's older read.
	if s.db.Dialect == db.Postgres {
		if _, err := tx.Exec(ctx, `SELECT id FROM conversations WHERE id IN (`+marks(len(ids))+`) ORDER BY id FOR UPDATE`, idArgs...); err != nil {
			return 0, after, fmt.Errorf("sla: lock batch: %w", err)
		}
	}
	// Stored state by id range (the primary key's order), not by a list
	// of 500 ids, whose generic plan PostgreSQL may turn into a scan.
	old, err := loadStoredRange(ctx, tx, ids[0], ids[len(ids)-1])
	if err != nil {
		return 0, after, err
	}
	for _, f := range fs {
		if err := s.apply(ctx, tx, f, tls[f.id], old[f.id], o); err != nil {
			return 0, after, err
		}
	}
	return len(fs), fs[len(fs)-1].id, nil
}

// reevaluatePayload is the payload of a JobReevaluate job.
type reevaluatePayload struct {
	Token int64 `json:"token"` // the change that asked for it
	After int64 `json:"after"` // the last conversation id done
}

// scheduleReevaluation asks, in tx, for every open conversation to be
// re-evaluated after a policy or calendar change: a JobReevaluate chain
// that takes one batch per job, so it survives restarts.
func (s *Service) scheduleReevaluation(ctx context.Context, tx *db.Tx, now time.Time) error {
	token := time.Now().UnixNano() // unique per change; now is only ms
	_, _, err := s.scheduleJob(ctx, tx, jobs.Job{Kind: JobReevaluate, UniqueKey: fmt.Sprintf("sla:reevaluate:%d:0", token),
		RunAt: now, Payload: reevaluatePayload{Token: token}})
	return err
}

// handleReevaluate re-evaluates one batch of open conversations (without
// running escalations: their timers do) and schedules the next batch.
func (s *Service) handleReevaluate(ctx context.Context, tx *db.Tx, j jobs.Job) error {
	var p reevaluatePayload
	if err := j.Decode(&p); err != nil {
		return err
	}
	n, last, err := s.evaluateBatchTx(ctx, tx, openStatuses, p.After, evalOpts{jobKey: j.UniqueKey})
	if err != nil || n < bulkBatch {
		return err
	}
	_, _, err = s.scheduleJob(ctx, tx, jobs.Job{Kind: JobReevaluate, UniqueKey: fmt.Sprintf("sla:reevaluate:%d:%d", p.Token, last),
		Payload: reevaluatePayload{Token: p.Token, After: last}})
	return err
}

// TargetView is one target of a conversation's SLA as the API shows it.
// Minutes are business minutes for business targets.
type TargetView struct {
	Target    string     `json:"target"`
	State     string     `json:"state"`
	Business  bool       `json:"business"`
	Minutes   int        `json:"minutes"`
	StartedAt *time.Time `json:"started_at"`
	// DueAt is the instant the target is due; for a met target the
	// instant it would have been due (how early it was met), for a
	// breached one the breach instant. Nil while paused.
	DueAt            *time.Time `json:"due_at"`
	AtRiskAt         *time.Time `json:"at_risk_at"`
	MetAt            *time.Time `json:"met_at"`
	BreachedAt       *time.Time `json:"breached_at"`
	RemainingMinutes int        `json:"remaining_minutes"`
}

// ConversationSLA is a conversation's SLA standing: the policy that
// applies (nil id and "" name when none), the summary state and due
// instant, and each target whose clock has started.
type ConversationSLA struct {
	PolicyID   *int64       `json:"policy_id"`
	PolicyName string       `json:"policy_name"`
	State      string       `json:"state"`
	DueAt      *time.Time   `json:"due_at"`
	Targets    []TargetView `json:"targets"`
}

// ForConversation evaluates conversation id now, without storing
// anything, and reports its SLA. Errors: errs.ErrNotFound (from the
// caller's visibility check; a vanished conversation gives an empty
// report).
func (s *Service) ForConversation(ctx context.Context, id int64) (ConversationSLA, error) {
	out := ConversationSLA{Targets: []TargetView{}}
	f, rows, ok, err := loadOne(ctx, s.db.R(), id)
	if err != nil || !ok {
		return out, err
	}
	p, e, cal, err := s.selectPolicy(ctx, f)
	if err != nil || e == nil {
		return out, err
	}
	old, err := loadStored(ctx, s.db.R(), []int64{id})
	if err != nil {
		return out, err
	}
	oldBy := map[string]stored{}
	for _, r := range old[id] {
		oldBy[r.target] = r
	}
	now := s.Now()
	st := policy.Evaluate(e, cal, buildTimeline(f, rows), now)
	pid := p.ID
	out.PolicyID, out.PolicyName = &pid, p.Name
	for _, name := range TargetNames {
		ts := targetState(&st, name)
		if !ts.Target.Set() || ts.State == policy.StateNone {
			continue
		}
		prev, had := oldBy[name]
		keepStoredBreach(ts, prev, had, e.ID)
		v := TargetView{Target: name, State: ts.State, Business: ts.Target.Business, Minutes: ts.Target.Minutes,
			StartedAt: ts.StartedAt, DueAt: ts.Deadline, AtRiskAt: ts.AtRiskAt, MetAt: ts.MetAt, BreachedAt: ts.BreachedAt,
			RemainingMinutes: ts.RemainingMinutes}
		out.Targets = append(out.Targets, v)
		if stateRank[v.State] > stateRank[out.State] {
			out.State = v.State
		}
		// The summary due is the earliest due of a running target or of
		// a breach not yet answered.
		due := v.DueAt
		running := v.State == policy.StateOK || v.State == policy.StateAtRisk
		if due != nil && (running || v.State == policy.StateBreached && v.MetAt == nil) && (out.DueAt == nil || due.Before(*out.DueAt)) {
			out.DueAt = due
		}
	}
	if out.State == "" {
		out.State = policy.StateOK
	}
	return out, nil
}
