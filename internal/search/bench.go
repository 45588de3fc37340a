package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/db"
)

// benchWords are the most frequent words of the benchmark corpus, most
// frequent first (Hebrew and English help-desk vocabulary; no stop words).
var benchWords = strings.Fields(`הזמנה order משלוח delivery החזר refund חשבונית invoice סיסמה password
	לקוח customer מוצר product תשלום payment כרטיס card חבילה package שליח courier כתובת address
	מספר number בעיה problem חיוב charge אשראי credit ביטול cancel החלפה exchange מידה size צבע color
	מחיר price הנחה discount קופון coupon מלאי stock אתר website חשבון account התחברות login משתמש user
	דואר email טלפון phone סניף branch איסוף pickup עיכוב delay תאריך date שעה hour שבוע week חודש month
	אחריות warranty תיקון repair פגם defect שבור broken חסר missing פריט item קבלה receipt זיכוי voucher
	מנוי subscription חידוש renewal עדכון update שינוי change מעקב tracking סטטוס status אישור confirmation`)

// BenchSpec describes a benchmark corpus: N messages whose words follow a
// Zipf law (s = 1.07) over a vocabulary of benchWords followed by
// synthetic Hebrew and English words (Vocabulary words in all), 6 to 40
// words each, Hebrew words behind a one-letter prefix a quarter of the
// time, in conversations of 4 messages over 3 inboxes and 4 teams.
type BenchSpec struct {
	N          int
	Vocabulary int
	// Batch is the messages per transaction; default 4 × ReindexBatch
	// (2,000), what Reindex writes per transaction for this corpus.
	Batch int
	Seed  uint64
}

// BenchCorpus generates the benchmark's vocabulary (most frequent first).
func (b BenchSpec) vocab() []string {
	r := rand.New(rand.NewPCG(b.Seed, 1))
	v := slices.Clone(benchWords)
	seen := map[string]bool{}
	for _, w := range v {
		seen[w] = true
	}
	he := []rune("אבגדהוזחטיכלמנסעפצקרשת")
	for len(v) < b.Vocabulary {
		n := 3 + r.IntN(6)
		var sb strings.Builder
		if len(v)%2 == 0 {
			for range n {
				sb.WriteRune(he[r.IntN(len(he))])
			}
		} else {
			for range n {
				sb.WriteByte(byte('a' + r.IntN(26)))
			}
		}
		w := sb.String()
		if t, ok := token(w); ok && t == w && !seen[w] && len(expand(w)) == 1 {
			seen[w] = true
			v = append(v, w)
		}
	}
	return v
}

var benchPrefixes = []string{"ו", "ה", "ב", "ל", "מ", "ש", "וה", "וב", "של"}

// BenchSeed indexes the benchmark corpus into d, one IndexBatchTx
// transaction per spec.Batch messages, and returns the vocabulary (most
// frequent first) and the time indexing took (generating, analyzing and
// writing). Like a bulk loader should, it generates and analyzes the next
// batch on other goroutines while the current one is written. On a busy
// machine wall time overstates the cost: see ProcessCPU.
func BenchSeed(ctx context.Context, d *db.DB, spec BenchSpec) ([]string, time.Duration, error) {
	if spec.Batch <= 0 {
		spec.Batch = 4 * ReindexBatch
	}
	if spec.Vocabulary <= len(benchWords) {
		spec.Vocabulary = 50000
	}
	vocab := spec.vocab()
	s := New(d)
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *Batch, 1)
	var genErr error // set before batches is closed
	go func() {
		defer close(batches)
		spec.generate(vocab, func(docs []Doc) bool {
			b, err := s.Analyze(d.Dialect, docs...)
			if err != nil {
				genErr = err
				return false
			}
			select {
			case batches <- b:
				return true
			case <-ctx.Done():
				genErr = ctx.Err()
				return false
			}
		})
	}()
	var grown analyzeSchedule
	total := 0
	for b := range batches {
		if err := d.WriteTx(ctx, func(tx *db.Tx) error { return s.IndexBatchTx(ctx, tx, b) }); err != nil {
			return nil, 0, err
		}
		total += b.Len()
		if err := grown.add(ctx, s, total); err != nil {
			return nil, 0, err
		}
	}
	if genErr != nil {
		return nil, 0, genErr
	}
	if err := s.afterBulk(ctx); err != nil {
		return nil, 0, err
	}
	return vocab, time.Since(start), nil
}

