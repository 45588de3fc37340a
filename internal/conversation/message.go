package conversation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/attachment"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/routing"
)

// Message kinds and directions.
const (
	KindReply = "reply" // a public message to or from the customer
	KindNote  = "note"  // an internal note, never shown to the customer
	KindEvent = "event" // a system event in the timeline (status changed, …)

	DirectionInbound  = "inbound"  // from the customer
	DirectionOutbound = "outbound" // to the customer
	DirectionInternal = "internal" // notes and events
)

// Message is one entry in a conversation's thread. BodyHTML is already
// sanitized; BodyText is always present (derived from HTML when needed).
// For events, ChannelMeta["event"] names the event and holds its values.
type Message struct {
	ID             int64                   `json:"id"`
	ConversationID int64                   `json:"conversation_id"`
	Direction      string                  `json:"direction"`
	Kind           string                  `json:"kind"`
	AuthorType     string                  `json:"author_type"`
	AuthorID       *int64                  `json:"author_id"`
	BodyText       string                  `json:"body_text"`
	BodyHTML       string                  `json:"body_html"`
	ChannelMeta    map[string]any          `json:"channel_meta"`
	DeliveryStatus string                  `json:"delivery_status"`
	Attachments    []attachment.Attachment `json:"attachments"`
	CreatedAt      time.Time               `json:"created_at"`
}

// MessageInput adds a message. Kind is "reply" (default) or "note".
// Direction applies to replies: "outbound" (default; an agent answers) or
// "inbound" (a customer message arriving through the API). Status, when
// set, is applied after a reply or note (e.g. reply and set pending).
type MessageInput struct {
	Kind          string  `json:"kind"`
	Direction     string  `json:"direction"`
	Body          string  `json:"body"`
	HTML          string  `json:"html"`
	AttachmentIDs []int64 `json:"attachment_ids"`
	Status        string  `json:"status"`

	// Set by channels and importers, not by API clients.
	ChannelMeta map[string]any `json:"-"`
	CreatedAt   *time.Time     `json:"-"`
	AuthorType  string         `json:"-"` // "bot" for the answer bot
	// AuthorContactID is the contact who wrote an inbound message when it
	// is not the requester (a colleague replying on the thread, another
	// sender using the subject tag); 0 means the requester.
	AuthorContactID int64 `json:"-"`
	// KeepStatus adds the message without its status effects (an email
	// auto-reply or bulk mail never reopens a solved conversation nor moves
	// a pending one to open).
	KeepStatus bool `json:"-"`
	// OnClosed lets AddMessageTx add this message to a closed conversation
	// (with KeepStatus, the conversation stays closed): only the CSAT
	// survey mail of a conversation closed before the survey's delay
	// elapsed sets it (docs/reports.md: sent when solved or closed).
	OnClosed bool `json:"-"`

	// prepared holds the result of PrepareMessage (nil: compute on insert).
	prepared *preparedBody
}

// preparedBody is a message's CPU-only derived data, computed ahead of the
// write transaction by PrepareMessage.
type preparedBody struct {
	text, html string
	// lang and langConf are routing.DetectLanguage of the body (inbound
	// messages only; "" and 0 otherwise).
	lang     string
	langConf float64
}

// PrepareMessage does the CPU-only part of adding m ahead of time:
// sanitizing its HTML, deriving its plain text and detecting the language
// of an inbound body. Callers that add messages inside a write transaction
// (the inbound email pipeline) call it first so that work stays out of the
// single SQLite writer and runs on the caller's goroutine in parallel.
// Calling it is optional and changes no result; m must not be changed
// afterwards (its Body and HTML would be stale).
func (s *Service) PrepareMessage(m *MessageInput) {
	m.prepared = nil
	text, html := s.bodies(m)
	p := &preparedBody{text: text, html: html}
	if m.Direction == DirectionInbound {
		p.lang, p.langConf = routing.DetectLanguage(m.Body)
	}
	m.prepared = p
}

// detectLanguage is routing.DetectLanguage of m's body, from PrepareMessage
// when it ran.
func detectLanguage(m *MessageInput) (string, float64) {
	if m.prepared != nil {
		return m.prepared.lang, m.prepared.langConf
	}
	return routing.DetectLanguage(m.Body)
}

