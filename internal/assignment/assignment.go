// Package assignment assigns new conversations automatically. It listens on
// the event bus: when a conversation is created, or moved to another team
// while nobody holds it, it detects the conversation's language from the
// first customer message (when the conversation has none) and, when the
// team's assignment mode is not manual, lets routing.Picker choose among
// the team's active members and assigns through conversation.Service, so
// the assignment is audited and appears in the timeline like any other.
//
// It also follows the agents: when one goes away or offline, their new and
// open conversations in automatic teams move to another agent (never
// straight back — see routing.Picker's loop guard); when one comes online,
// the unassigned new and open conversations of their automatic teams are
// assigned, oldest first, while someone has room. Each automatic
// assignment notifies the agent (notification kind "assigned").
package assignment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/notification"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/routing"
)

// Actor is who automatic assignments are recorded as.
var Actor = audit.Actor{Type: "system", Name: "assignment"}

// MinLanguageConfidence is the least routing.DetectLanguage confidence at
// which a detected language is stored on the conversation.
const MinLanguageConfidence = 0.5

// historyLimit bounds the audit entries read for the anti-ping-pong history.
const historyLimit = 1000

// openStatuses are the statuses that count towards an agent's load and in
// which a conversation is still assigned automatically.
var openStatuses = []string{conversation.StatusNew, conversation.StatusOpen, conversation.StatusPending, conversation.StatusOnHold}

// Service makes assignment decisions. It holds no state between events:
// the round-robin cursor and the agents' last assignment times live in the
// database, so a restart continues where the last process stopped.
type Service struct {
	db            *db.DB
	conversations *conversation.Service
	outbox        *events.Outbox
	log           *slog.Logger
	picker        routing.Picker
	// Now is the clock for last_assigned_at; tests may replace it.
	Now func() time.Time
}

// New returns an assignment service.
func New(d *db.DB, conversations *conversation.Service, outbox *events.Outbox, log *slog.Logger) *Service {
	return &Service{db: d, conversations: conversations, outbox: outbox, log: log, Now: time.Now}
}

// Subscribe registers the service's handlers on bus and returns a func
// that removes them.
func (s *Service) Subscribe(bus events.Bus) (unsubscribe func()) {
	u1 := bus.Subscribe(events.ConversationCreated, s.onCreated)
	u2 := bus.Subscribe(events.ConversationUpdated, s.onUpdated)
	u3 := bus.Subscribe(events.AgentUpdated, s.onAgentUpdated)
	return func() { u1(); u2(); u3() }
}

func (s *Service) onCreated(ctx context.Context, e events.Event) error {
	var p struct {
		ConversationID int64 `json:"conversation_id"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("assignment: decode %s %d: %w", e.Topic, e.ID, err)
	}
	return s.Assign(ctx, p.ConversationID)
}

// onUpdated handles a conversation moved to another team while unassigned,
// and tells an agent someone else assigned a conversation to them.
func (s *Service) onUpdated(ctx context.Context, e events.Event) error {
	var p struct {
		ConversationID int64    `json:"conversation_id"`
		Changes        []string `json:"changes"`
		AssigneeID     *int64   `json:"assignee_id"`
		TeamID         *int64   `json:"team_id"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("assignment: decode %s %d: %w", e.Topic, e.ID, err)
	}
	if slices.Contains(p.Changes, "assignee_id") && p.AssigneeID != nil {
		return s.notifyAssigned(ctx, p.ConversationID, *p.AssigneeID)
	}
	if !slices.Contains(p.Changes, "team_id") || p.AssigneeID != nil || p.TeamID == nil {
		return nil
	}
	return s.Assign(ctx, p.ConversationID)
}

// Assign sets the language of conversation id when it has none and the
// first customer message tells it clearly, and assigns the conversation to
// an agent of its team when the team's mode is not manual and nobody holds
// it. A conversation that no longer exists is ignored.
func (s *Service) Assign(ctx context.Context, id int64) error {
	_, err := s.assign(ctx, id, 0)
	return err
}

