package conversation

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/page"
)

// Sort orders for List. "-created_at" (newest first, the default) and
// "created_at" page by id; "-updated_at" and "updated_at" page by
// (c.updated_at, c.id), the latter suited to syncing with UpdatedSince.
// "sla_due_at" (earliest SLA due first, then id; conversations without a
// due last) is the order of the SLA views and needs the SLA filter.
var Sorts = []string{"-created_at", "created_at", "-updated_at", "updated_at", "sla_due_at"}

// SLA filters of List.
const (
	// SLAAtRisk: open conversations (new, open, pending, on hold) whose
	// SLA is at risk or breached.
	SLAAtRisk = "at_risk"
	// SLABreached: open conversations whose SLA is breached.
	SLABreached = "breached"
)

// slaOpenStatuses are the statuses the SLA views list.
var slaOpenStatuses = []string{StatusNew, StatusOpen, StatusPending, StatusOnHold}

// slaDueKey orders by due instant with conversations without one last, the
// same on both stores (NULLs sort differently).
const slaDueKey = "COALESCE(c.sla_due_at, 9000000000000000)"

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
	Query        string // searches number, subject and requester (see Filters.Q)
	UpdatedSince *time.Time
	// SLA is "", SLAAtRisk or SLABreached; it defaults Sort to
	// "sla_due_at".
	SLA        string
	Sort       string
	Cursor     string
	Limit      int
	Visibility Visibility
}

// List returns one page of conversations. Paging is by keyset on the sort
// column and id, so pages neither skip nor repeat rows while new
// conversations arrive; no COUNT is ever run. Errors: *errs.ValidationError
// for a bad sort, status, priority, query, limit or cursor.
func (s *Service) List(ctx context.Context, p ListParams) (page.Result[Conversation], error) {
	var c errs.Checker
	if p.Sort == "" {
		p.Sort = "-created_at"
		if p.SLA != "" {
			p.Sort = "sla_due_at"
		}
	}
	p.Statuses = uniq(p.Statuses) // one index range per status, never two
	c.OneOf("sort", p.Sort, Sorts...)
	if p.SLA != "" {
		c.OneOf("sla", p.SLA, SLAAtRisk, SLABreached)
	}
	c.Check(p.Sort != "sla_due_at" || p.SLA != "", "sort", "invalid", "sla_due_at needs the sla filter")
	c.MaxLen("q", p.Query, MaxQueryLength)
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

	// Two steps: find the page's ids with an index-only query, then load
	// those rows with their requester. Sorting or skipping never touches
	// more than ids, so a broad filter on a million rows stays cheap.
	from, idCol, where, args := filterSQL(p)
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if v := p.Visibility; !v.All {
		cond := "c.team_id IS NULL OR c.assignee_id = ?"
		a := []any{v.AgentID}
		if len(v.TeamIDs) > 0 {
			cond += " OR c.team_id IN (" + marks(len(v.TeamIDs)) + ")"
			for _, t := range v.TeamIDs {
				a = append(a, t)
			}
		}
		add("("+cond+")", a...)
	}
	if p.SLA != "" {
		// The SLA views: a few rows from the sla_state index; statuses are
		// a plain condition (intersected with the open statuses).
		states := slaStates(p.SLA)
		add("c.sla_state IN ("+marks(len(states))+")", states...)
		sts := []any{}
		for _, st := range slaOpenStatuses {
			if len(p.Statuses) == 0 || slices.Contains(p.Statuses, st) {
				sts = append(sts, st)
			}
		}
		if len(sts) == 0 {
			return empty, nil
		}
		add("c.status IN ("+marks(len(sts))+")", sts...)
		p.Statuses = nil
	}
	var order string
	switch p.Sort {
	case "sla_due_at":
		order = slaDueKey + " ASC, c.id ASC"
		if cur != nil {
			add("("+slaDueKey+" > ? OR ("+slaDueKey+" = ? AND c.id > ?))", cur.Key, cur.Key, cur.ID)
		}
	case "-created_at":
		order = idCol + " DESC"
		if cur != nil {
			add(idCol+" < ?", cur.ID)
		}
	case "created_at":
		order = idCol + " ASC"
		if cur != nil {
			add(idCol+" > ?", cur.ID)
		}
	case "-updated_at":
		order = "c.updated_at DESC, c.id DESC"
		if cur != nil {
			add("(c.updated_at < ? OR (c.updated_at = ? AND c.id < ?))", cur.Key, cur.Key, cur.ID)
		}
	case "updated_at":
		order = "c.updated_at ASC, c.id ASC"
		if cur != nil {
			add("(c.updated_at > ? OR (c.updated_at = ? AND c.id > ?))", cur.Key, cur.Key, cur.ID)
		}
	}
	arm := func(status string) (string, []any) {
		w := where
		a := args
		if status != "" {
			w = append([]string{"c.status = ?"}, where...)
			a = append([]any{status}, args...)
		}
		q := "SELECT c.id AS id, c.updated_at AS updated_at " + from
		if len(w) > 0 {
			q += " WHERE " + strings.Join(w, " AND ")
		}
		// The limit is a literal, not a parameter: with it known, PostgreSQL's
		// generic plan for this prepared statement is as good as a custom one,
		// so it stops re-planning on every execution.
		return q + " ORDER BY " + order + " LIMIT " + strconv.Itoa(limit+1), a
	}
	var idq string
	var idArgs []any
	switch len(p.Statuses) {
	case 0:
		idq, idArgs = arm("")
	case 1:
		idq, idArgs = arm(p.Statuses[0])
	default:
		// One index range per status, merged: SQLite cannot walk several
		// (status, id) ranges in id order at once and would otherwise sort
		// every match.
		parts := make([]string, len(p.Statuses))
		for i, st := range p.Statuses {
			q, a := arm(st)
			parts[i] = "SELECT id, updated_at FROM (" + q + ") s" + fmt.Sprint(i)
			idArgs = append(idArgs, a...)
		}
		outer := strings.NewReplacer("c.", "", "ft.conversation_id", "id").Replace(order)
		idq = "SELECT id FROM (" + strings.Join(parts, " UNION ALL ") + ") u ORDER BY " + outer + " LIMIT " + strconv.Itoa(limit+1)
	}
	// One round trip: the id query runs first (MATERIALIZED), then only its
	// rows are joined with their requester.
	outerOrder := strings.ReplaceAll(order, "ft.conversation_id", "c.id")
	q := "WITH page AS MATERIALIZED (" + idq + ") " + conversationSelect + " JOIN page ON page.id = c.id ORDER BY " + outerOrder
	cs, err := scanConversations(s.db.R(), ctx, q, idArgs...)
	if err != nil {
		return page.Result[Conversation]{}, fmt.Errorf("conversation: list: %w", err)
	}
	return page.Of(cs, limit, func(last Conversation) page.Cursor {
		next := page.Cursor{Sort: p.Sort, ID: last.ID}
		if strings.HasSuffix(p.Sort, "updated_at") {
			next.Key = last.UpdatedAt.UnixMilli()
		}
		if p.Sort == "sla_due_at" {
			next.Key = 9000000000000000
			if last.SLADueAt != nil {
				next.Key = last.SLADueAt.UnixMilli()
			}
		}
		return next
	}), nil
}

