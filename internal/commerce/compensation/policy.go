// Package compensation holds the compensation policy document and its
// engine: given an order, how late it is, the contact's tier and how many
// other late orders the contact had recently, which remedy and how much the
// business grants, with a step-by-step explanation in Hebrew and English.
// It is pure: no database, no clock. The document format is described in
// docs/commerce.md ("Compensation policy document").
//
// Money is int64 minor units (agorot for ILS). Percentages and multipliers
// are exact decimals (math/big rationals); every step that produces money
// rounds half up to the minor unit, and the explanation shows each rounded
// step, so the final amount is reproducible by hand.
package compensation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kesherdesk/kesher/internal/errs"
)

// Remedies a policy may grant.
const (
	RemedyStoreCredit    = "store_credit"
	RemedyCoupon         = "coupon"
	RemedyShippingRefund = "shipping_refund"
	RemedyPartialRefund  = "partial_refund"
)

// Remedies lists every remedy, in the order the UI offers them.
var Remedies = []string{RemedyStoreCredit, RemedyCoupon, RemedyShippingRefund, RemedyPartialRefund}

// ValidRemedy reports whether r is one of Remedies.
func ValidRemedy(r string) bool {
	for _, x := range Remedies {
		if x == r {
			return true
		}
	}
	return false
}

// Limits of a policy document.
const (
	MaxTiers      = 50
	MaxBodyBytes  = 64 << 10
	maxMultiplier = 10
)

// Decimal is an exact non-negative decimal number written in the document
// as a JSON number (1.5, 7.5) or a string ("1.5"); it is never a float in
// memory. At most 6 digits after the point.
type Decimal struct {
	r *big.Rat
	s string
	// bad holds why a document's value was not a decimal; Validate reports
	// it under the field's path.
	bad string
}

// ParseDecimal returns the Decimal written s ("1.5", "10", "7.25").
// Errors: s is not a plain decimal number or has more than 6 decimals.
func ParseDecimal(s string) (Decimal, error) {
	s = strings.TrimSpace(s)
	if !decimalRE.MatchString(s) {
		return Decimal{}, fmt.Errorf("%q is not a decimal number like 1.5", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return Decimal{}, fmt.Errorf("%q is not a decimal number", s)
	}
	return Decimal{r: r, s: s}, nil
}

var decimalRE = regexp.MustCompile(`^-?[0-9]{1,9}(\.[0-9]{1,6})?$`)

// MustDecimal is ParseDecimal for constants; it panics on bad input.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d was not given.
func (d Decimal) IsZero() bool { return d.r == nil && d.bad == "" }

// Rat returns d as a rational (0 when not given).
func (d Decimal) Rat() *big.Rat {
	if d.r == nil {
		return new(big.Rat)
	}
	return new(big.Rat).Set(d.r)
}

// String returns d as written.
func (d Decimal) String() string { return d.s }

// MarshalJSON writes d as a JSON number.
func (d Decimal) MarshalJSON() ([]byte, error) {
	if d.r == nil {
		return []byte("null"), nil
	}
	return []byte(d.s), nil
}

// UnmarshalJSON reads a JSON number or a string holding one.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		*d = Decimal{}
		return nil
	}
	s = strings.Trim(s, `"`)
	v, err := ParseDecimal(s)
	if err != nil {
		// Kept and reported by Validate, which knows the field's path.
		*d = Decimal{s: s, bad: err.Error()}
		return nil
	}
	*d = v
	return nil
}

// Tier is one rule of the policy: orders late FromDays to ToDays days
// (inclusive; ToDays 0 means no upper bound) get Remedy of
// AmountMinor, or Percent of the order total (of the shipping for
// shipping_refund), plus PerDayMinor for every day late; the result is kept
// between MinMinor and MaxMinor (0 = no bound). Auto grants it with the
// proactive late notice, without an agent.
type Tier struct {
	ID          string  `json:"id"`
	FromDays    int     `json:"from_days"`
	ToDays      int     `json:"to_days,omitempty"`
	Remedy      string  `json:"remedy"`
	AmountMinor int64   `json:"amount_minor,omitempty"`
	Percent     Decimal `json:"percent,omitzero"`
	PerDayMinor int64   `json:"per_day_minor,omitempty"`
	MinMinor    int64   `json:"min_minor,omitempty"`
	MaxMinor    int64   `json:"max_minor,omitempty"`
	Auto        bool    `json:"auto,omitempty"`
}

