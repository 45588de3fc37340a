package demo

import (
	"testing"
	"time"
)

// TestPlanAnyInstant checks the desk drawn for instants across a week — by
// night, on Friday and Saturday too — has every status, a backlog nobody has
// answered, and stories that end by the seeding instant.
func TestPlanAnyInstant(t *testing.T) {
	start := time.Date(2025, 6, 1, 0, 17, 0, 0, time.UTC)
	for i := range 14 {
		now := start.Add(time.Duration(i) * 13 * time.Hour)
		p := makePlan(now)
		statuses := map[string]int{}
		for _, c := range p.convs {
			statuses[c.status]++
			if c.updated.After(now) || c.created.Before(now.Add(-history)) {
				t.Errorf("%v: conversation from %v updated %v, outside the last 90 days", now, c.created, c.updated)
			}
			if (c.status == statusNew) != c.firstResponse.IsZero() {
				t.Errorf("%v: a %s conversation with first response %v", now, c.status, c.firstResponse)
			}
		}
		for _, s := range []string{statusNew, statusOpen, statusPending, statusOnHold, statusSolved, statusClosed} {
			if statuses[s] == 0 {
				t.Errorf("%v (%s): no %s conversation: %v", now, now.In(israel()).Weekday(), s, statuses)
			}
		}
		t.Logf("%s %s: %v", now.In(israel()).Weekday(), now.In(israel()).Format("15:04"), statuses)
	}
}
