package search

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestPrepareRowsParallel checks that the parallel, memoized analysis of a
// batch gives, in order, exactly the rows a sequential analysis without
// memo gives (run twice: cold and warm memo).
func TestPrepareRowsParallel(t *testing.T) {
	var docs []Doc
	for i := range 200 {
		docs = append(docs, Doc{Kind: KindMessage, ID: int64(i + 1), Title: fmt.Sprintf("הזמנה %d", i),
			Body: fmt.Sprintf("והמשלוח של ההזמנה %d התעכב, the orders were delayed %d times", i, i%7)})
	}
	an := newAnalyzer()
	for _, pg := range []bool{false, true, false, true} {
		got := an.prepareRows(docs, pg)
		if len(got) != len(docs) {
			t.Fatalf("pg=%v: %d rows, want %d", pg, len(got), len(docs))
		}
		for i, d := range docs {
			want := (*analyzer)(nil).prepareRows([]Doc{d}, pg)[0] // one doc: sequential path, no memo
			if !reflect.DeepEqual(got[i], want) {
				t.Fatalf("pg=%v: row %d = %+v, want %+v", pg, i, got[i], want)
			}
		}
		if pg && got[5].tsv == "" || !pg && got[5].ftsBody == "" {
			t.Fatalf("pg=%v: full-text entry missing: %+v", pg, got[5])
		}
		if !slices.Contains(got[5].exact, "הזמנה") || !slices.ContainsFunc(got[5].terms, func(t docTerm) bool { return t.term == "משלוח" && t.body && !t.title }) {
			t.Fatalf("pg=%v: term sets %v / %v", pg, got[5].exact, got[5].terms)
		}
		// Title "הזמנה 5", body "והמשלוח של ההזמנה 5 התעכב, the orders were delayed 5 times".
		const wantTSV = "'5':1A,2B 'delay':2B 'order':2B 'time':2B 'ההזמנה':2B 'הזמנה':1A,2B 'המשלוח':2B 'התעכב':2B 'והמשלוח':2B 'זמנה':1A 'משלוח':2B 'תעכב':2B"
		if pg && got[5].tsv != wantTSV {
			t.Fatalf("tsv = %s, want %s", got[5].tsv, wantTSV)
		}
	}
}

// TestAnalyzerMemoBounds checks the memo's bounds: words longer than
// analyzerMaxWordBytes are analyzed but not kept, and a full memo starts
// over instead of growing.
func TestAnalyzerMemoBounds(t *testing.T) {
	a := newAnalyzer()
	long := strings.Repeat("ab", analyzerMaxWordBytes/2+1)
	if wt := a.word(long); !wt.ok || wt.terms[0] != long {
		t.Fatalf("long word analyzed as %+v", wt)
	}
	if wt := a.word("refunds"); !wt.ok || wt.terms[0] != "refund" {
		t.Fatalf("refunds analyzed as %+v", wt)
	}
	if len(a.words) != 1 {
		t.Fatalf("memo holds %d words, want 1 (the long one is not kept)", len(a.words))
	}
	for i := range analyzerCacheWords + 10 {
		a.word("w" + strconv.Itoa(i))
	}
	if n := len(a.words); n > analyzerCacheWords || n < 10 {
		t.Fatalf("memo holds %d words after overflowing, want 10..%d", n, analyzerCacheWords)
	}
}

// TestInsertRowsPGChunks inserts rows through statements of a tiny size
// budget (one or two rows each) and checks every row arrives once.
func TestInsertRowsPGChunks(t *testing.T) {
	for _, be := range testkit.Backends() {
		if be.Name != "postgres" {
			continue
		}
		d := be.Open(t)
		ctx := context.Background()
		var docs []Doc
		for i := range 7 {
			docs = append(docs, Doc{Kind: KindMessage, ID: int64(i + 1), ConversationID: 1, Body: strings.Repeat("refund ", 10*(i+1))})
		}
		rows := newAnalyzer().prepareRows(docs, true)
		err := d.WriteTx(ctx, func(tx *db.Tx) error { return insertRowsPG(ctx, tx, rows, 150) })
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.QueryIDs(ctx, d.R(), `SELECT doc_id FROM search_docs ORDER BY doc_id`)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != "[1 2 3 4 5 6 7]" {
			t.Fatalf("inserted %v, want 1..7", got)
		}
	}
}