func (s *Service) checkMessage(c *errs.Checker, prefix string, m *MessageInput) {
	if m.Kind == "" {
		m.Kind = KindReply
	}
	c.OneOf(prefix+"kind", m.Kind, KindReply, KindNote)
	if m.Kind == KindNote {
		c.Check(m.Direction == "" || m.Direction == DirectionInternal, prefix+"direction", "invalid", "notes have no direction")
		m.Direction = DirectionInternal
	} else {
		if m.Direction == "" {
			m.Direction = DirectionOutbound
		}
		c.OneOf(prefix+"direction", m.Direction, DirectionInbound, DirectionOutbound)
	}
	c.Check(len(m.Body) <= MaxBodyTextBytes, prefix+"body", "too_long", "body must be at most %d bytes", MaxBodyTextBytes)
	c.Check(len(m.HTML) <= MaxBodyHTMLBytes, prefix+"html", "too_long", "html must be at most %d bytes", MaxBodyHTMLBytes)
	c.Check(strings.TrimSpace(m.Body) != "" || strings.TrimSpace(m.HTML) != "" || len(m.AttachmentIDs) > 0,
		prefix+"body", "required", "a message needs a body or an attachment")
	c.Check(len(m.AttachmentIDs) <= MaxAttachments, prefix+"attachment_ids", "too_many", "at most %d attachments", MaxAttachments)
	if m.Status != "" {
		c.OneOf(prefix+"status", m.Status, Statuses...)
	}
}

// bodies returns the sanitized HTML and the plain text of a message.
func (s *Service) bodies(m *MessageInput) (string, string) {
	if m.prepared != nil {
		return m.prepared.text, m.prepared.html
	}
	text := strings.TrimSpace(m.Body)
	html := ""
	if strings.TrimSpace(m.HTML) != "" {
		html = s.html.Sanitize(m.HTML)
		if text == "" {
			text = htmlToText(html)
		}
	}
	return text, html
}

