package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/automation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/tag"
)

// ids maps the plan's indexes to the ids the store gave.
type ids struct {
	admin    int64 // 0 when the desk has no admin
	agents   []int64
	teams    []int64
	inboxes  []int64
	orgs     []int64
	contacts []int64
	tags     map[string]int64
}

// hasConversations reports whether the store holds any conversation.
func hasConversations(ctx context.Context, q db.Querier) (bool, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM conversations LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("demo: look for conversations: %w", err)
	}
	return true, nil
}

// existingID returns the id q finds, or 0.
func existingID(ctx context.Context, tx *db.Tx, q string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, q, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// writeDesk stores the people and places of the desk: agents (all with
// passwordHash), teams, inboxes, organizations, contacts and tags. Agents
// and teams that already exist (same email, same name) are reused.
func writeDesk(ctx context.Context, tx *db.Tx, p plan, passwordHash string, now time.Time) (ids, error) {
	var out ids
	var err error
	since := db.Ms(now.Add(-history - 30*24*time.Hour))
	if out.admin, err = existingID(ctx, tx, `SELECT id FROM agents WHERE role = 'admin' ORDER BY id LIMIT 1`); err != nil {
		return out, fmt.Errorf("demo: find the admin: %w", err)
	}
	for _, a := range agentDefs {
		id, err := existingID(ctx, tx, `SELECT id FROM agents WHERE email = ?`, a.email)
		if err == nil && id == 0 {
			skills := agentSkills[a.email]
			if skills == nil {
				skills = []string{}
			}
			id, err = tx.InsertID(ctx, `INSERT INTO agents (name, email, password_hash, role, languages, skills, capacity, availability, locale,
				time_zone, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.name, a.email, passwordHash,
				a.role, db.JSON(a.languages), db.JSON(skills), a.capacity, a.availability, a.locale, "Asia/Jerusalem", true, since, since)
		}
		if err != nil {
			return out, fmt.Errorf("demo: agent %s: %w", a.email, err)
		}
		out.agents = append(out.agents, id)
	}
	for _, t := range teamDefs {
		id, err := existingID(ctx, tx, `SELECT id FROM teams WHERE name = ?`, t.name)
		if err == nil && id == 0 {
			id, err = tx.InsertID(ctx, `INSERT INTO teams (name, description, assignment_mode, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
				t.name, t.description, t.mode, since, since)
		}
		if err != nil {
			return out, fmt.Errorf("demo: team %s: %w", t.name, err)
		}
		out.teams = append(out.teams, id)
	}
	members := newRows("team_members", []string{"team_id", "agent_id"}, " ON CONFLICT DO NOTHING")
	if out.admin != 0 {
		members.add(out.teams[teamGeneral], out.admin)
	}
	for i, a := range agentDefs {
		for _, t := range a.teams {
			members.add(out.teams[t], out.agents[i])
		}
	}
	if err := members.flush(ctx, tx); err != nil {
		return out, err
	}
	for _, in := range inboxDefs {
		settings := in.settings
		if in.channel == "chat" {
			settings = chatSettings(in.settings)
		}
		id, err := tx.InsertID(ctx, `INSERT INTO inboxes (name, channel, address, team_id, settings, enabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.name, in.channel, in.address, out.teams[in.team], db.JSON(settings), true, since, since)
		if err != nil {
			return out, fmt.Errorf("demo: inbox %s: %w", in.name, err)
		}
		out.inboxes = append(out.inboxes, id)
	}
	for _, o := range organizations {
		id, err := tx.InsertID(ctx, `INSERT INTO organizations (name, domains, custom_attributes, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?)`, o.name, db.JSON([]string{o.domain}), db.JSON(map[string]any{"plan": o.plan}), since, since)
		if err != nil {
			return out, fmt.Errorf("demo: organization %s: %w", o.name, err)
		}
		out.orgs = append(out.orgs, id)
	}
	// An identity someone already has stays theirs: the demo contact simply
	// goes without it (and then has no primary email).
	idents := newRows("contact_identities", []string{"contact_id", "kind", "value", "position"}, " ON CONFLICT DO NOTHING")
	for _, c := range p.contacts {
		var org any
		if c.org >= 0 {
			org = out.orgs[c.org]
		}
		ms := db.Ms(c.created)
		// contacts.email repeats the primary email identity for lists.
		id, err := tx.InsertID(ctx, `INSERT INTO contacts (name, email, language, time_zone, tier, organization_id, custom_attributes,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.name, c.email, c.lang, c.zone, c.tier, org,
			db.JSON(map[string]any{"city": c.city}), ms, ms)
		if err != nil {
			return out, fmt.Errorf("demo: contact: %w", err)
		}
		out.contacts = append(out.contacts, id)
		idents.add(id, "email", c.email, 0)
		if c.phone != "" {
			idents.add(id, "phone", c.phone, 1)
		}
	}
	if err := idents.flush(ctx, tx); err != nil {
		return out, err
	}
	if len(out.contacts) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE contacts SET email = '' WHERE id >= ? AND email != '' AND NOT EXISTS
			(SELECT 1 FROM contact_identities i WHERE i.contact_id = contacts.id AND i.kind = 'email')`, out.contacts[0]); err != nil {
			return out, fmt.Errorf("demo: contact emails: %w", err)
		}
	}
	names := make([]string, len(tagColors))
	for i, t := range tagColors {
		names[i] = t.name
	}
	tagIDs, err := tag.EnsureTx(ctx, tx, names)
	if err != nil {
		return out, err
	}
	out.tags = map[string]int64{}
	for i, t := range tagColors {
		out.tags[t.name] = tagIDs[i]
		if _, err := tx.Exec(ctx, `UPDATE tags SET color = ? WHERE id = ? AND color = ''`, t.color, tagIDs[i]); err != nil {
			return out, fmt.Errorf("demo: tag color: %w", err)
		}
	}
	for _, c := range cannedResponses {
		actions := cannedActions[c.shortcut]
		if actions == "" {
			actions = "[]"
		}
		if _, err := tx.Exec(ctx, `INSERT INTO canned_responses (title, body, language, shortcut, actions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.title, c.body, c.language, c.shortcut, actions, now.UnixMilli(), now.UnixMilli()); err != nil {
			return out, fmt.Errorf("demo: canned response: %w", err)
		}
	}
	for i, r := range automationRules {
		if err := automation.Validate(r); err != nil {
			return out, fmt.Errorf("demo: rule %q: %w", r.Name, err)
		}
		var tc any
		if r.Time != nil {
			tc = db.JSON(r.Time)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO automation_rules (name, enabled, position, trigger_event, time_condition, conditions, actions,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Name, r.Enabled, i, r.Trigger, tc, db.JSON(r.Conditions),
			db.JSON(r.Actions), now.UnixMilli(), now.UnixMilli()); err != nil {
			return out, fmt.Errorf("demo: automation rule: %w", err)
		}
	}
	return out, nil
}

// automationRules are the demo desk's automation rules: VIP customers get
// high priority, refund requests are tagged, solved conversations close
// after four days.
var automationRules = []automation.Rule{
	{Name: "VIP customers → high priority", Enabled: true, Trigger: automation.TriggerConversationCreated,
		Conditions: automation.Conditions{All: []automation.Condition{{Field: automation.FieldContactTier, Op: automation.OpIs, Value: "vip"},
			{Field: automation.FieldPriority, Op: automation.OpLess, Value: "high"}}, Any: []automation.Condition{}},
		Actions: []automation.Action{{Type: automation.ActionSetPriority, Value: "high"}, {Type: automation.ActionAddTags, Value: []string{"vip"}}}},
	{Name: "Tag refund requests (החזר / refund)", Enabled: true, Trigger: automation.TriggerMessageReceived,
		Conditions: automation.Conditions{All: []automation.Condition{}, Any: []automation.Condition{
			{Field: automation.FieldMessageText, Op: automation.OpContains, Value: "החזר"},
			{Field: automation.FieldMessageText, Op: automation.OpContains, Value: "refund"}}},
		Actions: []automation.Action{{Type: automation.ActionAddTags, Value: []string{"refund"}}}},
	{Name: "Close solved conversations after 4 days", Enabled: true, Trigger: automation.TriggerTime,
		Time:       &automation.TimeCondition{Field: automation.TimeFieldStatusFor, Status: "solved", Minutes: 4 * 24 * 60},
		Conditions: automation.Conditions{All: []automation.Condition{}, Any: []automation.Condition{}},
		Actions:    []automation.Action{{Type: automation.ActionClose}}},
}

// cannedResponses are the demo desk's ready answers, with placeholders.
var cannedResponses = []struct{ title, body, language, shortcut string }{
	{"Late delivery: checking with the courier", "Hi {{contact.first_name}},\n\nThank you for your patience. I have asked the courier about your delivery and will update you here within one business day.\n\n{{agent.first_name}}", "en", "late"},
	{"Refund on its way", "Hi {{contact.first_name}},\n\nYour refund has been issued. It usually shows on your card statement within 5 business days.\n\n{{agent.first_name}}", "en", "refund"},
	{"Damaged item: photos please", "Hi {{contact.first_name}},\n\nI'm sorry the item arrived damaged. Could you send us a photo of the item and the box? We will send a replacement right away.\n\n{{agent.first_name}}", "en", "damaged"},
	{"משלוח מתעכב: בודקים מול חברת השליחויות", "שלום {{contact.first_name}},\n\nתודה על הסבלנות. פנינו לחברת השליחויות לגבי המשלוח, ונעדכן כאן תוך יום עסקים אחד.\n\n{{agent.first_name}}", "he", "איחור"},
	{"ההחזר בדרך", "שלום {{contact.first_name}},\n\nההחזר הכספי בוצע. בדרך כלל הוא מופיע בפירוט כרטיס האשראי תוך 5 ימי עסקים.\n\n{{agent.first_name}}", "he", "החזר"},
	{"מוצר פגום: נשמח לתמונה", "שלום {{contact.first_name}},\n\nמצטערים שהמוצר הגיע פגום. אפשר לשלוח לנו תמונה של המוצר ושל האריזה? נשלח מוצר חלופי מיד.\n\n{{agent.first_name}}", "he", "פגום"},
}

// cannedActions make some demo responses macros, by shortcut: the refund
// answers solve the conversation and tag it.
var cannedActions = map[string]string{
	"refund":  `[{"type":"add_tags","value":["refund"]},{"type":"set_status","value":"solved"}]`,
	"החזר":    `[{"type":"add_tags","value":["refund"]},{"type":"set_status","value":"solved"}]`,
	"damaged": `[{"type":"add_tags","value":["damaged"]},{"type":"set_status","value":"pending"}]`,
	"פגום":    `[{"type":"add_tags","value":["damaged"]},{"type":"set_status","value":"pending"}]`,
}

// writeConversations stores convs with their threads and tags.
func writeConversations(ctx context.Context, tx *db.Tx, convs []*convPlan, in ids) error {
	msgs := newRows("messages", []string{"conversation_id", "direction", "kind", "author_type", "author_id", "body_text",
		"channel_meta", "delivery_status", "created_at"}, "")
	tags := newRows("conversation_tags", []string{"conversation_id", "tag_id"}, "")
	agentID := func(a int) any {
		if a == nobody {
			return nil
		}
		return in.agents[a]
	}
	for _, c := range convs {
		requester := in.contacts[c.contact]
		id, err := tx.InsertID(ctx, `INSERT INTO conversations (inbox_id, channel, subject, status, priority, requester_id,
			assignee_id, team_id, ccs, custom_fields, language, message_count, reopen_count, created_at, updated_at,
			first_response_at, last_customer_message_at, last_agent_message_at, solved_at, closed_at, status_changed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.inboxes[c.inbox], inboxDefs[c.inbox].channel, c.subject, c.status, c.priority, requester,
			agentID(c.assignee), in.teams[c.team], "[]", db.JSON(c.custom), langCodes[c.lang], c.messageCount, c.reopenCount,
			db.Ms(c.created), db.Ms(c.updated), msOrNull(c.firstResponse), msOrNull(c.lastCustomer), msOrNull(c.lastAgent),
			msOrNull(c.solved), msOrNull(c.closed), db.Ms(statusSince(c.status, c.solved, c.closed, c.updated)))
		if err != nil {
			return fmt.Errorf("demo: conversation: %w", err)
		}
		for _, e := range c.entries {
			var author any
			switch e.authorType {
			case "contact":
				author = requester
			case "agent":
				author = agentID(e.agent)
			}
			body, meta, delivery := e.body, map[string]any{}, ""
			if e.direction == "outbound" {
				// History, not a queue: these replies went out long ago.
				delivery = "sent"
			}
			if e.kind == "event" {
				meta["event"] = e.event
				if e.event == "assigned" {
					meta["from"], meta["to"] = agentID(e.fromAgt), agentID(e.toAgent)
				} else {
					meta["from"], meta["to"] = e.from, e.to
				}
				body = fmt.Sprintf("%s: %s → %s", e.event, shown(meta["from"]), shown(meta["to"]))
			}
			msgs.add(id, e.direction, e.kind, e.authorType, author, body, db.JSON(meta), delivery, db.Ms(e.at))
		}
		for _, t := range c.tags {
			tags.add(id, in.tags[t])
		}
	}
	if err := msgs.flush(ctx, tx); err != nil {
		return err
	}
	return tags.flush(ctx, tx)
}

// shown renders an event value as the conversation service's fallback text
// does ("none" for no agent).
func shown(v any) string {
	if v == nil {
		return "none"
	}
	return fmt.Sprint(v)
}

// statusSince is when a demo conversation's status began: its close or
// solve time, else its last update.
func statusSince(status string, solved, closed, updated time.Time) time.Time {
	switch {
	case status == "closed" && !closed.IsZero():
		return closed
	case status == "solved" && !solved.IsZero():
		return solved
	}
	return updated
}

func msOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return db.Ms(t)
}

// rows gathers rows for one table and writes them with multi-row INSERTs of
// 128, 64, …, 1 rows, so only a handful of statement texts ever exist (the
// store prepares and keeps one statement per text).
type rows struct {
	head, tuple, tail string
	cols              int
	args              []any
}

func newRows(table string, cols []string, tail string) *rows {
	return &rows{head: "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ",
		tuple: "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")", tail: tail, cols: len(cols)}
}

func (b *rows) add(vals ...any) { b.args = append(b.args, vals...) }

// flush writes the gathered rows in order and forgets them.
func (b *rows) flush(ctx context.Context, tx *db.Tx) error {
	n, done := len(b.args)/b.cols, 0
	for size := 128; size >= 1; size /= 2 {
		if n-done < size {
			continue
		}
		q := b.head + strings.TrimSuffix(strings.Repeat(b.tuple+", ", size), ", ") + b.tail
		for ; n-done >= size; done += size {
			if _, err := tx.Exec(ctx, q, b.args[done*b.cols:(done+size)*b.cols]...); err != nil {
				return fmt.Errorf("demo: insert into %s: %w", strings.Fields(b.head)[2], err)
			}
		}
	}
	b.args = b.args[:0]
	return nil
}
