package email

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/kesherdesk/kesher/internal/channel/email/parse"
)

// FALLBACK: parse.NormalizeSubject and parse.SubjectTag are being written on
// branch email-parse. Until they land here, these private copies follow the
// same contract; once merged, normalizeSubject and subjectTag should call
// parse.NormalizeSubject and parse.SubjectTag instead.

var (
	replyPrefixRE = regexp.MustCompile(`(?i)^\s*(re|fw|fwd|aw|wg|sv|vs|antw|השב|תגובה|הועבר|הודעה שהועברה)\s*(\[\d+\]|\(\d+\))?\s*[:：]\s*`)
	leadingTagRE  = regexp.MustCompile(`^\s*\[[^\]]*\]\s*`)
	subjectTagRE  = regexp.MustCompile(`\[#(\d{1,18})\]`)
)

// normalizeSubject strips reply and forward prefixes (repeated, any case,
// English, German, Nordic and Hebrew), conversation tags "[#N]" and leading
// "[list]" tags, and folds whitespace and case, for subject threading.
func normalizeSubject(s string) string {
	s = subjectTagRE.ReplaceAllString(s, " ")
	for {
		t := replyPrefixRE.ReplaceAllString(s, "")
		t = leadingTagRE.ReplaceAllString(t, "")
		if t == s {
			break
		}
		s = t
	}
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// subjectTag finds a conversation tag "[#1234]" in a subject.
func subjectTag(s string) (int64, bool) {
	m := subjectTagRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return n, err == nil && n > 0
}

// classify fills m.Kind when the parser left it empty.
// FALLBACK: parse.Parse on branch email-parse classifies auto-replies,
// bulk mail and bounces itself; this covers the baseline parser and can be
// dropped once that lands (it never overrides a kind the parser set).
func classify(m *parse.Message) {
	if m.Kind != parse.KindNormal || m.Header == nil {
		return
	}
	h := func(name string) string { return strings.ToLower(strings.TrimSpace(m.Header(name))) }
	switch as := h("Auto-Submitted"); {
	case as != "" && as != "no":
		m.Kind, m.KindReason = parse.KindAutoReply, "Auto-Submitted: "+as
		return
	case h("X-Autoreply") != "" || h("X-Autorespond") != "" || h("X-Auto-Response-Suppress") == "all" && strings.HasPrefix(strings.ToLower(m.Subject), "automatic reply"):
		m.Kind, m.KindReason = parse.KindAutoReply, "X-Autoreply"
		return
	}
	switch p := h("Precedence"); p {
	case "auto_reply":
		m.Kind, m.KindReason = parse.KindAutoReply, "Precedence: "+p
	case "bulk", "junk", "list":
		m.Kind, m.KindReason = parse.KindBulk, "Precedence: "+p
	default:
		if h("List-Id") != "" || h("List-Unsubscribe") != "" {
			m.Kind, m.KindReason = parse.KindBulk, "List-Id"
		}
	}
}
