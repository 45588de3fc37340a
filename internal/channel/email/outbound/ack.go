package outbound

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/kesherdesk/kesher/internal/canned"
	"github.com/kesherdesk/kesher/internal/channel/email/parse"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/search"
)

// An email inbox's settings may ask for an acknowledgement of each new
// conversation a customer starts by mail:
//
//	"ack": {"enabled": true, "templates": {
//	    "he": {"subject": "…", "body": "…"},
//	    "en": {"subject": "…", "body": "…"}}}
//	"automatic_limit_per_hour": 5
//
// Subjects and bodies take the placeholders of canned responses
// ({{contact.first_name}}, {{conversation.number}}, …). The Hebrew
// template answers conversations in Hebrew, the English one all others; a
// missing or empty template falls back to the other language, then to
// Kesher's built-in text. The subject gets the conversation tag when it
// lacks one. automatic_limit_per_hour (default DefaultAutomaticLimit)
// bounds the automatic messages one address receives per hour.
const (
	SettingAck            = "ack"
	SettingAutomaticLimit = "automatic_limit_per_hour"
)

// Kinds of inbound mail (channel_meta "kind", set by the inbound pipeline
// from parse.Message.Kind) that never get an automatic answer.
var noAutoReplyKinds = map[string]bool{"auto_reply": true, "bulk": true, "bounce": true}

// Template is one language's acknowledgement.
type Template struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// DefaultTemplates are used when an inbox enables acknowledgements without
// writing its own.
var DefaultTemplates = map[string]Template{
	"he": {Subject: "קיבלנו את פנייתך", Body: "שלום {{contact.first_name}},\n\nקיבלנו את פנייתך ונחזור אליך בהקדם. מספר הפנייה: {{conversation.number}}.\nאפשר להשיב למייל זה כדי להוסיף פרטים."},
	"en": {Subject: "We received your request", Body: "Hello {{contact.first_name}},\n\nWe received your request and will get back to you soon. Your request number is {{conversation.number}}.\nReply to this email to add details."},
}