// Repeat is the different treatment of repeat lateness: when the contact
// had at least MinLateOrders other late orders in the last WindowDays days,
// the amount is multiplied by Multiplier (if given) and the remedy becomes
// Remedy (if given).
type Repeat struct {
	MinLateOrders int     `json:"min_late_orders"`
	WindowDays    int     `json:"window_days"`
	Multiplier    Decimal `json:"multiplier,omitzero"`
	Remedy        string  `json:"remedy,omitempty"`
}

// Policy is the compensation policy document. Currency, when set, limits
// the policy to orders in that currency (its fixed amounts are in that
// currency's minor units); orders in another currency get nothing.
// TierMultipliers multiply the amount by contact tier (contacts.tier, e.g.
// "vip": 1.5). MinMinor and MaxMinor bound every result (0 = no bound).
type Policy struct {
	Currency        string             `json:"currency,omitempty"`
	Tiers           []Tier             `json:"tiers"`
	TierMultipliers map[string]Decimal `json:"tier_multipliers,omitempty"`
	Repeat          *Repeat            `json:"repeat_lateness,omitempty"`
	MinMinor        int64              `json:"min_minor,omitempty"`
	MaxMinor        int64              `json:"max_minor,omitempty"`
}

// Default is the policy in force until an admin saves one: ILS orders late
// 1–2 days get an automatic ₪15.00 coupon, 3–5 days 10% of the total as
// store credit (₪20.00–₪100.00), 6 days or more 15% plus ₪5.00 a day
// (at most ₪250.00); VIP contacts ×1.5; a contact with 2 or more other late
// orders in 90 days ×1.25; never more than ₪300.00.
func Default() Policy {
	return Policy{
		Currency: "ILS",
		Tiers: []Tier{
			{ID: "late-1-2", FromDays: 1, ToDays: 2, Remedy: RemedyCoupon, AmountMinor: 1500, Auto: true},
			{ID: "late-3-5", FromDays: 3, ToDays: 5, Remedy: RemedyStoreCredit, Percent: MustDecimal("10"), MinMinor: 2000, MaxMinor: 10000},
			{ID: "late-6-plus", FromDays: 6, Remedy: RemedyStoreCredit, Percent: MustDecimal("15"), PerDayMinor: 500, MaxMinor: 25000},
		},
		TierMultipliers: map[string]Decimal{"vip": MustDecimal("1.5")},
		Repeat:          &Repeat{MinLateOrders: 2, WindowDays: 90, Multiplier: MustDecimal("1.25")},
		MaxMinor:        30000,
	}
}

// RepeatWindowDays is how far back the caller counts the contact's other
// late orders (0 when the policy has no repeat rule).
func (p Policy) RepeatWindowDays() int {
	if p.Repeat == nil {
		return 0
	}
	return p.Repeat.WindowDays
}

