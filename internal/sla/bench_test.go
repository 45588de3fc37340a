package sla_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/sla"
	"github.com/kesherdesk/kesher/internal/sla/policy"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// seedOpen stores n open conversations created during the two weeks
// before now, each with a customer message, and for most an agent reply, a
// second customer message or a pending stretch — straight SQL, in one
// transaction.
func seedOpen(b *testing.B, d *db.DB, n int, now time.Time) {
	b.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 8))
	err := d.WriteTx(ctx, func(tx *db.Tx) error {
		box, err := tx.InsertID(ctx, `INSERT INTO inboxes (name, channel, created_at, updated_at) VALUES ('API', 'api', 0, 0)`)
		if err != nil {
			return err
		}
		var contacts []int64
		for i := range 200 {
			tier := "standard"
			if i%10 == 0 {
				tier = "vip"
			}
			id, err := tx.InsertID(ctx, `INSERT INTO contacts (name, email, tier, created_at, updated_at) VALUES (?, ?, ?, 0, 0)`,
				fmt.Sprint("c", i), fmt.Sprintf("c%d@example.com", i), tier)
			if err != nil {
				return err
			}
			contacts = append(contacts, id)
		}
		for range n {
			created := now.Add(-time.Duration(1+r.IntN(14*24*60)) * time.Minute)
			prio := []string{"low", "normal", "normal", "high", "urgent"}[r.IntN(5)]
			status := "open"
			id, err := tx.InsertID(ctx, `INSERT INTO conversations (inbox_id, channel, subject, status, priority, requester_id,
				created_at, updated_at) VALUES (?, 'api', 's', ?, ?, ?, ?, ?)`, box, status, prio, contacts[r.IntN(len(contacts))],
				db.Ms(created), db.Ms(created))
			if err != nil {
				return err
			}
			msg := func(dir, kind, author, meta string, at time.Time) error {
				_, err := tx.Exec(ctx, `INSERT INTO messages (conversation_id, direction, kind, author_type, body_text, channel_meta,
					created_at) VALUES (?, ?, ?, ?, 'x', ?, ?)`, id, dir, kind, author, meta, db.Ms(at))
				return err
			}
			if err := msg("inbound", "reply", "contact", "{}", created); err != nil {
				return err
			}
			at := created
			step := func() time.Time {
				at = at.Add(time.Duration(1+r.IntN(int(now.Sub(at)/time.Minute)/3+1)) * time.Minute)
				return at
			}
			switch r.IntN(4) {
			case 0: // waiting for the first answer
			case 1:
				if err := msg("outbound", "reply", "agent", "{}", step()); err != nil {
					return err
				}
				if err := msg("inbound", "reply", "contact", "{}", step()); err != nil {
					return err
				}
			case 2:
				if err := msg("outbound", "reply", "agent", "{}", step()); err != nil {
					return err
				}
				if err := msg("internal", "event", "agent", `{"event":"status_changed","from":"open","to":"pending"}`, step()); err != nil {
					return err
				}
				if err := msg("inbound", "reply", "contact", "{}", step()); err != nil {
					return err
				}
				if err := msg("internal", "event", "contact", `{"event":"status_changed","from":"pending","to":"open"}`, at); err != nil {
					return err
				}
			case 3:
				if err := msg("outbound", "reply", "bot", "{}", step()); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkReevaluateOpen re-evaluates the SLA of 10,000 open
// conversations through the store (EvaluateAll: read facts and timelines,
// evaluate on "il", write conversation_sla rows, summaries and timers) per
// iteration; ns/conversation is the per-conversation cost.
// KESHER_BENCH_SLA_N changes the number of conversations (e.g. 100000).
func BenchmarkReevaluateOpen(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("KESHER_BENCH_SLA_N")); err == nil && v > 0 {
		n = v
	}
	for _, be := range testkit.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			d := be.Open(b)
			now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
			seedOpen(b, d, n, now)
			s := sla.New(d, nil, nil, jobs.NewRunner(d, jobs.Options{}), testkit.Logger())
			s.Now = func() time.Time { return now }
			ctx := context.Background()
			for _, in := range []sla.PolicyInput{
				{Name: "VIP", Calendar: "il", Conditions: policy.Conditions{ContactTiers: []string{"vip"}},
					Targets: sla.Targets{FirstResponse: policy.Target{Minutes: 60, Business: true}, NextResponse: policy.Target{Minutes: 120, Business: true},
						Resolution: policy.Target{Minutes: 960, Business: true}}},
				{Name: "Default", Calendar: "il", Targets: sla.Targets{FirstResponse: policy.Target{Minutes: 240, Business: true},
					NextResponse: policy.Target{Minutes: 480, Business: true}, Resolution: policy.Target{Minutes: 1440, Business: true}}},
			} {
				if _, err := s.CreatePolicy(ctx, audit.System, in); err != nil {
					b.Fatal(err)
				}
			}
			// The first pass writes every row and schedules the timers;
			// the timed passes re-evaluate as time moves on.
			if got, err := s.EvaluateAll(ctx, sla.BulkOptions{Quiet: true}); err != nil || got != n {
				b.Fatalf("first pass: %d, %v", got, err)
			}
			// Statistics as autovacuum would keep them on a live desk: without
			// them PostgreSQL plans the freshly filled tables as tiny and scans
			// them whole for every batch.
			if d.Dialect == db.Postgres {
				if _, err := d.R().Exec(ctx, "ANALYZE"); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				now = now.Add(7 * time.Minute)
				if _, err := s.EvaluateAll(ctx, sla.BulkOptions{Quiet: true}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/conversation")
		})
	}
}

// BenchmarkEvaluateOne is the event path: one conversation re-evaluated
// in its own write transaction.
func BenchmarkEvaluateOne(b *testing.B) {
	const n = 1000
	d := testkit.SQLite(b)
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	seedOpen(b, d, n, now)
	s := sla.New(d, nil, nil, jobs.NewRunner(d, jobs.Options{}), testkit.Logger())
	s.Now = func() time.Time { return now }
	ctx := context.Background()
	if _, err := s.CreatePolicy(ctx, audit.System, sla.PolicyInput{Name: "Default", Calendar: "il",
		Targets: sla.Targets{FirstResponse: policy.Target{Minutes: 240, Business: true}, Resolution: policy.Target{Minutes: 1440, Business: true}}}); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if err := s.Evaluate(ctx, int64(i%n+1)); err != nil {
			b.Fatal(err)
		}
	}
}
