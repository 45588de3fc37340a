package rules_test

import (
	"context"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/automation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/demo"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// BenchmarkDryRun dry-runs a rule over the demo desk's 2,000 conversations,
// all made open (Facts for every one: tier, latest customer message,
// business minutes).
func BenchmarkDryRun(b *testing.B) {
	for _, be := range testkit.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			d := be.Open(b)
			ctx := context.Background()
			core := app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: b.TempDir()}}, testkit.Logger())
			if _, err := core.Bootstrap(ctx, app.BootstrapOptions{AdminPassword: demo.AdminPassword}); err != nil {
				b.Fatal(err)
			}
			if _, err := demo.Seed(ctx, core, demo.Options{Now: time.Now()}); err != nil {
				b.Fatal(err)
			}
			// All 2,000 demo conversations open, so the scan sees them all.
			if err := d.WriteTx(ctx, func(tx *db.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE conversations SET status = 'open' WHERE status = 'closed'`)
				return err
			}); err != nil {
				b.Fatal(err)
			}
			rule := automation.Rule{Name: "VIP refunds", Trigger: automation.TriggerMessageReceived,
				Conditions: automation.Conditions{Any: []automation.Condition{cond("contact_tier", "is", "vip"), cond("message_text", "contains", "refund")}},
				Actions:    []automation.Action{act("set_priority", "urgent")}}
			b.ResetTimer()
			var res struct{ scanned, matched int }
			for range b.N {
				r, err := core.Rules.DryRun(ctx, rule)
				if err != nil {
					b.Fatal(err)
				}
				res.scanned, res.matched = r.Scanned, r.Matched
			}
			b.ReportMetric(float64(res.scanned), "conversations")
			b.ReportMetric(float64(res.matched), "matched")
		})
	}
}