// assign is Assign for a conversation held by nobody (from 0) or being
// taken from agent from; it returns the agent chosen, 0 for nobody.
func (s *Service) assign(ctx context.Context, id, from int64) (int64, error) {
	conv, err := s.conversations.Get(ctx, id)
	if errors.Is(err, errs.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("assignment: load conversation %d: %w", id, err)
	}
	if conv.Status == conversation.StatusClosed || conv.TeamID == nil || conv.AssigneeIDOr0() != from {
		return 0, nil // closed is final; no team or another assignee: nothing to decide
	}
	var mode string
	if err := s.db.R().QueryRow(ctx, `SELECT assignment_mode FROM teams WHERE id = ?`, *conv.TeamID).Scan(&mode); err != nil {
		return 0, fmt.Errorf("assignment: team %d: %w", *conv.TeamID, err)
	}
	if routing.Mode(mode) == routing.ModeManual {
		return 0, nil // manual teams: no reads, no writes beyond this check
	}
	log := s.log.With("conversation_id", id)

	var p conversation.Patch
	lang := conv.Language
	if lang == "" {
		if lang, err = s.detectLanguage(ctx, id); err != nil {
			return 0, err
		}
		if lang != "" {
			p.Language = patch.Of(lang)
		}
	}

	agentID, reason, team, cursor, err := s.pick(ctx, &conv, lang, from)
	if err != nil {
		return 0, err
	}
	log.Debug("assignment decision", "team_id", conv.TeamID, "reason", reason, "agent_id", agentID, "language", lang)
	if agentID != 0 {
		// Someone may have assigned the conversation while the picker ran.
		cur, err := s.conversations.Get(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("assignment: reload conversation %d: %w", id, err)
		}
		if cur.AssigneeIDOr0() != from {
			log.Debug("assignment skipped: assigned meanwhile", "assignee_id", *cur.AssigneeID)
			agentID = 0
		} else {
			p.AssigneeID = patch.Of(agentID)
		}
	}
	if !p.Language.Set && !p.AssigneeID.Set {
		return 0, nil
	}
	if _, err := s.conversations.Update(ctx, Actor, id, p); err != nil {
		return 0, fmt.Errorf("assignment: update conversation %d: %w", id, err)
	}
	if agentID == 0 {
		return 0, nil
	}
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE teams SET rr_cursor = ? WHERE id = ?`, cursor, team); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE agents SET last_assigned_at = ? WHERE id = ?`, s.Now().UnixMilli(), agentID); err != nil {
			return err
		}
		data := map[string]any{"by": Actor.Name, "number": conv.Number, "subject": conv.Subject}
		if from != 0 {
			data["from_agent_id"] = from
		}
		_, err := notification.CreateTx(ctx, tx, s.outbox, notification.Notification{AgentID: agentID,
			Kind: notification.KindAssigned, ConversationID: &conv.ID, Data: data})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("assignment: store cursor of team %d: %w", team, err)
	}
	return agentID, nil
}

// detectLanguage returns the language of the conversation's first message
// when it is the customer's and DetectLanguage is sure enough, else "".
func (s *Service) detectLanguage(ctx context.Context, id int64) (string, error) {
	msgs, err := s.conversations.ListMessages(ctx, id, 0, 1)
	if err != nil {
		return "", fmt.Errorf("assignment: first message of conversation %d: %w", id, err)
	}
	if len(msgs) == 0 || msgs[0].Direction != conversation.DirectionInbound {
		return "", nil
	}
	lang, conf := routing.DetectLanguage(msgs[0].BodyText)
	if conf < MinLanguageConfidence {
		return "", nil
	}
	return lang, nil
}

