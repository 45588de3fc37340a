// Package conversation is the heart of the desk: conversations (tickets)
// and the messages in them. It owns the lifecycle — status new → open →
// pending/on hold → solved → closed, reopening on a customer reply after
// solve, a follow-up after close — plus priority, assignment, team, tags,
// CCs and custom fields. Every write is one transaction that also records
// the audit entry, the timeline event and the outbox event.
package conversation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"github.com/kesherdesk/kesher/internal/attachment"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/search"
)

// Statuses, in lifecycle order. new: nobody has answered yet; open: being
// worked; pending: waiting on the customer; on_hold: waiting on a third
// party; solved: the agent considers it done (a customer reply reopens it);
// closed: final (a customer reply starts a linked follow-up).
const (
	StatusNew     = "new"
	StatusOpen    = "open"
	StatusPending = "pending"
	StatusOnHold  = "on_hold"
	StatusSolved  = "solved"
	StatusClosed  = "closed"
)

// Statuses lists the valid statuses.
var Statuses = []string{StatusNew, StatusOpen, StatusPending, StatusOnHold, StatusSolved, StatusClosed}

// Priorities lists the valid priorities, lowest first.
var Priorities = []string{"low", "normal", "high", "urgent"}

// Limits on conversation and message fields.
const (
	MaxSubjectLength  = 500       // characters
	MaxBodyTextBytes  = 256 << 10 // bytes of plain text
	MaxBodyHTMLBytes  = 1 << 20   // bytes of HTML before sanitizing
	MaxTags           = 50
	MaxCCs            = 50
	MaxCustomFieldLen = 16 << 10 // bytes of JSON
	MaxAttachments    = 20       // per message
)

// Requester is the summary of a conversation's requester shown in lists.
type Requester struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Conversation is a ticket. ID doubles as the human-friendly number shown as
// #ID. Instants are UTC with millisecond precision.
type Conversation struct {
	ID                    int64          `json:"id"`
	Number                int64          `json:"number"`
	InboxID               int64          `json:"inbox_id"`
	Channel               string         `json:"channel"`
	Subject               string         `json:"subject"`
	Status                string         `json:"status"`
	Priority              string         `json:"priority"`
	RequesterID           int64          `json:"requester_id"`
	Requester             *Requester     `json:"requester,omitempty"`
	AssigneeID            *int64         `json:"assignee_id"`
	TeamID                *int64         `json:"team_id"`
	Tags                  []string       `json:"tags"`
	CCs                   []string       `json:"ccs"`
	CustomFields          map[string]any `json:"custom_fields"`
	Language              string         `json:"language"`
	ExternalID            *string        `json:"external_id"`
	FollowUpOf            *int64         `json:"follow_up_of"`
	MessageCount          int            `json:"message_count"`
	ReopenCount           int            `json:"reopen_count"`
	CreatedAt             time.Time      `json:"created_at"`
	UpdatedAt             time.Time      `json:"updated_at"`
	FirstResponseAt       *time.Time     `json:"first_response_at"`
	LastCustomerMessageAt *time.Time     `json:"last_customer_message_at"`
	LastAgentMessageAt    *time.Time     `json:"last_agent_message_at"`
	SolvedAt              *time.Time     `json:"solved_at"`
	ClosedAt              *time.Time     `json:"closed_at"`
	// SLAState is the worst state of the conversation's SLA targets: ok,
	// at_risk, breached, paused or met; "" when no SLA policy applies.
	// SLADueAt is the earliest due instant of its unmet targets, or nil.
	SLAState string     `json:"sla_state"`
	SLADueAt *time.Time `json:"sla_due_at"`
	// OrderID is the order the conversation is about (the late-delivery
	// conversation of an order, or one an agent linked), or nil.
	OrderID *int64 `json:"order_id"`
}

// TeamIDOr0 returns the team id or 0.
func (c *Conversation) TeamIDOr0() int64 {
	if c.TeamID == nil {
		return 0
	}
	return *c.TeamID
}

// AssigneeIDOr0 returns the assignee id or 0.
func (c *Conversation) AssigneeIDOr0() int64 {
	if c.AssigneeID == nil {
		return 0
	}
	return *c.AssigneeID
}

// Service runs the conversation use cases.
type Service struct {
	db      *db.DB
	outbox  *events.Outbox
	inboxes *inbox.Service
	files   *attachment.Store
	html    *bluemonday.Policy
	search  *search.Service
	// Now is the clock (UTC); tests may replace it.
	Now func() time.Time
}

