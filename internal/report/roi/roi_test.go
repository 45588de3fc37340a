package roi_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/report/roi"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func i64(v int64) *int64 { return &v }

func f64(v float64) *float64 { return &v }

// TestCurrencyInUse: upper-case ISO 4217 codes of currencies in use only.
func TestCurrencyInUse(t *testing.T) {
	for code, want := range map[string]bool{"ILS": true, "USD": true, "EUR": true, "GBP": true, "ils": false, "ABC": false,
		"XXX": false, "XTS": false, "DEM": false, "": false, "ILSX": false, "IL": false} {
		if got := roi.CurrencyInUse(code); got != want {
			t.Errorf("CurrencyInUse(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestCompute(t *testing.T) {
	cases := []struct {
		name                string
		in                  roi.Input
		f                   roi.Facts
		cost, rev           int64
		pct                 *float64
		perConv, perResolve *int64
	}{
		// 80000+5000+5000+7000+3000 = 100000, + 20000 compensation = 120000;
		// revenue 180000; (180000−120000)/120000 = 50%; 120000/7 = 17142.86 → 17143;
		// 120000/9 = 13333.33 → 13333.
		{"typical", roi.Input{Costs: roi.Costs{Salaries: 80000, Training: 5000, Telephony: 5000, Technology: 7000, Other: 3000},
			Revenue: roi.Revenue{RetainedCustomers: 150000, Upsell: 30000}}, roi.Facts{CompensationMinor: 20000, ConversationsCreated: 7,
			ConversationsSolved: 9}, 120000, 180000, f64(50), i64(17143), i64(13333)},
		// No cost: ROI and per-conversation costs are null.
		{"no cost", roi.Input{Revenue: roi.Revenue{ChurnAvoided: 500}}, roi.Facts{}, 0, 500, nil, nil, nil},
		// (1−3)/3 = −66.666…% → −66.67; 3/2 = 1.5 → 2; 3/4 = 0.75 → 1.
		{"loss", roi.Input{Costs: roi.Costs{Other: 3}, Revenue: roi.Revenue{Upsell: 1}}, roi.Facts{ConversationsCreated: 2,
			ConversationsSolved: 4}, 3, 1, f64(-66.67), i64(2), i64(1)},
		// 1/20000 = 0.005% → half away from zero → 0.01%; 20001/2 = 10000.5 → 10001.
		{"half up", roi.Input{Costs: roi.Costs{Salaries: 20000}, Revenue: roi.Revenue{Upsell: 20001}}, roi.Facts{ConversationsCreated: 2},
			20000, 20001, f64(0.01), i64(10000), nil},
		{"half down", roi.Input{Costs: roi.Costs{Salaries: 20000}, Revenue: roi.Revenue{Upsell: 19999}}, roi.Facts{}, 20000, 19999,
			f64(-0.01), nil, nil},
		// A ledger whose compensation sums to 10^15 minor units: (0 − 10^15) × 10000
		// overflowed int64 (a wrong ROI); −100% exactly. 10^15 / 3 = 333333333333333.33 → …333.
		{"huge compensation", roi.Input{}, roi.Facts{CompensationMinor: 1e15, ConversationsCreated: 3}, 1e15, 0, f64(-100),
			i64(333333333333333), nil},
		// Compensation alone is a cost: (0 − 8000)/8000 = −100%.
		{"compensation only", roi.Input{}, roi.Facts{CompensationMinor: 8000, ConversationsCreated: 3, ConversationsSolved: 3}, 8000, 0,
			f64(-100), i64(2667), i64(2667)},
	}
	for _, c := range cases {
		o := roi.Compute(c.in, c.f)
		if o.TotalCostMinor != c.cost || o.RevenueMinor != c.rev || o.NetMinor != c.rev-c.cost || !eqF(o.ROIPercent, c.pct) ||
			!eqI(o.CostPerConversationMinor, c.perConv) || !eqI(o.CostPerResolutionMinor, c.perResolve) {
			t.Errorf("%s: got %+v (roi %v, per conv %v, per resolution %v)", c.name, o, deref(o.ROIPercent), derefI(o.CostPerConversationMinor),
				derefI(o.CostPerResolutionMinor))
		}
	}
	for _, c := range []struct{ a, b, want int64 }{{5, 2, 3}, {-5, 2, -3}, {4, 3, 1}, {-4, 3, -1}, {7, 7, 1}, {0, 9, 0}} {
		if got := roi.DivRound(c.a, c.b); got != c.want {
			t.Errorf("DivRound(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func eqF(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func eqI(a, b *int64) bool   { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
func derefI(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func ms(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

// TestPeriods stores inputs for March 2025 and reads them back with the
// ledger's compensation (net of reversals, ILS only) and the counts.
func TestPeriods(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		from, _ := time.Parse(time.RFC3339, "2025-03-01T00:00:00Z")
		to, _ := time.Parse(time.RFC3339, "2025-04-01T00:00:00Z")
		err := d.WriteTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO contacts (id, name, created_at, updated_at) VALUES (1, 'C', 1, 1)`); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO inboxes (id, name, channel, created_at, updated_at) VALUES (1, 'I', 'email', 1, 1)`); err != nil {
				return err
			}
			// Created in March: 3 (one solved in April); solved in March: 2
			// (one created in February).
			for _, c := range []struct {
				created string
				solved  any
			}{
				{"2025-02-20T00:00:00Z", ms("2025-03-02T00:00:00Z")},
				{"2025-03-01T00:00:00Z", ms("2025-03-03T00:00:00Z")},
				{"2025-03-10T00:00:00Z", ms("2025-04-02T00:00:00Z")},
				{"2025-03-31T23:59:59Z", nil},
				{"2025-04-01T00:00:00Z", nil},
			} {
				if _, err := tx.Exec(ctx, `INSERT INTO conversations (inbox_id, channel, status, priority, requester_id, created_at,
					updated_at, solved_at) VALUES (1, 'email', 'open', 'normal', 1, ?, ?, ?)`, ms(c.created), ms(c.created), c.solved); err != nil {
					return err
				}
			}
			// 5000 + 2000 − 2000 (reversed in March) + 3000 (reversed in April) = 8000;
			// February and USD entries do not count.
			for _, e := range []struct {
				id      int64
				amount  int64
				cur     string
				at      string
				reverse any
			}{
				{1, 5000, "ILS", "2025-03-05T00:00:00Z", nil},
				{2, 2000, "ILS", "2025-03-06T00:00:00Z", nil},
				{3, -2000, "ILS", "2025-03-07T00:00:00Z", int64(2)},
				{4, 3000, "ILS", "2025-03-31T00:00:00Z", nil},
				{5, -3000, "ILS", "2025-04-01T00:00:00Z", int64(4)},
				{6, 1000, "ILS", "2025-02-28T23:59:59Z", nil},
				{7, 700, "USD", "2025-03-05T00:00:00Z", nil},
			} {
				if _, err := tx.Exec(ctx, `INSERT INTO credit_ledger (id, contact_id, remedy, amount_minor, currency, reverses_id, created_at)
					VALUES (?, 1, 'store_credit', ?, ?, ?, ?)`, e.id, e.amount, e.cur, e.reverse, ms(e.at)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		s := roi.New(d, nil)
		p, err := s.Get(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if p.Stored || p.Outputs.CompensationCostMinor != 8000 || p.Outputs.ConversationsCreated != 3 || p.Outputs.ConversationsSolved != 2 ||
			*p.Outputs.ROIPercent != -100 || *p.Outputs.CostPerConversationMinor != 2667 || *p.Outputs.CostPerResolutionMinor != 4000 {
			t.Errorf("empty period = %+v", p)
		}
		actor := audit.Actor{Type: "system", Name: "test"}
		in := roi.Input{Costs: roi.Costs{Salaries: 90000, Technology: 2000}, Revenue: roi.Revenue{RetainedCustomers: 120000, Upsell: 30000},
			Assumptions: "retention valued at 12 months of margin"}
		if _, err := s.Put(ctx, actor, from, to, in); err != nil {
			t.Fatal(err)
		}
		in.Costs.Salaries = 92000 // a correction replaces the inputs
		p, err = s.Put(ctx, actor, from, to, in)
		if err != nil {
			t.Fatal(err)
		}
		// cost 92000 + 2000 + 8000 = 102000; revenue 150000; 48000/102000 = 47.0588% → 47.06;
		// 102000/3 = 34000; 102000/2 = 51000.
		o := p.Outputs
		if !p.Stored || p.Currency != "ILS" || o.TotalCostMinor != 102000 || o.RevenueMinor != 150000 || *o.ROIPercent != 47.06 ||
			*o.CostPerConversationMinor != 34000 || *o.CostPerResolutionMinor != 51000 {
			t.Errorf("stored period = %+v", p)
		}
		got, err := s.Get(ctx, from, to)
		if err != nil || got.Costs != in.Costs || got.Assumptions != in.Assumptions || *got.Outputs.ROIPercent != 47.06 {
			t.Errorf("get = %+v, %v", got, err)
		}
		feb := from.AddDate(0, -1, 0)
		if _, err := s.Put(ctx, actor, feb, from, roi.Input{Costs: roi.Costs{Other: 500}}); err != nil {
			t.Fatal(err)
		}
		h, err := s.History(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// February: cost 500 + 1000 compensation, 1 conversation created, none solved.
		if len(h) != 2 || !h[0].From.Equal(from) || !h[1].From.Equal(feb) || h[1].Outputs.TotalCostMinor != 1500 ||
			*h[1].Outputs.CostPerConversationMinor != 1500 || h[1].Outputs.CostPerResolutionMinor != nil {
			t.Errorf("history = %+v", h)
		}
		for _, c := range []struct {
			in    roi.Input
			field string
		}{
			{roi.Input{Costs: roi.Costs{Salaries: -1}}, "costs.salaries"},
			{roi.Input{Revenue: roi.Revenue{Upsell: 1 << 62}}, "revenue.upsell"},
			{roi.Input{Currency: "shekel"}, "currency"},
			{roi.Input{Currency: "ABC"}, "currency"}, // three letters, not ISO 4217
			{roi.Input{Currency: "XXX"}, "currency"}, // ISO 4217 "no currency", not tender
			{roi.Input{Currency: "DEM"}, "currency"}, // withdrawn
			{roi.Input{Currency: "IL$"}, "currency"},
		} {
			_, err := s.Put(ctx, actor, from, to, c.in)
			var ve *errs.ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Field != c.field {
				t.Errorf("Put(%+v) = %v, want a problem with %s", c.in, err, c.field)
			}
		}
	})
}
