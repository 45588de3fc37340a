package commerce

import (
	"errors"
	"fmt"
	"strings"
)

// minorDigits are the ISO 4217 minor-unit exponents that differ from 2.
var minorDigits = map[string]int{
	"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "UGX": 0, "XAF": 0, "XOF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// MinorDigits returns how many decimal places currency's minor unit has
// (ISO 4217: 2 for ILS, USD, EUR; 0 for JPY; 3 for KWD).
func MinorDigits(currency string) int {
	if d, ok := minorDigits[currency]; ok {
		return d
	}
	return 2
}

// ParseAmount converts a decimal amount string in major units ("259.90",
// "12", ".5"; "-0.5" and "." are refused) to minor units of currency
// exactly, without floating point: "259.90" ILS → 25990. More decimals
// than the currency has are an error unless they are zeros ("10.500" →
// 1050). Amounts above MaxAmountMinor minor units are an error.
func ParseAmount(s, currency string) (int64, error) {
	return parseAmount(s, currency, false)
}

// ParseAmountRounded is ParseAmount, except that more decimals than the
// currency has are rounded half-up to its minor unit instead of refused:
// "33.333333333333336" ILS → 3333, "0.125" → 13. It reads amounts that
// shops compute in floating point (WooCommerce's line_items[].price).
func ParseAmountRounded(s, currency string) (int64, error) {
	return parseAmount(s, currency, true)
}

func parseAmount(s, currency string, round bool) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty amount")
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, errors.New("want a non-negative decimal amount like 259.90")
	}
	if whole == "" {
		whole = "0"
	}
	digits := MinorDigits(currency)
	up := false
	if len(frac) > digits && round {
		// Half-up: the first dropped digit decides (checked for a digit below).
		up = frac[digits] >= '5' && frac[digits] <= '9'
		for _, r := range frac[digits:] {
			if r < '0' || r > '9' {
				return 0, errors.New("want a non-negative decimal amount like 259.90")
			}
		}
		frac = frac[:digits]
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > digits {
		return 0, errors.New("too many decimal places for " + currency)
	}
	frac += strings.Repeat("0", digits-len(frac))
	var n int64
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, errors.New("want a non-negative decimal amount like 259.90")
		}
		if n > MaxAmountMinor {
			break
		}
		n = n*10 + int64(r-'0')
	}
	if up {
		n++
	}
	if n > MaxAmountMinor {
		return 0, fmt.Errorf("amount too large: at most %d minor units", int64(MaxAmountMinor))
	}
	return n, nil
}
