package rules

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/automation"
	"github.com/kesherdesk/kesher/internal/canned"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/notification"
)

// Actor is the audit actor of rule r: {"type":"automation","id":r.ID,
// "name":r.Name}.
func Actor(r automation.Rule) audit.Actor {
	return audit.Actor{Type: "automation", ID: r.ID, Name: r.Name}
}

// Subscribe registers the runner on bus: conversation.created runs the
// conversation.created rules, an inbound message.created the
// message.received rules, conversation.updated the conversation.updated
// rules. Events caused by rules carry their origin chain, so a rule never
// runs for an event it caused and chains stop at automation.MaxChain. It
// returns a func that removes the handlers.
func (s *Service) Subscribe(bus events.Bus) (unsubscribe func()) {
	u1 := bus.Subscribe(events.ConversationCreated, s.onEvent)
	u2 := bus.Subscribe(events.MessageCreated, s.onEvent)
	u3 := bus.Subscribe(events.ConversationUpdated, s.onEvent)
	return func() { u1(); u2(); u3() }
}

func (s *Service) onEvent(ctx context.Context, e events.Event) error {
	var p struct {
		ConversationID int64  `json:"conversation_id"`
		MessageID      int64  `json:"message_id"`
		Direction      string `json:"direction"`
		Kind           string `json:"kind"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("rules: decode %s %d: %w", e.Topic, e.ID, err)
	}
	trigger := e.Topic
	if e.Topic == events.MessageCreated {
		if p.Direction != conversation.DirectionInbound {
			return nil
		}
		trigger = automation.TriggerMessageReceived
	}
	_, err := s.run(ctx, trigger, p.ConversationID, p.MessageID, e.ID, events.PayloadOrigin(e.Payload))
	return err
}

// Run evaluates the enabled rules of trigger on conversation id for an
// event whose origin chain is origin, and carries out the plan in one write
// transaction (see Apply). It returns the plan (empty when nothing
// matched). A conversation that no longer exists is ignored.
func (s *Service) Run(ctx context.Context, trigger string, id int64, origin []int64) (automation.Plan, error) {
	return s.run(ctx, trigger, id, 0, 0, origin)
}

// run is Run with the message that triggered message.received rules (0:
// the latest customer message stands in) and the event being handled (0:
// none). A plan for an event is carried out at most once: the event's id
// is stored with it, and a redelivered event finds it and does nothing.
func (s *Service) run(ctx context.Context, trigger string, id, messageID, eventID int64, origin []int64) (automation.Plan, error) {
	rules, err := s.Enabled(ctx, trigger)
	if err != nil || len(rules) == 0 {
		return automation.Plan{}, err
	}
	var plan automation.Plan
	err = s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var err error
		plan, err = s.evaluateTx(ctx, tx, rules, trigger, id, messageID, origin)
		if err != nil {
			return err
		}
		if eventID > 0 {
			res, err := tx.Exec(ctx, `INSERT INTO automation_event_runs (event_id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING`,
				eventID, db.Ms(s.Now()))
			if err != nil {
				return fmt.Errorf("rules: mark event %d: %w", eventID, err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return errSkip // delivered before: its plan was carried out then
			}
		}
		return s.Apply(ctx, tx, trigger, id, plan, rules)
	})
	if errors.Is(err, errSkip) {
		return plan, nil
	}
	return plan, err
}

// evaluateTx loads conversation id and its Facts in tx and evaluates rules.
// errSkip: no such conversation, or nothing to do.
func (s *Service) evaluateTx(ctx context.Context, tx *db.Tx, rules []automation.Rule, trigger string, id, messageID int64, origin []int64) (automation.Plan, error) {
	convs, err := s.conversations.GetMany(ctx, tx, []int64{id})
	if err != nil {
		return automation.Plan{}, err
	}
	if len(convs) == 0 {
		return automation.Plan{}, errSkip
	}
	facts, err := s.Facts(ctx, tx, convs, s.Now())
	if err != nil {
		return automation.Plan{}, err
	}
	if messageID > 0 {
		// The message that arrived, even if another came in since.
		var body string
		err := tx.QueryRow(ctx, `SELECT body_text FROM messages WHERE id = ? AND conversation_id = ?`, messageID, id).Scan(&body)
		if err == nil {
			facts[0].MessageText = body
		} else if !errors.Is(err, sql.ErrNoRows) {
			return automation.Plan{}, err
		}
	}
	plan := automation.Evaluate(rules, trigger, facts[0], origin)
	if plan.ChainFull {
		s.log.Warn("automation chain full; rules not run", "conversation_id", id, "trigger", trigger, "origin", origin)
	}
	if plan.Empty() {
		return plan, errSkip
	}
	return plan, nil
}

// Apply carries out plan on conversation id inside tx, with events tagged
// by plan.Origin so the rules that ran cannot run again for what they
// caused:
//  1. add_note and send_canned effects: an internal note, and a public
//     outbound reply rendered from the canned response, authored by the
//     system (channel_meta names the rule);
//  2. one conversation update with plan.Changes, shown in the timeline as
//     the rule that made the changes — several rules show as
//     one automation actor naming them all;
//  3. notify effects (notifications, kind rule.notify) and webhook effects
//     (durable jobs of kind automation.webhook), each also a timeline
//     event ("rule_notified" {to, agent_ids}, "rule_webhook" {host}: the
//     URL's host only, as agents read timelines and audit trails);
//  4. one audit entry per applied action, actor the rule ("automation.<action>",
//     with the field's from and to); the conversation update itself writes no
//     "conversation.updated" entry, whatever the trigger.
//
// A missing canned response or notify recipient skips that effect (logged).
func (s *Service) Apply(ctx context.Context, tx *db.Tx, trigger string, id int64, plan automation.Plan, rules []automation.Rule) error {
	ctx = events.WithOrigin(ctx, plan.Origin)
	byID := map[int64]automation.Rule{}
	for _, r := range rules {
		byID[r.ID] = r
	}
	now := s.Now()
	failed := map[int]string{}

	// 1. Messages first, so a rule that also closes the conversation can
	// still leave its note or reply.
	for i, e := range plan.Effects {
		r := byID[e.RuleID]
		meta := map[string]any{"rule_id": r.ID, "rule_name": r.Name}
		switch e.Type {
		case automation.ActionAddNote:
			_, err := s.conversations.AddMessageTx(ctx, tx, Actor(r), id, conversation.MessageInput{Kind: conversation.KindNote,
				Body: e.Text, ChannelMeta: meta})
			if errors.Is(err, errs.ErrConflict) {
				failed[i] = "conversation closed"
			} else if err != nil {
				return fmt.Errorf("rules: rule %d note: %w", r.ID, err)
			}
		case automation.ActionSendCanned:
			body, err := s.renderCanned(ctx, tx, e.CannedID, id)
			if err != nil {
				failed[i] = err.Error()
				s.log.Warn("automation send_canned skipped", "rule_id", r.ID, "canned_id", e.CannedID, "err", err)
				continue
			}
			_, err = s.conversations.AddMessageTx(ctx, tx, Actor(r), id, conversation.MessageInput{Kind: conversation.KindReply,
				Direction: conversation.DirectionOutbound, Body: body, ChannelMeta: meta})
			if errors.Is(err, errs.ErrConflict) {
				failed[i] = "conversation closed"
			} else if err != nil {
				return fmt.Errorf("rules: rule %d reply: %w", r.ID, err)
			}
		}
	}

	// 2. The conversation's changes, in one update.
	if changed := changingRules(plan); len(changed) > 0 {
		actor := Actor(byID[changed[0]])
		if len(changed) > 1 {
			names := make([]string, len(changed))
			for i, rid := range changed {
				names[i] = byID[rid].Name
			}
			actor = audit.Actor{Type: "automation", Name: strings.Join(names, ", ")}
		}
		// Step 4 audits each applied action; no "conversation.updated" entry
		// duplicates them.
		if _, err := s.conversations.UpdateTxUnaudited(ctx, tx, actor, id, plan.Changes); err != nil {
			return fmt.Errorf("rules: apply changes to conversation %d: %w", id, err)
		}
	}

	// 3. Notifications and webhooks see the conversation as changed.
	var convJSON json.RawMessage
	for i, e := range plan.Effects {
		r := byID[e.RuleID]
		switch e.Type {
		case automation.ActionNotify:
			agents, err := s.recipients(ctx, tx, id, e.To)
			if err != nil {
				return err
			}
			if len(agents) == 0 {
				failed[i] = "no recipient"
			} else if err := s.conversations.AddEventTx(ctx, tx, Actor(r), id, "rule_notified",
				map[string]any{"to": e.To, "agent_ids": agents}); err != nil {
				return err
			}
			cid := id
			for _, a := range agents {
				if _, err := notification.CreateTx(ctx, tx, s.outbox, notification.Notification{AgentID: a, Kind: notification.KindRule,
					ConversationID: &cid, Data: map[string]any{"rule_id": r.ID, "rule_name": r.Name}, CreatedAt: now}); err != nil {
					return err
				}
			}
		case automation.ActionWebhook:
			if convJSON == nil {
				convs, err := s.conversations.GetMany(ctx, tx, []int64{id})
				if err != nil || len(convs) == 0 {
					return fmt.Errorf("rules: reload conversation %d: %w", id, err)
				}
				if convJSON, err = json.Marshal(convs[0]); err != nil {
					return err
				}
			}
			body, err := json.Marshal(WebhookBody{RuleID: r.ID, RuleName: r.Name, Event: trigger, Conversation: convJSON})
			if err != nil {
				return err
			}
			j := jobs.Job{Kind: KindWebhook, Payload: WebhookJob{URL: e.URL, Body: body}, MaxAttempts: WebhookAttempts}
			if s.o.Jobs != nil {
				_, _, err = s.o.Jobs.Schedule(ctx, tx, j)
			} else {
				_, _, err = jobs.Schedule(ctx, tx, j)
			}
			if err != nil {
				return err
			}
			// Agents read the timeline: it names the receiving host only, never
			// the URL (which may carry a secret path or token).
			if err := s.conversations.AddEventTx(ctx, tx, Actor(r), id, "rule_webhook", map[string]any{"host": webhookHost(e.URL)}); err != nil {
				return err
			}
		}
	}

	// 4. One audit entry per applied action, by its rule.
	for _, a := range plan.Applied {
		r := byID[a.RuleID]
		changes := map[string]audit.Change{}
		if a.Field != "" {
			changes[a.Field] = audit.Change{From: a.From, To: a.To}
		}
		if a.Effect >= 0 {
			e := plan.Effects[a.Effect]
			switch e.Type {
			case automation.ActionAddNote:
				changes["note"] = audit.Change{To: e.Text}
			case automation.ActionSendCanned:
				changes["canned_id"] = audit.Change{To: e.CannedID}
			case automation.ActionNotify:
				changes["notify"] = audit.Change{To: e.To}
			case automation.ActionWebhook:
				changes["webhook"] = audit.Change{To: webhookHost(e.URL)}
			}
			if msg, ok := failed[a.Effect]; ok {
				changes["skipped"] = audit.Change{To: msg}
			}
		}
		changes["trigger"] = audit.Change{To: trigger}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: Actor(r), Action: "automation." + a.Action, EntityType: "conversation",
			EntityID: id, Changes: changes, CreatedAt: now}); err != nil {
			return err
		}
	}
	return nil
}

// changingRules lists, in run order, the rules whose actions changed
// conversation fields.
func changingRules(plan automation.Plan) []int64 {
	var out []int64
	for _, a := range plan.Applied {
		if a.Field != "" && !slices.Contains(out, a.RuleID) {
			out = append(out, a.RuleID)
		}
	}
	return out
}

// renderCanned fills canned response cannedID in for conversation convID:
// the requester's name and email, the number and subject, and the
// assignee's name as the agent.
func (s *Service) renderCanned(ctx context.Context, tx *db.Tx, cannedID, convID int64) (string, error) {
	var body string
	err := tx.QueryRow(ctx, `SELECT body FROM canned_responses WHERE id = ?`, cannedID).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("canned response %d: %w", cannedID, errs.ErrNotFound)
	}
	if err != nil {
		return "", err
	}
	convs, err := s.conversations.GetMany(ctx, tx, []int64{convID})
	if err != nil || len(convs) == 0 {
		return "", fmt.Errorf("rules: conversation %d: %w", convID, err)
	}
	c := convs[0]
	v := canned.Values{ConversationNumber: c.Number, ConversationSubject: c.Subject}
	if c.Requester != nil {
		v.ContactName, v.ContactEmail = c.Requester.Name, c.Requester.Email
	}
	if c.AssigneeID != nil {
		_ = tx.QueryRow(ctx, `SELECT name FROM agents WHERE id = ?`, *c.AssigneeID).Scan(&v.AgentName)
	}
	return canned.Render(body, v), nil
}

// recipients resolves a notify target: "assignee" (none when unassigned),
// "team" (the active members of the conversation's team) or "agent:<id>"
// (when that agent exists and is active).
func (s *Service) recipients(ctx context.Context, tx *db.Tx, convID int64, to string) ([]int64, error) {
	var q string
	var args []any
	switch {
	case to == "assignee":
		q, args = `SELECT a.id FROM conversations c JOIN agents a ON a.id = c.assignee_id WHERE c.id = ? AND a.active = ?`, []any{convID, true}
	case to == "team":
		q = `SELECT a.id FROM conversations c JOIN team_members m ON m.team_id = c.team_id JOIN agents a ON a.id = m.agent_id
			WHERE c.id = ? AND a.active = ? ORDER BY a.id`
		args = []any{convID, true}
	case strings.HasPrefix(to, "agent:"):
		aid, err := strconv.ParseInt(strings.TrimPrefix(to, "agent:"), 10, 64)
		if err != nil {
			return nil, nil
		}
		q, args = `SELECT id FROM agents WHERE id = ? AND active = ?`, []any{aid, true}
	default:
		return nil, nil
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("rules: notify recipients: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// webhookHost returns the host (and port) of a webhook URL, "" when it
// does not parse.
func webhookHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
