package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/sla/calendar"
)

// HoursCmd groups the business-hours commands. The built-in "il" needs no
// database; any other name is looked up among the desk's stored calendars
// (--data or --database-url), through the same sla.Service the API and the
// SLA engine use.
type HoursCmd struct {
	Due     HoursDueCmd     `cmd:"" help:"Print the instant when a number of business minutes after a start have elapsed."`
	Between HoursBetweenCmd `cmd:"" help:"Print the business minutes between two instants."`
}

// HoursDueCmd prints calendar.Due.
type HoursDueCmd struct {
	Calendar string `default:"il" help:"Business-hours calendar: il (built in) or a calendar stored in the desk."`
	Start    string `required:"" help:"Start instant, RFC 3339, e.g. 2026-03-26T16:00:00+02:00."`
	Minutes  int    `required:"" help:"Business minutes to add (0 or more)."`
}

// Run prints the due instant in RFC 3339, in the calendar's time zone.
func (h *HoursDueCmd) Run(g *Globals) error {
	cal, err := resolveCalendar(g, h.Calendar)
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
	Calendar string `default:"il" help:"Business-hours calendar: il (built in) or a calendar stored in the desk."`
	From     string `required:"" help:"Start instant (included), RFC 3339."`
	To       string `required:"" help:"End instant (excluded), RFC 3339; not before --from."`
}

// Run prints the business minutes in [from, to), rounded down.
func (h *HoursBetweenCmd) Run(g *Globals) error {
	cal, err := resolveCalendar(g, h.Calendar)
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

// resolveCalendar returns the built-in calendar called name or, for any
// other name, the desk's stored calendar: the store is opened only when it
// exists (a PostgreSQL URL, or an SQLite file in --data), so a mistyped
// name never creates a desk.
func resolveCalendar(g *Globals, name string) (*calendar.Calendar, error) {
	if _, err := calendar.Builtin(name); err == nil || !errors.Is(err, calendar.ErrUnknownCalendar) {
		return builtinCalendar(name)
	}
	if g.DatabaseURL == "" {
		if _, err := os.Stat(filepath.Join(g.DataDir, db.FileName)); err != nil {
			return builtinCalendar(name)
		}
	}
	ctx := context.Background()
	core, err := openCore(ctx, g)
	if err != nil {
		return nil, err
	}
	defer core.DB.Close()
	cal, err := core.SLA.BusinessCalendar(ctx, name)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, usagef("--calendar: no calendar %q (built in: il; stored: see GET /api/v1/calendars)", name)
	}
	return cal, err
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
