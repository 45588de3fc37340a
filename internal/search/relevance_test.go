package search_test

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/search"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// tsv reads a tab-separated testdata file, skipping # comments.
func tsv(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, strings.Split(l, "\t"))
		}
	}
	return out
}

// loadCorpus indexes testdata/corpus.tsv: articles (kind "article",
// "article internal") and customer messages (each its own conversation).
func loadCorpus(t *testing.T, d *db.DB) {
	t.Helper()
	var docs []search.Doc
	for _, r := range tsv(t, "corpus.tsv") {
		id, _ := strconv.ParseInt(r[0], 10, 64)
		doc := search.Doc{ID: id, Language: r[2], Title: strings.TrimSpace(r[3]), Body: r[4], Time: t0}
		switch r[1] {
		case "article", "article internal":
			doc.Kind, doc.Published, doc.Internal = search.KindArticle, true, r[1] == "article internal"
		case "message":
			doc.Kind, doc.ConversationID, doc.InboxID, doc.Status = search.KindMessage, 1000+id, 1, "open"
		}
		docs = append(docs, doc)
	}
	if len(docs) < 60 {
		t.Fatalf("corpus has %d docs", len(docs))
	}
	index(t, d, search.New(d), docs...)
}

// TestRelevance scores the fixture queries (testdata/queries.tsv, each with
// the documents judged relevant) over the fixture corpus by recall@5 and
// nDCG@5 (binary gains, log2 discount), on every backend, and checks that
// both backends give the same top 5 for every query.
func TestRelevance(t *testing.T) {
	queries := tsv(t, "queries.tsv")
	if len(queries) < 40 {
		t.Fatalf("%d queries", len(queries))
	}
	const minRecall, minNDCG = 0.9, 0.85
	tops := map[string][]string{}
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		loadCorpus(t, d)
		s := search.New(d)
		var sumR, sumN float64
		var heR, heN, enR, enN float64
		var heC, enC int
		for _, q := range queries {
			var rel []int64
			for _, f := range strings.Split(q[1], ",") {
				id, _ := strconv.ParseInt(f, 10, 64)
				rel = append(rel, id)
			}
			res, err := s.Search(context.Background(), search.Query{Text: q[0], Principal: admin, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			var top []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
				top = append(top, fmt.Sprintf("%d(%.4f)", h.ID, h.Score))
			}
			key := q[0]
			if prev, ok := tops[key]; ok && !slices.Equal(prev, top) {
				t.Errorf("%q: top 5 differs between backends: %v vs %v", q[0], prev, top)
			}
			tops[key] = top
			found, dcg, idcg := 0, 0.0, 0.0
			for i, id := range got {
				if slices.Contains(rel, id) {
					found++
					dcg += 1 / math.Log2(float64(i+2))
				}
			}
			for i := range min(len(rel), 5) {
				idcg += 1 / math.Log2(float64(i+2))
			}
			r := float64(found) / float64(min(len(rel), 5))
			n := dcg / idcg
			if r < 1 {
				t.Logf("%q: recall@5 %.2f nDCG@5 %.2f, got %v want %v", q[0], r, n, got, rel)
			}
			sumR += r
			sumN += n
			if q[0][0] >= 0xD7 || q[0][0] == 0xD6 {
				heR, heN, heC = heR+r, heN+n, heC+1
			} else {
				enR, enN, enC = enR+r, enN+n, enC+1
			}
		}
		k := float64(len(queries))
		t.Logf("%s: %d queries (%d Hebrew, %d English): mean recall@5 %.3f, nDCG@5 %.3f; Hebrew %.3f / %.3f; English %.3f / %.3f",
			d.Dialect, len(queries), heC, enC, sumR/k, sumN/k, heR/float64(heC), heN/float64(heC), enR/float64(enC), enN/float64(enC))
		if sumR/k < minRecall || sumN/k < minNDCG {
			t.Errorf("mean recall@5 %.3f (min %.2f), nDCG@5 %.3f (min %.2f)", sumR/k, minRecall, sumN/k, minNDCG)
		}
	})
}
