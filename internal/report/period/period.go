// Package period parses the report periods of docs/reports.md: "from"
// (inclusive) and "to" (exclusive), each an RFC 3339 instant or a date
// YYYY-MM-DD meaning midnight at the start of that day in Asia/Jerusalem.
package period

import (
	"time"

	"github.com/kesherdesk/kesher/internal/errs"
)

// Zone is where dates are days.
const Zone = "Asia/Jerusalem"

// MaxSpan is the longest period accepted.
const MaxSpan = 366 * 24 * time.Hour

// MinYear and MaxYear bound the years of a period's instants: outside
// them a bound is surely a typo (0001-01-01 is Go's zero time, which the
// report took for "missing"; year 9999 periods compare with nothing).
const (
	MinYear = 1970
	MaxYear = 2200
)

// CheckYear is nil when t's UTC year is within MinYear…MaxYear, else a
// *errs.ValidationError naming field.
func CheckYear(field string, t time.Time) error {
	if y := t.UTC().Year(); y < MinYear || y > MaxYear {
		return errs.Invalid(field, "out_of_range", "%s must be a time from %d to %d", field, MinYear, MaxYear)
	}
	return nil
}

// Parse returns the UTC instants of from and to (both required, from
// before to, at most MaxSpan apart, years MinYear…MaxYear), truncated to
// milliseconds. Errors:
// *errs.ValidationError naming "from" or "to".
func Parse(from, to string) (time.Time, time.Time, error) {
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	one := func(name, v string) (time.Time, error) {
		if v == "" {
			return time.Time{}, errs.Invalid(name, "required", "%s is required (YYYY-MM-DD or an RFC 3339 time)", name)
		}
		t, err := time.ParseInLocation(time.DateOnly, v, loc)
		if err != nil {
			if t, err = time.Parse(time.RFC3339Nano, v); err != nil {
				return time.Time{}, errs.Invalid(name, "wrong_type", "%s must be a date YYYY-MM-DD or an RFC 3339 time", name)
			}
		}
		return t.UTC().Truncate(time.Millisecond), CheckYear(name, t)
	}
	f, err := one("from", from)
	if err != nil {
		return f, f, err
	}
	t, err := one("to", to)
	if err != nil {
		return f, t, err
	}
	if !f.Before(t) {
		return f, t, errs.Invalid("to", "invalid", "to must be after from")
	}
	if t.Sub(f) > MaxSpan {
		return f, t, errs.Invalid("to", "invalid", "a period is at most 366 days")
	}
	return f, t, nil
}
