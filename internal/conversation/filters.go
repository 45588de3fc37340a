package conversation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/tag"
)

// MaxQueryLength is the longest search text (Filters.Q), in characters.
const MaxQueryLength = 200

// Filters are the conversation list filters as an agent picks them: the
// query parameters of the list endpoint and what a saved view stores. Empty
// values do not filter.
type Filters struct {
	Statuses   []string `json:"statuses"`
	Priorities []string `json:"priorities"`
	// Assignee is "me", "none" (unassigned) or an agent id.
	Assignee string `json:"assignee"`
	// Team is "none" (no team) or a team id.
	Team string `json:"team"`
	// Tag is a tag name; a tag that does not exist matches nothing.
	Tag string `json:"tag"`
	// Inbox is an inbox id; 0 means any.
	Inbox   int64  `json:"inbox"`
	Channel string `json:"channel"`
	// Q searches: a substring of the subject or of the requester's name or
	// email, or a conversation number ("123" or "#123").
	Q string `json:"q"`
	// SLA is "at_risk" (at risk or breached) or "breached": open
	// conversations in that SLA state, earliest due first.
	SLA string `json:"sla,omitempty"`
}

// Normalize trims text, removes repeated statuses and priorities and makes
// nil lists empty.
func (f *Filters) Normalize() {
	f.Statuses, f.Priorities = uniq(f.Statuses), uniq(f.Priorities)
	f.Assignee, f.Team = strings.TrimSpace(f.Assignee), strings.TrimSpace(f.Team)
	f.Tag, f.Channel, f.Q = strings.TrimSpace(f.Tag), strings.TrimSpace(f.Channel), strings.TrimSpace(f.Q)
	f.SLA = strings.TrimSpace(f.SLA)
}

func uniq(xs []string) []string {
	out := []string{}
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// Check validates f by the rules of the conversation list. field maps each
// filter's JSON name (statuses, priorities, assignee, team, tag, inbox,
// channel, q) to the name errors report, so the list endpoint can name its
// query parameters and a saved view "filters.<name>".
func (f Filters) Check(field func(name string) string) error {
	_, err := f.params(0, field)
	return err
}

// Params checks f (see Check) and turns it into ListParams for the agent
// me, who is what "me" means; the tag name is looked up. Errors:
// *errs.ValidationError.
func (s *Service) Params(ctx context.Context, f Filters, me int64, field func(name string) string) (ListParams, error) {
	p, err := f.params(me, field)
	if err != nil {
		return ListParams{}, err
	}
	if f.Tag != "" {
		err := s.db.R().QueryRow(ctx, `SELECT id FROM tags WHERE name = ?`, tag.Normalize(f.Tag)).Scan(&p.TagID)
		if errors.Is(err, sql.ErrNoRows) {
			p.TagID = -1
		} else if err != nil {
			return ListParams{}, fmt.Errorf("conversation: look up tag: %w", err)
		}
	}
	return p, nil
}

func (f Filters) params(me int64, field func(string) string) (ListParams, error) {
	f.Normalize()
	var c errs.Checker
	for _, st := range f.Statuses {
		c.OneOf(field("statuses"), st, Statuses...)
	}
	for _, pr := range f.Priorities {
		c.OneOf(field("priorities"), pr, Priorities...)
	}
	p := ListParams{Statuses: f.Statuses, Priorities: f.Priorities, InboxID: f.Inbox, Channel: f.Channel, Query: f.Q, SLA: f.SLA}
	if f.SLA != "" {
		c.OneOf(field("sla"), f.SLA, SLAAtRisk, SLABreached)
	}
	switch f.Assignee {
	case "":
	case "me":
		p.AssigneeID = me
	case "none":
		p.Unassigned = true
	default:
		id, ok := positiveID(f.Assignee)
		c.Check(ok, field("assignee"), "invalid", "assignee must be an agent id, me or none")
		p.AssigneeID = id
	}
	switch f.Team {
	case "":
	case "none":
		p.NoTeam = true
	default:
		id, ok := positiveID(f.Team)
		c.Check(ok, field("team"), "invalid", "team must be a team id or none")
		p.TeamID = id
	}
	c.Check(f.Inbox >= 0, field("inbox"), "invalid", "inbox must be an inbox id")
	if f.Channel != "" {
		c.OneOf(field("channel"), f.Channel, inbox.Channels...)
	}
	if f.Tag != "" {
		tag.CheckName(&c, field("tag"), tag.Normalize(f.Tag))
	}
	c.MaxLen(field("q"), f.Q, MaxQueryLength)
	return p, c.Err()
}

func positiveID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// searchCond is the WHERE condition of a search for q (trimmed, not empty)
// on conversations c: "#123" is conversation 123 alone (a primary-key
// lookup); other text is a case-insensitive substring of the subject or of
// the requester's name or email, or the number itself when q is all
// digits. Requesters are found first, once, and conversations then by
// their requester index.
func searchCond(q string) (string, []any) {
	if n, ok := positiveID(strings.TrimPrefix(q, "#")); ok && strings.HasPrefix(q, "#") {
		return "c.id = ?", []any{n}
	}
	like := "%" + escapeLike(strings.ToLower(q)) + "%"
	cond := `lower(c.subject) LIKE ? ESCAPE '\' OR c.requester_id IN
		(SELECT id FROM contacts WHERE lower(name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`
	args := []any{like, like, like}
	if n, ok := positiveID(q); ok {
		cond = "c.id = ? OR " + cond
		args = append([]any{n}, args...)
	}
	return "(" + cond + ")", args
}

// escapeLike escapes LIKE wildcards with backslash.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
