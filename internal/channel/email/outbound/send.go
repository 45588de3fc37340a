package outbound

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"strings"
	"unicode"

	gomail "github.com/wneessen/go-mail"

	"github.com/kesherdesk/kesher/internal/channel/email/parse"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/mailer"
)

// maxReferences bounds the References header (the newest ids are kept).
const maxReferences = 20

// outMessage is what the job reads of the message it sends.
type outMessage struct {
	id, convID int64
	authorType string
	authorID   sql.NullInt64
	text, html string
	meta       map[string]any
	status     string
}

// permanentError marks a delivery failure that no retry can fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

func (s *Service) runSend(ctx context.Context, j jobs.Job) error {
	var p sendPayload
	if err := j.Decode(&p); err != nil {
		return nil // a payload no run can read: nothing to retry
	}
	m, err := s.loadMessage(ctx, p.MessageID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // deleted with its conversation
	}
	if err != nil {
		return err
	}
	if m.status != StatusQueued {
		return nil // recorded by an earlier run
	}
	mail, inboxID, err := s.build(ctx, m, p.MailID)
	if err == nil {
		err = mailer.Deliver(ctx, mail.server, mail.msg)
	}
	if err == nil {
		return s.record(ctx, m, inboxID, p.MailID, StatusSent, "")
	}
	if ctx.Err() != nil {
		return err // shutting down: the job is given back
	}
	if isPermanent(err) || j.Attempts >= j.MaxAttempts {
		s.log.Warn("outbound email failed", "message_id", m.id, "conversation_id", m.convID, "attempts", j.Attempts, "err", err)
		return s.record(ctx, m, inboxID, p.MailID, StatusFailed, reason(err))
	}
	s.log.Info("outbound email deferred", "message_id", m.id, "attempt", j.Attempts, "err", err)
	return err
}

// isPermanent reports whether a delivery error is final: an SMTP 5xx
// reply, an address the server or go-mail refused outright, or a message
// that cannot be built (no SMTP server, no recipient).
func isPermanent(err error) bool {
	var pe permanentError
	if errors.As(err, &pe) {
		return true
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code != 0 {
			return code >= 500
		}
		return se.Reason == gomail.ErrGetSender || se.Reason == gomail.ErrGetRcpts
	}
	return false
}

// reason is the failure text stored in channel_meta.delivery_error.
func reason(err error) string {
	r := err.Error()
	if len(r) > 1000 {
		r = r[:1000]
	}
	return r
}

func (s *Service) loadMessage(ctx context.Context, id int64) (outMessage, error) {
	m := outMessage{id: id}
	var meta string
	err := s.db.R().QueryRow(ctx, `SELECT conversation_id, author_type, author_id, body_text, body_html, channel_meta, delivery_status
		FROM messages WHERE id = ?`, id).Scan(&m.convID, &m.authorType, &m.authorID, &m.text, &m.html, &meta, &m.status)
	if err != nil {
		return m, err
	}
	_ = json.Unmarshal([]byte(meta), &m.meta)
	if m.meta == nil {
		m.meta = map[string]any{}
	}
	return m, nil
}

// builtMail is a mail ready to submit.
type builtMail struct {
	server mailer.Server
	msg    *gomail.Msg
}

// IsAutomatic reports whether a message's channel_meta marks it as sent
// by Kesher on its own (an acknowledgement, later a survey): such mail
// carries Auto-Submitted: auto-replied.
func IsAutomatic(meta map[string]any) bool {
	b, _ := meta["automatic"].(bool)
	return b
}

