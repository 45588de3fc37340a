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

// Parse returns the UTC instants of from and to (both required, from
// before to, at most MaxSpan apart), truncated to milliseconds. Errors:
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
		if t, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
			return t.UTC(), nil
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return time.Time{}, errs.Invalid(name, "wrong_type", "%s must be a date YYYY-MM-DD or an RFC 3339 time", name)
		}
		return t.UTC().Truncate(time.Millisecond), nil
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
