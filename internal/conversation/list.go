package conversation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/page"
)

// Sort orders for List. "-created_at" (newest first, the default) and
// "created_at" page by id; "-updated_at" and "updated_at" page by
// (updated_at, id), the latter suited to syncing with UpdatedSince.
var Sorts = []string{"-created_at", "created_at", "-updated_at", "updated_at"}

// Visibility restricts a list to what an agent may see: conversations of
// TeamIDs, without a team, or assigned to AgentID. All disables the
// restriction (admins).
type Visibility struct {
	All     bool
	AgentID int64
	TeamIDs []int64
}

// ListParams filter and page the conversation list. Zero values do not
// filter. Assignee and Team take an id, or "none" for unassigned / no team;
// Assignee also takes "me" (resolved by the caller into an id).
type ListParams struct {
	Statuses     []string
	Priorities   []string
	AssigneeID   int64
	Unassigned   bool
	TeamID       int64
	NoTeam       bool
	TagID        int64 // the tag's id; -1 means a tag that does not exist (empty result)
	InboxID      int64
	RequesterID  int64
	Channel      string
	UpdatedSince *time.Time
	Sort         string
	Cursor       string
	Limit        int
	Visibility   Visibility
}

// List returns one page of conversations. Paging is by keyset on the sort
// column and id, so pages neither skip nor repeat rows while new
// conversations arrive; no COUNT is ever run. Errors: *errs.ValidationError
// for a bad sort, status, priority, limit or cursor.
func (s *Service) List(ctx context.Context, p ListParams) (page.Result[Conversation], error) {
	var c errs.Checker
	if p.Sort == "" {
		p.Sort = "-created_at"
	}
	c.OneOf("sort", p.Sort, Sorts...)
	for _, st := range p.Statuses {
		c.OneOf("status", st, Statuses...)
	}
	for _, pr := range p.Priorities {
		c.OneOf("priority", pr, Priorities...)
	}
	if err := c.Err(); err != nil {
		return page.Result[Conversation]{}, err
	}
	limit, err := page.Limit(p.Limit)
	if err != nil {
		return page.Result[Conversation]{}, err
	}
	cur, err := page.Decode(p.Cursor, p.Sort)
	if err != nil {
		return page.Result[Conversation]{}, err
	}
	empty := page.Result[Conversation]{Data: []Conversation{}}
	if p.TagID < 0 {
		return empty, nil
	}

	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if len(p.Statuses) == 1 {
		add("status = ?", p.Statuses[0])
	} else if len(p.Statuses) > 1 {
		add("status IN ("+marks(len(p.Statuses))+")", toAny(p.Statuses)...)
	}
	if len(p.Priorities) > 0 {
		add("priority IN ("+marks(len(p.Priorities))+")", toAny(p.Priorities)...)
	}
	switch {
	case p.Unassigned:
		add("assignee_id IS NULL")
	case p.AssigneeID != 0:
		add("assignee_id = ?", p.AssigneeID)
	}
	switch {
	case p.NoTeam:
		add("team_id IS NULL")
	case p.TeamID != 0:
		add("team_id = ?", p.TeamID)
	}
	if p.TagID > 0 {
		add("id IN (SELECT conversation_id FROM conversation_tags WHERE tag_id = ?)", p.TagID)
	}
	if p.InboxID != 0 {
		add("inbox_id = ?", p.InboxID)
	}
	if p.RequesterID != 0 {
		add("requester_id = ?", p.RequesterID)
	}
	if p.Channel != "" {
		add("channel = ?", p.Channel)
	}
	if p.UpdatedSince != nil {
		add("updated_at >= ?", p.UpdatedSince.UnixMilli())
	}
	if v := p.Visibility; !v.All {
		cond := "team_id IS NULL OR assignee_id = ?"
		a := []any{v.AgentID}
		if len(v.TeamIDs) > 0 {
			cond += " OR team_id IN (" + marks(len(v.TeamIDs)) + ")"
			for _, t := range v.TeamIDs {
				a = append(a, t)
			}
		}
		add("("+cond+")", a...)
	}
	var order string
	switch p.Sort {
	case "-created_at":
		order = "id DESC"
		if cur != nil {
			add("id < ?", cur.ID)
		}
	case "created_at":
		order = "id ASC"
		if cur != nil {
			add("id > ?", cur.ID)
		}
	case "-updated_at":
		order = "updated_at DESC, id DESC"
		if cur != nil {
			add("(updated_at < ? OR (updated_at = ? AND id < ?))", cur.Key, cur.Key, cur.ID)
		}
	case "updated_at":
		order = "updated_at ASC, id ASC"
		if cur != nil {
			add("(updated_at > ? OR (updated_at = ? AND id > ?))", cur.Key, cur.Key, cur.ID)
		}
	}
	q := `SELECT ` + conversationColumns + ` FROM conversations`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY " + order + " LIMIT ?"
	args = append(args, limit+1)
	cs, err := scanConversations(s.db.R(), ctx, q, args...)
	if err != nil {
		return page.Result[Conversation]{}, fmt.Errorf("conversation: list: %w", err)
	}
	res := page.Result[Conversation]{Data: cs}
	if len(cs) > limit {
		res.Data = cs[:limit]
		last := cs[limit-1]
		next := page.Cursor{Sort: p.Sort, ID: last.ID}
		if strings.HasSuffix(p.Sort, "updated_at") {
			next.Key = last.UpdatedAt.UnixMilli()
		}
		n := next.Encode()
		res.NextCursor = &n
	}
	if err := decorate(ctx, s.db.R(), res.Data); err != nil {
		return page.Result[Conversation]{}, err
	}
	return res, nil
}

func toAny(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
