package report_test

import (
	"context"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

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

// BenchmarkDashboard90Days seeds benchSize() conversations on each backend
// (SQLite, and PostgreSQL when KESHER_TEST_POSTGRES_URL is set), rebuilds
// the rollups, and measures the 90-day summary (report.Report, the
// dashboard's main call), reporting p50 and p99 latency in ms.
// KESHER_BENCH_ONLY=sqlite|postgres runs one backend. Run:
//
//	go test -run '^$' -bench Dashboard90Days -benchtime 200x ./internal/report/
func BenchmarkDashboard90Days(b *testing.B) {
	n := benchSize()
	now := time.Now().UTC().Truncate(time.Hour)
	for _, be := range testkit.Backends() {
		if only := os.Getenv("KESHER_BENCH_ONLY"); only != "" && only != be.Name {
			continue
		}
		d := be.Open(b)
		start := time.Now()
		if err := report.Seed(context.Background(), d, n, now); err != nil {
			b.Fatal(err)
		}
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
