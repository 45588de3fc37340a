package search

import (
	"context"
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/search/normalize"
)

// snippetWords is the length of a snippet, in words.
const snippetWords = 24

// hits loads the stored raw text of the ranked candidates and builds their
// hits. A message's title is its conversation's subject.
func (s *Service) hits(ctx context.Context, r db.Querier, groups []group, ranked []*cand) ([]Hit, error) {
	hits := make([]Hit, 0, len(ranked))
	if len(ranked) == 0 {
		return hits, nil
	}
	args := make([]any, len(ranked))
	for i, c := range ranked {
		args[i] = c.id
	}
	rows, err := r.Query(ctx, `SELECT d.id, d.language, d.time_ms, d.title, d.body, COALESCE(c.title, '')
		FROM search_docs d LEFT JOIN search_docs c ON c.kind = 'conversation' AND c.doc_id = d.conversation_id AND d.kind = 'message'
		WHERE d.id IN (`+db.Placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("search: hits: %w", err)
	}
	type raw struct {
		lang, title, body, subject string
		ms                         int64
	}
	byID := map[int64]raw{}
	for rows.Next() {
		var id int64
		var x raw
		if err := rows.Scan(&id, &x.lang, &x.ms, &x.title, &x.body, &x.subject); err != nil {
			rows.Close()
			return nil, err
		}
		byID[id] = x
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var terms []string
	for _, g := range groups {
		for _, t := range g.terms {
			terms = append(terms, t.term)
		}
	}
	for _, c := range ranked {
		x := byID[c.id]
		title := x.title
		if c.kind == KindMessage {
			title = x.subject
		}
		text := x.body
		if strings.TrimSpace(text) == "" {
			text = x.title
		}
		hits = append(hits, Hit{Kind: c.kind, ID: c.docID, ConversationID: c.convID, Title: title, Snippet: Snippet(text, terms),
			Language: x.lang, Time: db.Time(x.ms), Score: math.Round(c.score*1e6) / 1e6, Confidence: math.Round(c.conf*1e4) / 1e4})
	}
	return hits, nil
}

// Snippet returns an HTML-safe excerpt of raw text of about snippetWords
// words around the densest run of words matching the query terms (index
// terms, as the query is searched by), each matching word wrapped in
// <mark>…</mark>; all other text is escaped. Without a match it is the
// text's beginning. "…" marks cut ends.
func Snippet(text string, terms []string) string {
	spans := normalize.Spans(text)
	match := make([]bool, len(spans))
	for i, sp := range spans {
		if !mayMatch(sp.Word, terms) {
			continue
		}
		t, ok := token(sp.Word)
		if !ok {
			continue
		}
		for _, q := range terms {
			if matchesTerm(t, q) {
				match[i] = true
				break
			}
		}
	}
	// The window of snippetWords spans with the most matches.
	best, bestN, n := 0, -1, 0
	for i := range spans {
		if match[i] {
			n++
		}
		if i >= snippetWords && match[i-snippetWords] {
			n--
		}
		start := max(0, i-snippetWords+1)
		if n > bestN {
			best, bestN = start, n
		}
	}
	// Begin a few words before the first match of the window.
	for i := best; i < len(spans) && i < best+snippetWords; i++ {
		if match[i] {
			best = max(0, i-3)
			break
		}
	}
	best = min(best, max(0, len(spans)-snippetWords)) // fill the window
	end := min(len(spans), best+snippetWords)
	if len(spans) == 0 {
		return html.EscapeString(truncateRunes(text, 200))
	}
	var b strings.Builder
	from := 0
	if best > 0 {
		b.WriteString("…")
		from = spans[best].Start
	}
	last := -1
	for i := best; i < end; i++ {
		sp := spans[i]
		if sp.Start == last { // one raw word folded into several
			continue
		}
		last = sp.Start
		b.WriteString(html.EscapeString(text[from:sp.Start]))
		if match[i] {
			b.WriteString("<mark>" + html.EscapeString(text[sp.Start:sp.End]) + "</mark>")
		} else {
			b.WriteString(html.EscapeString(text[sp.Start:sp.End]))
		}
		from = sp.End
	}
	if end < len(spans) {
		b.WriteString("…")
	} else {
		b.WriteString(html.EscapeString(text[from:]))
	}
	return strings.TrimSpace(b.String())
}

func truncateRunes(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}

// mayMatch is a cheap filter before token (whose Snowball stemming is most
// of a snippet's cost): a Latin word can only stem to query term q if it
// begins with q without its last letter (stems are prefixes of their word
// but for a final y/i change); a Hebrew word only if it ends with a term.
func mayMatch(w string, terms []string) bool {
	for _, q := range terms {
		switch {
		case len(q) < 2 || normalize.IsHebrew(q) || isDigits(q):
			if strings.HasSuffix(w, q) {
				return true
			}
		case strings.HasPrefix(w, q[:len(q)-1]):
			return true
		}
	}
	return false
}
