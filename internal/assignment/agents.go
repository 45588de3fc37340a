package assignment

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/routing"
)

// retryLimit bounds the unassigned conversations of one team tried when an
// agent comes online; the rest wait for the next agent or a new message.
const retryLimit = 500

// followStatuses are the statuses whose conversations follow their agent:
// moved away from an agent who leaves, handed out when one arrives.
var followStatuses = []string{conversation.StatusNew, conversation.StatusOpen}

// onAgentUpdated reacts to an agent's availability: away or offline (or a
// deactivation) hands their new and open conversations in automatic teams
// to someone else; online assigns what waits unassigned in their teams.
func (s *Service) onAgentUpdated(ctx context.Context, e events.Event) error {
	var p struct {
		AgentID      int64    `json:"agent_id"`
		Changes      []string `json:"changes"`
		Availability string   `json:"availability"`
		Active       *bool    `json:"active"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("assignment: decode %s %d: %w", e.Topic, e.ID, err)
	}
	active := p.Active == nil || *p.Active
	switch {
	case slices.Contains(p.Changes, "active") && !active,
		slices.Contains(p.Changes, "availability") && p.Availability != routing.Online:
		_, err := s.ReassignFrom(ctx, p.AgentID)
		return err
	case active && p.Availability == routing.Online &&
		(slices.Contains(p.Changes, "availability") || slices.Contains(p.Changes, "active") ||
			slices.Contains(p.Changes, "team_ids") || slices.Contains(p.Changes, "capacity")):
		_, err := s.Retry(ctx, p.AgentID)
		return err
	}
	return nil
}

// ReassignFrom moves agent's new and open conversations in teams whose
// assignment mode is automatic to another agent of the team chosen by the
// picker, oldest first, each through the same path as Assign (audited as
// Actor, the new agent notified). The picker never hands a conversation
// back to agent (TakenFrom) nor to someone who held it MaxTurns times; a
// conversation nobody can take stays with agent. It returns how many
// conversations moved.
func (s *Service) ReassignFrom(ctx context.Context, agent int64) (int, error) {
	ids, err := s.followIDs(ctx, `c.assignee_id = ?`, agent)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, id := range ids {
		to, err := s.assign(ctx, id, agent)
		if err != nil {
			return moved, err
		}
		if to != 0 {
			moved++
		}
	}
	s.log.Debug("assignment: reassigned from agent", "agent_id", agent, "conversations", len(ids), "moved", moved)
	return moved, nil
}

// Retry assigns the unassigned new and open conversations of agent's
// automatic teams, oldest first, through Assign; per team it stops at the
// first conversation nobody can take (everyone full or away). It returns
// how many conversations were assigned.
func (s *Service) Retry(ctx context.Context, agent int64) (int, error) {
	rows, err := s.db.R().Query(ctx, `SELECT m.team_id FROM team_members m JOIN teams t ON t.id = m.team_id
		WHERE m.agent_id = ? AND t.assignment_mode <> ? ORDER BY m.team_id`, agent, string(routing.ModeManual))
	if err != nil {
		return 0, fmt.Errorf("assignment: teams of agent %d: %w", agent, err)
	}
	var teams []int64
	for rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return 0, err
		}
		teams = append(teams, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	assigned := 0
	for _, team := range teams {
		ids, err := s.followIDs(ctx, `c.assignee_id IS NULL AND c.team_id = ?`, team)
		if err != nil {
			return assigned, err
		}
		for _, id := range ids {
			to, err := s.assign(ctx, id, 0)
			if err != nil {
				return assigned, err
			}
			if to == 0 {
				break
			}
			assigned++
		}
	}
	return assigned, nil
}

// followIDs lists the new and open conversations matching where (on
// conversations c) in teams with an automatic mode, oldest first.
func (s *Service) followIDs(ctx context.Context, where string, arg int64) ([]int64, error) {
	ids, err := db.QueryIDs(ctx, s.db.R(), `SELECT c.id FROM conversations c JOIN teams t ON t.id = c.team_id
		WHERE `+where+` AND c.status IN (?, ?) AND t.assignment_mode <> ?
		ORDER BY c.created_at, c.id LIMIT ?`, arg, followStatuses[0], followStatuses[1], string(routing.ModeManual), retryLimit)
	if err != nil {
		return nil, fmt.Errorf("assignment: conversations to follow: %w", err)
	}
	return ids, nil
}
