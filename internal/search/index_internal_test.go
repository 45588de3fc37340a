package search

import (
	"fmt"
	"reflect"
	"testing"
)

// TestPrepareRowsParallel checks that the parallel analysis of a batch
// gives, in order, exactly the rows a sequential analysis gives.
func TestPrepareRowsParallel(t *testing.T) {
	var docs []Doc
	for i := range 200 {
		docs = append(docs, Doc{Kind: KindMessage, ID: int64(i + 1), Title: fmt.Sprintf("הזמנה %d", i),
			Body: fmt.Sprintf("והמשלוח של ההזמנה %d התעכב, the orders were delayed %d times", i, i%7)})
	}
	for _, pg := range []bool{false, true} {
		got := prepareRows(docs, pg)
		if len(got) != len(docs) {
			t.Fatalf("pg=%v: %d rows, want %d", pg, len(got), len(docs))
		}
		for i, d := range docs {
			want := prepareRows([]Doc{d}, pg)[0] // one doc: sequential path
			if !reflect.DeepEqual(got[i], want) {
				t.Fatalf("pg=%v: row %d = %+v, want %+v", pg, i, got[i], want)
			}
		}
		if pg && got[5].tsv == "" || !pg && got[5].ftsBody == "" {
			t.Fatalf("pg=%v: full-text entry missing: %+v", pg, got[5])
		}
		if !got[5].exact["הזמנה"] || !got[5].expanded["משלוח"] {
			t.Fatalf("pg=%v: term sets %v / %v", pg, got[5].exact, got[5].expanded)
		}
	}
}