// filterSQL returns the FROM clause, the id column to order by and the
// WHERE conditions (with their arguments) for p's filters other than
// status, visibility and cursor.
// slaStates are the conversations.sla_state values of an SLA filter:
// breached for SLABreached, at risk and breached for SLAAtRisk.
func slaStates(filter string) []any {
	if filter == SLAAtRisk {
		return []any{SLABreached, SLAAtRisk}
	}
	return []any{SLABreached}
}

func filterSQL(p ListParams) (from, idCol string, where []string, args []any) {
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if len(p.Priorities) > 0 {
		add("c.priority IN ("+marks(len(p.Priorities))+")", toAny(p.Priorities)...)
	}
	switch {
	case p.Unassigned:
		add("c.assignee_id IS NULL")
	case p.AssigneeID != 0:
		add("c.assignee_id = ?", p.AssigneeID)
	}
	switch {
	case p.NoTeam:
		add("c.team_id IS NULL")
	case p.TeamID != 0:
		add("c.team_id = ?", p.TeamID)
	}
	// A tag filter joins the tag index (tag_id, conversation_id) and, when
	// sorting by id, walks it in order, so a common tag never means
	// collecting all its conversations first.
	from = "FROM conversations c"
	idCol = "c.id"
	if p.TagID > 0 {
		from += " JOIN conversation_tags ft ON ft.conversation_id = c.id"
		add("ft.tag_id = ?", p.TagID)
		idCol = "ft.conversation_id"
	}
	if p.InboxID != 0 {
		add("c.inbox_id = ?", p.InboxID)
	}
	if p.RequesterID != 0 {
		add("c.requester_id = ?", p.RequesterID)
	}
	if p.Channel != "" {
		add("c.channel = ?", p.Channel)
	}
	if p.UpdatedSince != nil {
		add("c.updated_at >= ?", p.UpdatedSince.UnixMilli())
	}
	if q := strings.TrimSpace(p.Query); q != "" {
		cond, a := searchCond(q)
		add(cond, a...)
	}
	return from, idCol, where, args
}

func toAny(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// queryIDs runs a query whose first column is an id and returns the ids in
// order.
func queryIDs(ctx context.Context, q db.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	dest := make([]any, len(cols))
	for i := range dest {
		dest[i] = new(any)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		dest[0] = &id
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
