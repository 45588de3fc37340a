package routing

import (
	"regexp"
	"strings"
	"unicode"
)

// Minimum evidence DetectLanguage needs before it names a language.
const (
	minScriptLetters = 2   // letters of one non-Latin script
	minScriptShare   = 0.4 // that script's share of all letters
	minLatinHits     = 2   // function words of the winning Latin language
	minLatinShare    = 0.2 // hits per Latin word
)

var (
	urlRE   = regexp.MustCompile(`(?i)\b(?:https?://|www\.)\S+`)
	emailRE = regexp.MustCompile(`\S+@\S+\.\S+`)
	// historyRE matches the first line of quoted mail history as Gmail,
	// Outlook and Apple Mail write it (English and Hebrew clients); the
	// text from that line on is the earlier conversation, not this message.
	historyRE = regexp.MustCompile(`(?i)^(?:on\s.+wrote:|-{2,}\s*original message\s*-{2,}|_{10,}|from:\s.+|בתאריך\s.+(?:מאת|כתב|כתבה|נכתב).*)$`)
)

// latinWords are function words and support words that are common in one
// language and rare in the others listed; words shared between languages
// (en "on" = fr "on", de "was", es/fr "de", "la", "que", "en") are left out
// on purpose so a hit is evidence for one language only.
var latinWords = map[string][]string{
	"en": {"the", "and", "is", "are", "were", "you", "your", "i", "my", "we", "our", "it", "this", "that", "to", "of", "for",
		"with", "have", "has", "not", "can", "can't", "cannot", "please", "thanks", "thank", "hello", "hi", "when", "what",
		"why", "how", "do", "does", "did", "don't", "doesn't", "didn't", "i'm", "it's", "be", "been", "would", "could", "at",
		"from", "but", "if", "there", "they", "get", "got", "just", "still", "since", "after", "again", "order", "account",
		"help", "received", "yet", "any", "should", "need", "able", "working", "which", "by", "or", "all"},
	"es": {"el", "los", "las", "y", "por", "para", "con", "una", "mi", "hola", "gracias", "pedido", "está", "estoy", "tengo",
		"pero", "del", "muy", "cuando", "puedo", "ayuda", "favor", "desde", "ya", "su", "lo", "todavía", "he", "recibido",
		"mis", "cuenta", "qué", "cómo", "tiene", "hay", "sido", "hace", "usted", "también"},
	"fr": {"le", "les", "des", "et", "est", "je", "vous", "nous", "pas", "une", "pour", "avec", "mon", "ma", "mes", "dans",
		"sur", "bonjour", "merci", "commande", "compte", "ne", "il", "elle", "qui", "c'est", "j'ai", "n'est", "ai", "suis",
		"depuis", "mais", "votre", "au", "aux", "du", "ce", "toujours", "reçu", "jour", "pouvez", "ça"},
	"de": {"der", "die", "das", "und", "ist", "ich", "nicht", "sie", "mit", "für", "ein", "eine", "mein", "meine", "bei",
		"auf", "den", "dem", "zu", "es", "hallo", "danke", "bestellung", "konto", "seit", "wir", "ihr", "habe", "haben",
		"kann", "bitte", "noch", "auch", "aber", "wie", "wird", "nach", "von", "erhalten", "keine", "immer", "mir"},
}

// latinLang maps each word of latinWords to its language (the lists are
// disjoint; TestLatinWordsDisjoint checks).
var latinLang = func() map[string]string {
	m := map[string]string{}
	for lang, ws := range latinWords {
		for _, w := range ws {
			m[w] = lang
		}
	}
	return m
}()

