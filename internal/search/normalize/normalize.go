// Package normalize turns Hebrew and English text into comparable words
// for counting (report trends) and search: Unicode NFKC, lower case,
// combining marks removed (Hebrew niqqud and cantillation, Latin accents),
// Hebrew final letters folded to their ordinary forms (ך→כ, ם→מ, ן→נ, ף→פ,
// ץ→צ), one-letter Hebrew prefixes (ו ה ב כ ל מ ש and their common
// combinations) stripped, and Hebrew and English stop words dropped.
//
// Hebrew attaches conjunctions, prepositions and the article to the word
// ("והמשלוח" = "and the delivery"), but many words also begin with those
// letters ("משלוח" itself begins with מ). StripPrefix therefore takes a
// "known" predicate: a prefix is stripped only when what remains has at
// least MinStemLetters letters and is a known word (for trends: a Lexicon
// of the same texts — a stem seen on its own or behind two different
// prefixes); with a nil predicate every listed
// prefix is stripped by the length rule alone, which is consistent
// (queries and documents meet) but may over-strip.
package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MinStemLetters is the fewest letters left after stripping a prefix.
const MinStemLetters = 3

// Fold normalizes s as a whole: NFKC, lower case, combining marks removed
// (NFD, drop Mn, NFC) and Hebrew final letters folded.
func Fold(s string) string {
	if !plain(s) {
		s = norm.NFKC.String(s)
		t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		if out, _, err := transform.String(t, s); err == nil {
			s = out
		}
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case 'ך':
			return 'כ'
		case 'ם':
			return 'מ'
		case 'ן':
			return 'נ'
		case 'ף':
			return 'פ'
		case 'ץ':
			return 'צ'
		}
		return unicode.ToLower(r)
	}, s)
}

// plain reports whether s holds only characters that NFKC leaves alone
// and that carry no combining marks (ASCII, the Hebrew letters, geresh,
// gershayim, dashes, curly quotes, ₪), so Fold may skip the Unicode
// normalization passes: the common case, and a large share of indexing
// time otherwise.
func plain(s string) bool {
	for _, r := range s {
		switch {
		case r < 0x80, r >= 'א' && r <= 'ת', r == '׳', r == '״', r == '–', r == '—', r == '‘', r == '’', r == '“', r == '”', r == '₪':
		default:
			return false
		}
	}
	return true
}

// joiners are dropped inside a word: apostrophes and Hebrew geresh and
// gershayim ("ג'ירפה", "צה״ל", "don't").
func isJoiner(r rune) bool {
	return r == '\'' || r == '’' || r == '"' || r == '׳' || r == '״'
}

// Words returns the folded words of s: runs of letters and digits; joiners
// inside a word are removed; everything else separates words.
func Words(s string) []string {
	s = Fold(s)
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case isJoiner(r) && b.Len() > 0 && i+1 < len(rs) && (unicode.IsLetter(rs[i+1]) || unicode.IsDigit(rs[i+1])):
			// inside a word: dropped
		default:
			flush()
		}
	}
	flush()
	return out
}

// prefixes are the Hebrew prefixes StripPrefix tries, longest first (a
// read-only table).
var prefixes = [...]string{
	"וכשה",
	"וכש", "ושה", "כשה",
	"וה", "וב", "ול", "ומ", "וש", "וכ", "שה", "שב", "כש", "מה",
	"ו", "ה", "ב", "כ", "ל", "מ", "ש",
}

func isHebrew(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return r >= 'א' && r <= 'ת'
}

// StripPrefix removes the longest Hebrew prefix of folded word w whose rest
// has at least MinStemLetters letters and, when known is not nil, is known
// (known(rest) is true). Other words come back unchanged.
func StripPrefix(w string, known func(string) bool) string {
	if !isHebrew(w) {
		return w
	}
	for _, p := range prefixes {
		if !strings.HasPrefix(w, p) {
			continue
		}
		rest := w[len(p):]
		if utf8.RuneCountInString(rest) < MinStemLetters {
			continue
		}
		if known == nil || known(rest) {
			return rest
		}
	}
	return w
}

// Tokens returns the words of s that carry meaning: folded, prefixes
// stripped (StripPrefix with known), stop words, one-letter words and
// numbers dropped.
func Tokens(s string, known func(string) bool) []string {
	var out []string
	for _, w := range Words(s) {
		if t, ok := Token(w, known); ok {
			out = append(out, t)
		}
	}
	return out
}

