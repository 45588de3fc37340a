package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/kesherdesk/kesher/internal/sla/calendar"
)

// HoursCmd groups the business-hours commands, which answer SLA questions
// without a desk: they need no database.
type HoursCmd struct {
	Due     HoursDueCmd     `cmd:"" help:"Print the instant when a number of business minutes after a start have elapsed."`
	Between HoursBetweenCmd `cmd:"" help:"Print the business minutes between two instants."`
}

// HoursDueCmd prints calendar.Due.
type HoursDueCmd struct {
	Calendar string `default:"il" help:"Built-in business-hours calendar (il)."`
	Start    string `required:"" help:"Start instant, RFC 3339, e.g. 2026-03-26T16:00:00+02:00."`
	Minutes  int    `required:"" help:"Business minutes to add (0 or more)."`
}

// Run prints the due instant in RFC 3339, in the calendar's time zone.
func (h *HoursDueCmd) Run(g *Globals) error {
	cal, err := builtinCalendar(h.Calendar)
	if err != nil {
		return err
	}
	start, err := parseInstant("--start", h.Start)
	if err != nil {
		return err
	}
	if h.Minutes < 0 || h.Minutes > calendar.MaxMinutes {
		return usagef("--minutes must be between 0 and %d, not %d", calendar.MaxMinutes, h.Minutes)
	}
	fmt.Fprintln(g.Stdout, cal.Due(start, h.Minutes).Format(time.RFC3339Nano))
	return nil
}

// HoursBetweenCmd prints calendar.Between.
type HoursBetweenCmd struct {
	Calendar string `default:"il" help:"Built-in business-hours calendar (il)."`
	From     string `required:"" help:"Start instant (included), RFC 3339."`
	To       string `required:"" help:"End instant (excluded), RFC 3339; not before --from."`
}

// Run prints the business minutes in [from, to), rounded down.
func (h *HoursBetweenCmd) Run(g *Globals) error {
	cal, err := builtinCalendar(h.Calendar)
	if err != nil {
		return err
	}
	from, err := parseInstant("--from", h.From)
	if err != nil {
		return err
	}
	to, err := parseInstant("--to", h.To)
	if err != nil {
		return err
	}
	if to.Before(from) {
		return usagef("--to %s is before --from %s", h.To, h.From)
	}
	fmt.Fprintln(g.Stdout, cal.Between(from, to))
	return nil
}

// builtinCalendar maps an unknown name to a usage error; a missing time
// zone database stays an ordinary failure.
func builtinCalendar(name string) (*calendar.Calendar, error) {
	cal, err := calendar.Builtin(name)
	if errors.Is(err, calendar.ErrUnknownCalendar) {
		return nil, usagef("--calendar: %w", err)
	}
	return cal, err
}

func parseInstant(flag, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usagef("%s %q is not an RFC 3339 instant like 2026-03-26T16:00:00+02:00", flag, s)
	}
	return t, nil
}
