package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"time"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/report"
)

// BenchReportCmd measures the dashboard's 90-day summary over the report
// rollups on a temporary SQLite store (or, with --database-url, a fresh
// PostgreSQL database, which must be empty).
type BenchReportCmd struct {
	N    int `default:"100000" help:"Conversations to seed over 120 days (1-5000000)."`
	Runs int `default:"100" help:"How many times to ask for the 90-day summary."`
}

// Run seeds, rebuilds and prints seeding and rebuild times and the p50/p99
// latency of report.Report over the last 90 days.
func (b *BenchReportCmd) Run(ctx context.Context, g *Globals) error {
	if b.N < 1 || b.N > 5_000_000 {
		return usagef("--n must be 1-5000000")
	}
	if b.Runs < 1 || b.Runs > 100_000 {
		return usagef("--runs must be 1-100000")
	}
	core, cleanup, err := benchCore(ctx, g, "kesher-bench-report-")
	if err != nil {
		return err
	}
	defer cleanup()
	now := time.Now().UTC().Truncate(time.Hour)
	start := time.Now()
	if err := report.Seed(ctx, core.DB, b.N, now); err != nil {
		return err
	}
	seeded := time.Since(start)
	start = time.Now()
	if err := core.Reports.Rebuild(ctx); err != nil {
		return err
	}
	rebuilt := time.Since(start)
	f := report.Filters{From: now.AddDate(0, 0, -90), To: now}
	lat := make([]time.Duration, 0, b.Runs)
	for range b.Runs {
		t0 := time.Now()
		if _, err := core.Reports.Report(ctx, f); err != nil {
			return err
		}
		lat = append(lat, time.Since(t0))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))].Round(10 * time.Microsecond) }
	fmt.Fprintf(g.Stdout, "%s: seeded %d conversations in %s, rebuilt rollups in %s; 90-day summary p50 %s, p99 %s (%d runs)\n",
		core.DB.Dialect, b.N, seeded.Round(time.Millisecond), rebuilt.Round(time.Millisecond), p(0.5), p(0.99), b.Runs)
	return nil
}

// benchCore opens the store of a benchmark: --database-url's PostgreSQL
// (a fresh database, which must be empty) or a temporary SQLite store
// (removed by cleanup), migrated, logging nothing.
func benchCore(ctx context.Context, g *Globals, tempPrefix string) (*app.Core, func(), error) {
	opts := g.DBOptions()
	dir := ""
	if opts.URL == "" {
		var err error
		if dir, err = os.MkdirTemp("", tempPrefix); err != nil {
			return nil, nil, err
		}
		opts = db.Options{DataDir: dir}
	}
	core, err := app.NewCore(ctx, app.CoreOptions{Store: opts}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		if dir != "" {
			os.RemoveAll(dir)
		}
		return nil, nil, err
	}
	return core, func() {
		core.DB.Close()
		if dir != "" {
			os.RemoveAll(dir)
		}
	}, nil
}
