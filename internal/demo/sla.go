package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/sla"
	"github.com/kesherdesk/kesher/internal/sla/policy"
)

// slaPolicies are the demo desk's SLA policies, first match first, all on
// the built-in Israeli business calendar.
var slaPolicies = []sla.PolicyInput{
	{Name: "Urgent", Calendar: "il", Conditions: policy.Conditions{Priorities: []string{"urgent"}},
		Targets: sla.Targets{FirstResponse: policy.Target{Minutes: 60, Business: true},
			NextResponse: policy.Target{Minutes: 120, Business: true}, Resolution: policy.Target{Minutes: 8 * 60, Business: true}},
		Escalation: []sla.Action{{Type: sla.ActionNotify, Value: "assignee"}, {Type: sla.ActionNotify, Value: "supervisor"}}},
	{Name: "VIP customers", Calendar: "il", Conditions: policy.Conditions{ContactTiers: []string{"vip"}},
		Targets: sla.Targets{FirstResponse: policy.Target{Minutes: 60, Business: true},
			NextResponse: policy.Target{Minutes: 4 * 60, Business: true}, Resolution: policy.Target{Minutes: 2 * 8 * 60, Business: true}},
		Escalation: []sla.Action{{Type: sla.ActionNotify, Value: "assignee"}, {Type: sla.ActionNotify, Value: "supervisor"},
			{Type: sla.ActionRaisePriority}}},
	{Name: "Default", Calendar: "il",
		Targets: sla.Targets{FirstResponse: policy.Target{Minutes: 4 * 60, Business: true},
			NextResponse: policy.Target{Minutes: 8 * 60, Business: true}, Resolution: policy.Target{Minutes: 3 * 8 * 60, Business: true}},
		Escalation: []sla.Action{{Type: sla.ActionNotify, Value: "assignee"}}},
}

// seedSLA stores the demo SLA policies and evaluates every demo
// conversation at now in bulk. Warnings and breaches already past are
// recorded as handled (no notification storm on the first start); later
// ones fire from their timers as on any desk.
func seedSLA(ctx context.Context, core *app.Core, now time.Time) (int, error) {
	for _, in := range slaPolicies {
		if _, err := core.SLA.CreatePolicy(ctx, audit.System, in); err != nil {
			return 0, fmt.Errorf("demo: SLA policy %q: %w", in.Name, err)
		}
	}
	return core.SLA.EvaluateAll(ctx, sla.BulkOptions{Statuses: []string{policy.StatusNew, policy.StatusOpen, policy.StatusPending,
		policy.StatusOnHold, policy.StatusSolved, policy.StatusClosed}, Quiet: true, At: now})
}
