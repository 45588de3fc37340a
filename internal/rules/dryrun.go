package rules

import (
	"context"
	"fmt"
	"slices"

	"github.com/kesherdesk/kesher/internal/automation"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
)

// DryRunLimit is how many conversations a dry run looks at (the most
// recent of the statuses it scans), and DryRunShown how many matches it
// lists.
const (
	DryRunLimit = 5000
	DryRunShown = 50
)

// DryRunResult is the answer of a dry run: {"statuses":[…],"scanned":N,
// "matched":M,"conversations":[DryRunMatch…]} (the first DryRunShown
// matches, newest first). Statuses are the conversation statuses scanned.
type DryRunResult struct {
	Statuses      []string      `json:"statuses"`
	Scanned       int           `json:"scanned"`
	Matched       int           `json:"matched"`
	Conversations []DryRunMatch `json:"conversations"`
}

// DryRunMatch is one conversation a dry run matched.
type DryRunMatch struct {
	ID            int64  `json:"id"`
	Subject       string `json:"subject"`
	Status        string `json:"status"`
	Priority      string `json:"priority"`
	RequesterName string `json:"requester_name"`
}

// DryRun validates r (as Create does; its id, enabled and position are
// ignored) and reports which of the DryRunLimit most recent conversations
// it could act on it would match now: unsolved ones (new, open, pending,
// on_hold) for an event rule, those in the rule's time.status for a time
// rule, with Facts built exactly as the
// runner builds them (Facts). Nothing is written. Errors:
// *errs.ValidationError.
func (s *Service) DryRun(ctx context.Context, r automation.Rule) (DryRunResult, error) {
	if err := Validate(&r); err != nil {
		return DryRunResult{}, err
	}
	statuses := conversation.Unsolved
	if r.Time != nil {
		statuses = []string{r.Time.Status}
	}
	q := s.db.R()
	args := make([]any, len(statuses))
	for i, st := range statuses {
		args[i] = st
	}
	rows, err := q.Query(ctx, fmt.Sprintf(`SELECT id FROM conversations WHERE status IN (%s) ORDER BY id DESC LIMIT %d`,
		db.Placeholders(len(statuses)), DryRunLimit), args...)
	if err != nil {
		return DryRunResult{}, fmt.Errorf("rules: dry run: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return DryRunResult{}, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return DryRunResult{}, err
	}
	convs, err := s.conversations.GetMany(ctx, q, ids)
	if err != nil {
		return DryRunResult{}, err
	}
	facts, err := s.Facts(ctx, q, convs, s.Now())
	if err != nil {
		return DryRunResult{}, err
	}
	matched := automation.DryRun(r, facts)
	res := DryRunResult{Statuses: slices.Clone(statuses), Scanned: len(convs), Matched: len(matched), Conversations: []DryRunMatch{}}
	byID := map[int64]int{}
	for i, c := range convs {
		byID[c.ID] = i
	}
	// Newest first, as scanned.
	want := map[int64]bool{}
	for _, id := range matched {
		want[id] = true
	}
	for _, id := range ids {
		if len(res.Conversations) == DryRunShown {
			break
		}
		i, ok := byID[id]
		if !ok || !want[id] {
			continue
		}
		c := convs[i]
		m := DryRunMatch{ID: c.ID, Subject: c.Subject, Status: c.Status, Priority: c.Priority}
		if c.Requester != nil {
			m.RequesterName = c.Requester.Name
		}
		res.Conversations = append(res.Conversations, m)
	}
	return res, nil
}
