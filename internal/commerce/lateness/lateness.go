package lateness

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/sla/calendar"
)

// JobScan is the kind of the durable scan job. Each run evaluates one
// batch of orders, each in its own transaction; it schedules the next
// batch at once, or, after the last batch, the next round at the next
// multiple of scan_interval_minutes.
const JobScan = "commerce.lateness_scan"

// TopicLatenessChanged is published when the detector changes an order's
// verdict or days late; payload {"order_id", "lateness",
// "previous_lateness", "days_late", "conversation_id" (or null)}.
const TopicLatenessChanged = "order.lateness_changed"

// Tag is the tag of late-delivery conversations.
const Tag = "late-delivery"

// DefaultBatchSize is the number of orders one scan job evaluates.
const DefaultBatchSize = 100

// Actor is who the detector's conversations, notes and notices are
// recorded as.
var Actor = audit.Actor{Type: "system", Name: "late-delivery detector"}

// Calendars resolves business calendars by name ("il" or a stored one);
// sla.Service implements it. Errors: errs.ErrNotFound for an unknown name.
type Calendars interface {
	BusinessCalendar(ctx context.Context, name string) (*calendar.Calendar, error)
}

// Deliverer schedules the email delivery of a queued outbound message in
// the caller's transaction; outbound.Service implements it. (Without one
// the message.created event makes the outbound service schedule it.)
type Deliverer interface {
	ScheduleTx(ctx context.Context, tx *db.Tx, id int64) (bool, error)
}

// Options configure a Service.
type Options struct {
	// Offerer grants automatic compensation shown in the notice; nil: none.
	Offerer commerce.Offerer
	// Mail schedules the notice's delivery in the same transaction.
	Mail Deliverer
	// BatchSize is the orders per scan job (default DefaultBatchSize).
	BatchSize int
}

// Service detects late deliveries. Create it with New, register its job
// with RegisterJobs, subscribe it with Subscribe and start the scan with
// StartScan.
type Service struct {
	db            *db.DB
	outbox        *events.Outbox
	conversations *conversation.Service
	calendars     Calendars
	runner        *jobs.Runner
	log           *slog.Logger
	o             Options
	// Now is the clock (UTC, ms); tests may replace it.
	Now func() time.Time
}