// Parse reads a policy document in JSON (starting with "{") or YAML,
// rejecting unknown fields and duplicate keys, and validates it. YAML
// numbers are taken exactly as written (never through float64). Errors:
// *errs.ValidationError naming "body" for syntax, else the field path
// ("tiers[1].percent", "tiers[0].tiers" for a duplicate key).
func Parse(body []byte) (Policy, error) {
	if len(body) > MaxBodyBytes {
		return Policy{}, errs.Invalid("body", "too_long", "a policy document is at most %d bytes", MaxBodyBytes)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return Policy{}, errs.Invalid("body", "required", "send a policy document (JSON or YAML)")
	}
	if trimmed[0] != '{' {
		// YAML: decode to plain values, re-encode as JSON and decode that
		// strictly, so both syntaxes reach the same struct and checks.
		var n yaml.Node
		if err := yaml.Unmarshal(trimmed, &n); err != nil {
			return Policy{}, errs.Invalid("body", "invalid", "not valid JSON or YAML: %v", err)
		}
		var b bytes.Buffer
		if err := yamlToJSON(&b, &n, 0); err != nil {
			return Policy{}, errs.Invalid("body", "invalid", "the YAML document cannot be read as a policy: %v", err)
		}
		trimmed = b.Bytes()
	}
	if err := checkDuplicateKeys(trimmed); err != nil {
		return Policy{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	var p Policy
	if err := dec.Decode(&p); err != nil {
		code := "invalid"
		if strings.Contains(err.Error(), "unknown field") {
			code = "unknown_field"
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Policy{}, errs.Invalid(te.Field, "wrong_type", "must be a %s", te.Type)
		}
		return Policy{}, errs.Invalid("body", code, "%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Policy{}, errs.Invalid("body", "invalid", "unexpected data after the policy document")
	}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

var tierIDRE = regexp.MustCompile(`^[A-Za-z0-9_.+-]{1,64}$`)
var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// Validate checks the policy. Errors: *errs.ValidationError with one entry
// per offending field, named by path ("tiers[1].percent").
func (p Policy) Validate() error {
	var c errs.Checker
	c.Check(p.Currency == "" || currencyRE.MatchString(p.Currency), "currency", "invalid", "an ISO 4217 code like ILS, or empty for any currency")
	c.Check(len(p.Tiers) <= MaxTiers, "tiers", "too_long", "at most %d tiers", MaxTiers)
	c.Check(p.MinMinor >= 0, "min_minor", "invalid", "must not be negative")
	c.Check(p.MaxMinor >= 0, "max_minor", "invalid", "must not be negative (0 = no maximum)")
	checkAmount(&c, "min_minor", p.MinMinor)
	checkAmount(&c, "max_minor", p.MaxMinor)
	c.Check(p.MaxMinor == 0 || p.MinMinor <= p.MaxMinor, "min_minor", "invalid", "must not exceed max_minor")
	ids := map[string]bool{}
	for i, t := range p.Tiers {
		f := fmt.Sprintf("tiers[%d].", i)
		c.Check(tierIDRE.MatchString(t.ID), f+"id", "invalid", "1-64 letters, digits or _ . + -")
		c.Check(!ids[t.ID], f+"id", "duplicate", "tier id %q is used twice", t.ID)
		ids[t.ID] = true
		c.Check(t.FromDays >= 1, f+"from_days", "invalid", "must be at least 1 (a day late)")
		c.Check(t.ToDays == 0 || t.ToDays >= t.FromDays, f+"to_days", "invalid", "must be 0 (no upper bound) or at least from_days")
		c.Check(ValidRemedy(t.Remedy), f+"remedy", "invalid", "one of %s", strings.Join(Remedies, ", "))
		c.Check(t.AmountMinor >= 0, f+"amount_minor", "invalid", "must not be negative")
		c.Check(t.PerDayMinor >= 0, f+"per_day_minor", "invalid", "must not be negative")
		c.Check(t.MinMinor >= 0, f+"min_minor", "invalid", "must not be negative")
		c.Check(t.MaxMinor >= 0, f+"max_minor", "invalid", "must not be negative (0 = no maximum)")
		c.Check(t.MaxMinor == 0 || t.MinMinor <= t.MaxMinor, f+"min_minor", "invalid", "must not exceed max_minor")
		checkAmount(&c, f+"amount_minor", t.AmountMinor)
		checkAmount(&c, f+"per_day_minor", t.PerDayMinor)
		checkAmount(&c, f+"min_minor", t.MinMinor)
		checkAmount(&c, f+"max_minor", t.MaxMinor)
		checkDecimal(&c, f+"percent", t.Percent)
		c.Check(t.AmountMinor == 0 || t.Percent.IsZero(), f+"percent", "invalid", "give amount_minor or percent, not both")
		c.Check(t.AmountMinor > 0 || !t.Percent.IsZero() || t.PerDayMinor > 0, f+"amount_minor", "required",
			"a tier needs amount_minor, percent or per_day_minor")
		if !t.Percent.IsZero() && t.Percent.bad == "" {
			r := t.Percent.Rat()
			c.Check(r.Sign() > 0 && r.Cmp(big.NewRat(100, 1)) <= 0, f+"percent", "invalid", "must be more than 0 and at most 100")
		}
	}
	// Tiers must not overlap: each day count picks at most one tier.
	order := make([]int, len(p.Tiers))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return p.Tiers[order[a]].FromDays < p.Tiers[order[b]].FromDays })
	for k := 1; k < len(order); k++ {
		prev, cur := p.Tiers[order[k-1]], p.Tiers[order[k]]
		if prev.ToDays == 0 || cur.FromDays <= prev.ToDays {
			c.Add(fmt.Sprintf("tiers[%d].from_days", order[k]), "overlap", "overlaps tier %q", prev.ID)
		}
	}
	keys := make([]string, 0, len(p.TierMultipliers))
	for k := range p.TierMultipliers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		checkMultiplier(&c, "tier_multipliers."+k, p.TierMultipliers[k], true)
		c.Check(strings.TrimSpace(k) != "", "tier_multipliers", "invalid", "a contact tier name must not be empty")
	}
	if r := p.Repeat; r != nil {
		c.Check(r.MinLateOrders >= 1, "repeat_lateness.min_late_orders", "invalid", "must be at least 1")
		c.Check(r.WindowDays >= 1 && r.WindowDays <= 3650, "repeat_lateness.window_days", "invalid", "must be 1 to 3650 days")
		checkMultiplier(&c, "repeat_lateness.multiplier", r.Multiplier, false)
		c.Check(r.Remedy == "" || ValidRemedy(r.Remedy), "repeat_lateness.remedy", "invalid", "empty or one of %s", strings.Join(Remedies, ", "))
		c.Check(!r.Multiplier.IsZero() || r.Remedy != "", "repeat_lateness.multiplier", "required", "give a multiplier, a remedy or both")
	}
	return c.Err()
}

// checkAmount rejects an amount above MaxAmountMinor.
func checkAmount(c *errs.Checker, field string, v int64) {
	c.Check(v <= MaxAmountMinor, field, "too_large", "at most %d minor units", MaxAmountMinor)
}

// checkDecimal reports a value that was not a decimal number.
func checkDecimal(c *errs.Checker, field string, d Decimal) bool {
	if d.bad != "" {
		c.Add(field, "invalid", "%s", d.bad)
		return false
	}
	return true
}

func checkMultiplier(c *errs.Checker, field string, d Decimal, required bool) {
	if !checkDecimal(c, field, d) {
		return
	}
	if d.IsZero() {
		c.Check(!required, field, "required", "a multiplier like 1.5")
		return
	}
	r := d.Rat()
	c.Check(r.Sign() > 0 && r.Cmp(big.NewRat(maxMultiplier, 1)) <= 0, field, "invalid", "must be more than 0 and at most %d", maxMultiplier)
}

// checkDuplicateKeys rejects a JSON document in which an object has the
// same key twice (encoding/json would keep the last), naming the key's path.
func checkDuplicateKeys(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		switch d {
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := k.(string)
				name := key
				if path != "" {
					name = path + "." + key
				}
				if seen[key] {
					return errs.Invalid(name, "duplicate_field", "field %q appears twice", key)
				}
				seen[key] = true
				if err := walk(name); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
		_, err = dec.Token()
		return err
	}
	if err := walk(""); err != nil {
		if _, ok := err.(*errs.ValidationError); ok {
			return err
		}
		return nil // syntax errors are reported by the decoder
	}
	return nil
}

var jsonNumberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// yamlToJSON writes the YAML node n as JSON, keeping numbers exactly as
// written: an integer (decimal, 0x, 0o, with _ separators) as its exact
// decimal digits, a float's text as is when it is a JSON number (so 7.25
// reaches the Decimal parser as "7.25"); .inf, .nan and other scalars
// become strings, which the typed decode then rejects by field.
func yamlToJSON(b *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > 64 {
		return errors.New("nested too deeply")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			b.WriteString("null")
			return nil
		}
		return yamlToJSON(b, n.Content[0], depth+1)
	case yaml.AliasNode:
		return yamlToJSON(b, n.Alias, depth+1)
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			if err := yamlToJSON(b, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := yamlToJSON(b, c, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	}
	switch n.ShortTag() {
	case "!!null":
		b.WriteString("null")
		return nil
	case "!!bool":
		var v bool
		if err := n.Decode(&v); err != nil {
			return err
		}
		fmt.Fprint(b, v)
		return nil
	case "!!int":
		v := strings.ReplaceAll(n.Value, "_", "")
		if i, ok := new(big.Int).SetString(v, 0); ok {
			b.WriteString(i.String())
			return nil
		}
	case "!!float":
		if jsonNumberRE.MatchString(n.Value) {
			b.WriteString(n.Value)
			return nil
		}
	}
	v, _ := json.Marshal(n.Value)
	b.Write(v)
	return nil
}
