package compensation

import (
	"fmt"
	"math"
	"math/big"
	"strings"
)

// Order statuses that never get compensation.
const (
	StatusCancelled = "cancelled"
	StatusReturned  = "returned"
)

// Input is what the engine decides on. DaysLate is the order's days_late as
// the lateness detector computed it (business or calendar days);
// PreviousLateOrders counts the contact's other late orders within the
// policy's repeat window (the caller counts them).
type Input struct {
	Status             string
	TotalMinor         int64
	ShippingMinor      int64
	Currency           string
	DaysLate           int
	ContactTier        string
	PreviousLateOrders int
}

// Step is one line of the explanation: the rule it applies ("tier:late-3-5",
// "tier_multiplier:vip", "repeat_lateness", "max_minor", …) and its text in
// English and Hebrew.
type Step struct {
	Rule string
	EN   string
	HE   string
}

// StepText is a Step in one language, as the API shows it.
type StepText struct {
	Rule string `json:"rule"`
	Text string `json:"text"`
}

// Result is the engine's decision. Eligible is false when nothing is owed
// (Remedy and AmountMinor then empty); Rule is the matched tier's id; Auto
// says the policy grants it with the proactive notice. AmountMinor is in
// minor units of Currency (the order's currency).
type Result struct {
	Eligible    bool
	Remedy      string
	AmountMinor int64
	Currency    string
	Rule        string
	DaysLate    int
	Auto        bool
	// Repeat is true when the repeat-lateness treatment applied.
	Repeat bool
	Steps  []Step
}

// Explain returns the explanation in lang ("he", else English): the steps'
// texts joined with "; ", and the steps themselves.
func (r Result) Explain(lang string) (string, []StepText) {
	out := make([]StepText, len(r.Steps))
	texts := make([]string, len(r.Steps))
	for i, s := range r.Steps {
		t := s.EN
		if lang == "he" {
			t = s.HE
		}
		out[i], texts[i] = StepText{Rule: s.Rule, Text: t}, t
	}
	return strings.Join(texts, "; "), out
}

