package view

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kesherdesk/kesher/internal/conversation"
)

// Counts are the sidebar numbers. Mine, Unassigned, Open, AtRisk, Teams
// and Views count unsolved conversations (new, open, pending, on hold) the
// agent can see (AtRisk: those whose SLA is at risk or breached, the "At
// risk" view); Statuses counts every status. Teams is keyed by team id (every team
// for admins, else the agent's teams), Views by the agent's view ids.
type Counts struct {
	Mine       int            `json:"mine"`
	Unassigned int            `json:"unassigned"`
	AtRisk     int            `json:"at_risk"`
	Open       int            `json:"open"`
	Statuses   map[string]int `json:"statuses"`
	Teams      map[int64]int  `json:"teams"`
	Views      map[int64]int  `json:"views"`
}

type cachedCounts struct {
	key     string // the visibility the counts were made for
	counts  Counts
	expires time.Time
}

// Counts returns the sidebar counts for the agent v.AgentID seeing v,
// answering from memory for CountsTTL: the app refreshes them often and
// every refresh would otherwise run a dozen COUNT queries. A change to the
// agent's views is seen at once.
func (s *Service) Counts(ctx context.Context, v conversation.Visibility) (Counts, error) {
	key := fmt.Sprint(v.All, v.TeamIDs)
	now := s.Now()
	s.mu.Lock()
	c, ok := s.counts[v.AgentID]
	s.mu.Unlock()
	if ok && c.key == key && now.Before(c.expires) {
		return c.counts, nil
	}
	counts, err := s.count(ctx, v)
	if err != nil {
		return Counts{}, err
	}
	s.mu.Lock()
	if len(s.counts) > 10000 {
		clear(s.counts)
	}
	s.counts[v.AgentID] = cachedCounts{key: key, counts: counts, expires: now.Add(s.CountsTTL)}
	s.mu.Unlock()
	return counts, nil
}

func (s *Service) forget(agentID int64) {
	s.mu.Lock()
	delete(s.counts, agentID)
	s.mu.Unlock()
}

func (s *Service) count(ctx context.Context, v conversation.Visibility) (Counts, error) {
	var out Counts
	var err error
	if out.Statuses, err = s.convs.CountByStatus(ctx, conversation.ListParams{Visibility: v}); err != nil {
		return Counts{}, err
	}
	for _, st := range conversation.Unsolved {
		out.Open += out.Statuses[st]
	}
	// Every conversation assigned to the agent is visible to them, so
	// "mine" needs no visibility arms: one range of the assignee index.
	if out.Mine, err = s.sum(ctx, conversation.ListParams{AssigneeID: v.AgentID, Visibility: conversation.Visibility{All: true}}); err != nil {
		return Counts{}, err
	}
	if out.Unassigned, err = s.sum(ctx, conversation.ListParams{Unassigned: true, Visibility: v}); err != nil {
		return Counts{}, err
	}
	if out.AtRisk, err = s.sum(ctx, conversation.ListParams{SLA: conversation.SLAAtRisk, Visibility: v}); err != nil {
		return Counts{}, err
	}
	if out.Teams, err = s.convs.CountByTeam(ctx, v, conversation.Unsolved); err != nil {
		return Counts{}, err
	}
	views, err := s.List(ctx, v.AgentID)
	if err != nil {
		return Counts{}, err
	}
	out.Views = make(map[int64]int, len(views))
	for _, vw := range views {
		p, err := s.convs.Params(ctx, vw.Filters, v.AgentID, filterField)
		if err != nil { // a view saved under older rules; show it as empty
			continue
		}
		p.Visibility = v
		if out.Views[vw.ID], err = s.sum(ctx, p); err != nil {
			return Counts{}, err
		}
	}
	return out, nil
}

// sum counts p's unsolved conversations: only the unsolved statuses among
// p.Statuses when it names any.
func (s *Service) sum(ctx context.Context, p conversation.ListParams) (int, error) {
	statuses := conversation.Unsolved
	if len(p.Statuses) > 0 {
		statuses = slices.DeleteFunc(slices.Clone(p.Statuses), func(st string) bool { return !slices.Contains(conversation.Unsolved, st) })
		if len(statuses) == 0 {
			return 0, nil
		}
	}
	p.Statuses = statuses
	byStatus, err := s.convs.CountByStatus(ctx, p)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range byStatus {
		n += c
	}
	return n, nil
}
