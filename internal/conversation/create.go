package conversation

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
)

// RequesterInput names the customer a conversation is for: an existing
// contact by ID, or an email/phone that is matched to a contact or creates
// one with the given name.
type RequesterInput struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Language string `json:"language"`
}

// CreateInput opens a conversation with its first message. Channel comes
// from the inbox; TeamID defaults to the inbox's team; Status defaults to
// "new" (or "open" when an agent starts the conversation with an outbound
// message). OrderID links the conversation to an order (it must exist); a
// conversation about an order may start with an internal note instead of a
// reply (the late-delivery detector opens its conversation with one).
type CreateInput struct {
	InboxID      int64          `json:"inbox_id"`
	Subject      string         `json:"subject"`
	Status       string         `json:"status"`
	Priority     string         `json:"priority"`
	Requester    RequesterInput `json:"requester"`
	Message      *MessageInput  `json:"message"`
	Tags         []string       `json:"tags"`
	AssigneeID   *int64         `json:"assignee_id"`
	TeamID       *int64         `json:"team_id"`
	CCs          []string       `json:"ccs"`
	CustomFields map[string]any `json:"custom_fields"`
	Language     string         `json:"language"`
	ExternalID   *string        `json:"external_id"`
	OrderID      *int64         `json:"order_id"`

	// CreatedAt backdates the conversation (importers only).
	CreatedAt *time.Time `json:"-"`
}

// minLanguageConfidence is the least routing.DetectLanguage confidence at
// which a conversation takes the detected language.
const minLanguageConfidence = 0.5

func checkCustomFields(c *errs.Checker, m map[string]any) {
	if b, _ := json.Marshal(m); len(b) > MaxCustomFieldLen {
		c.Add("custom_fields", "too_long", "custom fields must encode to at most %d bytes", MaxCustomFieldLen)
	}
	for k := range m {
		c.Check(k != "" && len(k) <= 64, "custom_fields."+k, "invalid", "field names must be 1-64 bytes")
	}
}

func (s *Service) checkCreate(in *CreateInput) ([]string, []string, error) {
	var c errs.Checker
	in.Subject = strings.TrimSpace(in.Subject)
	c.Check(in.InboxID > 0, "inbox_id", "required", "inbox_id is required")
	c.MaxLen("subject", in.Subject, MaxSubjectLength)
	if in.Priority == "" {
		in.Priority = "normal"
	}
	c.OneOf("priority", in.Priority, Priorities...)
	if in.Status != "" {
		c.OneOf("status", in.Status, StatusNew, StatusOpen, StatusPending, StatusOnHold, StatusSolved)
	}
	if in.Message == nil {
		c.Add("message", "required", "a conversation starts with a message")
	} else {
		s.checkMessage(&c, "message.", in.Message)
		c.Check(in.Message.Kind == KindReply || (in.Message.Kind == KindNote && in.OrderID != nil), "message.kind", "invalid",
			"the first message must be a reply")
	}
	tags := normalizeTags(&c, "tags", in.Tags)
	ccs := normalizeCCs(&c, in.CCs)
	checkCustomFields(&c, in.CustomFields)
	c.MaxLen("language", in.Language, 16)
	if in.ExternalID != nil {
		c.Check(*in.ExternalID != "" && len(*in.ExternalID) <= 200, "external_id", "invalid", "external id must be 1-200 characters")
	}
	return tags, ccs, c.Err()
}

// Create opens a conversation: it resolves or creates the requester, stores
// the conversation, its tags and its first message, and records the audit
// entry and the conversation.created and message.created events — all in
// one transaction. Errors: *errs.ValidationError (also for an unknown inbox,
// team, assignee or taken external id).
func (s *Service) Create(ctx context.Context, actor audit.Actor, in CreateInput) (Conversation, Message, error) {
	tags, ccs, err := s.checkCreate(&in)
	if err != nil {
		return Conversation{}, Message{}, err
	}
	now := s.Now()
	if in.CreatedAt != nil {
		now = in.CreatedAt.UTC().Truncate(time.Millisecond)
		if in.Message.CreatedAt == nil {
			in.Message.CreatedAt = &now
		}
	}
	var conv Conversation
	var msg Message
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var err error
		conv, msg, err = s.createTx(ctx, tx, actor, in, tags, ccs, now)
		return err
	})
	if err != nil {
		return Conversation{}, Message{}, err
	}
	return conv, msg, nil
}