// New returns the late-delivery detector. runner may be nil (jobs are
// then scheduled straight into the table).
func New(d *db.DB, outbox *events.Outbox, conversations *conversation.Service, calendars Calendars, runner *jobs.Runner,
	log *slog.Logger, o Options) *Service {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, outbox: outbox, conversations: conversations, calendars: calendars, runner: runner, log: log, o: o,
		Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// RegisterJobs registers the JobScan handler on r (outside transactions:
// each order is evaluated in its own).
func (s *Service) RegisterJobs(r *jobs.Runner) { r.RegisterOutsideTx(JobScan, s.runScan) }

// Subscribe re-evaluates an order on commerce.OrderUpdated (published by
// the orders service after every write of an order); it returns a func
// that unsubscribes.
func (s *Service) Subscribe(bus events.Bus) (unsubscribe func()) {
	return bus.Subscribe(commerce.OrderUpdated, s.onOrderUpdated)
}

func (s *Service) onOrderUpdated(ctx context.Context, e events.Event) error {
	var p struct {
		OrderID int64 `json:"order_id"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("lateness: decode %s %d: %w", e.Topic, e.ID, err)
	}
	if p.OrderID == 0 {
		return nil
	}
	_, err := s.EvaluateOrder(ctx, p.OrderID)
	return err
}

// Result is what one evaluation did.
type Result struct {
	OrderID  int64
	Verdict  Verdict
	Previous string // the stored lateness before
	// Changed is true when the stored verdict or days late changed.
	Changed bool
	// ConversationID is the order's late-delivery conversation, 0 when none.
	ConversationID int64
	// NoticeID is the notice message created by this evaluation, 0 when none.
	NoticeID int64
}

// EvaluateOrder re-evaluates order id now in one write transaction (see
// EvaluateTx). Nothing happens when detection is disabled or the order does
// not exist. Errors: the calendar of the settings is unknown, or a
// database error.
func (s *Service) EvaluateOrder(ctx context.Context, id int64) (Result, error) {
	st, err := loadSettings(ctx, s.db.R())
	if err != nil || !st.Enabled {
		return Result{}, err
	}
	cal, err := s.calendars.BusinessCalendar(ctx, st.Calendar)
	if err != nil {
		return Result{}, fmt.Errorf("lateness: calendar %q: %w", st.Calendar, err)
	}
	var r Result
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var err error
		r, err = s.EvaluateTx(ctx, tx, id, st, cal, s.Now())
		return err
	})
	return r, err
}

// StartScan schedules the scan round of the current interval unless it
// exists (several processes starting together schedule one).
func (s *Service) StartScan(ctx context.Context) error {
	st, err := loadSettings(ctx, s.db.R())
	if err != nil {
		return err
	}
	round := s.Now().Truncate(time.Duration(st.ScanIntervalMinutes) * time.Minute)
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		return s.schedule(ctx, tx, scanPayload{Round: db.Ms(round)}, s.Now())
	})
}

// scanPayload is a JobScan job's payload: the round (its scheduled
// instant, ms), the phase (0: open orders by promised date; 1: orders
// still marked late or at risk that are closed or lost their promise) and
// the cursor after which the batch starts.
type scanPayload struct {
	Round         int64 `json:"round"`
	Phase         int   `json:"phase"`
	AfterPromised int64 `json:"after_promised"`
	AfterID       int64 `json:"after_id"`
}

// key is the job's unique key: one job per round and cursor, so two
// runners or a rerun schedule each batch once.
func (p scanPayload) key() string {
	return fmt.Sprintf("%s:%d:%d:%d:%d", JobScan, p.Round, p.Phase, p.AfterPromised, p.AfterID)
}

func (s *Service) schedule(ctx context.Context, tx *db.Tx, p scanPayload, at time.Time) error {
	j := jobs.Job{Kind: JobScan, UniqueKey: p.key(), RunAt: at, Payload: p, MaxAttempts: 3}
	var err error
	if s.runner != nil {
		_, _, err = s.runner.Schedule(ctx, tx, j)
	} else {
		_, _, err = jobs.Schedule(ctx, tx, j)
	}
	return err
}

// runScan runs one batch of a round outside any transaction: each order is
// evaluated in its own short write transaction, so a slow batch never holds
// SQLite's writer for long, and an order that fails is logged and skipped
// (it is tried again next round) instead of stopping the scan. It then
// schedules the next batch at once, or the next round at the next
// multiple of scan_interval_minutes. A rerun (the job runs at least once)
// re-evaluates orders whose verdict is already stored: nothing changes.
func (s *Service) runScan(ctx context.Context, j jobs.Job) error {
	var p scanPayload
	if err := j.Decode(&p); err != nil {
		return nil // unreadable: nothing a retry can fix
	}
	now := s.Now()
	st, err := loadSettings(ctx, s.db.R())
	if err != nil {
		return err
	}
	next, more := scanPayload{}, false
	if st.Enabled {
		cal, err := s.calendars.BusinessCalendar(ctx, st.Calendar)
		if err != nil {
			s.log.Error("late-delivery scan skipped: calendar", "calendar", st.Calendar, "err", err)
		} else {
			var ids []int64
			ids, next, more, err = s.page(ctx, s.db.R(), p)
			if err != nil {
				return err
			}
			for _, id := range ids {
				err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
					_, err := s.EvaluateTx(ctx, tx, id, st, cal, now)
					return err
				})
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					s.log.Error("late-delivery evaluation failed", "order_id", id, "err", err)
				}
			}
		}
	}
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if more {
			return s.schedule(ctx, tx, next, now)
		}
		interval := time.Duration(st.ScanIntervalMinutes) * time.Minute
		round := now.Truncate(interval).Add(interval)
		return s.schedule(ctx, tx, scanPayload{Round: db.Ms(round)}, round)
	})
}

// ScanTx evaluates every order the scan covers, all batches in tx, at now,
// and returns the number evaluated (tests and tools; the job evaluates
// each order in its own transaction). Nothing happens when detection is
// disabled.
func (s *Service) ScanTx(ctx context.Context, tx *db.Tx, now time.Time) (int, error) {
	st, err := loadSettings(ctx, tx)
	if err != nil || !st.Enabled {
		return 0, err
	}
	cal, err := s.calendars.BusinessCalendar(ctx, st.Calendar)
	if err != nil {
		return 0, fmt.Errorf("lateness: calendar %q: %w", st.Calendar, err)
	}
	n := 0
	p := scanPayload{}
	for {
		ids, next, more, err := s.page(ctx, tx, p)
		if err != nil {
			return n, err
		}
		for _, id := range ids {
			if _, err := s.EvaluateTx(ctx, tx, id, st, cal, now); err != nil {
				return n, fmt.Errorf("lateness: order %d: %w", id, err)
			}
		}
		n += len(ids)
		if !more {
			return n, nil
		}
		p = next
	}
}

// page returns the ids of the batch after p's cursor, the cursor of the
// next batch, and whether there is one. Phase 0 reads the open orders with
// a promise by (promised_by, id) — the partial index orders_open_promise;
// phase 1 the orders still marked late or at risk that are closed or have
// no promise any more, by id.
func (s *Service) page(ctx context.Context, q db.Querier, p scanPayload) ([]int64, scanPayload, bool, error) {
	var rows *sql.Rows
	var err error
	if p.Phase == 0 {
		rows, err = q.Query(ctx, `SELECT id, promised_by FROM orders WHERE promised_by IS NOT NULL AND delivered_at IS NULL
			AND status NOT IN ('delivered', 'cancelled', 'returned') AND (promised_by > ? OR (promised_by = ? AND id > ?))
			ORDER BY promised_by, id LIMIT ?`, p.AfterPromised, p.AfterPromised, p.AfterID, s.o.BatchSize)
	} else {
		rows, err = q.Query(ctx, `SELECT id, 0 FROM orders WHERE lateness <> 'on_time' AND (promised_by IS NULL
			OR delivered_at IS NOT NULL OR status IN ('delivered', 'cancelled', 'returned')) AND id > ? ORDER BY id LIMIT ?`,
			p.AfterID, s.o.BatchSize)
	}
	if err != nil {
		return nil, p, false, fmt.Errorf("lateness: scan: %w", err)
	}
	defer rows.Close()
	var ids []int64
	next := p
	for rows.Next() {
		var id, promised int64
		if err := rows.Scan(&id, &promised); err != nil {
			return nil, p, false, fmt.Errorf("lateness: scan: %w", err)
		}
		ids = append(ids, id)
		next.AfterID, next.AfterPromised = id, promised
	}
	if err := rows.Err(); err != nil {
		return nil, p, false, fmt.Errorf("lateness: scan: %w", err)
	}
	if len(ids) == s.o.BatchSize {
		return ids, next, true, nil
	}
	if p.Phase == 0 {
		return ids, scanPayload{Round: p.Round, Phase: 1}, true, nil
	}
	return ids, next, false, nil
}

// ScanReport is what ScanNow did: orders evaluated, verdicts (or days late)
// changed, late-delivery conversations opened and notices created.
type ScanReport struct {
	Evaluated           int `json:"evaluated"`
	Changed             int `json:"changed"`
	ConversationsOpened int `json:"conversations_opened"`
	Notices             int `json:"notices"`
}

// ScanNow runs a whole scan round at once (an admin's "scan now", tools),
// each order in its own write transaction like the job. Running it again
// with nothing changed reports changes, conversations and notices of 0.
// Nothing happens when detection is disabled. Errors: the calendar of the
// settings is unknown, or a database error (the orders evaluated before it
// keep their verdicts).
func (s *Service) ScanNow(ctx context.Context) (ScanReport, error) {
	var rep ScanReport
	st, err := loadSettings(ctx, s.db.R())
	if err != nil || !st.Enabled {
		return rep, err
	}
	cal, err := s.calendars.BusinessCalendar(ctx, st.Calendar)
	if err != nil {
		return rep, fmt.Errorf("lateness: calendar %q: %w", st.Calendar, err)
	}
	now := s.Now()
	for _, phase := range []int{0, 1} {
		p := scanPayload{Phase: phase}
		for {
			ids, next, more, err := s.page(ctx, s.db.R(), p)
			if err != nil {
				return rep, err
			}
			for _, id := range ids {
				var r Result
				err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
					var before sql.NullInt64
					if err := tx.QueryRow(ctx, `SELECT conversation_id FROM orders WHERE id = ?`, id).Scan(&before); err != nil {
						return err
					}
					var err error
					r, err = s.EvaluateTx(ctx, tx, id, st, cal, now)
					if err == nil && r.ConversationID != 0 && r.ConversationID != before.Int64 {
						rep.ConversationsOpened++
					}
					return err
				})
				if err != nil {
					return rep, fmt.Errorf("lateness: order %d: %w", id, err)
				}
				rep.Evaluated++
				if r.Changed {
					rep.Changed++
				}
				if r.NoticeID != 0 {
					rep.Notices++
				}
			}
			if !more {
				break
			}
			p = next
		}
	}
	return rep, nil
}
