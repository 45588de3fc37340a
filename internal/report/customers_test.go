package report_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/report"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestCustomerMetrics: March 2026 (31 days).
//
//	X: orders 10 Feb (10000) and 5 Mar (20000) → before and in the period.
//	Y: order 20 Feb (5000) only → churned.
//	Z: order 10 Mar (30000), first ever → new; source referral.
//	W: a cancelled order in March → not counted.
//	S = 2 (X, Y), E = 2 (X, Z), N = 1 (Z): retention (2−1)/2 = 50 %, churn 50 %.
//	Historical CLV: (30000 + 5000 + 30000) / 3 = 21666 (minor units, floor).
//	Predictive: AOV 25000 × (2 orders / 2 customers / period years) × 3 years;
//	  the period is 743 hours (summer time starts 27 March) = 743/8766 years:
//	  75000 × 8766 / 743 = 884858.68 → 884858.
//	Conversations: X on 2 and 6 March (repeat within 7 days), Y on 20 March:
//	  1 repeat of 3 = 33.33 %.
func TestCustomerMetrics(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		day := func(m time.Month, d int) int64 { return time.Date(2026, m, d, 12, 0, 0, 0, jlm).UnixMilli() }
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			box, err := tx.InsertID(ctx, `INSERT INTO inboxes (name, channel, created_at, updated_at) VALUES ('M', 'email', 0, 0)`)
			if err != nil {
				return err
			}
			ids := map[string]int64{}
			for _, c := range []struct {
				name, source string
				created      int64
			}{{"X", "", 0}, {"Y", "", 0}, {"Z", "referral", day(3, 10)}, {"W", "", 0}} {
				id, err := tx.InsertID(ctx, `INSERT INTO contacts (name, email, source, created_at, updated_at) VALUES (?, ?, ?, ?, 0)`,
					c.name, c.name+"@x", c.source, c.created)
				if err != nil {
					return err
				}
				ids[c.name] = id
			}
			for i, o := range []struct {
				who    string
				at     int64
				total  int64
				status string
				cur    string
			}{{"X", day(2, 10), 10000, "paid", "ILS"}, {"X", day(3, 5), 20000, "delivered", "ILS"}, {"Y", day(2, 20), 5000, "paid", "ILS"},
				{"Z", day(3, 10), 30000, "paid", "ILS"}, {"W", day(3, 12), 99000, "cancelled", "ILS"},
				// A dollar order is never added to the shekel totals.
				{"X", day(3, 15), 700, "paid", "USD"}} {
				if _, err := tx.Exec(ctx, `INSERT INTO orders (external_id, contact_id, status, currency, total_minor, placed_at, created_at, updated_at)
 VALUES (?, ?, ?, ?, ?, ?, 0, 0)`, fmt.Sprint(i), ids[o.who], o.status, o.cur, o.total, o.at); err != nil {
					return err
				}
			}
			for _, c := range []struct {
				who string
				at  int64
			}{{"X", day(3, 2)}, {"X", day(3, 6)}, {"Y", day(3, 20)}} {
				if _, err := tx.Exec(ctx, `INSERT INTO conversations (inbox_id, channel, subject, status, priority, requester_id, created_at,
 updated_at) VALUES (?, 'email', 's', 'open', 'normal', ?, ?, ?)`, box, ids[c.who], c.at, c.at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		s := report.New(d, ilCalendars{}, testkit.Logger(), report.Options{})
		got, err := s.CustomerMetrics(ctx, report.Filters{From: time.Date(2026, 3, 1, 0, 0, 0, 0, jlm), To: time.Date(2026, 4, 1, 0, 0, 0, 0, jlm)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		eq := func(name string, got *float64, want float64) {
			if got == nil || math.Abs(*got-want) > 1e-9 {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
		}
		eq("retention", got.RetentionPercent, 50)
		eq("churn", got.ChurnPercent, 50)
		eq("repeat", got.RepeatContactPercent, 100.0/3)
		if got.CustomersAtStart != 2 || got.CustomersInPeriod != 2 || got.NewCustomers != 1 || got.Referrals != 1 || got.RepeatContacts != 1 {
			t.Errorf("counts = %+v", got)
		}
		if got.CLVHistoricalMinor == nil || *got.CLVHistoricalMinor != 21666 {
			t.Errorf("historical CLV = %v", got.CLVHistoricalMinor)
		}
		if got.CLVPredictiveMinor == nil || *got.CLVPredictiveMinor != 884858 {
			t.Errorf("predictive CLV = %v", *got.CLVPredictiveMinor)
		}
		// USD: one customer (X) with one order of 700 in the period.
		// (March has 743 hours in Jerusalem: DST starts on the 27th.)
		usdPred, _ := report.PredictiveCLV(700, 1, 1, 3, 743.0/24/365.25)
		if got.CLVCurrency != "ILS" || len(got.CLVByCurrency) != 2 || got.CLVByCurrency[0].Currency != "ILS" ||
			*got.CLVByCurrency[0].HistoricalMinor != 21666 || got.CLVByCurrency[1].Currency != "USD" ||
			got.CLVByCurrency[1].HistoricalMinor == nil || *got.CLVByCurrency[1].HistoricalMinor != 700 ||
			got.CLVByCurrency[1].PredictiveMinor == nil || *got.CLVByCurrency[1].PredictiveMinor != usdPred {
			t.Errorf("by currency = %+v (USD predictive want %d)", got.CLVByCurrency, usdPred)
		}
	})
}
