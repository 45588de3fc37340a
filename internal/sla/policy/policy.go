// Package policy is the SLA engine: which SLA policy applies to a
// conversation (Select) and, given the conversation's timeline, where each
// of the policy's targets stands at an instant (Evaluate). It is pure Go:
// no database, no goroutines, no clock of its own; persistence of the
// per-conversation SLA state and the breach worker live elsewhere.
//
// Units: target lengths are whole minutes; instants are UTC time.Time
// values. A business target counts only the open minutes of the policy's
// calendar (calendar.Calendar.Between and Due); a calendar-time target
// counts every minute, round the clock.
package policy

import (
	"errors"
	"fmt"
	"slices"
)

// Target is one SLA goal: Minutes of elapsed time, measured on the
// policy's business calendar when Business is set and in plain calendar
// time otherwise. Minutes ≤ 0 means the policy sets no such target.
type Target struct {
	Minutes  int  `json:"minutes"`
	Business bool `json:"business"`
}

// Set reports whether the target is in use (Minutes > 0).
func (t Target) Set() bool { return t.Minutes > 0 }

// Conditions restrict the conversations a policy applies to. An empty list
// matches any value; every non-empty list must match (AND across lists, OR
// within a list). Tags match when the conversation carries at least one of
// the listed tags.
type Conditions struct {
	Priorities      []string `json:"priorities"`
	InboxIDs        []int64  `json:"inbox_ids"`
	Channels        []string `json:"channels"`
	ContactTiers    []string `json:"contact_tiers"`
	OrganizationIDs []int64  `json:"organization_ids"`
	Tags            []string `json:"tags"`
}

// Policy is an SLA policy: conditions selecting conversations and the
// three targets they are held to. Policies are kept in an ordered list and
// the first match wins (Select).
type Policy struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Conditions Conditions `json:"conditions"`
	// Calendar names the business-hours calendar of business targets,
	// e.g. "il" (calendar.Builtin). The caller loads it and passes it to
	// Evaluate.
	Calendar string `json:"calendar"`
	// FirstResponse runs from creation to the first public agent reply.
	FirstResponse Target `json:"first_response"`
	// NextResponse runs from each customer message that follows an agent
	// reply to the next public agent reply.
	NextResponse Target `json:"next_response"`
	// Resolution runs from creation to solved; a reopen continues it.
	Resolution Target `json:"resolution"`
	// WarnFraction is the share of a target after which it is at risk,
	// e.g. 0.75 means at risk once 75 % of the target's minutes have
	// elapsed. 0 disables the warning.
	WarnFraction float64 `json:"warn_fraction"`
}

// Facts are the attributes of a conversation that policy conditions test.
// OrganizationID is 0 when the contact belongs to no organization.
type Facts struct {
	Priority       string
	InboxID        int64
	Channel        string
	ContactTier    string
	OrganizationID int64
	Tags           []string
}

// Matches reports whether f satisfies every condition of c.
func (c Conditions) Matches(f Facts) bool {
	return anyOrHas(c.Priorities, f.Priority) &&
		anyOrHas(c.InboxIDs, f.InboxID) &&
		anyOrHas(c.Channels, f.Channel) &&
		anyOrHas(c.ContactTiers, f.ContactTier) &&
		anyOrHas(c.OrganizationIDs, f.OrganizationID) &&
		(len(c.Tags) == 0 || slices.ContainsFunc(f.Tags, func(t string) bool { return slices.Contains(c.Tags, t) }))
}

func anyOrHas[T comparable](list []T, v T) bool { return len(list) == 0 || slices.Contains(list, v) }

// Select returns the first policy in policies whose conditions match f, or
// nil when none does. The result points into policies.
func Select(policies []Policy, f Facts) *Policy {
	for i := range policies {
		if policies[i].Conditions.Matches(f) {
			return &policies[i]
		}
	}
	return nil
}

// Validate checks p: targets must not be negative, WarnFraction must lie in
// [0, 1), and a policy with a business target must name its calendar.
func (p *Policy) Validate() error {
	var errs []error
	business := false
	for _, t := range []struct {
		name string
		t    Target
	}{{"first_response", p.FirstResponse}, {"next_response", p.NextResponse}, {"resolution", p.Resolution}} {
		if t.t.Minutes < 0 {
			errs = append(errs, fmt.Errorf("%s: minutes must not be negative", t.name))
		}
		business = business || (t.t.Set() && t.t.Business)
	}
	if p.WarnFraction < 0 || p.WarnFraction >= 1 {
		errs = append(errs, errors.New("warn_fraction must be at least 0 and below 1"))
	}
	if business && p.Calendar == "" {
		errs = append(errs, errors.New("calendar: a business-hours target needs a calendar"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sla policy %q: %w", p.Name, err)
	}
	return nil
}
