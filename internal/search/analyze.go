package search

import (
	"strings"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"

	"github.com/kesherdesk/kesher/internal/search/normalize"
)

// maxDocTokens caps the tokens indexed per field of one document (a 256 KB
// message has far fewer words of interest than this; the cap bounds a
// pathological document's index size).
const maxDocTokens = 20000

// Ranking constants (Robertson/Spärck Jones BM25 with a BM25F-style title
// boost: a term's frequency is titleBoost×(title occurrences) + body
// occurrences; k1 and b are the usual defaults from Robertson & Zaragoza,
// "The Probabilistic Relevance Framework: BM25 and Beyond", 2009).
const (
	titleBoost = 3.0
	bm25K1     = 1.2
	bm25B      = 0.75
	// variantWeight is the weight of a query word's prefix-stripped
	// variant ("בהזמנה" → "הזמנה") relative to the word itself.
	variantWeight = 0.6
)

// analyze returns the index tokens of raw text s, in order: folded words
// (package normalize) without stop words (also behind a Hebrew prefix:
// "ומה"), one-letter words dropped (numbers of any length kept: order
// numbers are searched), and words in Latin letters stemmed with the
// Snowball English stemmer. Hebrew words stay whole: their prefix variants
// are derived by expand.
func analyze(s string, limit int) []string { return (*analyzer)(nil).analyze(s, limit) }

// token normalizes one folded word for the index or a query.
func token(w string) (string, bool) {
	if normalize.IsStopWord(w) {
		return "", false
	}
	if normalize.IsHebrew(w) {
		// A prefixed stop word of 3+ letters ("והוא", "שהיא"); shorter
		// rests are left alone ("כהן" is a name, not כ + הן).
		for i := 1; i < len(w) && i <= 8; i++ {
			if normalize.IsPrefix(w[:i]) && utf8.RuneCountInString(w[i:]) >= normalize.MinStemLetters && normalize.IsStopWord(w[i:]) {
				return "", false
			}
		}
		if utf8.RuneCountInString(w) < 2 {
			return "", false
		}
		return w, true
	}
	if isDigits(w) {
		return w, true
	}
	if utf8.RuneCountInString(w) < 2 {
		return "", false
	}
	if isASCIILetters(w) {
		st := english.Stem(w, false)
		if st == "" || normalize.IsStopWord(st) && st != w {
			return w, true
		}
		return st, true
	}
	return w, true
}

func isDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

func isASCIILetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// expand returns token t and, for a Hebrew word, its prefix-stripped
// variants (normalize.Variants): what the full-text tables index for t.
func expand(t string) []string {
	return append([]string{t}, normalize.Variants(t)...)
}

// matchesTerm reports whether index token t holds query term q: t is q,
// or q behind one of the Hebrew prefixes (so t's expansion contains q).
func matchesTerm(t, q string) bool {
	if t == q {
		return true
	}
	if len(t) <= len(q) || !strings.HasSuffix(t, q) || !normalize.IsHebrew(q) {
		return false
	}
	if utf8.RuneCountInString(q) < normalize.MinStemLetters || normalize.IsStopWord(q) {
		return false
	}
	return normalize.IsPrefix(t[:len(t)-len(q)])
}

// splitTerms splits a stored terms column.
func splitTerms(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}
