package bot

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/kesherdesk/kesher/internal/search/normalize"
)

// Intents of a customer message while the bot is in charge.
const (
	IntentQuestion = "question" // anything else: a question to search for
	IntentYes      = "yes"      // the articles solved it ("כן", "yes", "תודה זה עזר")
	IntentNo       = "no"       // they did not ("לא", "no")
	IntentPerson   = "person"   // a request for a person ("נציג", "agent", "human", …)
)

// maxAnswerWords is the longest message read as a yes/no answer; a longer
// one is a new question (or a request for a person).
const maxAnswerWords = 8

// Word lists, folded by wordSet (normalize.Words) but not prefix-stripped:
// a message word matches when it, or it without its one-letter Hebrew
// prefixes, is in the set ("לנציג" → "נציג"), so a set word is never
// shortened into an unrelated one ("מעולה" is not "עולה"). Read-only.
var (
	// personWords ask for a person on their own (with any one-letter
	// Hebrew prefix: "לנציג", "הנציגה").
	personWords = wordSet("נציג", "נציגה", "נציגים", "נציגות", "אדם", "אנושי", "אנושית", "מוקדן", "מוקדנית",
		"agent", "agents", "human", "humans", "person", "representative", "representatives", "operator", "operators")
	// personPhrases are requests made of several words (compared on the
	// folded, prefix-stripped words joined by single spaces).
	personPhrases = phrases("בן אדם", "לדבר עם מישהו", "לדבר עם מישהי", "מישהו אמיתי", "real person",
		"talk to someone", "speak to someone", "speak with someone", "talk with someone")
	yesWords = wordSet("כן", "בטח", "עזר", "עזרה", "עזרת", "תודה", "מעולה", "נפתר", "פתר", "פתרת",
		"yes", "yeah", "yep", "yup", "sure", "thanks", "thank", "helped", "helpful", "solved", "great", "perfect")
	noWords = wordSet("לא", "no", "nope", "not", "didnt", "doesnt", "dont", "nothing")
)

// fold returns the comparable form of one folded word (normalize.Words):
// a Hebrew word without its one-letter prefixes (by the length rule).
func fold(w string) string { return normalize.StripPrefix(w, nil) }

func wordSet(ws ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range ws {
		for _, x := range normalize.Words(w) {
			m[x] = true
		}
	}
	return m
}

func phrases(ps ...string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, " "+strings.Join(foldAll(normalize.Words(p)), " ")+" ")
	}
	return out
}

func foldAll(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = fold(w)
	}
	return out
}

// Classify reads a customer message: a request for a person (any length:
// one of personWords or personPhrases, niqqud, final letters and
// one-letter prefixes folded by internal/search/normalize); else, for a
// short message (at most maxAnswerWords words) and only when pending (an
// offer waits for an answer), "no" when it has a negation and "yes" when it
// has an affirmation; else a question.
func Classify(text string, pending bool) string {
	raw := normalize.Words(text)
	ws := foldAll(raw)
	joined := " " + strings.Join(ws, " ") + " "
	for _, p := range personPhrases {
		if strings.Contains(joined, p) {
			return IntentPerson
		}
	}
	for i, w := range ws {
		if personWords[w] || personWords[raw[i]] {
			return IntentPerson
		}
	}
	if !pending || len(ws) == 0 || len(ws) > maxAnswerWords {
		return IntentQuestion
	}
	has := func(set map[string]bool) bool {
		for i, w := range ws {
			if set[w] || set[raw[i]] {
				return true
			}
		}
		return false
	}
	switch {
	case has(noWords):
		return IntentNo
	case has(yesWords):
		return IntentYes
	}
	return IntentQuestion
}

// QuestionHash is the SHA-256 (hex) of the question's meaningful words
// (normalize.Stems: folded, stop words dropped, Hebrew one-letter prefixes
// stripped) in order, joined by spaces; "" when it has none (a greeting, an attachment
// only). Two questions differing only in niqqud, final letters, prefixes,
// case or punctuation have the same hash.
func QuestionHash(text string) string {
	toks := normalize.Stems(text)
	if len(toks) == 0 {
		return ""
	}
	sum := sha256.Sum256([]byte(strings.Join(toks, " ")))
	return hex.EncodeToString(sum[:])
}
