package compensation_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/commerce/compensation"
	"github.com/kesherdesk/kesher/internal/errs"
)

// testPolicy: 1–2 days a ₪15.00 coupon (auto); 3–5 days 10% store credit
// between ₪20.00 and ₪30.00; 6+ days 7.5% plus ₪5.00 a day; VIP ×1.5;
// 2+ other late orders ×1.25 as store credit; never more than ₪250.00.
const testPolicy = `{
  "currency": "ILS",
  "tiers": [
    {"id": "t1", "from_days": 1, "to_days": 2, "remedy": "coupon", "amount_minor": 1500, "auto": true},
    {"id": "t2", "from_days": 3, "to_days": 5, "remedy": "store_credit", "percent": 10, "min_minor": 2000, "max_minor": 3000},
    {"id": "t3", "from_days": 6, "remedy": "store_credit", "percent": 7.5, "per_day_minor": 500}
  ],
  "tier_multipliers": {"vip": 1.5},
  "repeat_lateness": {"min_late_orders": 2, "window_days": 90, "multiplier": "1.25", "remedy": "store_credit"},
  "max_minor": 25000
}`

// refundPolicy: shipping refunded in full from day 1, partial refund of
// 50% plus ₪5.00 a day from day 3; at least ₪10.00.
const refundPolicy = `
tiers:
  - id: ship
    from_days: 1
    to_days: 2
    remedy: shipping_refund
    percent: 100
  - id: part
    from_days: 3
    remedy: partial_refund
    percent: 50
    per_day_minor: 500
tier_multipliers:
  vip: 1.5
min_minor: 1000
`

