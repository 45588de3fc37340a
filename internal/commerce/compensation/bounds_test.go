package compensation_test

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/commerce/compensation"
	"github.com/kesherdesk/kesher/internal/errs"
)

// TestMoneyDigits: minor units are shown with the currency's ISO 4217
// digits, not always two.
func TestMoneyDigits(t *testing.T) {
	cases := []struct {
		minor int64
		cur   string
		want  string
	}{
		{2590, "ILS", "₪25.90"},
		{5, "ILS", "₪0.05"},
		{2590, "", "₪25.90"},
		{-310, "USD", "-$3.10"},
		{100, "EUR", "€1.00"},
		{1000, "JPY", "1000 JPY"},
		{1234, "KWD", "1.234 KWD"},
		{5, "KWD", "0.005 KWD"},
		{1250, "GBP", "12.50 GBP"},
		{math.MinInt64, "ILS", "-₪92233720368547758.08"},
	}
	for _, c := range cases {
		if got := compensation.Money(c.minor, c.cur); got != c.want {
			t.Errorf("Money(%d, %q) = %q, want %q", c.minor, c.cur, got, c.want)
		}
	}
}

// TestJPYExplanation: a JPY policy explains ¥1000 as 1000 JPY, not 10.00.
func TestJPYExplanation(t *testing.T) {
	p := mustParse(t, `{"currency":"JPY","tiers":[{"id":"a","from_days":1,"remedy":"store_credit","amount_minor":1000}]}`)
	r := compensation.Evaluate(p, compensation.Input{Status: "shipped", TotalMinor: 50000, Currency: "JPY", DaysLate: 2})
	if en, _ := r.Explain("en"); r.AmountMinor != 1000 || !strings.Contains(en, "Fixed amount 1000 JPY") || strings.Contains(en, "10.00") {
		t.Fatalf("%d %s", r.AmountMinor, en)
	}
}

// TestCurrencyCodes: only upper-case ISO 4217 codes of legal tender.
func TestCurrencyCodes(t *testing.T) {
	for code, want := range map[string]bool{"ILS": true, "USD": true, "JPY": true, "KWD": true, "XOF": true,
		"usd": false, "$$$": false, "XAU": false, "XTS": false, "XXX": false, "ZZZ": false, "": false, "ILSX": false} {
		if got := compensation.ValidCurrency(code); got != want {
			t.Errorf("ValidCurrency(%q) = %v", code, got)
		}
	}
}

// TestEngineNeverOverflows: amounts that would overflow int64 (a policy
// that was never validated, a huge day count) are capped at
// MaxAmountMinor with a step saying so, never wrapped negative.
func TestEngineNeverOverflows(t *testing.T) {
	cases := []struct {
		name string
		p    compensation.Policy
		in   compensation.Input
	}{
		{"per day × days", compensation.Policy{Tiers: []compensation.Tier{{ID: "a", FromDays: 1, Remedy: "store_credit", PerDayMinor: 3_000_000_000_000_000_000}}},
			compensation.Input{Status: "shipped", Currency: "ILS", DaysLate: 5}},
		{"fixed + per day", compensation.Policy{Tiers: []compensation.Tier{{ID: "a", FromDays: 1, Remedy: "coupon", AmountMinor: math.MaxInt64, PerDayMinor: math.MaxInt64}}},
			compensation.Input{Status: "shipped", Currency: "ILS", DaysLate: 3}},
		{"multipliers", compensation.Policy{Tiers: []compensation.Tier{{ID: "a", FromDays: 1, Remedy: "store_credit", PerDayMinor: compensation.MaxAmountMinor}},
			TierMultipliers: map[string]compensation.Decimal{"vip": compensation.MustDecimal("10")},
			Repeat:          &compensation.Repeat{MinLateOrders: 1, WindowDays: 90, Multiplier: compensation.MustDecimal("10")}},
			compensation.Input{Status: "shipped", Currency: "ILS", DaysLate: 1 << 30, ContactTier: "vip", PreviousLateOrders: 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := compensation.Evaluate(c.p, c.in)
			if !r.Eligible || r.AmountMinor != compensation.MaxAmountMinor {
				t.Fatalf("%+v", r)
			}
			capped := false
			for _, s := range r.Steps {
				capped = capped || s.Rule == "max_amount"
			}
			if !capped {
				t.Fatalf("no max_amount step: %+v", r.Steps)
			}
		})
	}
}

// TestRoundHalfUpSaturates: a rational beyond int64 saturates.
func TestRoundHalfUpSaturates(t *testing.T) {
	huge := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 70))
	if got := compensation.RoundHalfUp(huge); got != math.MaxInt64 {
		t.Fatalf("%d", got)
	}
	if got := compensation.RoundHalfUp(new(big.Rat).Neg(huge)); got != math.MinInt64 {
		t.Fatalf("%d", got)
	}
}