// Evaluate applies policy p to in. The computation, each money step rounded
// half up to the minor unit:
//
//  1. cancelled or returned orders, orders in another currency than
//     p.Currency, orders not late (DaysLate < 1) and day counts no tier
//     covers get nothing;
//  2. base = tier.amount_minor, or tier.percent × basis / 100 where basis is
//     the order total (the shipping for shipping_refund);
//  3. + tier.per_day_minor × DaysLate;
//  4. × the contact tier's multiplier (tier_multipliers[ContactTier]);
//  5. repeat lateness (PreviousLateOrders ≥ min_late_orders): × its
//     multiplier, and its remedy replaces the tier's;
//  6. raised to tier.min_minor, capped at tier.max_minor;
//  7. raised to p.min_minor, capped at p.max_minor;
//  8. capped at the basis of refunds (partial_refund: the order total,
//     shipping_refund: the shipping) — a refund never exceeds what was paid.
//
// Every step is exact; the running amount never exceeds MaxAmountMinor
// (a "max_amount" step says when it was capped there).
//
// A result of 0 is not eligible.
func Evaluate(p Policy, in Input) Result {
	res := Result{Currency: in.Currency, DaysLate: in.DaysLate}
	cur := in.Currency
	add := func(rule, en, he string) { res.Steps = append(res.Steps, Step{Rule: rule, EN: en, HE: he}) }
	switch {
	case in.Status == StatusCancelled || in.Status == StatusReturned:
		add("status", fmt.Sprintf("Order %s → no compensation", in.Status), fmt.Sprintf("ההזמנה %s → אין פיצוי", statusHE(in.Status)))
		return res
	case p.Currency != "" && in.Currency != p.Currency:
		add("currency", fmt.Sprintf("The policy covers %s orders only; this order is in %s → no compensation", p.Currency, in.Currency),
			fmt.Sprintf("המדיניות חלה רק על הזמנות ב-%s; ההזמנה ב-%s → אין פיצוי", p.Currency, in.Currency))
		return res
	case in.DaysLate < 1:
		add("days_late", "Not late → no compensation", "ההזמנה לא באיחור → אין פיצוי")
		return res
	}
	var t *Tier
	for i := range p.Tiers {
		if in.DaysLate >= p.Tiers[i].FromDays && (p.Tiers[i].ToDays == 0 || in.DaysLate <= p.Tiers[i].ToDays) {
			t = &p.Tiers[i]
			break
		}
	}
	if t == nil {
		add("tiers", fmt.Sprintf("Late %d days → no tier covers that → no compensation", in.DaysLate),
			fmt.Sprintf("איחור של %d ימים → אין מדרגה מתאימה → אין פיצוי", in.DaysLate))
		return res
	}
	res.Rule, res.Remedy, res.Auto = t.ID, t.Remedy, t.Auto
	rule := "tier:" + t.ID
	add(rule, fmt.Sprintf("Late %d days → tier %s (%s days)", in.DaysLate, t.ID, span(t)),
		fmt.Sprintf("איחור של %d ימים → מדרגה %s (%s ימים)", in.DaysLate, t.ID, span(t)))

	basis, basisEN, basisHE := in.TotalMinor, "the order total", "סכום ההזמנה"
	if t.Remedy == RemedyShippingRefund {
		basis, basisEN, basisHE = in.ShippingMinor, "the shipping", "דמי המשלוח"
	}
	// Every step is computed exactly (math/big) and the running amount is
	// capped at MaxAmountMinor, with a step saying so: nothing overflows or
	// is truncated silently.
	var amount int64
	set := func(v *big.Int) {
		if v.Cmp(big.NewInt(MaxAmountMinor)) > 0 {
			v = big.NewInt(MaxAmountMinor)
			add("max_amount", "Capped at the largest amount Kesher grants, "+Money(MaxAmountMinor, cur),
				"הוגבל לסכום המרבי ש-Kesher מעניק, "+Money(MaxAmountMinor, cur))
		}
		amount = v.Int64()
	}
	switch {
	case t.AmountMinor > 0:
		set(big.NewInt(t.AmountMinor))
		add(rule, "Fixed amount "+Money(amount, cur), "סכום קבוע "+Money(amount, cur))
	case !t.Percent.IsZero():
		set(roundHalfUp(new(big.Rat).Mul(t.Percent.Rat(), big.NewRat(basis, 100))))
		add(rule, fmt.Sprintf("%s%% of %s %s = %s", t.Percent, basisEN, Money(basis, cur), Money(amount, cur)),
			fmt.Sprintf("%s%% מתוך %s %s = %s", t.Percent, basisHE, Money(basis, cur), Money(amount, cur)))
	}
	if t.PerDayMinor > 0 {
		perDay := new(big.Int).Mul(big.NewInt(t.PerDayMinor), big.NewInt(int64(in.DaysLate)))
		set(new(big.Int).Add(perDay, big.NewInt(amount)))
		add(rule, fmt.Sprintf("+ %s × %d days = %s → %s", Money(t.PerDayMinor, cur), in.DaysLate, bigMoney(perDay, cur), Money(amount, cur)),
			fmt.Sprintf("+ %s × %d ימים = %s → %s", Money(t.PerDayMinor, cur), in.DaysLate, bigMoney(perDay, cur), Money(amount, cur)))
	}
	if m, ok := p.TierMultipliers[in.ContactTier]; ok && in.ContactTier != "" {
		set(roundHalfUp(new(big.Rat).Mul(m.Rat(), big.NewRat(amount, 1))))
		label := strings.ToUpper(in.ContactTier)
		add("tier_multiplier:"+in.ContactTier, fmt.Sprintf("%s ×%s = %s", label, m, Money(amount, cur)),
			fmt.Sprintf("לקוח %s ‏×%s = %s", label, m, Money(amount, cur)))
	}
	if r := p.Repeat; r != nil && in.PreviousLateOrders >= r.MinLateOrders {
		res.Repeat = true
		en := fmt.Sprintf("Repeat lateness (%d other late orders in %d days)", in.PreviousLateOrders, r.WindowDays)
		he := fmt.Sprintf("איחור חוזר (%d הזמנות נוספות באיחור ב-%d ימים)", in.PreviousLateOrders, r.WindowDays)
		if !r.Multiplier.IsZero() {
			set(roundHalfUp(new(big.Rat).Mul(r.Multiplier.Rat(), big.NewRat(amount, 1))))
			en += fmt.Sprintf(" ×%s = %s", r.Multiplier, Money(amount, cur))
			he += fmt.Sprintf(" ‏×%s = %s", r.Multiplier, Money(amount, cur))
		}
		if r.Remedy != "" && r.Remedy != res.Remedy {
			res.Remedy = r.Remedy
			en += "; remedy: " + remedyEN[r.Remedy]
			he += "; סוג הפיצוי: " + remedyHE[r.Remedy]
		}
		add("repeat_lateness", en, he)
	}
	amount = bound(amount, t.MinMinor, t.MaxMinor, rule, cur, add)
	amount = bound(amount, p.MinMinor, p.MaxMinor, "policy", cur, add)
	switch res.Remedy {
	case RemedyPartialRefund, RemedyShippingRefund:
		paid, en, he := in.TotalMinor, "the order total", "סכום ההזמנה"
		if res.Remedy == RemedyShippingRefund {
			paid, en, he = in.ShippingMinor, "the shipping", "דמי המשלוח"
		}
		if amount > paid {
			amount = paid
			add("refund_cap", fmt.Sprintf("Capped at %s %s", en, Money(paid, cur)), fmt.Sprintf("הוגבל ל%s %s", he, Money(paid, cur)))
		}
	}
	if amount <= 0 {
		add(rule, "Nothing to grant", "אין מה להעניק")
		res.Remedy, res.Auto = "", false
		return res
	}
	res.Eligible, res.AmountMinor = true, amount
	add("result", fmt.Sprintf("→ %s %s", remedyEN[res.Remedy], Money(amount, cur)), fmt.Sprintf("→ %s %s", remedyHE[res.Remedy], Money(amount, cur)))
	return res
}

