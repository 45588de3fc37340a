package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
)

// onConversationEvent pushes a conversation.* or message.* event to every
// connection whose agent may see the conversation now. It runs in the
// dispatcher's goroutine, so it never blocks on a connection: frames are
// queued and slow connections are closed.
func (h *Hub) onConversationEvent(ctx context.Context, e events.Event) error {
	// Noted before the fan-out: a connection registered after this line
	// either receives the frame or is greeted with e.ID (or a later one).
	h.lastEventID.Store(e.ID)
	// Nobody connected: nothing to send, and no reason to read the
	// conversation (this runs for every write of a busy desk).
	h.mu.RLock()
	idle := len(h.conns) == 0
	h.mu.RUnlock()
	if idle {
		return nil
	}
	var head struct {
		ConversationID int64 `json:"conversation_id"`
	}
	if err := json.Unmarshal(e.Payload, &head); err != nil || head.ConversationID <= 0 {
		return fmt.Errorf("realtime: %s event %d has no conversation_id", e.Topic, e.ID)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conv, err := h.svc.Conversations.Get(ctx, head.ConversationID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("realtime: load conversation %d: %w", head.ConversationID, err)
	}
	frame, err := eventFrame(e, conv)
	if err != nil {
		return err
	}
	team, assignee := conv.TeamIDOr0(), conv.AssigneeIDOr0()
	if e.Topic == events.ConversationUpdated {
		// Before the frame goes out, so that a view sent in answer to it
		// never finds a viewer who has lost the conversation.
		h.dropHiddenViewers(conv.ID, team, assignee)
	}
	h.mu.RLock()
	for c := range h.conns {
		if c.principal().CanSeeConversation(team, assignee) {
			c.enqueue(frame)
		}
	}
	h.mu.RUnlock()
	return nil
}

// onAgentUpdated asks the named agent's connections to re-authenticate.
func (h *Hub) onAgentUpdated(_ context.Context, e events.Event) error {
	var p struct {
		AgentID int64 `json:"agent_id"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("realtime: agent.updated event %d: %w", e.ID, err)
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.byAgent[p.AgentID] {
		select {
		case c.reload <- struct{}{}:
		default:
		}
	}
	return nil
}

// eventFrame builds {"type":topic,"conversation_id":…,"event_id":…,
// <payload fields in key order>,"conversation":{…}}. It is marshalled once
// and the same bytes are queued to every recipient.
func eventFrame(e events.Event, conv conversation.Conversation) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(e.Payload, &fields); err != nil {
		return nil, fmt.Errorf("realtime: %s event %d payload: %w", e.Topic, e.ID, err)
	}
	for _, k := range []string{"type", "conversation_id", "event_id", "conversation"} {
		delete(fields, k)
	}
	cb, err := json.Marshal(conv)
	if err != nil {
		return nil, fmt.Errorf("realtime: encode conversation %d: %w", conv.ID, err)
	}
	topic, _ := json.Marshal(e.Topic)
	var b bytes.Buffer
	b.Grow(len(cb) + len(e.Payload) + 64)
	fmt.Fprintf(&b, `{"type":%s,"conversation_id":%d,"event_id":%d`, topic, conv.ID, e.ID)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		b.WriteByte(',')
		b.Write(kb)
		b.WriteByte(':')
		b.Write(fields[k])
	}
	b.WriteString(`,"conversation":`)
	b.Write(cb)
	b.WriteByte('}')
	return b.Bytes(), nil
}
