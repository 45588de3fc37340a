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
	"unicode/utf8"

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
	// MaxTextBytes of each conversation's subject and first message are read.
	MaxTextBytes = 4000
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

// Service reads conversations and finds trends.
type Service struct{ db *db.DB }

// New returns the trends service.
func New(d *db.DB) *Service { return &Service{db: d} }

// Trends analyzes the conversations created in [from, to) against the
// BaselinePeriods periods of the same length before from.
func (s *Service) Trends(ctx context.Context, from, to time.Time) (Result, error) {
	start := from.Add(-BaselinePeriods * to.Sub(from))
	docs := map[int64]*Doc{}
	var order []int64
	rows, err := s.db.R().Query(ctx, `SELECT c.id, c.created_at, c.subject,
		COALESCE((SELECT m.body_text FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'inbound' AND m.kind = 'reply'
			ORDER BY m.created_at, m.id LIMIT 1), '')
		FROM conversations c WHERE c.created_at >= ? AND c.created_at < ?`, db.Ms(start), db.Ms(to))
	if err != nil {
		return Result{}, fmt.Errorf("trends: conversations: %w", err)
	}
	for rows.Next() {
		var d Doc
		var at int64
		var subject, body string
		if err := rows.Scan(&d.ID, &at, &subject, &body); err != nil {
			rows.Close()
			return Result{}, err
		}
		d.CreatedAt = db.Time(at)
		d.Text = clip(subject) + "\n" + clip(body)
		docs[d.ID] = &d
		order = append(order, d.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Result{}, err
	}
	rows, err = s.db.R().Query(ctx, `SELECT ct.conversation_id, t.name FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id
		JOIN conversations c ON c.id = ct.conversation_id WHERE c.created_at >= ? AND c.created_at < ?`, db.Ms(start), db.Ms(to))
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
		if d := docs[id]; d != nil {
			d.Tags = append(d.Tags, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Result{}, err
	}
	list := make([]Doc, 0, len(order))
	for _, id := range order {
		list = append(list, *docs[id])
	}
	return Analyze(list, from, to), nil
}

func clip(s string) string {
	if len(s) <= MaxTextBytes {
		return s
	}
	s = s[:MaxTextBytes]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

type termKey struct{ kind, term string }

type counts struct {
	period   [BaselinePeriods + 1]int // baseline periods oldest first, then the period
	examples []exampleRef
}

type exampleRef struct {
	id int64
	at time.Time
}

// Analyze computes the trends of docs for [from, to) (docs outside
// [from − BaselinePeriods×(to − from), to) are ignored).
func Analyze(docs []Doc, from, to time.Time) Result {
	span := to.Sub(from)
	start := from.Add(-BaselinePeriods * span)
	res := Result{From: from.UTC(), To: to.UTC(), BaselineFrom: start.UTC(), Statistic: Statistic,
		Formula: "z = (count − baseline_mean) / sqrt(max(baseline_mean, 1))", Threshold: Threshold, MinCount: MinCount,
		Topics: []Topic{}}
	// The lexicon of every folded word seen, for prefix stripping; words
	// per line, so that phrases do not span lines (subject and message).
	lines := make([][][]string, len(docs))
	var all []string
	for i, d := range docs {
		for _, ln := range strings.Split(d.Text, "\n") {
			ws := normalize.Words(ln)
			lines[i] = append(lines[i], ws)
			all = append(all, ws...)
		}
	}
	known := normalize.NewLexicon(all).Known
	stats := map[termKey]*counts{}
	for i, d := range docs {
		if d.CreatedAt.Before(start) || !d.CreatedAt.Before(to) {
			continue
		}
		slot := int(d.CreatedAt.Sub(start) / span)
		if slot > BaselinePeriods {
			slot = BaselinePeriods
		}
		if slot == BaselinePeriods {
			res.Conversations++
		}
		seen := map[termKey]bool{}
		for _, ws := range lines[i] {
			prev := ""
			for _, w := range ws {
				t, ok := normalize.Token(w, known)
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
			c := stats[k]
			if c == nil {
				c = &counts{}
				stats[k] = c
			}
			c.period[slot]++
			if slot == BaselinePeriods {
				c.examples = append(c.examples, exampleRef{d.ID, d.CreatedAt})
			}
		}
	}
	for k, c := range stats {
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
		sort.Slice(c.examples, func(i, j int) bool {
			if !c.examples[i].at.Equal(c.examples[j].at) {
				return c.examples[i].at.After(c.examples[j].at)
			}
			return c.examples[i].id > c.examples[j].id
		})
		ex := []int64{}
		for _, e := range c.examples[:min(MaxExamples, len(c.examples))] {
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
