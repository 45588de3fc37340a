package parse

import (
	"regexp"
	"strings"
)

// Reply headers that introduce quoted history. Each is matched against one
// line, or two joined lines (clients wrap long attribution lines), with
// bidi control characters removed and surrounding "*" (Outlook bold in
// plain text) and spaces trimmed.
var (
	// Gmail, Apple Mail, Thunderbird: "On Thu, Mar 26, 2026 at 4:00 PM Dana <d@x> wrote:",
	// "On 26 Mar 2026, at 16:00, Dana <d@x> wrote:", "On 3/26/26 4:00 PM, Dana wrote:".
	// German puts the verb first: "Am 26.03.2026 um 16:00 schrieb Dana <d@x>:".
	onWrote = regexp.MustCompile(`(?i)^((on|le|am|el|il|op)\s.{3,300}\s(wrote|a écrit|schrieb|escribió|ha scritto|schreef)\s*:|am\s.{3,300}\sschrieb\s.{1,300}:)$`)
	// Hebrew Gmail: "בתאריך יום ה׳, 26 במרץ 2026 ב-16:00 מאת דנה <d@x>:" (with or
	// without "כתב/ה"); Apple Mail / Outlook Hebrew: "ב-26 במרץ 2026, בשעה 16:00, דנה כתב/ה:".
	hebrewOnWrote = regexp.MustCompile(`^(בתאריך\s.{3,300}\sמאת\s.{1,300}:|ב[-־]?\s?.{3,300}\s(כתב|כתבה|כתב/ה|כתב\(ה\))\s*:)$`)
	// Outlook / Thunderbird separators.
	originalMessage = regexp.MustCompile(`(?i)^-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|הודעה מקורית)\s*-{2,}$`)
	underscores     = regexp.MustCompile(`^_{10,}$`)
	// Outlook header block: "From: … / Sent: … / To: … / Subject: …".
	fromLine = regexp.MustCompile(`(?i)^(from|von|de|מאת)\s*:\s*\S`)
	sentLine = regexp.MustCompile(`(?i)^(sent|date|gesendet|envoyé|enviado|נשלח|תאריך)\s*:`)
	subjLine = regexp.MustCompile(`(?i)^(subject|to|betreff|an|objet|à|asunto|para|נושא|אל)\s*:`)
	// Mobile signatures.
	mobileSig = regexp.MustCompile(`(?i)^(sent from my |sent from mail for windows|get outlook for |enviado desde mi |von meinem .* gesendet|נשלח מה-?iphone|נשלח מה-?ipad|נשלח מ-?samsung|נשלח מהטלפון)`)
	bidiMarks = strings.NewReplacer("\u200e", "", "\u200f", "", "\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "", "\u2066", "", "\u2067", "", "\u2068", "", "\u2069", "", "\ufeff", "")
)

// cleanLine prepares a line for marker matching.
func cleanLine(s string) string {
	s = bidiMarks.Replace(s)
	s = strings.TrimSpace(s)
	s = strings.Trim(s, "*")
	return strings.TrimSpace(s)
}

// NewText returns the part of a plain-text body written in this message:
// it cuts at the first reply header that introduces quoted history (Gmail,
// Apple Mail and Thunderbird "On … wrote:", Hebrew "בתאריך … מאת …:" and
// "ב-… כתב/ה:", Outlook "-----Original Message-----", an underscore rule or
// a "From:/Sent:/To:/Subject:" block), drops a trailing block of ">" quoted
// lines, and removes a signature introduced by "-- " (RFC 3676) or a mobile
// "Sent from my iPhone" line near the end. Interleaved replies (quoted lines
// followed by new text) are kept whole. When nothing is left, text is
// returned trimmed, so an agent always sees something.
func NewText(text string) string {
	text = normalizeNewlines(text)
	lines := strings.Split(text, "\n")
	cut := len(lines)
	for i := 0; i < len(lines) && cut == len(lines); i++ {
		c := cleanLine(lines[i])
		if c == "" || strings.HasPrefix(c, ">") {
			continue
		}
		next := ""
		if i+1 < len(lines) {
			next = cleanLine(lines[i+1])
		}
		switch {
		case onWrote.MatchString(c), hebrewOnWrote.MatchString(c), originalMessage.MatchString(c):
			cut = i
		case next != "" && len(c) < 200 && (onWrote.MatchString(c+" "+next) || hebrewOnWrote.MatchString(c+" "+next)) && startsAttribution(c):
			cut = i
		case underscores.MatchString(c) && headerBlockAt(lines, i+1):
			cut = i
		case fromLine.MatchString(c) && headerBlockAt(lines, i):
			cut = i
		}
	}
	lines = lines[:cut]
	// Trailing ">" quoted block (with blank lines) goes.
	end := len(lines)
	for end > 0 {
		c := strings.TrimSpace(lines[end-1])
		if c == "" || strings.HasPrefix(c, ">") {
			end--
			continue
		}
		break
	}
	lines = lines[:end]
	// Signature: "-- " anywhere, "--" or a mobile line in the last lines.
	for i, l := range lines {
		tr := strings.TrimRight(l, " \t")
		if l == "-- " || (tr == "--" && len(lines)-i <= 12) || (mobileSig.MatchString(cleanLine(l)) && len(lines)-i <= 3) {
			lines = lines[:i]
			break
		}
	}
	out := strings.TrimSpace(strings.Join(lines, "\n"))
	if out == "" {
		return strings.TrimSpace(text)
	}
	return out
}

// startsAttribution reports whether a line may be the first half of a
// wrapped attribution line.
func startsAttribution(c string) bool {
	l := strings.ToLower(c)
	for _, p := range []string{"on ", "le ", "am ", "el ", "il ", "op ", "בתאריך", "ב-", "ב־"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// headerBlockAt reports whether lines[i:] starts an Outlook-style quoted
// header block: a From line followed within the next four lines by a
// Sent/Date line and a To/Subject line.
func headerBlockAt(lines []string, i int) bool {
	for i < len(lines) && cleanLine(lines[i]) == "" {
		i++
	}
	if i >= len(lines) || !fromLine.MatchString(cleanLine(lines[i])) {
		return false
	}
	sent, subj := false, false
	for j := i + 1; j < len(lines) && j <= i+5; j++ {
		c := cleanLine(lines[j])
		sent = sent || sentLine.MatchString(c)
		subj = subj || subjLine.MatchString(c)
	}
	return sent && subj
}