// pick decides who gets conv. It returns the agent (0 for nobody), the
// reason, the team and the team's new round-robin cursor.
func (s *Service) pick(ctx context.Context, conv *conversation.Conversation, lang string, from int64) (int64, string, int64, int64, error) {
	switch {
	case conv.AssigneeIDOr0() != from:
		return 0, "already_assigned", 0, 0, nil
	case conv.TeamID == nil:
		return 0, "no_team", 0, 0, nil
	case !slices.Contains(openStatuses, conv.Status):
		return 0, "not_open", 0, 0, nil
	}
	team := *conv.TeamID
	r := s.db.R()
	var mode string
	var cursor int64
	err := r.QueryRow(ctx, `SELECT assignment_mode, rr_cursor FROM teams WHERE id = ?`, team).Scan(&mode, &cursor)
	if err != nil {
		return 0, "", 0, 0, fmt.Errorf("assignment: load team %d: %w", team, err)
	}
	if routing.Mode(mode) == routing.ModeManual {
		return 0, string(routing.ReasonManual), team, cursor, nil
	}
	cands, err := s.candidates(ctx, team)
	if err != nil {
		return 0, "", 0, 0, err
	}
	history, err := s.history(ctx, conv.ID)
	if err != nil {
		return 0, "", 0, 0, err
	}
	res := s.picker.Pick(routing.Request{Mode: routing.Mode(mode), Candidates: cands, Language: lang, Tags: conv.Tags,
		History: history, TakenFrom: from, Cursor: cursor})
	reason := string(res.Reason)
	if res.LanguageFallback {
		reason += " (language_fallback)"
	}
	return res.AgentID, reason, team, res.Cursor, nil
}

// candidates loads the team's active members with their open conversation
// counts.
func (s *Service) candidates(ctx context.Context, team int64) ([]routing.Candidate, error) {
	r := s.db.R()
	rows, err := r.Query(ctx, `SELECT a.id, a.availability, a.capacity, a.languages, a.skills, a.last_assigned_at
		FROM agents a JOIN team_members m ON m.agent_id = a.id
		WHERE m.team_id = ? AND a.active = ? ORDER BY a.id`, team, true)
	if err != nil {
		return nil, fmt.Errorf("assignment: load members of team %d: %w", team, err)
	}
	var out []routing.Candidate
	idx := map[int64]int{}
	for rows.Next() {
		var c routing.Candidate
		var langs, skills string
		var last db.NullMs
		if err := rows.Scan(&c.AgentID, &c.Availability, &c.Capacity, &langs, &skills, &last); err != nil {
			rows.Close()
			return nil, err
		}
		_ = json.Unmarshal([]byte(langs), &c.Languages)
		_ = json.Unmarshal([]byte(skills), &c.Skills)
		if last.Valid {
			c.LastAssignedAt = db.Time(last.Int64)
		}
		idx[c.AgentID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	args := []any{team}
	for _, st := range openStatuses {
		args = append(args, st)
	}
	crows, err := r.Query(ctx, `SELECT assignee_id, COUNT(*) FROM conversations
		WHERE assignee_id IN (SELECT agent_id FROM team_members WHERE team_id = ?) AND status IN (?, ?, ?, ?)
		GROUP BY assignee_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("assignment: count open conversations of team %d: %w", team, err)
	}
	defer crows.Close()
	for crows.Next() {
		var id int64
		var n int
		if err := crows.Scan(&id, &n); err != nil {
			return nil, err
		}
		if i, ok := idx[id]; ok {
			out[i].OpenCount = n
		}
	}
	return out, crows.Err()
}

// history returns the conversation's assignees from its audit log, oldest
// first, one entry per assignment.
func (s *Service) history(ctx context.Context, id int64) ([]int64, error) {
	entries, err := audit.List(ctx, s.db.R(), "conversation", id, historyLimit)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, e := range entries {
		ch, ok := e.Changes["assignee_id"]
		if !ok {
			continue
		}
		if to, ok := ch.To.(float64); ok && to > 0 {
			out = append(out, int64(to))
		}
	}
	return out, nil
}