// NewService returns the conversation service.
func NewService(d *db.DB, o *events.Outbox, inboxes *inbox.Service, files *attachment.Store) *Service {
	return &Service{db: d, outbox: o, inboxes: inboxes, files: files, html: htmlPolicy(), search: search.New(d),
		Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// htmlPolicy allows the formatting of user-generated content and mail
// (bluemonday UGC: no scripts, styles, event handlers or javascript: URLs),
// keeps dir attributes for RTL text and allows cid: and data: images so
// inline images can be shown.
func htmlPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("dir").Globally()
	p.AllowURLSchemes("mailto", "http", "https", "cid")
	p.AllowDataURIImages()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// SanitizeHTML returns html made safe to show to agents.
func (s *Service) SanitizeHTML(html string) string { return s.html.Sanitize(html) }

var textFromHTML = bluemonday.StrictPolicy()

// htmlToText derives a plain-text body from sanitized HTML: tags dropped,
// block ends turned into line breaks, entities decoded.
func htmlToText(h string) string {
	r := strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n", "</p>", "\n\n", "</div>", "\n", "</li>", "\n", "</tr>", "\n")
	t := textFromHTML.Sanitize(r.Replace(h))
	t = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&nbsp;", " ", "&quot;", `"`).Replace(t)
	lines := strings.Split(t, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// conversationSelect reads conversations (alias c) with their requester's
// name and primary email (alias r) and their tags in one query. Tag names
// never contain commas, so the comma-joined list splits back exactly;
// string_agg with ORDER BY is the same SQL on PostgreSQL and SQLite ≥ 3.44.
const conversationSelect = `SELECT c.id, c.inbox_id, c.channel, c.subject, c.status, c.priority, c.requester_id, c.assignee_id,
	c.team_id, c.ccs, c.custom_fields, c.language, c.external_id, c.follow_up_of, c.message_count, c.reopen_count, c.created_at,
	c.updated_at, c.first_response_at, c.last_customer_message_at, c.last_agent_message_at, c.solved_at, c.closed_at,
	c.sla_state, c.sla_due_at, c.order_id, r.name, r.email, COALESCE((SELECT string_agg(t.name, ',' ORDER BY t.name) FROM conversation_tags ct
		JOIN tags t ON t.id = ct.tag_id WHERE ct.conversation_id = c.id), '')
	FROM conversations c JOIN contacts r ON r.id = c.requester_id`

func scanConversations(q db.Querier, ctx context.Context, query string, args ...any) ([]Conversation, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("conversation: query: %w", err)
	}
	defer rows.Close()
	out := []Conversation{}
	for rows.Next() {
		var c Conversation
		var assignee, team, followUp, fr, lcm, lam, solved, closed, slaDue, order db.NullMs
		var ccs, fields string
		var ext *string
		var created, updated int64
		req := &Requester{}
		var tags string
		if err := rows.Scan(&c.ID, &c.InboxID, &c.Channel, &c.Subject, &c.Status, &c.Priority, &c.RequesterID, &assignee, &team,
			&ccs, &fields, &c.Language, &ext, &followUp, &c.MessageCount, &c.ReopenCount, &created, &updated, &fr, &lcm, &lam,
			&solved, &closed, &c.SLAState, &slaDue, &order, &req.Name, &req.Email, &tags); err != nil {
			return nil, err
		}
		req.ID = c.RequesterID
		c.Requester = req
		c.Number = c.ID
		c.AssigneeID, c.TeamID, c.FollowUpOf, c.OrderID = idPtr(assignee), idPtr(team), idPtr(followUp), idPtr(order)
		c.ExternalID = ext
		_ = json.Unmarshal([]byte(ccs), &c.CCs)
		_ = json.Unmarshal([]byte(fields), &c.CustomFields)
		if c.CCs == nil {
			c.CCs = []string{}
		}
		if c.CustomFields == nil {
			c.CustomFields = map[string]any{}
		}
		c.Tags = []string{}
		if tags != "" {
			c.Tags = strings.Split(tags, ",")
		}
		c.CreatedAt, c.UpdatedAt = db.Time(created), db.Time(updated)
		c.FirstResponseAt, c.LastCustomerMessageAt, c.LastAgentMessageAt = db.TimePtr(fr), db.TimePtr(lcm), db.TimePtr(lam)
		c.SolvedAt, c.ClosedAt = db.TimePtr(solved), db.TimePtr(closed)
		c.SLADueAt = db.TimePtr(slaDue)
		out = append(out, c)
	}
	return out, rows.Err()
}

func idPtr(v db.NullMs) *int64 {
	if !v.Valid {
		return nil
	}
	x := v.Int64
	return &x
}

func marks(n int) string { return db.Placeholders(n) }

// Get returns conversation id with tags and requester, or errs.ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Conversation, error) {
	return s.get(ctx, s.db.R(), id)
}

// GetTx is Get read through tx, seeing tx's own writes.
func (s *Service) GetTx(ctx context.Context, tx *db.Tx, id int64) (Conversation, error) {
	return s.get(ctx, tx, id)
}

func (s *Service) get(ctx context.Context, q db.Querier, id int64) (Conversation, error) {
	cs, err := scanConversations(q, ctx, conversationSelect+` WHERE c.id = ?`, id)
	if err != nil {
		return Conversation{}, err
	}
	if len(cs) == 0 {
		return Conversation{}, fmt.Errorf("conversation %d: %w", id, errs.ErrNotFound)
	}
	return cs[0], nil
}
