package conversation

import (
	"context"
	"fmt"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/patch"
)

// UpdateTx is Update inside the caller's write transaction (automation
// rules apply a plan and its side effects in one transaction; SLA
// escalations change priority, team or assignee with the breach mark). It returns
// the conversation as changed. Errors: as Update.
func (s *Service) UpdateTx(ctx context.Context, tx *db.Tx, actor audit.Actor, id int64, p Patch) (Conversation, error) {
	conv, err := s.get(ctx, tx, id)
	if err != nil {
		return Conversation{}, err
	}
	if err := s.applyTx(ctx, tx, actor, &conv, p); err != nil {
		return Conversation{}, err
	}
	return conv, nil
}

// UpdateTxUnaudited is UpdateTx without the "conversation.updated" audit
// entry: the caller records the change itself (automation rules write one
// "automation.<action>" entry per applied action instead). Errors: as
// Update.
func (s *Service) UpdateTxUnaudited(ctx context.Context, tx *db.Tx, actor audit.Actor, id int64, p Patch) (Conversation, error) {
	conv, err := s.get(ctx, tx, id)
	if err != nil {
		return Conversation{}, err
	}
	if err := s.applyTxAudit(ctx, tx, actor, &conv, p, false); err != nil {
		return Conversation{}, err
	}
	return conv, nil
}

// AddMessageTx adds a reply or note to conversation id inside the caller's
// write transaction, with the effects of AddMessage. Unlike AddMessage it
// never starts a follow-up: any message to a closed conversation is
// errs.ErrConflict (except one marked OnClosed with KeepStatus). Attachments are not loaded into the returned message.
// Errors: errs.ErrNotFound, *errs.ValidationError, errs.ErrConflict.
func (s *Service) AddMessageTx(ctx context.Context, tx *db.Tx, actor audit.Actor, id int64, m MessageInput) (Message, error) {
	var c errs.Checker
	s.checkMessage(&c, "", &m)
	if err := c.Err(); err != nil {
		return Message{}, err
	}
	conv, err := s.get(ctx, tx, id)
	if err != nil {
		return Message{}, err
	}
	if conv.Status == StatusClosed && !(m.OnClosed && m.KeepStatus && m.Status == "") {
		return Message{}, fmt.Errorf("conversation %d is closed: %w", id, errs.ErrConflict)
	}
	msg, err := s.insertMessageTx(ctx, tx, actor, &conv, m, false)
	if err != nil {
		return Message{}, err
	}
	if m.Status != "" && m.Status != conv.Status {
		if err := s.applyTx(ctx, tx, actor, &conv, Patch{Status: patch.Of(m.Status)}); err != nil {
			return Message{}, err
		}
	}
	return msg, nil
}

// GetMany returns the conversations with ids (those that exist, in no
// particular order), read through q — a transaction or the read pool.
func (s *Service) GetMany(ctx context.Context, q db.Querier, ids []int64) ([]Conversation, error) {
	out := []Conversation{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		cs, err := scanConversations(q, ctx, conversationSelect+` WHERE c.id IN (`+marks(n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
		ids = ids[n:]
	}
	return out, nil
}

// AddEventTx adds a system event to conversation id's timeline inside tx:
// name is a stable event name the web app translates (it shows the English
// body text for names it does not know) and values its data. Automation
// actors add channel_meta rule_id and rule_name.
func (s *Service) AddEventTx(ctx context.Context, tx *db.Tx, actor audit.Actor, id int64, name string, values map[string]any) error {
	return s.eventTx(ctx, tx, actor, id, name, values, s.Now())
}

// FollowUpTx starts, inside tx, a new conversation linked to closed
// conversation id (same inbox, requester, team, priority and subject), as
// a customer reply to it does in AddMessage, and returns it.
// Errors: errs.ErrNotFound.
func (s *Service) FollowUpTx(ctx context.Context, tx *db.Tx, actor audit.Actor, id int64) (Conversation, error) {
	conv, err := s.get(ctx, tx, id)
	if err != nil {
		return Conversation{}, err
	}
	return s.followUpTx(ctx, tx, actor, conv)
}