// DetectLanguage guesses the language of a customer message and returns an
// ISO 639-1 code ("he", "ar", "ru", "uk", "en", "es", "fr", "de") with a
// confidence in [0, 1], or ("", 0) when the text does not say clearly.
//
// Rules, in order:
//   - Quoted mail history is ignored: lines starting with ">" and
//     everything from a history header ("On … wrote:", "-----Original
//     Message-----", an Outlook rule line or "From: …" line, the Hebrew
//     Gmail "בתאריך … מאת …" line) on. URLs, email addresses and digits are
//     dropped before counting.
//   - Script decides first: Hebrew (U+0590–05FF, FB1D–FB4F) → "he"; Arabic
//     (U+0600–06FF, 0750–077F, FB50–FDFF, FE70–FEFF) → "ar"; Cyrillic →
//     "ru", or "uk" when the Ukrainian-only letters і ї є ґ appear. The
//     script with the most letters wins when it has at least 2 letters and
//     at least 40% of all letters, so a Hebrew message that names an English
//     product is Hebrew. Confidence is that share, reduced for texts under
//     20 letters.
//   - Latin text is told apart by function words (latinWords): the language
//     with the most hits wins when it has at least 2 hits, at least 20% of
//     the Latin words, and at least twice the runner-up's hits.
//   - When Latin words show no language, a non-Latin script with at least 2
//     letters still wins (e.g. Hebrew text around long English names), with
//     its lower share as confidence.
func DetectLanguage(text string) (lang string, confidence float64) {
	text = stripNoise(text)
	var hebrew, arabic, cyrillic, ukrainian, latin int
	for _, r := range text {
		switch {
		case r >= 0x0590 && r <= 0x05FF, r >= 0xFB1D && r <= 0xFB4F:
			if unicode.IsLetter(r) {
				hebrew++
			}
		case r >= 0x0600 && r <= 0x06FF, r >= 0x0750 && r <= 0x077F, r >= 0xFB50 && r <= 0xFDFF, r >= 0xFE70 && r <= 0xFEFF:
			if unicode.IsLetter(r) {
				arabic++
			}
		case unicode.Is(unicode.Cyrillic, r):
			cyrillic++
			if strings.ContainsRune("іїєґІЇЄҐ", r) {
				ukrainian++
			}
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	total := hebrew + arabic + cyrillic + latin
	if total == 0 {
		return "", 0
	}
	script, n := "he", hebrew
	if arabic > n {
		script, n = "ar", arabic
	}
	if cyrillic > n {
		script, n = "ru", cyrillic
		if ukrainian > 0 {
			script = "uk"
		}
	}
	share := float64(n) / float64(total)
	if n >= minScriptLetters && share >= minScriptShare {
		return script, round2(share * lengthFactor(total))
	}
	if l, c := detectLatin(text); l != "" {
		return l, c
	}
	if n >= minScriptLetters {
		return script, round2(share * lengthFactor(total))
	}
	return "", 0
}

// detectLatin applies the function-word rule to the Latin words of text.
func detectLatin(text string) (string, float64) {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(unicode.Is(unicode.Latin, r) || r == '\'')
	})
	hits := map[string]int{}
	n, letters := 0, 0
	for _, w := range words {
		w = strings.Trim(w, "'")
		if w == "" {
			continue
		}
		n++
		letters += len([]rune(w))
		if l, ok := latinLang[w]; ok {
			hits[l]++
		}
	}
	best, second, lang := 0, 0, ""
	for _, l := range []string{"en", "es", "fr", "de"} { // fixed order: ties never depend on map order
		switch h := hits[l]; {
		case h > best:
			best, second, lang = h, best, l
		case h > second:
			second = h
		}
	}
	if best < minLatinHits || float64(best)/float64(n) < minLatinShare || best < 2*second {
		return "", 0
	}
	share := float64(best) / float64(n)
	margin := float64(best-second) / float64(best)
	return lang, round2(min(1, share/0.4) * margin * lengthFactor(letters))
}

// stripNoise removes quoted history, URLs, email addresses and digits, and
// turns the typographic apostrophe into ' so "don’t" is one word.
func stripNoise(text string) string {
	var keep []string
	for line := range strings.Lines(text) {
		t := strings.TrimSpace(strings.Trim(line, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))
		if strings.HasPrefix(t, ">") {
			continue
		}
		if historyRE.MatchString(t) {
			break
		}
		keep = append(keep, t)
	}
	s := strings.Join(keep, "\n")
	s = urlRE.ReplaceAllString(s, " ")
	s = emailRE.ReplaceAllString(s, " ")
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsDigit(r):
			return ' '
		case r == '’':
			return '\''
		}
		return r
	}, s)
}

// lengthFactor lowers confidence for short texts: 0.5 at no letters, 1 from
// 20 letters on.
func lengthFactor(letters int) float64 { return min(1, 0.5+float64(letters)/40) }

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }
