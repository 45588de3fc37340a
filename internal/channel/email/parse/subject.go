package parse

import (
	"regexp"
	"strconv"
	"strings"
)

// replyPrefix matches one reply or forward prefix at the start of a subject:
// Re, Fw, Fwd, AW, WG, SV, VS, Antw, Tr, RIF, Odp, "השב", "תגובה", "הועבר", "ת",
// in any case, with an optional counter ("Re[2]:", "Re(3):", "Re^2:") and a
// colon (ASCII or full-width).
var replyPrefix = regexp.MustCompile(`^(?i)\s*(re|fwd?|aw|wg|sv|vs|antw|tr|rif|odp|השב|תגובה|הועבר|ת)\s*(\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]\s*`)

// leadingTag matches a bracketed tag at the start of a subject ("[#12]",
// "[list-name]", "[Fwd: …]" is not a tag and is left).
var leadingTag = regexp.MustCompile(`^\s*\[[^\]:]*\]\s*`)

// subjectTag finds "[#1234]" anywhere in a subject.
var subjectTag = regexp.MustCompile(`\[#(\d{1,18})\]`)

// NormalizeSubject returns s without reply and forward prefixes (Re:, RE:,
// Fwd:, FW:, AW:, WG:, השב:, תגובה:, הועבר: …, repeated, in any case and in
// any mix) and without bracketed tags ("[#12]", "[list]") found between or
// before them, with whitespace folded to single spaces and trimmed. It is
// used to compare subjects for threading: NormalizeSubject("Re: AW: [#12]
// Printer") == "Printer".
func NormalizeSubject(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = subjectTag.ReplaceAllString(s, " ")
	for {
		before := s
		s = replyPrefix.ReplaceAllString(s, "")
		s = leadingTag.ReplaceAllString(s, "")
		if s == before {
			break
		}
	}
	return strings.Join(strings.Fields(s), " ")
}

// SubjectTag finds the conversation tag "[#1234]" anywhere in subject s and
// returns its number; ok is false when there is none (or the number does
// not fit an int64). The first tag wins.
func SubjectTag(s string) (number int64, ok bool) {
	m := subjectTag.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// FormatSubjectTag returns the conversation tag for number, "[#1234]".
func FormatSubjectTag(number int64) string {
	return "[#" + strconv.FormatInt(number, 10) + "]"
}