// TestPolicyAmountBounds: every amount of a policy is at most
// MaxAmountMinor; the error names the field's path.
func TestPolicyAmountBounds(t *testing.T) {
	cases := []struct{ name, body, field string }{
		{"tier per day", `{"tiers":[{"id":"a","from_days":1,"remedy":"coupon","per_day_minor":3000000000000000000}]}`, "tiers[0].per_day_minor"},
		{"tier amount", `{"tiers":[{"id":"a","from_days":1,"remedy":"coupon","amount_minor":100000000001}]}`, "tiers[0].amount_minor"},
		{"tier min", `{"tiers":[{"id":"a","from_days":1,"remedy":"coupon","amount_minor":1,"min_minor":100000000001}]}`, "tiers[0].min_minor"},
		{"tier max", `{"tiers":[{"id":"a","from_days":1,"remedy":"coupon","amount_minor":1,"max_minor":100000000001}]}`, "tiers[0].max_minor"},
		{"policy min", `{"tiers":[],"min_minor":100000000001}`, "min_minor"},
		{"policy max", `{"tiers":[],"max_minor":9223372036854775807}`, "max_minor"},
		{"YAML per day", "tiers:\n  - id: a\n    from_days: 1\n    remedy: coupon\n    per_day_minor: 3_000_000_000_000_000_000\n", "tiers[0].per_day_minor"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := compensation.Parse([]byte(c.body))
			wantPolicyField(t, err, c.field, "too_large")
		})
	}
	// exactly the maximum is fine.
	mustParse(t, `{"tiers":[{"id":"a","from_days":1,"remedy":"coupon","amount_minor":100000000000}],"max_minor":100000000000}`)
}

// TestPolicyStrictDocument: duplicate keys are rejected, a bad decimal is
// named by its path, and YAML numbers are taken exactly (no float64).
func TestPolicyStrictDocument(t *testing.T) {
	cases := []struct{ name, body, field, code string }{
		{"duplicate tiers", `{"tiers":[],"tiers":[{"id":"a","from_days":1,"remedy":"coupon","amount_minor":1}]}`, "tiers", "duplicate_field"},
		{"duplicate in a tier", `{"tiers":[{"id":"a","id":"b","from_days":1,"remedy":"coupon","amount_minor":1}]}`, "tiers[0].id", "duplicate_field"},
		{"duplicate in YAML", "tiers: []\ntiers: []\n", "tiers", "duplicate_field"},
		{"bad percent", `{"tiers":[{"id":"a","from_days":1,"remedy":"coupon","percent":"ten"}]}`, "tiers[0].percent", "invalid"},
		{"bad multiplier", `{"tiers":[],"tier_multipliers":{"vip":"x1.5"}}`, "tier_multipliers.vip", "invalid"},
		{"bad repeat multiplier", `{"tiers":[],"repeat_lateness":{"min_late_orders":1,"window_days":9,"multiplier":true}}`, "repeat_lateness.multiplier", "invalid"},
		{"YAML fractional amount", "tiers:\n  - id: a\n    from_days: 1\n    remedy: coupon\n    amount_minor: 1500.5\n", "tiers.amount_minor", "wrong_type"},
		{"YAML amount beyond int64", "tiers:\n  - id: a\n    from_days: 1\n    remedy: coupon\n    amount_minor: 99999999999999999999999\n", "tiers.amount_minor", "wrong_type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := compensation.Parse([]byte(c.body))
			wantPolicyField(t, err, c.field, c.code)
		})
	}
	// YAML numbers are exact: 1500.0 is not an integer amount; MaxInt64
	// would round up to 2^63 through float64 and fail as a type error, it is
	// reported as too large; 7.000001 and 0x10 keep their values.
	_, err := compensation.Parse([]byte("tiers:\n  - id: a\n    from_days: 1\n    remedy: coupon\n    amount_minor: 1500.0\n"))
	wantPolicyField(t, err, "tiers.amount_minor", "wrong_type")
	_, err = compensation.Parse([]byte("tiers: []\nmax_minor: 9223372036854775807\n"))
	wantPolicyField(t, err, "max_minor", "too_large")
	p := mustParse(t, "tiers:\n  - id: a\n    from_days: 1\n    remedy: coupon\n    to_days: 1\n    amount_minor: 1_500\n  - id: b\n    from_days: 2\n    remedy: coupon\n    percent: 7.000001\nmax_minor: 0x10\n")
	if p.Tiers[0].AmountMinor != 1500 || p.Tiers[1].Percent.String() != "7.000001" || p.MaxMinor != 16 {
		t.Fatalf("%+v", p)
	}
}

func wantPolicyField(t *testing.T, err error, field, code string) {
	t.Helper()
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err %v, want a validation error on %s", err, field)
	}
	for _, f := range ve.Fields {
		if f.Field == field && f.Code == code {
			return
		}
	}
	t.Fatalf("fields %+v, want %s %s", ve.Fields, field, code)
}
