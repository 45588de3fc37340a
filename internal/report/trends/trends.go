// Package trends finds emerging topics (docs/reports.md "Trends"): words,
// two-word phrases and tags whose volume in a period rises significantly
// over their baseline, the previous BaselinePeriods periods of the same
// length.
//
// Volume of a term is the number of conversations created in a period
// whose text contains it (or that carry the tag) — each conversation counts
// once per term. Text is the conversation's subject and its first customer
// message (the first inbound message), normalized by
// internal/search/normalize (NFKC, lower case, niqqud removed, final
// letters folded, Hebrew prefixes stripped when the rest is a word known
// from the same texts (normalize.Lexicon), stop words dropped). A phrase is
// two tokens adjacent on one line of the text with no stop word between.
//
// The statistic is a Poisson z-score: with c the term's count in the
// period and μ the mean of its counts in the baseline periods,
//
//	z = (c − μ) / √max(μ, 1)
//
// (the baseline is taken as the Poisson rate; the floor of 1 keeps terms
// that were absent from scoring infinitely). A term is emerging when
// c ≥ MinCount and z ≥ Threshold. Up to MaxTopics topics are returned,
// highest z first (then higher count, then term), each with up to
// MaxExamples example conversation ids (newest first).
package trends

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/search/normalize"
)

// Parameters of the statistic and the response.
const (
	Statistic       = "poisson_z"
	Threshold       = 3.0
	MinCount        = 5
	BaselinePeriods = 4
	MaxTopics       = 20
	MaxExamples     = 3
	// MaxTextChars of each conversation's subject and first message are read.
	MaxTextChars = 2000
)

// Topic is one emerging term. Kind is "word", "phrase" or "tag"; Term is
// the normalized term as shown (final letters restored); Count the
// conversations in the period; BaselineMean the mean count over the
// baseline periods; Baseline the counts per baseline period, oldest first;
// Score the z-score rounded to hundredths.
type Topic struct {
	Kind         string  `json:"kind"`
	Term         string  `json:"term"`
	Count        int     `json:"count"`
	BaselineMean float64 `json:"baseline_mean"`
	Baseline     []int   `json:"baseline"`
	Score        float64 `json:"score"`
	Examples     []int64 `json:"examples"`
}

// Result is the trends of a period.
type Result struct {
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	BaselineFrom  time.Time `json:"baseline_from"`
	Statistic     string    `json:"statistic"`
	Formula       string    `json:"formula"`
	Threshold     float64   `json:"threshold"`
	MinCount      int       `json:"min_count"`
	Conversations int       `json:"conversations"`
	Topics        []Topic   `json:"topics"`
}

// Doc is one conversation's text and tags, the input of Analyze.
type Doc struct {
	ID        int64
	CreatedAt time.Time
	Text      string
	Tags      []string
}

// Filter narrows the conversations analyzed — in the period and in the
// baseline alike — to those of an inbox, a team, a channel and an assignee
// (zero values: no narrowing), as the dashboard's filters do. The caller
// validates the values (the ids exist, the channel is known).
type Filter struct {
	TeamID  int64
	InboxID int64
	Channel string
	AgentID int64
}

// where returns the clause over conversations c ("" or " AND …") and its
// args.
func (f Filter) where() (string, []any) {
	var w []string
	var args []any
	for _, p := range []struct {
		col string
		v   any
		set bool
	}{{"c.inbox_id", f.InboxID, f.InboxID != 0}, {"c.team_id", f.TeamID, f.TeamID != 0}, {"c.channel", f.Channel, f.Channel != ""},
		{"c.assignee_id", f.AgentID, f.AgentID != 0}} {
		if p.set {
			w, args = append(w, p.col+" = ?"), append(args, p.v)
		}
	}
	if len(w) == 0 {
		return "", nil
	}
	return " AND " + strings.Join(w, " AND "), args
}

// Service reads conversations and finds trends.
type Service struct{ db *db.DB }

// New returns the trends service.
func New(d *db.DB) *Service { return &Service{db: d} }

