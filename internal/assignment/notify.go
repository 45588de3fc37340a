package assignment

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/notification"
)

// recentAssignments bounds the audit entries searched for who made an
// assignment.
const recentAssignments = 20

// notifyAssigned notifies agent that conversation id was assigned to them
// by another agent or by an automation rule (kind "assigned", data by
// "agent" with by_agent_id and by_name, or by "automation" with rule_id).
// Automatic assignments notify in their own transaction (see assign), and
// nobody is told about assigning themselves.
func (s *Service) notifyAssigned(ctx context.Context, id, agent int64) error {
	actor, ok, err := s.assignedBy(ctx, id, agent)
	if err != nil || !ok {
		return err
	}
	data := map[string]any{"by": actor.Type}
	switch {
	case actor.Type == "agent" && actor.ID != agent:
		var name string
		err := s.db.R().QueryRow(ctx, `SELECT name FROM agents WHERE id = ?`, actor.ID).Scan(&name)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("assignment: name of agent %d: %w", actor.ID, err)
		}
		data["by_agent_id"], data["by_name"] = actor.ID, name
	case actor.Type == "automation":
		data["rule_id"] = actor.ID
	default:
		return nil
	}
	var subject string
	err = s.db.R().QueryRow(ctx, `SELECT subject FROM conversations WHERE id = ?`, id).Scan(&subject)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("assignment: conversation %d: %w", id, err)
	}
	data["number"], data["subject"] = id, subject // the number is the id
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := notification.CreateTx(ctx, tx, s.outbox, notification.Notification{AgentID: agent,
			Kind: notification.KindAssigned, ConversationID: &id, Data: data})
		return err
	})
}

// assignedBy returns who made the latest assignment of conversation id to
// agent, from the audit log; ok is false when none is found.
func (s *Service) assignedBy(ctx context.Context, id, agent int64) (audit.Actor, bool, error) {
	rows, err := s.db.R().Query(ctx, `SELECT actor_type, COALESCE(actor_id, 0), changes FROM audit_log
		WHERE entity_type = 'conversation' AND entity_id = ? AND action = 'conversation.updated' ORDER BY id DESC LIMIT ?`, id, recentAssignments)
	if err != nil {
		return audit.Actor{}, false, fmt.Errorf("assignment: audit of conversation %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a audit.Actor
		var raw string
		if err := rows.Scan(&a.Type, &a.ID, &raw); err != nil {
			return audit.Actor{}, false, err
		}
		var changes map[string]audit.Change
		if err := json.Unmarshal([]byte(raw), &changes); err != nil {
			continue
		}
		ch, ok := changes["assignee_id"]
		if !ok {
			continue
		}
		to, _ := ch.To.(float64)
		return a, int64(to) == agent, nil
	}
	return audit.Actor{}, false, rows.Err()
}
