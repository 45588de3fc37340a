package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/search"
)

// SearchCmd groups the search index tools.
type SearchCmd struct {
	Reindex SearchReindexCmd `cmd:"" help:"Rebuild the search index from the conversations, messages and contacts (after an upgrade or an import)."`
}

// SearchReindexCmd rebuilds the search index.
type SearchReindexCmd struct {
	Batch int `default:"500" help:"Conversations (or contacts) per transaction (1-10000)."`
}

// Run rebuilds the index and prints what it indexed and how long it took.
func (c *SearchReindexCmd) Run(ctx context.Context, g *Globals) error {
	if c.Batch < 1 || c.Batch > 10_000 {
		return usagef("--batch must be 1-10000")
	}
	core, err := openCore(ctx, g)
	if err != nil {
		return err
	}
	defer core.DB.Close()
	start := time.Now()
	st, err := core.Search.Reindex(ctx, c.Batch, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.Stdout, "search index rebuilt in %s: %d conversations, %d messages, %d contacts, %d articles\n",
		time.Since(start).Round(time.Millisecond), st.Conversations, st.Messages, st.Contacts, st.Articles)
	return nil
}

// BenchSearchCmd seeds generated messages into a temporary store (or, with
// --database-url, a fresh PostgreSQL database, which must be empty) and
// times searches.
type BenchSearchCmd struct {
	N     int `default:"1000000" help:"Messages to index (1-5000000)."`
	Batch int `default:"2000" help:"Messages per indexing transaction (1-100000); 2000 is what 'kesher search reindex' writes per transaction for this corpus (500 conversations of 4 messages)."`
	Runs  int `default:"200" help:"Queries per class (rare word, very common word)."`
}

// Run seeds, prints the indexing throughput (messages/s) and the p50/p99
// latency of a rare-word and a very-common-word query (top 20 by rank).
func (b *BenchSearchCmd) Run(ctx context.Context, g *Globals) error {
	if b.N < 1 || b.N > 5_000_000 {
		return usagef("--n must be 1-5000000")
	}
	if b.Batch < 1 || b.Batch > 100_000 {
		return usagef("--batch must be 1-100000")
	}
	if b.Runs < 1 || b.Runs > 100_000 {
		return usagef("--runs must be 1-100000")
	}
	core, cleanup, err := benchCore(ctx, g, "kesher-bench-search-")
	if err != nil {
		return err
	}
	defer cleanup()
	cpu0 := search.ProcessCPU()
	vocab, took, err := search.BenchSeed(ctx, core.DB, search.BenchSpec{N: b.N, Batch: b.Batch, Seed: 1})
	if err != nil {
		return err
	}
	cpu := search.ProcessCPU() - cpu0
	fmt.Fprintf(g.Stdout, "%s: indexed %d messages in %s (%.0f messages/s; this process used %s CPU: %.0f messages per CPU-second)\n",
		core.DB.Dialect, b.N, took.Round(time.Millisecond), float64(b.N)/took.Seconds(), cpu.Round(time.Millisecond), float64(b.N)/cpu.Seconds())
	res, err := search.BenchQueries(ctx, core.DB, vocab, b.Runs)
	if err != nil {
		return err
	}
	for _, r := range res {
		fmt.Fprintf(g.Stdout, "%s: %s\n", core.DB.Dialect, r)
	}
	return nil
}