func mustParse(t *testing.T, body string) compensation.Policy {
	t.Helper()
	p, err := compensation.Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEvaluate(t *testing.T) {
	p := mustParse(t, testPolicy)
	rp := mustParse(t, refundPolicy)
	order := func(days int) compensation.Input {
		return compensation.Input{Status: "shipped", TotalMinor: 25900, ShippingMinor: 2900, Currency: "ILS", DaysLate: days}
	}
	with := func(in compensation.Input, f func(*compensation.Input)) compensation.Input { f(&in); return in }
	cases := []struct {
		name     string
		p        compensation.Policy
		in       compensation.Input
		eligible bool
		remedy   string
		amount   int64
		rule     string
		auto     bool
	}{
		{"zero days late: nothing", p, order(0), false, "", 0, "", false},
		{"cancelled order: nothing", p, with(order(4), func(i *compensation.Input) { i.Status = "cancelled" }), false, "", 0, "", false},
		{"returned order: nothing", p, with(order(4), func(i *compensation.Input) { i.Status = "returned" }), false, "", 0, "", false},
		{"other currency: nothing", p, with(order(4), func(i *compensation.Input) { i.Currency = "USD" }), false, "", 0, "", false},
		// 1 day: fixed ₪15.00 coupon, automatic.
		{"1 day: t1 fixed", p, order(1), true, "coupon", 1500, "t1", true},
		// 2 days: last day of t1.
		{"2 days: t1 upper boundary", p, order(2), true, "coupon", 1500, "t1", true},
		// 3 days: t2, 10% of 25900 = 2590, within [2000, 3000].
		{"3 days: t2 lower boundary", p, order(3), true, "store_credit", 2590, "t2", false},
		// 5 days: still t2 = 2590.
		{"5 days: t2 upper boundary", p, order(5), true, "store_credit", 2590, "t2", false},
		// 6 days: t3, 7.5% of 25900 = 1942.5 → 1943 (half up); + 500×6 = 3000 → 4943.
		{"6 days: t3 lower boundary, per day", p, order(6), true, "store_credit", 4943, "t3", false},
		// 4 days on 15000: 10% = 1500, raised to the tier minimum 2000.
		{"t2 minimum", p, with(order(4), func(i *compensation.Input) { i.TotalMinor = 15000 }), true, "store_credit", 2000, "t2", false},
		// 4 days VIP: 2590 × 1.5 = 3885, capped at the tier maximum 3000.
		{"t2 VIP capped at tier max", p, with(order(4), func(i *compensation.Input) { i.ContactTier = "vip" }), true, "store_credit", 3000, "t2", false},
		// 4 days VIP on 18000: 1800 × 1.5 = 2700, inside the bounds.
		{"VIP multiplier", p, with(order(4), func(i *compensation.Input) { i.TotalMinor, i.ContactTier = 18000, "vip" }), true, "store_credit", 2700, "t2", false},
		// unknown tier "gold" has no multiplier: 2590.
		{"tier without multiplier", p, with(order(4), func(i *compensation.Input) { i.ContactTier = "gold" }), true, "store_credit", 2590, "t2", false},
		// 4 days on 25905: 10% = 2590.5 → 2591 (half up to the agora).
		{"percent half up", p, with(order(4), func(i *compensation.Input) { i.TotalMinor = 25905 }), true, "store_credit", 2591, "t2", false},
		// 6 days on 25999: 7.5% = 1949.925 → 1950; + 3000 = 4950.
		{"7.5% of 259.99", p, with(order(6), func(i *compensation.Input) { i.TotalMinor = 25999 }), true, "store_credit", 4950, "t3", false},
		// 6 days VIP on 25999: 4950 × 1.5 = 7425.
		{"7.5% of 259.99 VIP", p, with(order(6), func(i *compensation.Input) { i.TotalMinor, i.ContactTier = 25999, "vip" }), true, "store_credit", 7425, "t3", false},
		// 10 days on a free order: 0 + 500×10 = 5000.
		{"per day only", p, with(order(10), func(i *compensation.Input) { i.TotalMinor = 0 }), true, "store_credit", 5000, "t3", false},
		// 30 days VIP on 100000: 7500 + 15000 = 22500 × 1.5 = 33750, capped at the policy maximum 25000.
		{"policy max", p, with(order(30), func(i *compensation.Input) { i.TotalMinor, i.ContactTier = 100000, "vip" }), true, "store_credit", 25000, "t3", false},
		// 2 days, 2 other late orders: 1500 × 1.25 = 1875, remedy becomes store credit.
		{"repeat lateness", p, with(order(2), func(i *compensation.Input) { i.PreviousLateOrders = 2 }), true, "store_credit", 1875, "t1", true},
		// 1 other late order is under the threshold: 1500 coupon.
		{"repeat below threshold", p, with(order(2), func(i *compensation.Input) { i.PreviousLateOrders = 1 }), true, "coupon", 1500, "t1", true},
		// 4 days, 3 other late orders, total 18000: 1800 × 1.25 = 2250.
		{"repeat multiplier on percent", p, with(order(4), func(i *compensation.Input) { i.TotalMinor, i.PreviousLateOrders = 18000, 3 }), true, "store_credit", 2250, "t2", false},
		// 4 days VIP + repeat on 16000: 1600 × 1.5 = 2400 × 1.25 = 3000 (exactly the max).
		{"VIP and repeat", p, with(order(4), func(i *compensation.Input) { i.TotalMinor, i.ContactTier, i.PreviousLateOrders = 16000, "vip", 2 }), true, "store_credit", 3000, "t2", false},
		// shipping refund: 100% of 2900 = 2900.
		{"shipping refund", rp, order(1), true, "shipping_refund", 2900, "ship", false},
		// VIP: 2900 × 1.5 = 4350, capped at the shipping paid 2900.
		{"shipping refund capped at shipping", rp, with(order(2), func(i *compensation.Input) { i.ContactTier = "vip" }), true, "shipping_refund", 2900, "ship", false},
		// shipping 500: 500, raised to the policy minimum 1000, then capped at the shipping 500.
		{"policy min, refund cap wins", rp, with(order(1), func(i *compensation.Input) { i.ShippingMinor = 500 }), true, "shipping_refund", 500, "ship", false},
		// free shipping: 0 → raised to 1000 → capped at 0 → nothing.
		{"free shipping: nothing", rp, with(order(1), func(i *compensation.Input) { i.ShippingMinor = 0 }), false, "", 0, "ship", false},
		// partial refund 3 days on 1000: 500 + 1500 = 2000, capped at the total 1000.
		{"partial refund capped at total", rp, with(order(3), func(i *compensation.Input) { i.TotalMinor = 1000 }), true, "partial_refund", 1000, "part", false},
		// partial refund 3 days on 25900: 12950 + 1500 = 14450.
		{"partial refund", rp, order(3), true, "partial_refund", 14450, "part", false},
		// a USD order under a policy without currency: amounts in cents.
		{"any currency policy", rp, with(order(3), func(i *compensation.Input) { i.Currency = "USD" }), true, "partial_refund", 14450, "part", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := compensation.Evaluate(c.p, c.in)
			if r.Eligible != c.eligible || r.Remedy != c.remedy || r.AmountMinor != c.amount || r.Rule != c.rule || r.Auto != c.auto {
				t.Fatalf("got eligible=%v remedy=%q amount=%d rule=%q auto=%v, want %v %q %d %q %v\nsteps: %+v",
					r.Eligible, r.Remedy, r.AmountMinor, r.Rule, r.Auto, c.eligible, c.remedy, c.amount, c.rule, c.auto, r.Steps)
			}
			if r.DaysLate != c.in.DaysLate || r.Currency != c.in.Currency {
				t.Fatalf("days_late %d currency %q", r.DaysLate, r.Currency)
			}
			if len(r.Steps) == 0 {
				t.Fatal("no explanation")
			}
		})
	}
}

