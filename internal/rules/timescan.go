package rules

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/automation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/jobs"
)

// Time rules.
const (
	// KindTimeScan is the once-a-minute job that finds conversations due
	// for a time rule; each run schedules the next (unique key
	// "automation.time-scan:<minute ms>", so runners on several nodes, or a
	// restart, never make two chains).
	KindTimeScan = "automation.time-scan"
	// KindTimeRule runs one time rule on one conversation, once per status
	// stint: its unique key is "rule:<rule id>:<conversation id>:<ms of
	// status_changed_at>", and a job's key stays taken after it ran.
	KindTimeRule = "automation.time-rule"
	// scanPage and scanMaxPages bound the candidates one scan looks at per
	// rule (oldest first); the rest wait for the next minute.
	scanPage     = 500
	scanMaxPages = 20
)

// TimeRuleJob is the payload of a KindTimeRule job.
type TimeRuleJob struct {
	RuleID          int64 `json:"rule_id"`
	ConversationID  int64 `json:"conversation_id"`
	StatusChangedAt int64 `json:"status_changed_at"` // ms
}

// TimeRuleKey is the unique job key of rule on a conversation whose
// current status began at statusChangedAt (ms).
func TimeRuleKey(rule, conv, statusChangedAt int64) string {
	return fmt.Sprintf("rule:%d:%d:%d", rule, conv, statusChangedAt)
}

func (s *Service) schedule(ctx context.Context, tx *db.Tx, j jobs.Job) (bool, error) {
	var created bool
	var err error
	if s.o.Jobs != nil {
		_, created, err = s.o.Jobs.Schedule(ctx, tx, j)
	} else {
		_, created, err = jobs.Schedule(ctx, tx, j)
	}
	return created, err
}

func scanKey(t time.Time) string {
	return fmt.Sprintf("%s:%d", KindTimeScan, t.Truncate(time.Minute).UnixMilli())
}

// StartTimeScan schedules the time scan for the current minute unless that
// minute's scan exists (serve calls it at start; the scan then re-schedules
// itself every minute).
func (s *Service) StartTimeScan(ctx context.Context) error {
	now := s.Now()
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := s.schedule(ctx, tx, jobs.Job{Kind: KindTimeScan, UniqueKey: scanKey(now), RunAt: now, MaxAttempts: 3})
		return err
	})
}

// timeScanJob runs ScanTx and schedules the next minute's scan.
func (s *Service) timeScanJob(ctx context.Context, tx *db.Tx, _ jobs.Job) error {
	now := s.Now()
	if _, err := s.ScanTx(ctx, tx, now); err != nil {
		return err
	}
	// Redeliveries come within seconds; a week of event marks is plenty.
	if _, err := tx.Exec(ctx, `DELETE FROM automation_event_runs WHERE created_at < ?`, db.Ms(now.Add(-7*24*time.Hour))); err != nil {
		return fmt.Errorf("rules: purge event marks: %w", err)
	}
	next := now.Truncate(time.Minute).Add(time.Minute)
	_, err := s.schedule(ctx, tx, jobs.Job{Kind: KindTimeScan, UniqueKey: scanKey(next), RunAt: next, MaxAttempts: 3})
	return err
}

