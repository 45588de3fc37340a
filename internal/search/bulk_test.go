package search_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/search"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// messages returns n message documents with ids from first on, each in a
// conversation of its own (a conversation is one hit).
func messages(first, n int) []search.Doc {
	var out []search.Doc
	for i := range n {
		id := int64(first + i)
		out = append(out, search.Doc{Kind: search.KindMessage, ID: id, ConversationID: id, Time: t0, Status: "open",
			Body: fmt.Sprintf("ההזמנה מספר %d התעכבה במשלוח, order %d was delayed", id, id)})
	}
	return out
}

// TestGINPendingMerge checks the PostgreSQL bookkeeping of migration 00025:
// search_stats.gin_pending counts written documents until a transaction
// brings it to 256, which resets it and merges the GIN pending list after
// its commit.
func TestGINPendingMerge(t *testing.T) {
	for _, be := range testkit.Backends() {
		if be.Name != "postgres" {
			continue
		}
		d := be.Open(t)
		ctx := context.Background()
		s := search.New(d)
		pendingCount := func() int64 {
			t.Helper()
			var n int64
			if err := d.R().QueryRow(ctx, `SELECT gin_pending FROM search_stats WHERE id = 1`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// Pages the server's own merge would move now (0: already merged).
		cleanPages := func() int64 {
			t.Helper()
			var n int64
			if err := d.R().QueryRow(ctx, `SELECT gin_clean_pending_list('search_docs_tsv'::regclass)`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		index(t, d, s, messages(1, 100)...)
		if got := pendingCount(); got != 100 {
			t.Fatalf("after 100 documents gin_pending = %d, want 100", got)
		}
		// Replacing 50 of them writes 50 rows again; 150 + 110 new = 260 ≥ 256.
		index(t, d, s, append(messages(51, 50), messages(101, 110)...)...)
		if got := pendingCount(); got != 0 {
			t.Fatalf("after 260 written documents gin_pending = %d, want 0 (merged)", got)
		}
		if got := cleanPages(); got != 0 {
			t.Fatalf("pending list not merged after the commit: gin_clean_pending_list moved %d pages", got)
		}
		// Below the threshold the list keeps the entries (so the check
		// above can fail).
		index(t, d, s, messages(300, 40)...)
		if got := pendingCount(); got != 40 {
			t.Fatalf("gin_pending = %d, want 40", got)
		}
		if got := cleanPages(); got == 0 {
			t.Fatal("40 documents left nothing in the pending list: the merge check above proves nothing")
		}
		res, err := s.Search(ctx, search.Query{Text: "משלוח", Principal: admin, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 250 || len(res.Hits) != 100 {
			t.Fatalf("משלוח: total %d, %d hits; want 250 (ids 1-210 and 300-339), 100", res.Total, len(res.Hits))
		}
	}
}

// TestBatchAnalyzedAhead checks that a batch analyzed before its
// transaction (the bulk loaders' pipeline) indexes exactly like IndexTx,
// and that a batch analyzed for the other dialect is refused.
func TestBatchAnalyzedAhead(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := search.New(d)
		docs := append(messages(1, 30), search.Doc{Kind: search.KindMessage, ID: 7, ConversationID: 2, Time: t0, Body: "second version: refund"},
			search.Doc{Kind: search.KindMessage, ID: 40, ConversationID: 11, Time: t0, Title: "\x00", Body: "a NUL\x00 byte (PostgreSQL text refuses it): refund"})
		b, err := s.Analyze(d.Dialect, docs...)
		if err != nil {
			t.Fatal(err)
		}
		if b.Len() != 31 {
			t.Fatalf("Len = %d, want 31 (id 7 given twice)", b.Len())
		}
		if err := d.WriteTx(ctx, func(tx *db.Tx) error { return s.IndexBatchTx(ctx, tx, b) }); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{"refund": 2, "delayed": 29, "הזמנה": 29, "nul": 1} {
			res, err := s.Search(ctx, search.Query{Text: q, Principal: admin, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != want {
				t.Errorf("%s: total %d, want %d", q, res.Total, want)
			}
		}
		var body string
		if err := d.R().QueryRow(ctx, `SELECT body FROM search_docs WHERE kind = 'message' AND doc_id = 40`).Scan(&body); err != nil {
			t.Fatal(err)
		}
		if want := "a NUL  byte (PostgreSQL text refuses it): refund"; body != want {
			t.Fatalf("stored body %q, want %q (NUL as a space)", body, want)
		}
		other := db.Postgres
		if d.Dialect == db.Postgres {
			other = db.SQLite
		}
		wrong, err := s.Analyze(other, messages(100, 1)...)
		if err != nil {
			t.Fatal(err)
		}
		err = d.WriteTx(ctx, func(tx *db.Tx) error { return s.IndexBatchTx(ctx, tx, wrong) })
		if err == nil || !strings.Contains(err.Error(), "analyzed for") {
			t.Fatalf("batch of the other dialect: err = %v", err)
		}
		if _, err := s.Analyze(d.Dialect, search.Doc{Kind: "ticket", ID: 1}); err == nil {
			t.Fatal("unknown kind accepted")
		}
	})
}

// TestBenchSeedPipeline indexes a small benchmark corpus through the
// pipelined loader (batches smaller than the corpus, a last partial one)
// and checks every message is indexed once.
func TestBenchSeedPipeline(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		vocab, _, err := search.BenchSeed(ctx, d, search.BenchSpec{N: 2500, Batch: 1000, Seed: 3, Vocabulary: 2000})
		if err != nil {
			t.Fatal(err)
		}
		var docs, distinct int64
		if err := d.R().QueryRow(ctx, `SELECT docs FROM search_stats WHERE id = 1`).Scan(&docs); err != nil {
			t.Fatal(err)
		}
		if err := d.R().QueryRow(ctx, `SELECT COUNT(DISTINCT doc_id) FROM search_docs WHERE kind = 'message'`).Scan(&distinct); err != nil {
			t.Fatal(err)
		}
		if docs != 2500 || distinct != 2500 {
			t.Fatalf("search_stats.docs = %d, distinct messages = %d, want 2500", docs, distinct)
		}
		res, err := search.New(d).Search(ctx, search.Query{Text: vocab[0], Principal: admin, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 20 {
			t.Fatalf("most frequent word %q: %d hits, want 20", vocab[0], len(res.Hits))
		}
	})
}