// build composes message m as mail with Message-ID mailID and returns it
// with the SMTP server of its inbox and the inbox id.
func (s *Service) build(ctx context.Context, m outMessage, mailID string) (builtMail, int64, error) {
	q := s.db.R()
	conv, err := s.conversations.Get(ctx, m.convID)
	if err != nil {
		return builtMail{}, 0, err
	}
	server, ib, err := s.inboxes.SMTPServer(ctx, q, conv.InboxID)
	var ve *errs.ValidationError
	if errors.As(err, &ve) {
		return builtMail{}, conv.InboxID, permanentError{fmt.Errorf("inbox %d: %w", conv.InboxID, err)}
	}
	if err != nil {
		return builtMail{}, conv.InboxID, err
	}
	var toName, toEmail string
	if err := q.QueryRow(ctx, `SELECT name, email FROM contacts WHERE id = ?`, conv.RequesterID).Scan(&toName, &toEmail); err != nil {
		return builtMail{}, conv.InboxID, fmt.Errorf("outbound: requester %d: %w", conv.RequesterID, err)
	}
	if strings.TrimSpace(toEmail) == "" {
		return builtMail{}, conv.InboxID, permanentError{errors.New("the requester has no email address")}
	}
	// The name customers see: the inbox setting "from_name" when set (the
	// inbox's own name is internal, e.g. "מייל תמיכה / Support email").
	fromName := ib.Name
	if n, ok := ib.Settings["from_name"].(string); ok && strings.TrimSpace(n) != "" {
		fromName = strings.TrimSpace(n)
	}
	if m.authorType == "agent" && m.authorID.Valid {
		var agent string
		if err := q.QueryRow(ctx, `SELECT name FROM agents WHERE id = ?`, m.authorID.Int64).Scan(&agent); err == nil && agent != "" {
			fromName = agent + " via " + fromName
		}
	}
	inReplyTo, refs, err := s.thread(ctx, q, m)
	if err != nil {
		return builtMail{}, conv.InboxID, err
	}
	automatic := IsAutomatic(m.meta)
	subject, _ := m.meta["subject"].(string)
	if subject == "" {
		subject = ReplySubject(conv.Subject, conv.ID)
	}

	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.FromFormat(fromName, ib.Address); err != nil {
		return builtMail{}, conv.InboxID, permanentError{fmt.Errorf("inbox address %q: %w", ib.Address, err)}
	}
	if err := msg.ReplyTo(ib.Address); err != nil {
		return builtMail{}, conv.InboxID, permanentError{fmt.Errorf("inbox address %q: %w", ib.Address, err)}
	}
	if err := msg.AddToFormat(toName, toEmail); err != nil {
		return builtMail{}, conv.InboxID, permanentError{fmt.Errorf("requester address %q: %w", toEmail, err)}
	}
	if !automatic && len(conv.CCs) > 0 {
		if err := msg.Cc(conv.CCs...); err != nil {
			return builtMail{}, conv.InboxID, permanentError{fmt.Errorf("cc: %w", err)}
		}
	}
	msg.Subject(subject)
	msg.SetDate()
	msg.SetMessageIDWithValue(mailID)
	if inReplyTo != "" {
		msg.SetGenHeaderPreformatted(gomail.HeaderInReplyTo, "<"+inReplyTo+">")
	}
	if len(refs) > 0 {
		msg.SetGenHeaderPreformatted(gomail.HeaderReferences, "<"+strings.Join(refs, ">\r\n <")+">")
	}
	if automatic {
		// RFC 3834; the Microsoft header keeps Exchange's out-of-office quiet.
		msg.SetGenHeader("Auto-Submitted", "auto-replied")
		msg.SetGenHeader("X-Auto-Response-Suppress", "All")
	}
	if hasHebrew(subject) || hasHebrew(m.text) {
		msg.SetGenHeader(gomail.HeaderContentLang, "he")
	}
	msg.SetGenHeader("X-Kesher-Conversation", fmt.Sprint(conv.ID))
	msg.SetBodyString(gomail.TypeTextPlain, m.text)
	body := m.html
	if strings.TrimSpace(body) == "" {
		body = TextToHTML(m.text)
	}
	msg.AddAlternativeString(gomail.TypeTextHTML, body)
	if err := s.attach(ctx, msg, m.id); err != nil {
		return builtMail{}, conv.InboxID, err
	}
	return builtMail{server: server, msg: msg}, conv.InboxID, nil
}

