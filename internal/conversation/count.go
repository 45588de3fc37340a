package conversation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kesherdesk/kesher/internal/errs"
)

// Unsolved lists the statuses of conversations that still need work.
var Unsolved = []string{StatusNew, StatusOpen, StatusPending, StatusOnHold}

// visibilityArms splits the visibility rule into disjoint conditions — no
// team; one of the agent's teams; assigned to the agent in another team —
// so that each part of a count walks one index range ((team_id, status, id)
// or (assignee_id, status, id)) instead of testing an OR row by row. The
// counts of the arms add up to the count under the rule.
func visibilityArms(v Visibility, p ListParams) []sqlCond {
	if v.All {
		return []sqlCond{{}}
	}
	arms := []sqlCond{{cond: "c.team_id IS NULL"}}
	if p.NoTeam {
		return arms
	}
	teams := make([]any, len(v.TeamIDs))
	for i, t := range v.TeamIDs {
		teams[i] = t
	}
	if len(teams) > 0 {
		arms = append(arms, sqlCond{cond: "c.team_id IN (" + marks(len(teams)) + ")", args: teams})
	}
	if !p.Unassigned && (p.AssigneeID == 0 || p.AssigneeID == v.AgentID) {
		mine := sqlCond{cond: "c.assignee_id = ? AND c.team_id IS NOT NULL", args: []any{v.AgentID}}
		if len(teams) > 0 {
			mine.cond += " AND c.team_id NOT IN (" + marks(len(teams)) + ")"
			mine.args = append(mine.args, teams...)
		}
		arms = append(arms, mine)
	}
	return arms
}

type sqlCond struct {
	cond string
	args []any
}

// CountByStatus counts the conversations matching p's filters and
// visibility (Sort, Cursor and Limit are ignored), per status: over
// p.Statuses when given, else over every status. Each count is a COUNT over
// index ranges (see visibilityArms). With p.SLA set only conversations in
// that SLA state count (the statuses are the caller's). Errors: *errs.ValidationError for a
// bad status.
func (s *Service) CountByStatus(ctx context.Context, p ListParams) (map[string]int, error) {
	statuses := uniq(p.Statuses)
	if len(statuses) == 0 {
		statuses = Statuses
	}
	var c errs.Checker
	for _, st := range statuses {
		c.OneOf("status", st, Statuses...)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]int, len(statuses))
	for _, st := range statuses {
		out[st] = 0
	}
	if p.TagID < 0 {
		return out, nil
	}
	from, _, where, args := filterSQL(p)
	if p.SLA != "" {
		states := slaStates(p.SLA)
		where = append(where, "c.sla_state IN ("+marks(len(states))+")")
		args = append(args, states...)
	}
	for _, arm := range visibilityArms(p.Visibility, p) {
		w := append([]string{"c.status IN (" + marks(len(statuses)) + ")"}, where...)
		a := append(toAny(statuses), args...)
		if arm.cond != "" {
			w = append(w, arm.cond)
			a = append(a, arm.args...)
		}
		q := "SELECT c.status, COUNT(*) " + from + " WHERE " + strings.Join(w, " AND ") + " GROUP BY c.status"
		if err := scanCounts(ctx, s, q, a, func(status string, n int) { out[status] += n }); err != nil {
			return nil, fmt.Errorf("conversation: count: %w", err)
		}
	}
	return out, nil
}

// CountByTeam counts the conversations in the given statuses per team
// visible to v: every team for admins, else the agent's own teams (all of
// whose conversations they see). Teams without any count 0.
func (s *Service) CountByTeam(ctx context.Context, v Visibility, statuses []string) (map[int64]int, error) {
	ids := slices.Clone(v.TeamIDs)
	if v.All {
		var err error
		if ids, err = queryIDs(ctx, s.db.R(), `SELECT id FROM teams ORDER BY id`); err != nil {
			return nil, fmt.Errorf("conversation: count by team: %w", err)
		}
	}
	out := make(map[int64]int, len(ids))
	for _, id := range ids {
		out[id] = 0
	}
	if len(ids) == 0 || len(statuses) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+len(statuses))
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, toAny(statuses)...)
	rows, err := s.db.R().Query(ctx, `SELECT c.team_id, COUNT(*) FROM conversations c WHERE c.team_id IN (`+marks(len(ids))+`)
		AND c.status IN (`+marks(len(statuses))+`) GROUP BY c.team_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("conversation: count by team: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

func scanCounts(ctx context.Context, s *Service, q string, args []any, add func(string, int)) error {
	rows, err := s.db.R().Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return err
		}
		add(key, n)
	}
	return rows.Err()
}
