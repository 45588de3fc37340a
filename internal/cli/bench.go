package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/loadgen"
	"github.com/kesherdesk/kesher/internal/sla"
)

// BenchCmd groups the load tools.
type BenchCmd struct {
	HTTP   BenchHTTPCmd   `cmd:"" name:"http" help:"Load a running Kesher over HTTP and print ops/s and latency percentiles."`
	Seed   BenchSeedCmd   `cmd:"" help:"Bulk-insert conversations into the store (for list benchmarks at scale)."`
	SLA    BenchSLACmd    `cmd:"" name:"sla" help:"Re-evaluate the SLA state of every open conversation in the store and print the cost per conversation."`
	Mail   BenchMailCmd   `cmd:"" name:"mail" help:"Ingest generated typical mails into a temporary SQLite store and print messages/s (parse + store)."`
	Report BenchReportCmd `cmd:"" name:"report" help:"Seed conversations into a temporary store, rebuild the report rollups and print the 90-day summary's latency."`
	Search BenchSearchCmd `cmd:"" name:"search" help:"Index generated messages into a temporary store and print indexing messages/s and search latency p50/p99."`
}

// BenchSLACmd times sla.Service.EvaluateAll on the store: the path a
// policy change or a back-fill takes.
type BenchSLACmd struct{}

// Run re-evaluates the open conversations (new, open, pending, on hold)
// and prints how many, how long, and the time per conversation. Due
// warnings and breaches are left to the timers, as on any evaluation.
func (b *BenchSLACmd) Run(ctx context.Context, g *Globals) error {
	core, err := openCore(ctx, g)
	if err != nil {
		return err
	}
	defer core.DB.Close()
	start := time.Now()
	n, err := core.SLA.EvaluateAll(ctx, sla.BulkOptions{})
	if err != nil {
		return err
	}
	took := time.Since(start)
	per := time.Duration(0)
	if n > 0 {
		per = took / time.Duration(n)
	}
	fmt.Fprintf(g.Stdout, "re-evaluated the SLA of %d open conversations in %s (%s per conversation)\n", n, took.Round(time.Millisecond), per)
	return nil
}

// BenchHTTPCmd runs an HTTP load.
type BenchHTTPCmd struct {
	URL      string        `default:"http://127.0.0.1:8080" help:"Base URL of the Kesher to load (keep it on this machine)."`
	Token    string        `required:"" env:"KESHER_BENCH_TOKEN" help:"API token to send."`
	Scenario string        `enum:"create,list" default:"create" help:"create: POST a conversation with a new contact; list: GET 25 open conversations."`
	Clients  int           `default:"8" help:"Concurrent clients."`
	Duration time.Duration `default:"10s" help:"How long to run."`
	Inbox    int64         `default:"1" help:"Inbox id for created conversations."`
	Query    string        `default:"status=open&limit=25" help:"Query string for the list scenario."`
}

// Run runs the load and prints the result.
func (b *BenchHTTPCmd) Run(ctx context.Context, g *Globals) error {
	u, err := url.Parse(b.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return usagef("--url must be an http(s) URL")
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" && !strings.HasPrefix(h, "127.") {
		return usagef("--url must point at this machine (127.0.0.1, localhost or ::1)")
	}
	if b.Clients < 1 || b.Clients > 10000 {
		return usagef("--clients must be 1-10000")
	}
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	var next loadgen.Request
	switch b.Scenario {
	case "create":
		next = func(w, i int) (string, string, []byte) {
			body, _ := json.Marshal(map[string]any{"inbox_id": b.Inbox, "subject": "Order has not arrived",
				"requester": map[string]any{"email": fmt.Sprintf("bench-%s-%d-%d@example.com", run, w, i), "name": "Bench Customer"},
				"message":   map[string]any{"direction": "inbound", "body": "Hello, my order has not arrived yet. Can you check?"}})
			return "POST", "/api/v1/conversations", body
		}
	case "list":
		next = func(w, i int) (string, string, []byte) { return "GET", "/api/v1/conversations?" + b.Query, nil }
	}
	res := loadgen.Run(ctx, strings.TrimRight(b.URL, "/"), b.Token, b.Clients, b.Duration, 0, next)
	fmt.Fprintf(g.Stdout, "%s, %d clients: %s\n", b.Scenario, b.Clients, res)
	if res.FirstError != "" {
		fmt.Fprintf(g.Stdout, "first error: %.300s\n", res.FirstError)
	}
	return nil
}

// BenchSeedCmd bulk-seeds the store.
type BenchSeedCmd struct {
	Conversations int `default:"100000" help:"How many conversations to add."`
}

// Run seeds and prints the time taken.
func (s *BenchSeedCmd) Run(ctx context.Context, g *Globals) error {
	if s.Conversations < 1 || s.Conversations > 50_000_000 {
		return usagef("--conversations must be 1-50000000")
	}
	core, err := openCore(ctx, g)
	if err != nil {
		return err
	}
	defer core.DB.Close()
	last := time.Now()
	res, err := loadgen.Seed(ctx, core.DB, s.Conversations, func(done int) {
		if time.Since(last) > 5*time.Second {
			fmt.Fprintf(g.Stderr, "  %d conversations\n", done)
			last = time.Now()
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "seeded %d conversations into inbox %d in %s (%.0f/s)\n", res.Conversations, res.InboxID,
		res.Duration.Round(time.Millisecond), float64(res.Conversations)/res.Duration.Seconds())
	return nil
}
