package sla

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/notification"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/sla/policy"
)

// Actor is who SLA escalations are recorded as: {"type":"sla","id":<policy
// id>,"name":<policy name>} (the audit log stores type and id).
func Actor(p *Policy) audit.Actor { return audit.Actor{Type: "sla", ID: p.ID, Name: p.Name} }

// teamAgents returns the active agents of team, of role when role is not
// empty, by id.
func teamAgents(ctx context.Context, tx *db.Tx, team int64, role string) ([]int64, error) {
	if team == 0 {
		return nil, nil
	}
	q := `SELECT a.id FROM agents a JOIN team_members tm ON tm.agent_id = a.id WHERE tm.team_id = ? AND a.active = TRUE`
	args := []any{team}
	if role != "" {
		q += ` AND a.role = ?`
		args = append(args, role)
	}
	ids, err := db.QueryIDs(ctx, tx, q+` ORDER BY a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sla: team %d agents: %w", team, err)
	}
	return ids, nil
}

func (s *Service) notify(ctx context.Context, tx *db.Tx, agents []int64, kind string, f facts, p *Policy, target string,
	ts *policy.TargetState, now time.Time) error {
	slices.Sort(agents)
	agents = slices.Compact(agents)
	data := map[string]any{"target": target, "policy_id": p.ID, "policy_name": p.Name}
	if ts.DueAt != nil {
		data["due_at"] = ts.DueAt.UTC().Format(time.RFC3339)
	} else if ts.BreachedAt != nil {
		data["due_at"] = ts.BreachedAt.UTC().Format(time.RFC3339)
	}
	for _, a := range agents {
		conv := f.id
		if _, err := notification.CreateTx(ctx, tx, s.outbox, notification.Notification{AgentID: a, Kind: kind,
			ConversationID: &conv, Data: data, CreatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}

// warn notifies the assignee, or the team when nobody holds the
// conversation, that target is at risk.
func (s *Service) warn(ctx context.Context, tx *db.Tx, f facts, p *Policy, target string, ts *policy.TargetState, now time.Time) error {
	var to []int64
	if f.assigneeID != 0 {
		to = []int64{f.assigneeID}
	} else {
		var err error
		if to, err = teamAgents(ctx, tx, f.teamID, ""); err != nil {
			return err
		}
	}
	return s.notify(ctx, tx, to, notification.KindSLAWarning, f, p, target, ts, now)
}

// escalate runs p's escalation actions for a breached target, in order;
// each sees the conversation as the actions before it left it (notify
// team after set_team reaches the new team).
// An action that no longer applies (a deleted team, nobody to notify) is
// skipped and logged rather than failing the breach.
func (s *Service) escalate(ctx context.Context, tx *db.Tx, f facts, p *Policy, target string, ts *policy.TargetState, now time.Time) error {
	actor := Actor(p)
	for _, a := range p.Escalation {
		var err error
		switch a.Type {
		case ActionNotify:
			// Earlier actions may have moved the conversation: read it again.
			cur, gerr := s.conversations.GetTx(ctx, tx, f.id)
			if gerr != nil {
				err = gerr
				break
			}
			var to []int64
			v, _ := a.Value.(string)
			switch {
			case v == "assignee":
				if cur.AssigneeID != nil {
					to = []int64{*cur.AssigneeID}
				}
			case v == "team":
				to, err = teamAgents(ctx, tx, cur.TeamIDOr0(), "")
			case v == "supervisor":
				to, err = teamAgents(ctx, tx, cur.TeamIDOr0(), "supervisor")
			case strings.HasPrefix(v, "agent:"):
				if id, perr := strconv.ParseInt(strings.TrimPrefix(v, "agent:"), 10, 64); perr == nil {
					if ok, eerr := exists(ctx, tx, `SELECT id FROM agents WHERE id = ? AND active = TRUE`, id); eerr != nil {
						err = eerr
					} else if ok {
						to = []int64{id}
					}
				}
			}
			if err == nil {
				err = s.notify(ctx, tx, to, notification.KindSLABreached, f, p, target, ts, now)
			}
		case ActionRaisePriority:
			cur, gerr := s.conversations.GetTx(ctx, tx, f.id)
			if gerr != nil {
				err = gerr
				break
			}
			i := slices.Index(conversation.Priorities, cur.Priority)
			if i >= 0 && i < len(conversation.Priorities)-1 {
				_, err = s.conversations.UpdateTx(ctx, tx, actor, f.id, conversation.Patch{Priority: patch.Of(conversation.Priorities[i+1])})
			}
		case ActionSetTeam:
			if id, ok := intValue(a.Value); ok {
				_, err = s.conversations.UpdateTx(ctx, tx, actor, f.id, conversation.Patch{TeamID: patch.Of(id)})
			}
		case ActionAssignSupervisor:
			cur, gerr := s.conversations.GetTx(ctx, tx, f.id)
			if gerr != nil {
				err = gerr
				break
			}
			sups, serr := teamAgents(ctx, tx, cur.TeamIDOr0(), "supervisor")
			if serr != nil {
				err = serr
			} else if len(sups) > 0 && cur.AssigneeIDOr0() != sups[0] {
				_, err = s.conversations.UpdateTx(ctx, tx, actor, f.id, conversation.Patch{AssigneeID: patch.Of(sups[0])})
			}
		}
		var ve *errs.ValidationError
		if errors.As(err, &ve) || errors.Is(err, errs.ErrConflict) || errors.Is(err, errs.ErrNotFound) {
			s.log.Warn("sla: escalation action skipped", "conversation_id", f.id, "policy_id", p.ID, "action", a.Type, "err", err)
			continue
		}
		if err != nil {
			return fmt.Errorf("sla: escalate conversation %d (%s): %w", f.id, a.Type, err)
		}
	}
	return nil
}