// thread returns the In-Reply-To and References of message m: the last
// customer message before it (else the last mail Kesher sent in the
// conversation) and that message's references followed by its id.
func (s *Service) thread(ctx context.Context, q db.Querier, m outMessage) (string, []string, error) {
	rows, err := q.Query(ctx, `SELECT direction, channel_meta FROM messages
		WHERE conversation_id = ? AND id < ? AND kind = 'reply' ORDER BY id DESC LIMIT 200`, m.convID, m.id)
	if err != nil {
		return "", nil, fmt.Errorf("outbound: thread of message %d: %w", m.id, err)
	}
	defer rows.Close()
	var fallback map[string]any
	var parent map[string]any
	for rows.Next() {
		var dir, raw string
		if err := rows.Scan(&dir, &raw); err != nil {
			return "", nil, err
		}
		var meta map[string]any
		_ = json.Unmarshal([]byte(raw), &meta)
		if id, _ := meta["message_id"].(string); id == "" {
			continue
		}
		if dir == "inbound" {
			parent = meta
			break
		}
		if fallback == nil {
			fallback = meta
		}
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	if parent == nil {
		parent = fallback
	}
	if parent == nil {
		return "", nil, nil
	}
	id := strings.Trim(parent["message_id"].(string), "<> ")
	refs := stringList(parent["references"])
	if len(refs) == 0 {
		refs = stringList(parent["in_reply_to"])
	}
	refs = append(refs, id)
	// Drop repeats, keeping the last occurrence's order.
	seen := map[string]bool{}
	out := make([]string, 0, len(refs))
	for i := len(refs) - 1; i >= 0; i-- {
		r := strings.Trim(refs[i], "<> ")
		if r == "" || seen[r] || strings.ContainsAny(r, " \t\r\n<>") {
			continue
		}
		seen[r] = true
		out = append(out, r)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	if len(out) > maxReferences {
		out = append(out[:1:1], out[len(out)-maxReferences+1:]...) // keep the thread's root
	}
	return id, out, nil
}

// stringList reads a channel_meta value stored as a list of strings or one
// string of space-separated ids.
func stringList(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		return strings.Fields(strings.NewReplacer("<", " ", ">", " ", ",", " ").Replace(x))
	}
	return nil
}

// attach adds the files linked to message id: inline parts (with a
// Content-ID) embedded for the HTML body, the others as attachments.
func (s *Service) attach(ctx context.Context, msg *gomail.Msg, id int64) error {
	atts, err := s.files.ForMessages(ctx, []int64{id})
	if err != nil {
		return err
	}
	for _, a := range atts[id] {
		r, err := s.files.Open(ctx, a)
		if err != nil {
			return err
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return fmt.Errorf("outbound: read attachment %d: %w", a.ID, err)
		}
		ct := gomail.WithFileContentType(gomail.ContentType(a.ContentType))
		if a.ContentID != "" {
			// An inline image the HTML body references as cid:.
			msg.EmbedReadSeeker(a.Filename, bytes.NewReader(data), ct, gomail.WithFileContentID(a.ContentID))
			continue
		}
		msg.AttachReadSeeker(a.Filename, bytes.NewReader(data), ct)
	}
	return nil
}

// record stores the outcome of a delivery in one transaction: status sent
// (with channel_meta.message_id and the email_message_ids row) or failed
// (with channel_meta.delivery_error), and publishes message.updated.
func (s *Service) record(ctx context.Context, m outMessage, inboxID int64, mailID, status, why string) error {
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var raw, cur string
		err := tx.QueryRow(ctx, `SELECT channel_meta, delivery_status FROM messages WHERE id = ?`, m.id).Scan(&raw, &cur)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && cur != StatusQueued) {
			return nil
		}
		if err != nil {
			return err
		}
		meta := map[string]any{}
		_ = json.Unmarshal([]byte(raw), &meta)
		if status == StatusSent {
			meta["message_id"] = mailID
			delete(meta, "delivery_error")
		} else {
			meta["delivery_error"] = why
		}
		if _, err := tx.Exec(ctx, `UPDATE messages SET delivery_status = ?, channel_meta = ? WHERE id = ?`,
			status, db.JSON(meta), m.id); err != nil {
			return fmt.Errorf("outbound: record delivery of %d: %w", m.id, err)
		}
		if status == StatusSent && inboxID != 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO email_message_ids (inbox_id, message_id, conversation_id, message_row_id)
				VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, inboxID, mailID, m.convID, m.id); err != nil {
				return fmt.Errorf("outbound: record message id of %d: %w", m.id, err)
			}
		}
		payload := map[string]any{"conversation_id": m.convID, "message_id": m.id, "delivery_status": status}
		if why != "" {
			payload["delivery_error"] = why
		}
		return s.outbox.Publish(ctx, tx, events.MessageUpdated, payload)
	})
}

// ReplySubject is the subject of a reply in conversation number:
// "Re: <subject> [#number]", without a second "Re:" or tag when the
// subject has them already.
func ReplySubject(subject string, number int64) string {
	subject = strings.TrimSpace(subject)
	tag := parse.FormatSubjectTag(number)
	if !strings.Contains(subject, tag) {
		subject = strings.TrimSpace(subject + " " + tag)
	}
	if l := strings.ToLower(subject); !strings.HasPrefix(l, "re:") {
		subject = "Re: " + subject
	}
	return subject
}

// TextToHTML renders plain text as HTML: escaped, paragraphs at blank
// lines, line breaks kept, right-to-left when the text is Hebrew.
func TextToHTML(text string) string {
	dir := "ltr"
	if hasHebrew(text) {
		dir = "rtl"
	}
	var b strings.Builder
	b.WriteString(`<div dir="` + dir + `">`)
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		lines := strings.Split(strings.Trim(para, "\n"), "\n")
		for i := range lines {
			lines[i] = html.EscapeString(lines[i])
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>\n") + "</p>\n")
	}
	b.WriteString("</div>")
	return b.String()
}

// hasHebrew reports whether s contains a Hebrew letter.
func hasHebrew(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hebrew, r) {
			return true
		}
	}
	return false
}
