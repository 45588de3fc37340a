package report

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/jobs"
)

// JobRefresh is the durable job that recomputes the rollup rows of the
// desk days marked stale (report_dirty). It is idempotent: a repeat
// recomputes the same rows.
const JobRefresh = "report.refresh"

// refreshDelay debounces: events within one window share one refresh job.
const refreshDelay = 30 * time.Second

// RegisterJobs registers JobRefresh on r (outside transactions: a refresh
// reads many rows and writes in its own transaction) and keeps r to
// schedule refreshes.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	s.runner = r
	r.RegisterOutsideTx(JobRefresh, func(ctx context.Context, _ jobs.Job) error { return s.RefreshDirty(ctx) })
}

// Subscribe keeps the rollups up to date: conversation.created,
// conversation.updated and message.created mark the conversation's
// creation day and today stale and schedule JobRefresh within
// refreshDelay, in one transaction.
func (s *Service) Subscribe(bus events.Bus) (unsubscribe func()) {
	var uns []func()
	for _, topic := range []string{events.ConversationCreated, events.ConversationUpdated, events.MessageCreated} {
		uns = append(uns, bus.Subscribe(topic, s.onEvent))
	}
	return func() {
		for _, u := range uns {
			u()
		}
	}
}

func (s *Service) onEvent(ctx context.Context, e events.Event) error {
	var p struct {
		ConversationID int64 `json:"conversation_id"`
		ID             int64 `json:"id"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("report: decode %s %d: %w", e.Topic, e.ID, err)
	}
	id := p.ConversationID
	if id == 0 && e.Topic != events.MessageCreated {
		id = p.ID
	}
	if id == 0 {
		return nil
	}
	return s.MarkConversation(ctx, id)
}

// MarkConversation marks the creation day of conversation id, the days of
// its first and current solve (a reopen clears the solve and changes the
// first solve's FCR) and today stale and schedules the refresh job.
func (s *Service) MarkConversation(ctx context.Context, id int64) error {
	now := s.now()
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var created, firstSolved, solved int64
		if err := tx.QueryRow(ctx, `SELECT created_at, COALESCE(first_solved_at, 0), COALESCE(solved_at, 0) FROM conversations WHERE id = ?`,
			id).Scan(&created, &firstSolved, &solved); err != nil {
			return nil // deleted meanwhile: the next rebuild settles it
		}
		days := []string{dayOf(created, s.loc), dayOf(now.UnixMilli(), s.loc)}
		for _, ms := range []int64{firstSolved, solved} {
			if ms != 0 {
				days = append(days, dayOf(ms, s.loc))
			}
		}
		return s.markTx(ctx, tx, days, now)
	})
}

// MarkDays marks every desk day from from through to (inclusive, in the
// desk's zone) and today stale and schedules the refresh job: for writes
// that publish no events, such as a historical import. At most
// maxMarkDays days are marked; a longer span marks its last days and the
// rest waits for `kesher report rebuild`. Errors: database errors.
func (s *Service) MarkDays(ctx context.Context, from, to time.Time) error {
	if from.IsZero() || to.Before(from) {
		return nil
	}
	now := s.now()
	var days []string
	// Walk whole days in the desk's zone (a DST day is 23 or 25 hours).
	f, t := from.In(s.loc), to.In(s.loc)
	first := time.Date(f.Year(), f.Month(), f.Day(), 12, 0, 0, 0, s.loc)
	for d := time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, s.loc); !d.Before(first) && len(days) < maxMarkDays; d = d.AddDate(0, 0, -1) {
		days = append(days, dayOf(d.UnixMilli(), s.loc))
	}
	days = append(days, dayOf(now.UnixMilli(), s.loc))
	return s.db.WriteTx(ctx, func(tx *db.Tx) error { return s.markTx(ctx, tx, days, now) })
}

// maxMarkDays bounds the days one MarkDays call marks (ten years).
const maxMarkDays = 3660

// markTx marks days stale and schedules the refresh job after
// refreshDelay (one job per slot: marks within a slot share it).
func (s *Service) markTx(ctx context.Context, tx *db.Tx, days []string, now time.Time) error {
	for _, day := range days {
		if _, err := tx.Exec(ctx, `INSERT INTO report_dirty (day, marked_at) VALUES (?, ?)
 ON CONFLICT (day) DO UPDATE SET marked_at = excluded.marked_at`, day, now.UnixMilli()); err != nil {
			return fmt.Errorf("report: mark %s: %w", day, err)
		}
	}
	at := now.Truncate(refreshDelay).Add(refreshDelay)
	j := jobs.Job{Kind: JobRefresh, UniqueKey: fmt.Sprintf("%s:%d", JobRefresh, at.UnixMilli()), RunAt: at, MaxAttempts: 5}
	var err error
	if s.runner != nil {
		_, _, err = s.runner.Schedule(ctx, tx, j)
	} else {
		_, _, err = jobs.Schedule(ctx, tx, j)
	}
	return err
}

// RefreshDirty recomputes every stale day and clears its mark unless it was
// marked again meanwhile.
func (s *Service) RefreshDirty(ctx context.Context) error {
	rs, err := s.db.R().Query(ctx, `SELECT day, marked_at FROM report_dirty ORDER BY day`)
	if err != nil {
		return fmt.Errorf("report: dirty days: %w", err)
	}
	type mark struct {
		day string
		at  int64
	}
	var marks []mark
	for rs.Next() {
		var m mark
		if err := rs.Scan(&m.day, &m.at); err != nil {
			rs.Close()
			return fmt.Errorf("report: dirty days: %w", err)
		}
		marks = append(marks, m)
	}
	rs.Close()
	for _, m := range marks {
		t := midnight(m.day, s.loc)
		if err := s.Refresh(ctx, t, t); err != nil {
			return err
		}
		if err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM report_dirty WHERE day = ? AND marked_at <= ?`, m.day, m.at)
			return err
		}); err != nil {
			return fmt.Errorf("report: clear %s: %w", m.day, err)
		}
	}
	return nil
}