// generate calls emit with each batch of the corpus's messages (a fresh
// slice each time) until emit returns false.
func (spec BenchSpec) generate(vocab []string, emit func([]Doc) bool) {
	r := rand.New(rand.NewPCG(spec.Seed, 2))
	z := rand.NewZipf(r, 1.07, 2, uint64(len(vocab)-1))
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := make([]Doc, 0, spec.Batch)
	var sb strings.Builder
	for i := 1; i <= spec.N; i++ {
		sb.Reset()
		n := 6 + r.IntN(35)
		for j := range n {
			w := vocab[z.Uint64()]
			if j > 0 {
				sb.WriteByte(' ')
			}
			if r.IntN(4) == 0 && w[0] >= 0xD7 { // Hebrew: add a prefix
				sb.WriteString(benchPrefixes[r.IntN(len(benchPrefixes))])
			}
			sb.WriteString(w)
		}
		conv := int64((i-1)/4 + 1)
		docs = append(docs, Doc{Kind: KindMessage, ID: int64(i), ConversationID: conv, Body: sb.String(),
			InboxID: conv%3 + 1, TeamID: conv % 5, Status: "open", Time: t0.Add(time.Duration(i) * time.Second)})
		if len(docs) == spec.Batch || i == spec.N {
			if !emit(docs) {
				return
			}
			docs = make([]Doc, 0, spec.Batch)
		}
	}
}

// BenchResult is the latency of one query class.
type BenchResult struct {
	Name     string
	P50, P99 time.Duration
	// CPU is this process's CPU time per query (the whole cost on SQLite,
	// which runs in-process, whatever else shares the cores).
	CPU  time.Duration
	Hits int // hits of the last query
}

// BenchQueries runs runs queries of the top-20 by rank for a rare word
// (one of the words ranked 2,000–5,000 in the vocabulary, a few hundred
// occurrences or fewer in a million messages) and for a very common word
// (the five most frequent), as an admin, and returns p50 and p99.
func BenchQueries(ctx context.Context, d *db.DB, vocab []string, runs int) ([]BenchResult, error) {
	s := New(d)
	p := &auth.Principal{AgentID: 1, Role: auth.RoleAdmin}
	r := rand.New(rand.NewPCG(7, 7))
	classes := []struct {
		name string
		word func() string
	}{
		{"rare word", func() string { return vocab[2000+r.IntN(min(3000, len(vocab)-2001))] }},
		{"common word", func() string { return vocab[r.IntN(5)] }},
	}
	var out []BenchResult
	for _, c := range classes {
		lat := make([]time.Duration, 0, runs)
		hits := 0
		cpu0 := ProcessCPU()
		for range runs {
			q := Query{Text: c.word(), Principal: p, Limit: 20}
			t0 := time.Now()
			res, err := s.Search(ctx, q)
			if err != nil {
				return nil, err
			}
			lat = append(lat, time.Since(t0))
			hits = len(res.Hits)
		}
		cpu := (ProcessCPU() - cpu0) / time.Duration(runs)
		slices.Sort(lat)
		pct := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))].Round(10 * time.Microsecond) }
		out = append(out, BenchResult{Name: c.name, P50: pct(0.5), P99: pct(0.99), CPU: cpu.Round(10 * time.Microsecond), Hits: hits})
	}
	return out, nil
}

// String formats a result for people.
func (b BenchResult) String() string {
	return fmt.Sprintf("%s: p50 %s, p99 %s, client CPU %s per query (%d hits)", b.Name, b.P50, b.P99, b.CPU, b.Hits)
}

// ProcessCPU returns the CPU time (user + system) this process has used so
// far; with SQLite (in-process) the difference over a run is the run's
// whole cost even when other processes share the cores.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
