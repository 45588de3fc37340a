package email

import (
	"strings"

	"github.com/kesherdesk/kesher/internal/channel/email/parse"
)

// normalizeSubject is parse.NormalizeSubject with case folded, so that
// "RE: Printer" and "re: printer" thread together.
func normalizeSubject(s string) string { return strings.ToLower(parse.NormalizeSubject(s)) }

// subjectTag finds a conversation tag "[#1234]" in a subject.
func subjectTag(s string) (int64, bool) { return parse.SubjectTag(s) }
