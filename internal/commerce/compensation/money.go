package compensation

import (
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/currency"
)

// MaxAmountMinor is the largest amount, in minor units, that any
// compensation amount may have: a grant, a ledger entry, an authority
// limit and every amount of a policy document (1e11, ₪1,000,000,000.00 in
// ILS). Engine results are capped at it. With it, sums over up to 92
// million entries fit in an int64, so ledger sums cannot overflow.
const MaxAmountMinor int64 = 100_000_000_000

// tender is the set of ISO 4217 codes of current legal tender (no gold
// XAU, fund or test codes such as XTS and XXX).
var tender = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	it := currency.Query(currency.Date(time.Now()))
	for it.Next() {
		m[it.Unit().String()] = true
	}
	return m
})

// ValidCurrency reports whether code is the upper-case ISO 4217 code of a
// currency in use as legal tender ("ILS", "USD", "JPY"; not "usd", "XAU",
// "XTS").
func ValidCurrency(code string) bool {
	if len(code) != 3 || strings.ToUpper(code) != code {
		return false
	}
	u, err := currency.ParseISO(code)
	return err == nil && u.String() == code && tender()[code]
}

// Digits returns how many digits after the point currency's minor unit
// has per ISO 4217 (ILS, USD, EUR 2; JPY 0; KWD 3); 2 for an unknown code.
func Digits(code string) int {
	u, err := currency.ParseISO(code)
	if err != nil {
		return 2
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale
}

// Money formats minor units of currency with the currency's ISO 4217
// digits: "₪25.90", "$3.10", "€1.00", "1000 JPY", "1.234 KWD", else
// "12.50 GBP". An empty currency is ILS.
func Money(minor int64, cur string) string {
	if cur == "" {
		cur = "ILS"
	}
	n := new(big.Int).SetInt64(minor)
	sign := ""
	if n.Sign() < 0 {
		sign = "-"
		n.Abs(n)
	}
	s := n.String()
	if d := Digits(cur); d > 0 {
		if len(s) <= d {
			s = strings.Repeat("0", d-len(s)+1) + s
		}
		s = s[:len(s)-d] + "." + s[len(s)-d:]
	}
	switch cur {
	case "ILS":
		return sign + "₪" + s
	case "USD":
		return sign + "$" + s
	case "EUR":
		return sign + "€" + s
	}
	return fmt.Sprintf("%s%s %s", sign, s, cur)
}