// bound raises amount to lo and caps it at hi (0 = no bound), explaining.
func bound(amount, lo, hi int64, rule, cur string, add func(rule, en, he string)) int64 {
	if lo > 0 && amount < lo {
		amount = lo
		add(rule+".min_minor", "Raised to the minimum "+Money(lo, cur), "הועלה למינימום "+Money(lo, cur))
	}
	if hi > 0 && amount > hi {
		amount = hi
		add(rule+".max_minor", "Capped at "+Money(hi, cur), "הוגבל לתקרה של "+Money(hi, cur))
	}
	return amount
}

func span(t *Tier) string {
	if t.ToDays == 0 {
		return fmt.Sprintf("%d+", t.FromDays)
	}
	if t.ToDays == t.FromDays {
		return fmt.Sprint(t.FromDays)
	}
	return fmt.Sprintf("%d–%d", t.FromDays, t.ToDays)
}

func statusHE(s string) string {
	if s == StatusCancelled {
		return "בוטלה"
	}
	return "הוחזרה"
}

var remedyEN = map[string]string{RemedyStoreCredit: "store credit", RemedyCoupon: "coupon",
	RemedyShippingRefund: "shipping refund", RemedyPartialRefund: "partial refund"}

var remedyHE = map[string]string{RemedyStoreCredit: "זיכוי בחנות", RemedyCoupon: "קופון",
	RemedyShippingRefund: "החזר דמי משלוח", RemedyPartialRefund: "החזר חלקי"}

// RoundHalfUp rounds a non-negative rational to the nearest integer, halves
// up (2.5 → 3); negative values round half away from zero. A result
// outside int64 saturates at math.MaxInt64 or math.MinInt64 (never
// truncated).
func RoundHalfUp(r *big.Rat) int64 {
	q := roundHalfUp(r)
	switch {
	case q.IsInt64():
		return q.Int64()
	case q.Sign() > 0:
		return math.MaxInt64
	}
	return math.MinInt64
}

// bigMoney is Money for an exact intermediate value (a value beyond int64
// is shown with its digits, without a symbol).
func bigMoney(v *big.Int, cur string) string {
	if v.IsInt64() {
		return Money(v.Int64(), cur)
	}
	return v.String() + " (minor units) " + cur
}

func roundHalfUp(r *big.Rat) *big.Int {
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	// floor((2·num + den) / (2·den))
	n := new(big.Int).Add(new(big.Int).Lsh(num, 1), den)
	q := new(big.Int).Quo(n, new(big.Int).Lsh(den, 1))
	if neg {
		q.Neg(q)
	}
	return q
}