func TestExplanation(t *testing.T) {
	p := mustParse(t, testPolicy)
	r := compensation.Evaluate(p, compensation.Input{Status: "shipped", TotalMinor: 25900, Currency: "ILS", DaysLate: 4, ContactTier: "vip"})
	en, steps := r.Explain("en")
	want := "Late 4 days → tier t2 (3–5 days); 10% of the order total ₪259.00 = ₪25.90; VIP ×1.5 = ₪38.85; Capped at ₪30.00; → store credit ₪30.00"
	if en != want {
		t.Fatalf("en:\n got %s\nwant %s", en, want)
	}
	rules := []string{}
	for _, s := range steps {
		rules = append(rules, s.Rule)
	}
	if !reflect.DeepEqual(rules, []string{"tier:t2", "tier:t2", "tier_multiplier:vip", "tier:t2.max_minor", "result"}) {
		t.Fatalf("rules %v", rules)
	}
	he, _ := r.Explain("he")
	for _, frag := range []string{"איחור של 4 ימים", "10% מתוך סכום ההזמנה ₪259.00 = ₪25.90", "₪38.85", "הוגבל לתקרה של ₪30.00", "זיכוי בחנות ₪30.00"} {
		if !strings.Contains(he, frag) {
			t.Fatalf("he %q lacks %q", he, frag)
		}
	}
}

