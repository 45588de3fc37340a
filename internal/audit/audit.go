// Package audit records who changed what, from what to what. Entries are
// written in the same transaction as the change they describe.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
)

// Actor is who performed an action. Type is "agent", "contact", "bot",
// "system", "api" (an API token acting for its agent) or "automation" (an
// automation rule); ID is the agent, contact or rule id (0 for system).
// Name is stored with the entry (e.g. the rule's name when it acted).
type Actor struct {
	Type string `json:"type"`
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// System is the actor for changes made by Kesher itself.
var System = Actor{Type: "system"}

// Change is one field's old and new value.
type Change struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// Entry is one audit-log line.
type Entry struct {
	ID         int64             `json:"id"`
	Actor      Actor             `json:"actor"`
	Action     string            `json:"action"`
	EntityType string            `json:"entity_type"`
	EntityID   int64             `json:"entity_id"`
	Changes    map[string]Change `json:"changes"`
	CreatedAt  time.Time         `json:"created_at"`
}

// Record appends e inside tx. CreatedAt defaults to now (UTC, ms precision).
func Record(ctx context.Context, tx *db.Tx, e Entry) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now()
	}
	ch, err := json.Marshal(e.Changes)
	if err != nil {
		return fmt.Errorf("audit: encode changes: %w", err)
	}
	var actorID any
	if e.Actor.ID != 0 {
		actorID = e.Actor.ID
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_type, actor_id, actor_name, action, entity_type, entity_id, changes, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Actor.Type, actorID, e.Actor.Name, e.Action, e.EntityType, e.EntityID, string(ch), e.CreatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// List returns the entries for one entity, oldest first, at most limit.
func List(ctx context.Context, q db.Querier, entityType string, entityID int64, limit int) ([]Entry, error) {
	rows, err := q.Query(ctx, `SELECT id, actor_type, COALESCE(actor_id, 0), actor_name, action, entity_type, entity_id, changes, created_at
		FROM audit_log WHERE entity_type = ? AND entity_id = ? ORDER BY id LIMIT ?`, entityType, entityID, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var ch string
		var ms int64
		if err := rows.Scan(&e.ID, &e.Actor.Type, &e.Actor.ID, &e.Actor.Name, &e.Action, &e.EntityType, &e.EntityID, &ch, &ms); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(ch), &e.Changes); err != nil {
			return nil, fmt.Errorf("audit: decode changes of entry %d: %w", e.ID, err)
		}
		e.CreatedAt = time.UnixMilli(ms).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
