package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/report"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// benchSize is the number of conversations BenchmarkDashboard90Days seeds:
// KESHER_BENCH_CONVERSATIONS or 1,000,000.
func benchSize() int {
	if n, err := strconv.Atoi(os.Getenv("KESHER_BENCH_CONVERSATIONS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// bulkInsert writes rows in multi-row INSERTs of at most 500 rows, each
// transaction holding up to 50,000 rows.
func bulkInsert(b *testing.B, d *db.DB, head string, cols int, n int, row func(i int, args []any) []any) {
	b.Helper()
	ctx := context.Background()
	ph := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	const per, perTx = 500, 50_000
	for start := 0; start < n; start += perTx {
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			for s := start; s < min(start+perTx, n); s += per {
				e := min(s+per, start+perTx, n)
				args := make([]any, 0, (e-s)*cols)
				vals := make([]string, 0, e-s)
				for i := s; i < e; i++ {
					args = row(i, args)
					vals = append(vals, ph)
				}
				if _, err := tx.Exec(ctx, head+" VALUES "+strings.Join(vals, ","), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// seedBench writes n conversations over the 120 days before now: 4 inboxes
// (email, chat, phone, messaging), 3 teams, 20 agents (agent i in team
// i mod 3), 10,000 contacts; each conversation one public agent reply
// 1 minute to 2 days after creation; 80 % solved up to 5 days later; 2 %
// tagged complaint.
func seedBench(b *testing.B, d *db.DB, n int, now time.Time) {
	b.Helper()
	ctx := context.Background()
	channels := []string{"email", "chat", "phone", "messaging"}
	if err := d.WriteTx(ctx, func(tx *db.Tx) error {
		for i, ch := range channels {
			if _, err := tx.Exec(ctx, `INSERT INTO inboxes (id, name, channel, created_at, updated_at) VALUES (?, ?, ?, 0, 0)`, i+1, ch, ch); err != nil {
				return err
			}
		}
		for i := 1; i <= 3; i++ {
			if _, err := tx.Exec(ctx, `INSERT INTO teams (id, name, created_at, updated_at) VALUES (?, ?, 0, 0)`, i, fmt.Sprint("team", i)); err != nil {
				return err
			}
		}
		for i := 1; i <= 20; i++ {
			if _, err := tx.Exec(ctx, `INSERT INTO agents (id, name, email, role, created_at, updated_at) VALUES (?, ?, ?, 'agent', 0, 0)`,
				i, fmt.Sprint("agent", i), fmt.Sprintf("a%d@x", i)); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO tags (id, name, created_at) VALUES (1, 'complaint', 0)`)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	bulkInsert(b, d, `INSERT INTO contacts (id, name, email, created_at, updated_at)`, 5, 10_000, func(i int, a []any) []any {
		return append(a, i+1, "c", fmt.Sprintf("c%d@x", i), 0, 0)
	})
	span := int64(120 * 24 * time.Hour / time.Millisecond)
	end := now.UnixMilli()
	type fact struct{ created, reply, solved int64 }
	facts := make([]fact, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range facts {
		c := end - span + r.Int64N(span)
		f := fact{created: c, reply: c + 60_000 + int64(r.ExpFloat64()*3_600_000)%(2*86_400_000)}
		if r.IntN(10) < 8 {
			f.solved = f.reply + r.Int64N(5*86_400_000)
			if f.solved > end {
				f.solved = 0
			}
		}
		facts[i] = f
	}
	bulkInsert(b, d, `INSERT INTO conversations (id, inbox_id, channel, subject, status, priority, requester_id, assignee_id, team_id,
 created_at, updated_at, solved_at)`, 12, n, func(i int, a []any) []any {
		f := facts[i]
		agent := i%20 + 1
		status, solved := "open", any(nil)
		if f.solved != 0 {
			status, solved = "solved", f.solved
		}
		box := (i/20)%4 + 1
		return append(a, i+1, box, channels[box-1], "s", status, "normal", i%10_000+1, agent, agent%3+1, f.created, f.created, solved)
	})
	bulkInsert(b, d, `INSERT INTO messages (id, conversation_id, direction, kind, author_type, author_id, channel_meta, created_at)`, 8, n,
		func(i int, a []any) []any {
			return append(a, i+1, i+1, "outbound", "reply", "agent", i%20+1, "{}", facts[i].reply)
		})
	bulkInsert(b, d, `INSERT INTO conversation_tags (conversation_id, tag_id)`, 2, n/50, func(i int, a []any) []any {
		return append(a, i*50+1, 1)
	})
}

// BenchmarkDashboard90Days seeds benchSize() conversations on each backend
// (SQLite, and PostgreSQL when KESHER_TEST_POSTGRES_URL is set), rebuilds
// the rollups, and measures the 90-day summary (report.Report, the
// dashboard's main call), reporting p50 and p99 latency in ms. Run:
//
//	go test -run '^$' -bench Dashboard90Days -benchtime 200x ./internal/report/
func BenchmarkDashboard90Days(b *testing.B) {
	n := benchSize()
	now := time.Now().UTC().Truncate(time.Hour)
	for _, be := range testkit.Backends() {
		d := be.Open(b)
		start := time.Now()
		seedBench(b, d, n, now)
		seeded := time.Since(start)
		s := report.New(d, ilCalendars{}, testkit.Logger(), report.Options{Now: func() time.Time { return now }})
		start = time.Now()
		if err := s.Rebuild(context.Background()); err != nil {
			b.Fatal(err)
		}
		rebuilt := time.Since(start)
		var rows int64
		_ = d.R().QueryRow(context.Background(), `SELECT COUNT(*) FROM report_daily`).Scan(&rows)
		f := report.Filters{From: now.AddDate(0, 0, -90), To: now}
		// The straight aggregate the rollups replace, for comparison.
		start = time.Now()
		var cnt int64
		var avg *float64
		if err := d.R().QueryRow(context.Background(), `SELECT COUNT(*), AVG(CAST(m.created_at - c.created_at AS DOUBLE PRECISION))
 FROM conversations c JOIN messages m ON m.conversation_id = c.id WHERE c.created_at >= ? AND c.created_at < ?`,
			f.From.UnixMilli(), f.To.UnixMilli()).Scan(&cnt, &avg); err != nil {
			b.Fatal(err)
		}
		straight := time.Since(start)
		b.Logf("%s: seeded %d conversations in %s, rebuilt %d rollup rows in %s; straight 90-day aggregate %s",
			be.Name, n, seeded.Round(time.Millisecond), rows, rebuilt.Round(time.Millisecond), straight.Round(time.Millisecond))
		b.Run(be.Name, func(b *testing.B) {
			ctx := context.Background()
			lat := make([]time.Duration, 0, b.N)
			var sum report.Summary
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				var err error
				if sum, err = s.Report(ctx, f); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(p(0.5), "p50-ms")
			b.ReportMetric(p(0.99), "p99-ms")
			b.Logf("%s: %d created in 90 days, median FRT %v s; p50 %.1f ms, p99 %.1f ms over %d runs",
				be.Name, sum.ConversationsCreated, *sum.FirstResponseMedianSeconds, p(0.5), p(0.99), len(lat))
		})
	}
}
