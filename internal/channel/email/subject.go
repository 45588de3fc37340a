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

var (
	bounceFromRE    = regexp.MustCompile(`(?i)^(mailer-daemon|postmaster|mail-daemon)@`)
	bounceSubjectRE = regexp.MustCompile(`(?i)(undeliver|delivery status notification \(failure\)|mail delivery failed|returned mail|delivery failure|failure notice|לא נמסר)`)
	origIDRE        = regexp.MustCompile(`(?im)^Message-ID:[ \t]*<([^>\r\n]+)>`)
	finalRcptRE     = regexp.MustCompile(`(?im)^(?:Final|Original)-Recipient:[ \t]*(?:rfc822;)?[ \t]*<?([^\s>;]+@[^\s>;]+)>?`)
	dsnStatusRE     = regexp.MustCompile(`(?im)^Status:[ \t]*([245]\.\d{1,3}\.\d{1,3})`)
	diagnosticRE    = regexp.MustCompile(`(?im)^Diagnostic-Code:[ \t]*(.+)$`)
)

// classifyBounce recognizes a delivery failure report and fills m.Bounce
// when the parser did not.
// FALLBACK: parse.Parse on branch email-parse recognizes RFC 3464 and
// common non-standard bounces itself; this covers the baseline parser and
// never overrides what the parser set.
func classifyBounce(m *parse.Message) {
	if m.Kind != parse.KindNormal || m.Header == nil {
		return
	}
	ct := strings.ToLower(m.Header("Content-Type"))
	isReport := strings.Contains(ct, "multipart/report") && strings.Contains(ct, "delivery-status")
	if !isReport && m.Header("X-Failed-Recipients") == "" &&
		!(bounceFromRE.MatchString(m.From.Email) && bounceSubjectRE.MatchString(m.Subject)) {
		return
	}
	b := &parse.Bounce{Permanent: true}
	texts := []string{}
	for _, p := range m.Attachments {
		texts = append(texts, string(p.Data))
	}
	texts = append(texts, m.Text)
	all := strings.Join(texts, "\n")
	for _, x := range origIDRE.FindAllStringSubmatch(all, -1) {
		if id := strings.TrimSpace(x[1]); id != m.MessageID {
			b.OriginalMessageID = id
			break
		}
	}
	for _, x := range finalRcptRE.FindAllStringSubmatch(all, -1) {
		b.Recipients = appendNew(b.Recipients, strings.TrimSpace(x[1]))
	}
	for _, r := range strings.Split(m.Header("X-Failed-Recipients"), ",") {
		if r = strings.TrimSpace(r); r != "" {
			b.Recipients = appendNew(b.Recipients, r)
		}
	}
	if x := dsnStatusRE.FindStringSubmatch(all); x != nil {
		b.Status = x[1]
		b.Permanent = strings.HasPrefix(b.Status, "5")
	}
	if x := diagnosticRE.FindStringSubmatch(all); x != nil {
		b.Diagnostic = strings.TrimSpace(x[1])
	}
	m.Kind, m.KindReason, m.Bounce = parse.KindBounce, "delivery failure report", b
}

func appendNew(xs []string, x string) []string {
	for _, y := range xs {
		if strings.EqualFold(x, y) {
			return xs
		}
	}
	return append(xs, x)
}
