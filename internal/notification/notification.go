// Package notification stores agents' notifications: SLA warnings and
// breaches, automation "notify" actions, and the like. A notification is
// written in the caller's transaction (CreateTx) together with the change
// that caused it, and announced on the event bus as "notification.created"
// so the realtime hub can push it to the agent's open tabs.
package notification

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
)

// Kinds of notification. The web app translates each kind, filling in Data.
const (
	KindSLAWarning  = "sla.warning"  // Data: target, due_at
	KindSLABreached = "sla.breached" // Data: target, due_at
	KindRule        = "rule.notify"  // Data: rule_id, rule_name
	KindAssigned    = "assigned"     // Data: by ("assignment", "agent", "automation"), number, subject, …
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

// Limits on listing.
const (
	DefaultLimit = 50
	MaxLimit     = 200
	// MaxMarkIDs is the most ids one MarkRead call takes.
	MaxMarkIDs = 500
)

// Service reads and marks agents' notifications.
type Service struct{ db *db.DB }

// NewService returns the notification service.
func NewService(d *db.DB) *Service { return &Service{db: d} }

// List returns agent's notifications, newest first: only unread ones when
// unread is set, at most limit (0 = DefaultLimit; more than MaxLimit is a
// *errs.ValidationError on "limit").
func (s *Service) List(ctx context.Context, agent int64, unread bool, limit int) ([]Notification, error) {
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 0 || limit > MaxLimit {
		return nil, errs.Invalid("limit", "out_of_range", "limit is between 1 and %d", MaxLimit)
	}
	q := `SELECT ` + columns + ` FROM notifications WHERE agent_id = ?`
	if unread {
		q += ` AND read_at IS NULL`
	}
	rows, err := s.db.R().Query(ctx, q+` ORDER BY id DESC LIMIT ?`, agent, limit)
	if err != nil {
		return nil, fmt.Errorf("notification: list: %w", err)
	}
	defer rows.Close()
	return scan(rows)
}

const columns = `id, agent_id, kind, conversation_id, data, read_at, created_at`

func scan(rows *sql.Rows) ([]Notification, error) {
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var conv sql.NullInt64
		var data string
		var readAt db.NullMs
		var created int64
		if err := rows.Scan(&n.ID, &n.AgentID, &n.Kind, &conv, &data, &readAt, &created); err != nil {
			return nil, err
		}
		if conv.Valid {
			n.ConversationID = &conv.Int64
		}
		if err := json.Unmarshal([]byte(data), &n.Data); err != nil || n.Data == nil {
			n.Data = map[string]any{}
		}
		n.ReadAt, n.CreatedAt = db.TimePtr(readAt), db.Time(created)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Get returns notification id when it is agent's, else errs.ErrNotFound.
func (s *Service) Get(ctx context.Context, agent, id int64) (Notification, error) {
	rows, err := s.db.R().Query(ctx, `SELECT `+columns+` FROM notifications WHERE id = ? AND agent_id = ?`, id, agent)
	if err != nil {
		return Notification{}, fmt.Errorf("notification: get: %w", err)
	}
	defer rows.Close()
	ns, err := scan(rows)
	if err != nil {
		return Notification{}, err
	}
	if len(ns) == 0 {
		return Notification{}, fmt.Errorf("notification %d: %w", id, errs.ErrNotFound)
	}
	return ns[0], nil
}

// UnreadCount returns how many of agent's notifications are unread.
func (s *Service) UnreadCount(ctx context.Context, agent int64) (int, error) {
	var n int
	err := s.db.R().QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE agent_id = ? AND read_at IS NULL`, agent).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("notification: count unread: %w", err)
	}
	return n, nil
}

// MarkRead marks agent's notifications ids read (all of agent's unread ones
// when all is set) and returns how many changed. Ids of other agents'
// notifications and ones already read are ignored. Errors:
// *errs.ValidationError on "ids" when neither ids nor all is given, when
// both are (ambiguous), or more than MaxMarkIDs ids.
func (s *Service) MarkRead(ctx context.Context, agent int64, ids []int64, all bool) (int64, error) {
	var c errs.Checker
	c.Check(all || len(ids) > 0, "ids", "required", `give the ids to mark read, or "all": true`)
	c.Check(!all || len(ids) == 0, "ids", "ambiguous", `give either the ids to mark read or "all": true, not both`)
	c.Check(len(ids) <= MaxMarkIDs, "ids", "too_many", "at most %d ids", MaxMarkIDs)
	for i, id := range ids {
		c.Check(id > 0, fmt.Sprintf("ids[%d]", i), "invalid", "must be a notification id")
	}
	if err := c.Err(); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		q := `UPDATE notifications SET read_at = ? WHERE agent_id = ? AND read_at IS NULL`
		args := []any{time.Now().UnixMilli(), agent}
		if !all {
			q += ` AND id IN (` + db.Placeholders(len(ids)) + `)`
			for _, id := range ids {
				args = append(args, id)
			}
		}
		res, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("notification: mark read: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
