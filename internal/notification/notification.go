// Package notification stores agents' notifications: SLA warnings and
// breaches, automation "notify" actions, and the like. A notification is
// written in the caller's transaction (CreateTx) together with the change
// that caused it, and announced on the event bus as "notification.created"
// so the realtime hub can push it to the agent's open tabs.
package notification

import (
	"context"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
)

// Kinds of notification. The web app translates each kind, filling in Data.
const (
	KindSLAWarning  = "sla.warning"  // Data: target, due_at
	KindSLABreached = "sla.breached" // Data: target, due_at
	KindRule        = "rule.notify"  // Data: rule_id, rule_name
	KindAssigned    = "assigned"     // Data: by
)

// Topic is the event published for each new notification; its payload is
// {"notification_id", "agent_id", "kind", "conversation_id"}.
const Topic = "notification.created"

// Notification is one message to one agent. CreatedAt and ReadAt are UTC.
type Notification struct {
	ID             int64          `json:"id"`
	AgentID        int64          `json:"agent_id"`
	Kind           string         `json:"kind"`
	ConversationID *int64         `json:"conversation_id"`
	Data           map[string]any `json:"data"`
	ReadAt         *time.Time     `json:"read_at"`
	CreatedAt      time.Time      `json:"created_at"`
}

// CreateTx stores n for n.AgentID in tx and publishes Topic through outbox.
// CreatedAt defaults to now. It returns the new id.
func CreateTx(ctx context.Context, tx *db.Tx, outbox *events.Outbox, n Notification) (int64, error) {
	if n.CreatedAt.IsZero() {
		n.CreatedAt = time.Now()
	}
	if n.Data == nil {
		n.Data = map[string]any{}
	}
	var conv any
	if n.ConversationID != nil {
		conv = *n.ConversationID
	}
	id, err := tx.InsertID(ctx, `INSERT INTO notifications (agent_id, kind, conversation_id, data, created_at) VALUES (?, ?, ?, ?, ?)`,
		n.AgentID, n.Kind, conv, db.JSON(n.Data), db.Ms(n.CreatedAt))
	if err != nil {
		return 0, fmt.Errorf("notification: store: %w", err)
	}
	return id, outbox.Publish(ctx, tx, Topic, map[string]any{"notification_id": id, "agent_id": n.AgentID, "kind": n.Kind, "conversation_id": conv})
}