func TestRoundHalfUp(t *testing.T) {
	p := mustParse(t, `{"tiers":[{"id":"a","from_days":1,"remedy":"coupon","percent":"0.5"}]}`)
	for _, c := range []struct{ total, want int64 }{
		{100, 1},     // 0.5 → 1
		{300, 2},     // 1.5 → 2
		{299, 1},     // 1.495 → 1
		{499, 2},     // 2.495 → 2
		{500, 3},     // 2.5 → 3
		{1, 0},       // 0.005 → 0: nothing
		{25999, 130}, // 129.995 → 130
	} {
		r := compensation.Evaluate(p, compensation.Input{Status: "paid", TotalMinor: c.total, Currency: "ILS", DaysLate: 1})
		if r.AmountMinor != c.want {
			t.Errorf("0.5%% of %d = %d, want %d", c.total, r.AmountMinor, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, body, field, code string
	}{
		{"percent over 100", `{"tiers":[{"id":"a","from_days":1,"to_days":2,"remedy":"coupon","amount_minor":1},{"id":"b","from_days":3,"remedy":"coupon","percent":101}]}`, "tiers[1].percent", "invalid"},
		{"amount and percent", `{"tiers":[{"id":"a","from_days":1,"remedy":"coupon","amount_minor":1,"percent":5}]}`, "tiers[0].percent", "invalid"},
		{"nothing to compute", `{"tiers":[{"id":"a","from_days":1,"remedy":"coupon"}]}`, "tiers[0].amount_minor", "required"},
		{"bad remedy", `{"tiers":[{"id":"a","from_days":1,"remedy":"cash","amount_minor":1}]}`, "tiers[0].remedy", "invalid"},
		{"overlap", `{"tiers":[{"id":"a","from_days":1,"to_days":3,"remedy":"coupon","amount_minor":1},{"id":"b","from_days":3,"remedy":"coupon","amount_minor":1}]}`, "tiers[1].from_days", "overlap"},
		{"open tier overlaps", `{"tiers":[{"id":"a","from_days":1,"remedy":"coupon","amount_minor":1},{"id":"b","from_days":9,"remedy":"coupon","amount_minor":1}]}`, "tiers[1].from_days", "overlap"},
		{"to before from", `{"tiers":[{"id":"a","from_days":4,"to_days":2,"remedy":"coupon","amount_minor":1}]}`, "tiers[0].to_days", "invalid"},
		{"duplicate id", `{"tiers":[{"id":"a","from_days":1,"to_days":1,"remedy":"coupon","amount_minor":1},{"id":"a","from_days":2,"remedy":"coupon","amount_minor":1}]}`, "tiers[1].id", "duplicate"},
		{"min over max", `{"tiers":[{"id":"a","from_days":1,"remedy":"coupon","amount_minor":1,"min_minor":5,"max_minor":4}]}`, "tiers[0].min_minor", "invalid"},
		{"multiplier zero", `{"tiers":[],"tier_multipliers":{"vip":0}}`, "tier_multipliers.vip", "invalid"},
		{"float-like multiplier", `{"tiers":[],"tier_multipliers":{"vip":1e3}}`, "tier_multipliers.vip", "invalid"},
		{"repeat window", `{"tiers":[],"repeat_lateness":{"min_late_orders":1,"window_days":0,"multiplier":2}}`, "repeat_lateness.window_days", "invalid"},
		{"repeat nothing", `{"tiers":[],"repeat_lateness":{"min_late_orders":1,"window_days":30}}`, "repeat_lateness.multiplier", "required"},
		{"currency", `{"currency":"shekel","tiers":[]}`, "currency", "invalid"},
		{"unknown field", `{"tiers":[],"bonus":1}`, "body", "unknown_field"},
		{"unknown field in YAML", "tiers: []\nbonus: 1\n", "body", "unknown_field"},
		{"unknown tier field in YAML", "tiers:\n  - id: a\n    from_days: 1\n    remedy: coupon\n    amount_minor: 1\n    extra: true\n", "body", "unknown_field"},
		{"wrong type", `{"tiers":[{"id":"a","from_days":"one","remedy":"coupon","amount_minor":1}]}`, "tiers.from_days", "wrong_type"},
		{"empty", `  `, "body", "required"},
		{"not JSON or YAML", `: : :`, "body", "invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := compensation.Parse([]byte(c.body))
			var ve *errs.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err %v, want a validation error", err)
			}
			for _, f := range ve.Fields {
				if f.Field == c.field && f.Code == c.code {
					return
				}
			}
			t.Fatalf("fields %+v, want %s %s", ve.Fields, c.field, c.code)
		})
	}
}

func TestYAMLEqualsJSON(t *testing.T) {
	j := mustParse(t, `{"tiers":[{"id":"ship","from_days":1,"to_days":2,"remedy":"shipping_refund","percent":100},
		{"id":"part","from_days":3,"remedy":"partial_refund","percent":50,"per_day_minor":500}],"tier_multipliers":{"vip":1.5},"min_minor":1000}`)
	y := mustParse(t, refundPolicy)
	jb, _ := jsonOf(j)
	yb, _ := jsonOf(y)
	if jb != yb {
		t.Fatalf("YAML %s\nJSON %s", yb, jb)
	}
}

func TestDefaultPolicyIsValid(t *testing.T) {
	p := compensation.Default()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	b, _ := jsonOf(p)
	q := mustParse(t, b)
	if b2, _ := jsonOf(q); b2 != b {
		t.Fatalf("round trip %s != %s", b2, b)
	}
	// 4 days VIP on ₪259.00: 2590 × 1.5 = 3885.
	r := compensation.Evaluate(p, compensation.Input{Status: "shipped", TotalMinor: 25900, Currency: "ILS", DaysLate: 4, ContactTier: "vip"})
	if r.AmountMinor != 3885 || r.Remedy != "store_credit" {
		t.Fatalf("%+v", r)
	}
}

func jsonOf(p compensation.Policy) (string, error) {
	b, err := json.Marshal(p)
	return string(b), err
}