// Trends analyzes the conversations created in [from, to) and matching f
// against the BaselinePeriods periods of the same length before from
// (matching f too). It reads the conversations twice (first for the
// lexicon, then to count) and keeps only the lexicon and the counts in
// memory.
func (s *Service) Trends(ctx context.Context, from, to time.Time, f Filter) (Result, error) {
	a := NewAnalyzer(from, to)
	tags := map[int64][]string{}
	w, args := f.where()
	rows, err := s.db.R().Query(ctx, `SELECT ct.conversation_id, t.name FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id
		JOIN conversations c ON c.id = ct.conversation_id WHERE c.created_at >= ? AND c.created_at < ?`+w,
		append([]any{db.Ms(a.start), db.Ms(to)}, args...)...)
	if err != nil {
		return Result{}, fmt.Errorf("trends: tags: %w", err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return Result{}, err
		}
		tags[id] = append(tags[id], name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Result{}, err
	}
	for _, pass := range []func(Doc){a.Learn, a.Count} {
		if err := s.scan(ctx, a.start, to, f, func(d Doc) {
			d.Tags = tags[d.ID]
			pass(d)
		}); err != nil {
			return Result{}, err
		}
	}
	return a.Result(), nil
}

// scan calls fn with each conversation created in [from, to) matching f:
// its subject and first customer message (each cut to MaxTextChars).
func (s *Service) scan(ctx context.Context, from, to time.Time, f Filter, fn func(Doc)) error {
	w, args := f.where()
	rows, err := s.db.R().Query(ctx, `SELECT c.id, c.created_at, SUBSTR(c.subject, 1, ?),
		COALESCE((SELECT SUBSTR(m.body_text, 1, ?) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'inbound'
			AND m.kind = 'reply' ORDER BY m.created_at, m.id LIMIT 1), '')
		FROM conversations c WHERE c.created_at >= ? AND c.created_at < ?`+w,
		append([]any{MaxTextChars, MaxTextChars, db.Ms(from), db.Ms(to)}, args...)...)
	if err != nil {
		return fmt.Errorf("trends: conversations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d Doc
		var at int64
		var subject, body string
		if err := rows.Scan(&d.ID, &at, &subject, &body); err != nil {
			return err
		}
		d.CreatedAt = db.Time(at)
		d.Text = subject + "\n" + body
		fn(d)
	}
	return rows.Err()
}

type termKey struct{ kind, term string }

type counts struct {
	period   [BaselinePeriods + 1]int // baseline periods oldest first, then the period
	examples []exampleRef             // the newest MaxExamples in the period
}

type exampleRef struct {
	id int64
	at time.Time
}

func newer(a, b exampleRef) bool {
	if !a.at.Equal(b.at) {
		return a.at.After(b.at)
	}
	return a.id > b.id
}

// Analyzer computes trends in two passes over the same documents: Learn
// each (the lexicon for prefix stripping), then Count each, then Result.
type Analyzer struct {
	from, to, start time.Time
	span            time.Duration
	lex             *normalize.Lexicon
	stats           map[termKey]*counts
	conversations   int
}

// NewAnalyzer returns an analyzer of [from, to) against the
// BaselinePeriods periods of the same length before it.
func NewAnalyzer(from, to time.Time) *Analyzer {
	span := to.Sub(from)
	return &Analyzer{from: from, to: to, start: from.Add(-BaselinePeriods * span), span: span,
		lex: normalize.NewLexicon(nil), stats: map[termKey]*counts{}}
}

// Learn adds d's words to the lexicon (first pass).
func (a *Analyzer) Learn(d Doc) {
	for _, w := range normalize.Words(d.Text) {
		a.lex.Add(w)
	}
}

// Count counts d's terms (second pass); documents outside the window are
// ignored.
func (a *Analyzer) Count(d Doc) {
	if d.CreatedAt.Before(a.start) || !d.CreatedAt.Before(a.to) {
		return
	}
	slot := min(int(d.CreatedAt.Sub(a.start)/a.span), BaselinePeriods)
	if slot == BaselinePeriods {
		a.conversations++
	}
	seen := map[termKey]bool{}
	for _, ln := range strings.Split(d.Text, "\n") {
		prev := ""
		for _, w := range normalize.Words(ln) {
			t, ok := normalize.Token(w, a.lex.Known)
			if !ok {
				prev = ""
				continue
			}
			seen[termKey{"word", t}] = true
			if prev != "" && prev != t {
				seen[termKey{"phrase", prev + " " + t}] = true
			}
			prev = t
		}
	}
	for _, tg := range d.Tags {
		seen[termKey{"tag", tg}] = true
	}
	for k := range seen {
		c := a.stats[k]
		if c == nil {
			c = &counts{}
			a.stats[k] = c
		}
		c.period[slot]++
		if slot == BaselinePeriods {
			e := exampleRef{d.ID, d.CreatedAt}
			i := sort.Search(len(c.examples), func(i int) bool { return newer(e, c.examples[i]) })
			if i < MaxExamples {
				c.examples = append(c.examples[:i], append([]exampleRef{e}, c.examples[i:]...)...)
				if len(c.examples) > MaxExamples {
					c.examples = c.examples[:MaxExamples]
				}
			}
		}
	}
}

// Result returns the emerging topics counted so far.
func (a *Analyzer) Result() Result {
	res := Result{From: a.from.UTC(), To: a.to.UTC(), BaselineFrom: a.start.UTC(), Statistic: Statistic,
		Formula: "z = (count − baseline_mean) / sqrt(max(baseline_mean, 1))", Threshold: Threshold, MinCount: MinCount,
		Conversations: a.conversations, Topics: []Topic{}}
	for k, c := range a.stats {
		n := c.period[BaselinePeriods]
		if n < MinCount {
			continue
		}
		sum := 0
		for _, b := range c.period[:BaselinePeriods] {
			sum += b
		}
		mean := float64(sum) / BaselinePeriods
		z := (float64(n) - mean) / math.Sqrt(math.Max(mean, 1))
		if z < Threshold {
			continue
		}
		ex := []int64{}
		for _, e := range c.examples {
			ex = append(ex, e.id)
		}
		term := k.term
		if k.kind != "tag" {
			term = normalize.Display(term)
		}
		res.Topics = append(res.Topics, Topic{Kind: k.kind, Term: term, Count: n, BaselineMean: mean,
			Baseline: append([]int(nil), c.period[:BaselinePeriods]...), Score: math.Round(z*100) / 100, Examples: ex})
	}
	sort.Slice(res.Topics, func(i, j int) bool {
		a, b := res.Topics[i], res.Topics[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return strings.Compare(a.Term, b.Term) < 0
	})
	if len(res.Topics) > MaxTopics {
		res.Topics = res.Topics[:MaxTopics]
	}
	return res
}

// Analyze computes the trends of docs for [from, to) (docs outside
// [from − BaselinePeriods×(to − from), to) are ignored).
func Analyze(docs []Doc, from, to time.Time) Result {
	a := NewAnalyzer(from, to)
	for _, d := range docs {
		a.Learn(d)
	}
	for _, d := range docs {
		a.Count(d)
	}
	return a.Result()
}
