package search_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/search"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// BenchmarkSearch seeds KESHER_BENCH_SEARCH_N messages (default 100,000;
// set 1000000 for the published figures) on each backend, reports the
// indexing throughput, then times Search for a rare and a very common
// word (top 20). `kesher bench search` does the same from the command line.
func BenchmarkSearch(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("KESHER_BENCH_SEARCH_N")); err == nil && v > 0 {
		n = v
	}
	for _, be := range testkit.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			d := be.Open(b)
			ctx := context.Background()
			vocab, took, err := search.BenchSeed(ctx, d, search.BenchSpec{N: n, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: indexed %d messages in %s (%.0f msg/s)", d.Dialect, n, took, float64(n)/took.Seconds())
			for _, w := range []struct {
				name string
				word string
			}{{"rare", vocab[3000]}, {"common", vocab[0]}} {
				b.Run(w.name, func(b *testing.B) {
					s := search.New(d)
					for b.Loop() {
						if _, err := s.Search(ctx, search.Query{Text: w.word, Principal: benchAdmin, Limit: 20}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			res, err := search.BenchQueries(ctx, d, vocab, 200)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range res {
				b.Logf("%s: %s", d.Dialect, r)
			}
		})
	}
}

var benchAdmin = admin

var _ = db.SQLite