// AddMessage adds a reply or note to conversation id and applies its effects
// on the conversation: an agent's first public reply sets first response
// time and moves new → open; a customer reply moves pending/on hold → open
// and reopens a solved conversation. A customer reply to a closed
// conversation starts a follow-up conversation linked to it, which is
// returned. Errors: errs.ErrNotFound, *errs.ValidationError, errs.ErrConflict
// (an agent writing to a closed conversation).
func (s *Service) AddMessage(ctx context.Context, actor audit.Actor, id int64, m MessageInput) (Message, Conversation, error) {
	var c errs.Checker
	s.checkMessage(&c, "", &m)
	if err := c.Err(); err != nil {
		return Message{}, Conversation{}, err
	}
	var msg Message
	convID := id
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		conv, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if conv.Status == StatusClosed {
			if m.Direction != DirectionInbound {
				return fmt.Errorf("conversation %d is closed: %w", id, errs.ErrConflict)
			}
			conv, err = s.followUpTx(ctx, tx, actor, conv)
			if err != nil {
				return err
			}
			convID = conv.ID
		}
		msg, err = s.insertMessageTx(ctx, tx, actor, &conv, m, false)
		if err != nil {
			return err
		}
		if m.Status != "" && m.Status != conv.Status {
			if err := s.applyTx(ctx, tx, actor, &conv, Patch{Status: patch.Of(m.Status)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Message{}, Conversation{}, err
	}
	if len(m.AttachmentIDs) > 0 {
		atts, err := s.files.ForMessages(ctx, []int64{msg.ID})
		if err != nil {
			return Message{}, Conversation{}, err
		}
		msg.Attachments = atts[msg.ID]
	}
	conv, err := s.Get(ctx, convID)
	return msg, conv, err
}

// followUpTx creates a new conversation linked to a closed one, with the
// same inbox, requester, team, priority and subject.
func (s *Service) followUpTx(ctx context.Context, tx *db.Tx, actor audit.Actor, old Conversation) (Conversation, error) {
	now := s.Now()
	newID, err := tx.InsertID(ctx, `INSERT INTO conversations (inbox_id, channel, subject, status, priority, requester_id, team_id,
		ccs, custom_fields, language, follow_up_of, created_at, updated_at, status_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		old.InboxID, old.Channel, old.Subject, StatusNew, old.Priority, old.RequesterID, db.IDArg(old.TeamIDOr0()),
		db.JSON(old.CCs), "{}", old.Language, old.ID, db.Ms(now), db.Ms(now), db.Ms(now))
	if err != nil {
		return Conversation{}, fmt.Errorf("conversation: follow-up: %w", err)
	}
	if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "conversation.created", EntityType: "conversation", EntityID: newID,
		Changes: map[string]audit.Change{"follow_up_of": {To: old.ID}}}); err != nil {
		return Conversation{}, err
	}
	if err := s.outbox.Publish(ctx, tx, events.ConversationCreated, map[string]any{"conversation_id": newID, "follow_up_of": old.ID}); err != nil {
		return Conversation{}, err
	}
	c, err := s.get(ctx, tx, newID)
	if err != nil {
		return Conversation{}, err
	}
	return c, s.indexConversationTx(ctx, tx, &c)
}

// insertMessageTx stores a validated message. Unless fresh (a conversation
// Create just inserted with the message's effects already applied), it also
// applies the message's effects to the conversation, in the database and in
// *conv, and records a status the message changed.
func (s *Service) insertMessageTx(ctx context.Context, tx *db.Tx, actor audit.Actor, conv *Conversation, m MessageInput, fresh bool) (Message, error) {
	now := s.Now()
	if m.CreatedAt != nil {
		now = m.CreatedAt.UTC().Truncate(time.Millisecond)
	}
	text, html := s.bodies(&m)
	msg := Message{ConversationID: conv.ID, Direction: m.Direction, Kind: m.Kind, BodyText: text, BodyHTML: html,
		ChannelMeta: m.ChannelMeta, CreatedAt: now, Attachments: []attachment.Attachment{}}
	if msg.ChannelMeta == nil {
		msg.ChannelMeta = map[string]any{}
	}
	uploader := int64(0)
	switch {
	case m.Direction == DirectionInbound:
		msg.AuthorType = "contact"
		rid := conv.RequesterID
		if m.AuthorContactID != 0 {
			rid = m.AuthorContactID
		}
		msg.AuthorID = &rid
	case m.AuthorType == "bot":
		msg.AuthorType = "bot"
	case actor.Type == "agent":
		msg.AuthorType = "agent"
		aid := actor.ID
		msg.AuthorID = &aid
		uploader = actor.ID
	default:
		msg.AuthorType = "system"
	}
	if m.Direction == DirectionOutbound {
		msg.DeliveryStatus = "queued"
		// Chat replies are pushed to the visitor's socket as they commit.
		if conv.Channel == "api" || conv.Channel == "phone" || conv.Channel == "chat" {
			msg.DeliveryStatus = "sent"
		}
	}
	var author any
	if msg.AuthorID != nil {
		author = *msg.AuthorID
	}
	var err error
	msg.ID, err = tx.InsertID(ctx, `INSERT INTO messages (conversation_id, direction, kind, author_type, author_id, body_text, body_html,
		channel_meta, delivery_status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, conv.ID, msg.Direction, msg.Kind,
		msg.AuthorType, author, msg.BodyText, msg.BodyHTML, db.JSON(msg.ChannelMeta), msg.DeliveryStatus, db.Ms(now))
	if err != nil {
		return Message{}, fmt.Errorf("conversation: insert message: %w", err)
	}
	if len(m.AttachmentIDs) > 0 {
		if err := attachment.LinkTx(ctx, tx, m.AttachmentIDs, msg.ID, uploader, "attachment_ids"); err != nil {
			return Message{}, err
		}
	}
	if fresh {
		// Create already wrote the conversation with this message's effects.
		if err := s.indexMessageTx(ctx, tx, conv, &msg); err != nil {
			return Message{}, err
		}
		return msg, s.outbox.Publish(ctx, tx, events.MessageCreated, createdEvent(conv.ID, msg))
	}
	fromStatus := conv.Status
	automatic, _ := msg.ChannelMeta["automatic"].(bool)
	sets, args := messageEffects(conv, msg.Direction, msg.AuthorType, automatic, now, m.KeepStatus)
	args = append(args, conv.ID)
	if _, err := tx.Exec(ctx, `UPDATE conversations SET `+strings.Join(sets, ", ")+` WHERE id = ?`, args...); err != nil {
		return Message{}, fmt.Errorf("conversation: update after message: %w", err)
	}
	// A status the message changed by itself is recorded like any other
	// change: in the timeline and in the audit log, by the message's author.
	if conv.Status != fromStatus {
		who := actor
		if m.Direction == DirectionInbound {
			who = audit.Actor{Type: "contact", ID: conv.RequesterID}
		}
		name := "status_changed"
		if fromStatus == StatusSolved {
			name = "reopened"
		}
		if err := s.eventTx(ctx, tx, who, conv.ID, name, map[string]any{"from": fromStatus, "to": conv.Status}, now); err != nil {
			return Message{}, err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: who, Action: "conversation.updated", EntityType: "conversation",
			EntityID: conv.ID, CreatedAt: now, Changes: map[string]audit.Change{"status": {From: fromStatus, To: conv.Status}},
		}); err != nil {
			return Message{}, err
		}
	}
	if err := s.indexMessageTx(ctx, tx, conv, &msg); err != nil {
		return Message{}, err
	}
	if conv.Status != fromStatus {
		if err := s.reindexFiltersTx(ctx, tx, conv); err != nil {
			return Message{}, err
		}
	}
	if err := s.outbox.Publish(ctx, tx, events.MessageCreated, createdEvent(conv.ID, msg)); err != nil {
		return Message{}, err
	}
	return msg, nil
}

// eventTx adds a system event to the timeline. name is a stable event name
// ("status_changed", "assigned", …); values carry its data for the UI to
// render in the agent's language.
func (s *Service) eventTx(ctx context.Context, tx *db.Tx, actor audit.Actor, convID int64, name string, values map[string]any, at time.Time) error {
	meta := map[string]any{"event": name}
	for k, v := range values {
		meta[k] = v
	}
	var author any
	if actor.ID != 0 {
		author = actor.ID
	}
	authorType := actor.Type
	if authorType == "automation" {
		// A rule's change shows as the system's, naming the rule.
		meta["rule_id"], meta["rule_name"] = actor.ID, actor.Name
		author = nil
	}
	if authorType != "agent" && authorType != "contact" && authorType != "bot" {
		authorType = "system"
	}
	text := name
	if from, ok := values["from"]; ok {
		text = fmt.Sprintf("%s: %s → %s", name, show(from), show(values["to"]))
	} else if to, ok := values["to"]; ok {
		text = fmt.Sprintf("%s: %s", name, show(to))
	}
	_, err := tx.Exec(ctx, `INSERT INTO messages (conversation_id, direction, kind, author_type, author_id, body_text, channel_meta, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, convID, DirectionInternal, KindEvent, authorType, author, text, db.JSON(meta), db.Ms(at))
	return err
}

// ListMessages returns the thread of conversation id, oldest first,
// including notes and events, at most limit after message afterID.
func (s *Service) ListMessages(ctx context.Context, id, afterID int64, limit int) ([]Message, error) {
	rows, err := s.db.R().Query(ctx, `SELECT id, conversation_id, direction, kind, author_type, author_id, body_text, body_html,
		channel_meta, delivery_status, created_at FROM messages WHERE conversation_id = ? AND id > ? ORDER BY id LIMIT ?`, id, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("conversation: list messages: %w", err)
	}
	out := []Message{}
	var ids []int64
	for rows.Next() {
		var m Message
		var author db.NullMs
		var meta string
		var ms int64
		if err := rows.Scan(&m.ID, &m.ConversationID, &m.Direction, &m.Kind, &m.AuthorType, &author, &m.BodyText, &m.BodyHTML,
			&meta, &m.DeliveryStatus, &ms); err != nil {
			rows.Close()
			return nil, err
		}
		m.AuthorID = idPtr(author)
		_ = json.Unmarshal([]byte(meta), &m.ChannelMeta)
		m.CreatedAt = db.Time(ms)
		m.Attachments = []attachment.Attachment{}
		out = append(out, m)
		ids = append(ids, m.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	atts, err := s.files.ForMessages(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if a, ok := atts[out[i].ID]; ok {
			out[i].Attachments = a
		}
	}
	return out, nil
}

// MessageConversation returns the conversation a message belongs to (for
// permission checks on attachment downloads).
func (s *Service) MessageConversation(ctx context.Context, messageID int64) (int64, error) {
	var id int64
	err := s.db.R().QueryRow(ctx, `SELECT conversation_id FROM messages WHERE id = ?`, messageID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("message %d: %w", messageID, errs.ErrNotFound)
	}
	return id, nil
}

// show renders an event value for the English fallback text.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case *int64:
		if x == nil {
			return "none"
		}
		return fmt.Sprint(*x)
	case []string:
		if len(x) == 0 {
			return "none"
		}
		return strings.Join(x, ", ")
	}
	return fmt.Sprint(v)
}

// messageEffects applies a new message's effects to conv in memory — a
// customer message moves pending/on hold to open and reopens a solved
// conversation (recording the first reopen's time, first_reopened_at, for
// first contact resolution); an agent's first public reply sets the first response time
// and opens a new conversation — and returns the column assignments that
// persist them. at is the message's time. keepStatus leaves the status as
// it is. The first response is the first public reply by a human agent:
// bots, the system and automatic messages (channel_meta "automatic": true,
// e.g. acknowledgements and lateness notices) never set it (the definition
// in internal/report).
func messageEffects(conv *Conversation, direction, authorType string, automatic bool, at time.Time, keepStatus bool) ([]string, []any) {
	sets := []string{"message_count = message_count + 1", "updated_at = ?"}
	args := []any{max(db.Ms(at), db.Ms(conv.UpdatedAt))}
	t := at
	switch direction {
	case DirectionInbound:
		sets = append(sets, "last_customer_message_at = ?")
		args = append(args, db.Ms(at))
		conv.LastCustomerMessageAt = &t
		if keepStatus {
			break
		}
		switch conv.Status {
		case StatusPending, StatusOnHold:
			sets = append(sets, "status = ?", "status_changed_at = ?")
			args = append(args, StatusOpen, db.Ms(at))
			conv.Status = StatusOpen
		case StatusSolved:
			sets = append(sets, "status = ?", "status_changed_at = ?", "solved_at = NULL", "reopen_count = reopen_count + 1",
				"first_reopened_at = COALESCE(first_reopened_at, ?)")
			args = append(args, StatusOpen, db.Ms(at), db.Ms(at))
			conv.Status, conv.SolvedAt = StatusOpen, nil
			conv.ReopenCount++
		}
	case DirectionOutbound:
		sets = append(sets, "last_agent_message_at = ?")
		args = append(args, db.Ms(at))
		conv.LastAgentMessageAt = &t
		if conv.FirstResponseAt == nil && authorType == "agent" && !automatic {
			sets = append(sets, "first_response_at = ?")
			args = append(args, db.Ms(at))
			conv.FirstResponseAt = &t
		}
		if conv.Status == StatusNew {
			sets = append(sets, "status = ?", "status_changed_at = ?")
			args = append(args, StatusOpen, db.Ms(at))
			conv.Status = StatusOpen
		}
	}
	conv.MessageCount++
	if at.After(conv.UpdatedAt) {
		conv.UpdatedAt = at
	}
	return sets, args
}

// messageAuthorType is who a new message is from: the customer for inbound
// messages, the bot when the bot says so, an agent acting as themself, or
// the system.
func messageAuthorType(actor audit.Actor, m MessageInput) string {
	switch {
	case m.Direction == DirectionInbound:
		return "contact"
	case m.AuthorType == "bot":
		return "bot"
	case actor.Type == "agent":
		return "agent"
	}
	return "system"
}

// MessageCreatedEvent is the payload of a message.created event published
// by this package: the conversation and message ids and the message's kind
// ("reply", "note", "event"), direction ("inbound", "outbound",
// "internal") and author type ("contact", "agent", "bot", "system").
type MessageCreatedEvent struct {
	ConversationID int64  `json:"conversation_id"`
	MessageID      int64  `json:"message_id"`
	Kind           string `json:"kind"`
	Direction      string `json:"direction"`
	AuthorType     string `json:"author_type"`
}

func createdEvent(conversationID int64, m Message) MessageCreatedEvent {
	return MessageCreatedEvent{ConversationID: conversationID, MessageID: m.ID, Kind: m.Kind, Direction: m.Direction,
		AuthorType: m.AuthorType}
}

// DecodeMessageCreated reads a message.created event's payload. Errors: the
// JSON decoder's, wrapped with the event's topic and id.
func DecodeMessageCreated(e events.Event) (MessageCreatedEvent, error) {
	var p MessageCreatedEvent
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return p, fmt.Errorf("decode %s %d: %w", e.Topic, e.ID, err)
	}
	return p, nil
}