func (s *Service) onConversationCreated(ctx context.Context, e events.Event) error {
	var p struct {
		ConversationID int64 `json:"conversation_id"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("outbound: decode %s %d: %w", e.Topic, e.ID, err)
	}
	_, err := s.Acknowledge(ctx, p.ConversationID)
	return err
}

// Acknowledge sends the acknowledgement of conversation id when its inbox
// is an email inbox with "ack" enabled, its first message is a customer's
// (inbound) mail that is not an auto-reply, bulk mail or bounce, no
// acknowledgement was stored yet, and AllowAutomaticN allows one more
// automatic message to the requester. The acknowledgement is stored as an
// outbound reply by the system (channel_meta {"automatic": true, "auto":
// "ack", "subject": …}), not counted as a first response, and queued for
// delivery like any reply. It returns the new message's id, 0 when none
// was sent. Errors: a database error.
func (s *Service) Acknowledge(ctx context.Context, id int64) (int64, error) {
	conv, err := s.conversations.Get(ctx, id)
	if errors.Is(err, errs.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	ib, err := s.inboxes.Get(ctx, conv.InboxID)
	if err != nil || ib.Channel != inbox.ChannelEmail {
		return 0, err
	}
	ack, _ := ib.Settings[SettingAck].(map[string]any)
	if on, _ := ack["enabled"].(bool); !on {
		return 0, nil
	}
	limit := DefaultAutomaticLimit
	if f, ok := ib.Settings[SettingAutomaticLimit].(float64); ok {
		limit = int(f)
	}
	var msgID int64
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var dir, raw, text string
		err := tx.QueryRow(ctx, `SELECT direction, channel_meta, body_text FROM messages
			WHERE conversation_id = ? AND kind = 'reply' ORDER BY id LIMIT 1`, id).Scan(&dir, &raw, &text)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if dir != conversation.DirectionInbound {
			return nil
		}
		var first map[string]any
		_ = json.Unmarshal([]byte(raw), &first)
		if kind, _ := first["kind"].(string); noAutoReplyKinds[kind] {
			s.log.Info("no acknowledgement to automatic mail", "conversation_id", id, "kind", kind)
			return nil
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND direction = 'outbound'
			AND author_type = 'system' AND channel_meta LIKE ?`, id, `%"auto":"ack"%`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil // acknowledged already (the event came twice)
		}
		var name, email string
		if err := tx.QueryRow(ctx, `SELECT name, email FROM contacts WHERE id = ?`, conv.RequesterID).Scan(&name, &email); err != nil {
			return fmt.Errorf("outbound: requester %d: %w", conv.RequesterID, err)
		}
		if strings.TrimSpace(email) == "" {
			return nil
		}
		ok, err := AllowAutomaticN(ctx, tx, email, limit, s.o.Now())
		if err != nil || !ok {
			if err == nil {
				s.log.Info("acknowledgement withheld: automatic mail limit reached", "conversation_id", id, "limit", limit)
			}
			return err
		}
		lang := "en"
		if conv.Language == "he" || (conv.Language == "" && (hasHebrew(text) || hasHebrew(conv.Subject))) {
			lang = "he"
		}
		t := pickTemplate(ack, lang)
		vals := canned.Values{ContactName: name, ContactEmail: email, ConversationNumber: conv.ID, ConversationSubject: conv.Subject}
		subject := strings.TrimSpace(canned.Render(t.Subject, vals))
		if tag := parse.FormatSubjectTag(conv.ID); !strings.Contains(subject, tag) {
			subject += " " + tag
		}
		body := canned.Render(t.Body, vals)
		now := s.o.Now().UTC()
		meta := map[string]any{"automatic": true, "auto": "ack", "subject": subject, "language": lang}
		msgID, err = tx.InsertID(ctx, `INSERT INTO messages (conversation_id, direction, kind, author_type, author_id, body_text,
			body_html, channel_meta, delivery_status, created_at) VALUES (?, 'outbound', 'reply', 'system', NULL, ?, '', ?, ?, ?)`,
			id, body, db.JSON(meta), StatusQueued, db.Ms(now))
		if err != nil {
			return fmt.Errorf("outbound: store acknowledgement: %w", err)
		}
		// Not an agent's answer: no first response, no status change.
		if _, err := tx.Exec(ctx, `UPDATE conversations SET message_count = message_count + 1 WHERE id = ?`, id); err != nil {
			return err
		}
		// Searchable like any reply (internal/search).
		err = search.New(nil).IndexTx(ctx, tx, search.MessageDoc(msgID, id, body, conv.Language, false, search.ConversationFilters{
			InboxID: conv.InboxID, TeamID: conv.TeamIDOr0(), AssigneeID: conv.AssigneeIDOr0(), Status: conv.Status}, db.Ms(now)))
		if err != nil {
			return err
		}
		if _, err := s.ScheduleTx(ctx, tx, msgID); err != nil {
			return err
		}
		return s.outbox.Publish(ctx, tx, events.MessageCreated, map[string]any{"conversation_id": id, "message_id": msgID,
			"kind": conversation.KindReply, "direction": conversation.DirectionOutbound, "author_type": "system"})
	})
	return msgID, err
}

// pickTemplate returns the inbox's template for lang, else the other
// language's, else the built-in one; an empty subject or body is filled
// from the built-in template of lang.
func pickTemplate(ack map[string]any, lang string) Template {
	read := func(l string) Template {
		ts, _ := ack["templates"].(map[string]any)
		m, _ := ts[l].(map[string]any)
		sub, _ := m["subject"].(string)
		body, _ := m["body"].(string)
		return Template{Subject: strings.TrimSpace(sub), Body: strings.TrimSpace(body)}
	}
	other := map[string]string{"he": "en", "en": "he"}[lang]
	t := read(lang)
	if t.Subject == "" && t.Body == "" {
		t = read(other)
	}
	def := DefaultTemplates[lang]
	if t.Subject == "" {
		t.Subject = def.Subject
	}
	if t.Body == "" {
		t.Body = def.Body
	}
	return t
}