// fixRequesterFields keeps requester errors under "requester.…" and maps
// the contact package's "emails[0]"/"phones[0]" to the input's names.
func fixRequesterFields(err error) error {
	v, ok := err.(*errs.ValidationError)
	if !ok {
		return err
	}
	for i, f := range v.Fields {
		switch {
		case strings.HasPrefix(f.Field, "requester.emails"), f.Field == "emails[0]":
			v.Fields[i].Field = "requester.email"
		case strings.HasPrefix(f.Field, "requester.phones"), f.Field == "phones[0]":
			v.Fields[i].Field = "requester.phone"
		case !strings.HasPrefix(f.Field, "requester"):
			v.Fields[i].Field = "requester." + f.Field
		}
	}
	return v
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// CreateTx is Create inside the caller's write transaction (the email
// channel stores a conversation with its raw mail's bookkeeping in one
// transaction). Attachments are linked but not loaded into the message.
// Errors: as Create.
func (s *Service) CreateTx(ctx context.Context, tx *db.Tx, actor audit.Actor, in CreateInput) (Conversation, Message, error) {
	tags, ccs, err := s.checkCreate(&in)
	if err != nil {
		return Conversation{}, Message{}, err
	}
	now := s.Now()
	if in.CreatedAt != nil {
		now = in.CreatedAt.UTC().Truncate(time.Millisecond)
		if in.Message.CreatedAt == nil {
			in.Message.CreatedAt = &now
		}
	}
	return s.createTx(ctx, tx, actor, in, tags, ccs, now)
}

func (s *Service) createTx(ctx context.Context, tx *db.Tx, actor audit.Actor, in CreateInput, tags, ccs []string, now time.Time) (Conversation, Message, error) {
	var conv Conversation
	var msg Message
	err := func() error {
		box, err := s.inboxes.GetTx(ctx, tx, in.InboxID)
		if err != nil {
			return errs.Invalid("inbox_id", "not_found", "no inbox %d", in.InboxID)
		}
		if !box.Enabled {
			return errs.Invalid("inbox_id", "disabled", "inbox %d is disabled", in.InboxID)
		}
		r := in.Requester
		cin := contact.Input{Name: r.Name, Language: r.Language}
		if r.Email != "" {
			cin.Emails = []string{r.Email}
		}
		if r.Phone != "" {
			cin.Phones = []string{r.Phone}
		}
		requesterID, created, err := contact.FindOrCreateTx(ctx, tx, r.ID, cin, "requester")
		if err != nil {
			return fixRequesterFields(err)
		}
		if created {
			if err := s.outbox.Publish(ctx, tx, events.ContactCreated, map[string]int64{"contact_id": requesterID}); err != nil {
				return err
			}
		}
		// A conversation's language: as given; else the language its first
		// customer message is clearly written in; else the requester's.
		if in.Language == "" && in.Message.Direction == DirectionInbound {
			if lang, conf := detectLanguage(in.Message); conf >= minLanguageConfidence {
				in.Language = lang
			}
		}
		if in.Language == "" {
			if created {
				in.Language = r.Language
			} else if err := tx.QueryRow(ctx, `SELECT language FROM contacts WHERE id = ?`, requesterID).Scan(&in.Language); err != nil {
				return err
			}
		}
		if in.OrderID != nil {
			if err := checkOrder(ctx, tx, *in.OrderID, "order_id"); err != nil {
				return err
			}
		}
		teamID := box.TeamID
		if in.TeamID != nil {
			if err := checkTeam(ctx, tx, *in.TeamID, "team_id"); err != nil {
				return err
			}
			teamID = in.TeamID
		}
		if in.AssigneeID != nil {
			if err := checkAgent(ctx, tx, *in.AssigneeID); err != nil {
				return err
			}
		}
		status := in.Status
		if status == "" {
			status = StatusNew
			if in.Message.Direction == DirectionOutbound {
				status = StatusOpen
			}
		}
		// The conversation is written with its first message's effects
		// (counts, first response, last message times) already applied.
		conv = Conversation{Number: 0, InboxID: box.ID, Channel: box.Channel, Subject: in.Subject, Status: status,
			Priority: in.Priority, RequesterID: requesterID, AssigneeID: in.AssigneeID, TeamID: teamID, Tags: tags, CCs: ccs,
			CustomFields: orEmpty(in.CustomFields), Language: in.Language, ExternalID: in.ExternalID, OrderID: in.OrderID,
			CreatedAt: now, UpdatedAt: now}
		if status == StatusSolved {
			conv.SolvedAt = &now
		}
		msgAt := now
		if in.Message.CreatedAt != nil {
			msgAt = in.Message.CreatedAt.UTC().Truncate(time.Millisecond)
		}
		automatic, _ := in.Message.ChannelMeta["automatic"].(bool)
		// A status the caller gave is kept: a conversation created solved
		// with the customer's message stays solved (not "reopened" by its
		// own first message, which would also count a reopen).
		messageEffects(&conv, in.Message.Direction, messageAuthorType(actor, *in.Message), automatic, msgAt, in.Status != "")
		status = conv.Status
		id, err := tx.InsertID(ctx, `INSERT INTO conversations (inbox_id, channel, subject, status, priority, requester_id, assignee_id,
			team_id, ccs, custom_fields, language, external_id, solved_at, first_solved_at, message_count, first_response_at,
			last_customer_message_at, last_agent_message_at, created_at, updated_at, status_changed_at, order_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, box.ID, box.Channel, in.Subject, status, in.Priority, requesterID,
			ptrArg(in.AssigneeID), ptrArg(teamID), db.JSON(ccs), db.JSON(orEmpty(in.CustomFields)), in.Language, in.ExternalID,
			db.MsArg(conv.SolvedAt), db.MsArg(conv.SolvedAt), conv.MessageCount, db.MsArg(conv.FirstResponseAt), db.MsArg(conv.LastCustomerMessageAt),
			db.MsArg(conv.LastAgentMessageAt), db.Ms(now), db.Ms(conv.UpdatedAt), db.Ms(conv.UpdatedAt), ptrArg(in.OrderID))
		if db.IsUniqueViolation(err) {
			return errs.Invalid("external_id", "taken", "a conversation with this external id exists")
		}
		if err != nil {
			return fmt.Errorf("conversation: insert: %w", err)
		}
		conv.ID, conv.Number = id, id
		if err := s.indexConversationTx(ctx, tx, &conv); err != nil {
			return err
		}
		if len(tags) > 0 {
			sort.Strings(tags)
			if err := setTagsTx(ctx, tx, id, tags); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "conversation.created", EntityType: "conversation",
			EntityID: id, CreatedAt: now, Changes: map[string]audit.Change{"status": {To: status}, "inbox_id": {To: box.ID}}}); err != nil {
			return err
		}
		if err := s.outbox.Publish(ctx, tx, events.ConversationCreated, map[string]any{"conversation_id": id, "inbox_id": box.ID,
			"team_id": teamID, "assignee_id": in.AssigneeID, "status": status}); err != nil {
			return err
		}
		msg, err = s.insertMessageTx(ctx, tx, actor, &conv, *in.Message, true)
		if err != nil {
			return err
		}
		// The response is built from what this transaction wrote, not re-read:
		// only an existing requester's summary needs a lookup.
		conv.Requester = &Requester{ID: requesterID, Name: cin.Name}
		if len(cin.Emails) > 0 {
			conv.Requester.Email = cin.Emails[0]
		}
		if !created {
			return tx.QueryRow(ctx, `SELECT name, email FROM contacts WHERE id = ?`, requesterID).
				Scan(&conv.Requester.Name, &conv.Requester.Email)
		}
		return nil
	}()
	return conv, msg, err
}