// ScanTx finds, for each enabled time rule, the conversations whose status
// is the rule's and began at least the rule's minutes before now (business
// minutes on BusinessCalendar when the rule says business: the candidates
// are those old enough in calendar time, then tested exactly), whose
// conditions hold, and schedules one KindTimeRule job for each — at most
// once per (rule, conversation, status stint). It returns the number of
// jobs newly scheduled.
func (s *Service) ScanTx(ctx context.Context, tx *db.Tx, now time.Time) (int, error) {
	rules, err := s.load(ctx, tx, `WHERE trigger_event = ? AND enabled = ?`, automation.TriggerTime, true)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rules {
		if r.Time == nil {
			continue
		}
		threshold := db.Ms(now.Add(-time.Duration(r.Time.Minutes) * time.Minute))
		afterAt, afterID := int64(-1<<62), int64(0)
		for range scanMaxPages {
			rows, err := tx.Query(ctx, `SELECT id, status_changed_at FROM conversations WHERE status = ? AND status_changed_at <= ?
				AND (status_changed_at > ? OR (status_changed_at = ? AND id > ?)) ORDER BY status_changed_at, id LIMIT ?`,
				r.Time.Status, threshold, afterAt, afterAt, afterID, scanPage)
			if err != nil {
				return n, fmt.Errorf("rules: time scan: %w", err)
			}
			since := map[int64]int64{}
			var ids []int64
			for rows.Next() {
				var id, at int64
				if err := rows.Scan(&id, &at); err != nil {
					rows.Close()
					return n, err
				}
				since[id] = at
				ids = append(ids, id)
				afterAt, afterID = at, id
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return n, err
			}
			if len(ids) == 0 {
				break
			}
			full := len(ids) == scanPage
			// Conversations whose job for this stint exists already (the rule
			// ran, or did not change the status) cost one query, not a look.
			if ids, err = s.unscheduled(ctx, tx, r.ID, ids, since); err != nil {
				return n, err
			}
			convs, err := s.conversations.GetMany(ctx, tx, ids)
			if err != nil {
				return n, err
			}
			facts, err := s.Facts(ctx, tx, convs, now)
			if err != nil {
				return n, err
			}
			for _, f := range facts {
				if !automation.Matches(r.Rule, f) {
					continue
				}
				at := since[f.ConversationID]
				created, err := s.schedule(ctx, tx, jobs.Job{Kind: KindTimeRule, UniqueKey: TimeRuleKey(r.ID, f.ConversationID, at),
					Payload: TimeRuleJob{RuleID: r.ID, ConversationID: f.ConversationID, StatusChangedAt: at}, RunAt: now})
				if err != nil {
					return n, err
				}
				if created {
					n++
				}
			}
			if !full {
				break
			}
		}
	}
	return n, nil
}

// unscheduled returns the ids among ids without a KindTimeRule job for
// rule and their current status stint (since[id]).
func (s *Service) unscheduled(ctx context.Context, tx *db.Tx, rule int64, ids []int64, since map[int64]int64) ([]int64, error) {
	if len(ids) == 0 {
		return ids, nil
	}
	keys := make([]any, len(ids))
	for i, id := range ids {
		keys[i] = TimeRuleKey(rule, id, since[id])
	}
	rows, err := tx.Query(ctx, `SELECT unique_key FROM jobs WHERE unique_key IN (`+db.Placeholders(len(keys))+`)`, keys...)
	if err != nil {
		return nil, fmt.Errorf("rules: time scan: %w", err)
	}
	defer rows.Close()
	taken := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		taken[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := ids[:0:0]
	for i, id := range ids {
		if !taken[keys[i].(string)] {
			out = append(out, id)
		}
	}
	return out, nil
}

// timeRuleJob runs one time rule on one conversation if the status stint
// it was scheduled for is still going on and the rule still matches.
func (s *Service) timeRuleJob(ctx context.Context, tx *db.Tx, j jobs.Job) error {
	var p TimeRuleJob
	if err := j.Decode(&p); err != nil {
		return err
	}
	_, err := s.RunTimeRuleTx(ctx, tx, p)
	return err
}

// RunTimeRuleTx runs the time rule of p on its conversation inside tx when
// the rule is still enabled, the conversation still has the status that
// began at p.StatusChangedAt, and the rule matches now. It returns the plan
// (empty when nothing ran).
func (s *Service) RunTimeRuleTx(ctx context.Context, tx *db.Tx, p TimeRuleJob) (automation.Plan, error) {
	r, err := s.get(ctx, tx, p.RuleID)
	if errors.Is(err, errs.ErrNotFound) {
		return automation.Plan{}, nil
	}
	if err != nil || !r.Enabled || r.Time == nil {
		return automation.Plan{}, err
	}
	var status string
	var since int64
	if err := tx.QueryRow(ctx, `SELECT status, COALESCE(status_changed_at, 0) FROM conversations WHERE id = ?`, p.ConversationID).
		Scan(&status, &since); err != nil {
		return automation.Plan{}, nil // the conversation is gone
	}
	if status != r.Time.Status || since != p.StatusChangedAt {
		return automation.Plan{}, nil // the stint ended
	}
	rules := []automation.Rule{r.Rule}
	plan, err := s.evaluateTx(ctx, tx, rules, automation.TriggerTime, p.ConversationID, 0, nil)
	if errors.Is(err, errSkip) {
		return plan, nil
	}
	if err != nil {
		return plan, err
	}
	return plan, s.Apply(ctx, tx, automation.TriggerTime, p.ConversationID, plan, rules)
}