// Token normalizes one folded word (from Words) and reports whether it
// carries meaning (it is not a stop word, a single letter or a number).
func Token(w string, known func(string) bool) (string, bool) {
	if IsStopWord(w) {
		return "", false
	}
	if isHebrew(w) {
		// A prefixed stop word ("ומה", "והוא") is a stop word at any length.
		for _, p := range prefixes {
			if strings.HasPrefix(w, p) && IsStopWord(w[len(p):]) {
				return "", false
			}
		}
	}
	k := known
	if known != nil {
		k = func(rest string) bool { return known(rest) || IsStopWord(rest) }
	}
	w = StripPrefix(w, k)
	if IsStopWord(w) || utf8.RuneCountInString(w) < 2 || isNumber(w) {
		return "", false
	}
	return w, true
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// Display writes folded word w with Hebrew final letters where a word ends
// ("שלומ" → "שלום"), for showing normalized terms to people.
func Display(w string) string {
	rs := []rune(w)
	for i, r := range rs {
		if i+1 < len(rs) && (unicode.IsLetter(rs[i+1])) {
			continue
		}
		switch r {
		case 'כ':
			rs[i] = 'ך'
		case 'מ':
			rs[i] = 'ם'
		case 'נ':
			rs[i] = 'ן'
		case 'פ':
			rs[i] = 'ף'
		case 'צ':
			rs[i] = 'ץ'
		}
	}
	return string(rs)
}

// Lexicon is the words seen in a body of text, for StripPrefix's known
// predicate: a stem is known when it was seen as a word on its own, or
// behind at least two different prefixes ("והמשלוח" and "במשלוח" make
// "משלוח" known even when it never stands alone). Build it with NewLexicon
// and Add; it is not safe for concurrent use while being built.
type Lexicon struct {
	words    map[string]bool
	prefixed map[string]int
}

// NewLexicon returns the lexicon of folded words (from Words).
func NewLexicon(words []string) *Lexicon {
	l := &Lexicon{words: map[string]bool{}, prefixed: map[string]int{}}
	for _, w := range words {
		l.Add(w)
	}
	return l
}

// Add adds folded word w (from Words) to the lexicon.
func (l *Lexicon) Add(w string) {
	if l.words[w] {
		return
	}
	l.words[w] = true
	if !isHebrew(w) {
		return
	}
	for _, p := range prefixes {
		if strings.HasPrefix(w, p) && utf8.RuneCountInString(w[len(p):]) >= MinStemLetters {
			l.prefixed[w[len(p):]]++
		}
	}
}

// Known reports whether stem is a known word (see Lexicon).
func (l *Lexicon) Known(stem string) bool { return l.words[stem] || l.prefixed[stem] >= 2 }

// Variants returns the forms of folded Hebrew word w without one of its
// listed prefixes ("והמשלוח" → "המשלוח", "משלוח"), longest rest first,
// each with at least MinStemLetters letters and not a stop word; nil for
// other words. Search indexes a word together with its variants, so a
// query for the bare word finds the prefixed one; the prefixes table
// lists only the combinations Hebrew uses, so "שלוח" is not a variant of
// "והמשלוח" (no "ומה" prefix) but is one of "משלוח".
func Variants(w string) []string {
	if !isHebrew(w) {
		return nil
	}
	var out []string
	for i := len(prefixes) - 1; i >= 0; i-- {
		p := prefixes[i]
		if !strings.HasPrefix(w, p) {
			continue
		}
		rest := w[len(p):]
		if utf8.RuneCountInString(rest) < MinStemLetters || IsStopWord(rest) {
			continue
		}
		out = append(out, rest)
	}
	return out
}

// IsPrefix reports whether p is one of the Hebrew prefixes (or
// combinations) Variants strips.
func IsPrefix(p string) bool {
	for _, q := range prefixes {
		if p == q {
			return true
		}
	}
	return false
}

// IsHebrew reports whether folded word w is written in Hebrew letters (its
// first letter is one).
func IsHebrew(w string) bool { return isHebrew(w) }

// Span is one word of a raw text: its byte range [Start, End) in the text
// and its folded form (as Words gives it).
type Span struct {
	Start, End int
	Word       string
}

// Spans returns the words of raw text s with their byte ranges, so a
// caller can mark matched words in the original text. A word is a run of
// letters, digits and combining marks (niqqud stays inside the word), with
// joiners inside it; each is folded as Words folds it (a word that folds
// into several, like a ligature, gives one span per folded word with the
// same range).
func Spans(s string) []Span {
	var out []Span
	start := -1
	inWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) }
	flush := func(end int) {
		if start < 0 {
			return
		}
		for _, w := range Words(s[start:end]) {
			out = append(out, Span{Start: start, End: end, Word: w})
		}
		start = -1
	}
	for i, r := range s {
		switch {
		case inWord(r):
			if start < 0 {
				start = i
			}
		case isJoiner(r) && start >= 0:
			n, size := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			if size == 0 || !inWord(n) {
				flush(i)
			}
		default:
			flush(i)
		}
	}
	flush(len(s))
	return out
}
