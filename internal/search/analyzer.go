package search

import (
	"slices"
	"strings"
	"sync"

	"github.com/kesherdesk/kesher/internal/search/normalize"
)

// analyzerCacheWords bounds an analyzer's memo (distinct folded words); a
// full memo is emptied and refilled. Only words of up to
// analyzerMaxWordBytes are kept (hex or base64 runs in mail are longer
// and rarely repeat), so a Service holds at most ~40 MB of it (typically a
// few MB: help-desk words are short).
const (
	analyzerCacheWords   = 1 << 17
	analyzerMaxWordBytes = 64
)

// analyzer turns folded words into index terms (token, then expand) and
// memoizes the result per word. Help-desk text repeats a small vocabulary
// (Zipf), so most words of a batch were seen before and skip the Snowball
// stemmer and the Hebrew prefix table: measured, the analysis of a
// 1,000-message batch took half the client's CPU without the memo. A nil
// *analyzer computes without memo. Safe for concurrent use.
type analyzer struct {
	mu    sync.RWMutex
	words map[string]wordTerms
}

// wordTerms is the analysis of one folded word: ok is false for a word
// that is not indexed (stop word, one letter); terms are the token first,
// then its Hebrew prefix-stripped variants (expand). Shared, read-only.
type wordTerms struct {
	ok    bool
	terms []string
}

func newAnalyzer() *analyzer { return &analyzer{words: map[string]wordTerms{}} }

// word returns the analysis of folded word w.
func (a *analyzer) word(w string) wordTerms {
	if a == nil || len(w) > analyzerMaxWordBytes {
		return analyzeWord(w)
	}
	a.mu.RLock()
	wt, hit := a.words[w]
	a.mu.RUnlock()
	if hit {
		return wt
	}
	wt = analyzeWord(w)
	a.mu.Lock()
	if len(a.words) >= analyzerCacheWords {
		clear(a.words)
	}
	a.words[strings.Clone(w)] = wt
	a.mu.Unlock()
	return wt
}

func analyzeWord(w string) wordTerms {
	t, ok := token(w)
	if !ok {
		return wordTerms{}
	}
	return wordTerms{ok: true, terms: expand(t)}
}

// analyze returns the index tokens of raw text s, in order, at most limit
// (see the package function analyze, which it memoizes).
func (a *analyzer) analyze(s string, limit int) []string {
	var out []string
	for _, w := range normalize.Words(s) {
		wt := a.word(w)
		if !wt.ok {
			continue
		}
		out = append(out, wt.terms[0])
		if len(out) >= limit {
			break
		}
	}
	return out
}

// expand is the package function expand, memoized: token t and its
// variants (read-only).
func (a *analyzer) expand(t string) []string {
	if !normalize.IsHebrew(t) {
		return []string{t}
	}
	// A Hebrew token is its own folded word (token leaves Hebrew words
	// whole), so the memo entry of t holds its expansion.
	if wt := a.word(t); wt.ok && wt.terms[0] == t {
		return wt.terms
	}
	return expand(t)
}

// docTerm is one distinct expanded term of a document and the fields that
// hold it.
type docTerm struct {
	term        string
	title, body bool
}

// docTerms returns a document's distinct expanded terms, sorted, with the
// fields holding each (what the full-text index holds for it), and its
// distinct tokens, sorted (the exact terms).
func (a *analyzer) docTerms(title, body []string) (terms []docTerm, exact []string) {
	terms = make([]docTerm, 0, 2*(len(title)+len(body)))
	for f, toks := range [2][]string{title, body} {
		for _, t := range toks {
			for _, x := range a.expand(t) {
				terms = append(terms, docTerm{term: x, title: f == 0, body: f == 1})
			}
		}
	}
	slices.SortFunc(terms, func(x, y docTerm) int { return strings.Compare(x.term, y.term) })
	out := terms[:0]
	for _, t := range terms {
		if n := len(out); n > 0 && out[n-1].term == t.term {
			out[n-1].title = out[n-1].title || t.title
			out[n-1].body = out[n-1].body || t.body
			continue
		}
		out = append(out, t)
	}
	exact = make([]string, 0, len(title)+len(body))
	exact = append(append(exact, title...), body...)
	slices.Sort(exact)
	return out, slices.Compact(exact)
}

// ftsText is the expanded terms of tokens, space-separated, in order (each
// token followed by its variants): what search_fts indexes (SQLite).
func (a *analyzer) ftsText(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		for _, x := range a.expand(t) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(x)
		}
	}
	return b.String()
}

// tsvLiteral is the tsvector literal of a document's terms (PostgreSQL):
// each distinct expanded term once, at position 1 with weight A when it is
// in the title, at position 2 with weight B when it is in the body. Terms
// hold only letters and digits (normalize.Words), so quoting is plain.
func tsvLiteral(terms []docTerm) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteLexeme(t.term))
		b.WriteByte(':')
		switch {
		case t.title && t.body:
			b.WriteString("1A,2B")
		case t.title:
			b.WriteString("1A")
		default:
			b.WriteString("2B")
		}
	}
	return b.String()
}
