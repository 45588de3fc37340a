package normalize

// Stems returns the meaningful words of s (Tokens with no lexicon) with the
// one-letter Hebrew prefixes stripped again until none is left (each time
// keeping at least MinStemLetters letters), so "ההחזרות", "והחזרות" and
// "החזרות" all give "חזרות". It over-strips some words ("משלוח" → "שלוח")
// but does so the same way on both sides of a comparison; the answer bot's
// question hash and agent assist's canned-response ranking compare with it.
func Stems(s string) []string {
	toks := Tokens(s, nil)
	for i, w := range toks {
		for x := StripPrefix(w, nil); x != w; x = StripPrefix(w, nil) {
			w = x
		}
		toks[i] = w
	}
	return toks
}
