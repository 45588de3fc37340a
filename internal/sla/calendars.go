package sla

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/sla/calendar"
)

// BuiltinIL is the name of the built-in Israeli calendar (calendar.IL).
const BuiltinIL = "il"

// Limits on stored calendars.
const (
	MaxCalendarName  = 64  // characters
	MaxCalendarDays  = 500 // holidays, and overrides, per calendar
	MaxDayIntervals  = 8   // open intervals per day
	MaxDaysRange     = 400 // days per Days query
	maxDayNameLength = 200
)

// Interval is an open span of one local day, "HH:MM" from 00:00 to 24:00,
// Start before End.
type Interval struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Day is a dated exception: a holiday or an override. Open lists what stays
// open; empty means closed all day.
type Day struct {
	Date string     `json:"date"`
	Name string     `json:"name"`
	Open []Interval `json:"open"`
}

// Calendar is a business-hours calendar as the API shows it. Week has 7
// lists, Sunday first. The built-in "il" has Builtin set, ID 0 and null
// times; its holidays are computed, not listed (see Days).
type Calendar struct {
	ID              int64        `json:"id"`
	Name            string       `json:"name"`
	TimeZone        string       `json:"time_zone"`
	Week            [][]Interval `json:"week"`
	Holidays        []Day        `json:"holidays"`
	Overrides       []Day        `json:"overrides"`
	IncludeHolidays string       `json:"include_holidays"`
	Builtin         bool         `json:"builtin"`
	CreatedAt       *time.Time   `json:"created_at"`
	UpdatedAt       *time.Time   `json:"updated_at"`
}

// CalendarInput creates a calendar. Week defaults to closed every day
// (which fails validation: a calendar needs open hours).
type CalendarInput struct {
	Name            string       `json:"name"`
	TimeZone        string       `json:"time_zone"`
	Week            [][]Interval `json:"week"`
	Holidays        []Day        `json:"holidays"`
	Overrides       []Day        `json:"overrides"`
	IncludeHolidays string       `json:"include_holidays"`
}

// CalendarPatch changes a calendar; absent fields stay.
type CalendarPatch struct {
	Name            patch.Field[string]       `json:"name"`
	TimeZone        patch.Field[string]       `json:"time_zone"`
	Week            patch.Field[[][]Interval] `json:"week"`
	Holidays        patch.Field[[]Day]        `json:"holidays"`
	Overrides       patch.Field[[]Day]        `json:"overrides"`
	IncludeHolidays patch.Field[string]       `json:"include_holidays"`
}

var calendarNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// parseHHMM parses "HH:MM" (00:00–24:00) into minutes since midnight.
func parseHHMM(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// formatHHMM is the inverse of parseHHMM.
func formatHHMM(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func parseDate(s string) (calendar.Date, bool) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return calendar.Date{}, false
	}
	return calendar.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, true
}

func checkIntervals(c *errs.Checker, field string, ivs []Interval) []calendar.Interval {
	c.Check(len(ivs) <= MaxDayIntervals, field, "too_many", "at most %d intervals a day", MaxDayIntervals)
	out := make([]calendar.Interval, 0, len(ivs))
	for i, iv := range ivs {
		f := fmt.Sprintf("%s[%d]", field, i)
		s, ok1 := parseHHMM(iv.Start)
		e, ok2 := parseHHMM(iv.End)
		c.Check(ok1, f+".start", "invalid", "must be a time HH:MM from 00:00 to 24:00")
		c.Check(ok2, f+".end", "invalid", "must be a time HH:MM from 00:00 to 24:00")
		if ok1 && ok2 {
			c.Check(s < e, f+".end", "invalid", "must be after start (%s)", iv.Start)
			if s < e {
				// Intervals may touch (09:00–12:00, 12:00–17:00) but not overlap.
				for j, prev := range ivs[:i] {
					ps, okS := parseHHMM(prev.Start)
					pe, okE := parseHHMM(prev.End)
					if okS && okE && ps < pe && s < pe && ps < e {
						c.Add(f, "overlap", "overlaps %s[%d] (%s–%s)", field, j, prev.Start, prev.End)
						break
					}
				}
				out = append(out, calendar.Interval{Start: s, End: e})
			}
		}
	}
	return out
}

func checkDays(c *errs.Checker, field string, days []Day, unique bool) []calendar.Day {
	c.Check(len(days) <= MaxCalendarDays, field, "too_many", "at most %d days", MaxCalendarDays)
	out := make([]calendar.Day, 0, len(days))
	seen := map[string]bool{}
	for i, d := range days {
		f := fmt.Sprintf("%s[%d]", field, i)
		date, ok := parseDate(d.Date)
		c.Check(ok, f+".date", "invalid", "must be a date YYYY-MM-DD")
		if ok && unique {
			c.Check(!seen[d.Date], f+".date", "duplicate", "%s is listed twice", d.Date)
			seen[d.Date] = true
		}
		c.MaxLen(f+".name", d.Name, maxDayNameLength)
		open := checkIntervals(c, f+".open", d.Open)
		if len(open) == 0 {
			open = nil
		}
		out = append(out, calendar.Day{Date: date, Name: d.Name, Open: open})
	}
	return out
}

// buildCalendar validates in and builds its calendar. Errors name the
// field: "time_zone", "week[1][0].end", "holidays[3].date", ….
func buildCalendar(in CalendarInput) (*calendar.Calendar, error) {
	var c errs.Checker
	in.Name = strings.TrimSpace(in.Name)
	c.Check(in.Name != "", "name", "required", "a calendar needs a name")
	c.MaxLen("name", in.Name, MaxCalendarName)
	if in.Name != "" {
		c.Check(calendarNameRE.MatchString(in.Name), "name", "invalid", "use lower-case letters, digits, - and _")
		c.Check(in.Name != BuiltinIL, "name", "reserved", "%q is the built-in calendar", BuiltinIL)
	}
	var loc *time.Location
	if in.TimeZone == "" {
		c.Add("time_zone", "required", "an IANA time zone such as Asia/Jerusalem")
	} else if l, err := time.LoadLocation(in.TimeZone); err != nil || in.TimeZone == "Local" {
		c.Add("time_zone", "invalid", "%q is not an IANA time zone such as Asia/Jerusalem", in.TimeZone)
	} else {
		loc = l
	}
	var week calendar.Week
	if c.Check(len(in.Week) == 7, "week", "invalid", "week lists 7 days, Sunday first (got %d)", len(in.Week)); len(in.Week) == 7 {
		total := 0
		for d := range 7 {
			week[d] = checkIntervals(&c, fmt.Sprintf("week[%d]", d), in.Week[d])
			total += len(week[d])
		}
		c.Check(total > 0, "week", "invalid", "the week needs some open hours")
	}
	holidays := checkDays(&c, "holidays", in.Holidays, true)
	overrides := checkDays(&c, "overrides", in.Overrides, true)
	if in.IncludeHolidays != "" {
		c.OneOf("include_holidays", in.IncludeHolidays, "", BuiltinIL)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if in.IncludeHolidays == BuiltinIL {
		// An eve keeps only the calendar's own hours before 13:00: the
		// half day never opens a day the week keeps closed.
		il := calendar.ILHolidays(calendar.ILFirstYear, calendar.ILLastYear)
		for i, h := range il {
			if h.Open != nil {
				wd := time.Date(h.Date.Year, h.Date.Month, h.Date.Day, 12, 0, 0, 0, time.UTC).Weekday()
				il[i].Open = intersect(week[wd], h.Open)
				if len(il[i].Open) == 0 {
					il[i].Open = nil
				}
			}
		}
		holidays = append(il, holidays...)
	}
	cal, err := calendar.New(calendar.Config{Name: in.Name, Location: loc, Week: week, Holidays: holidays, Overrides: overrides})
	if err != nil {
		return nil, errs.Invalid("week", "invalid", "%v", err)
	}
	return cal, nil
}

// intersect returns the time open in both a and b (calendar.New sorts
// and merges the result).
func intersect(a, b []calendar.Interval) []calendar.Interval {
	var out []calendar.Interval
	for _, x := range a {
		for _, y := range b {
			if s, e := max(x.Start, y.Start), min(x.End, y.End); s < e {
				out = append(out, calendar.Interval{Start: s, End: e})
			}
		}
	}
	return out
}

// builtinCalendar is the API view of "il".
func builtinCalendar() Calendar {
	day := []Interval{{"09:00", "17:00"}}
	return Calendar{Name: BuiltinIL, TimeZone: "Asia/Jerusalem", Week: [][]Interval{day, day, day, day, day, {}, {}},
		Holidays: []Day{}, Overrides: []Day{}, IncludeHolidays: BuiltinIL, Builtin: true}
}

const calendarColumns = `id, name, time_zone, week, holidays, overrides, include_holidays, created_at, updated_at`

func scanCalendar(r interface{ Scan(...any) error }) (Calendar, error) {
	var c Calendar
	var week, hol, ovr string
	var created, updated int64
	if err := r.Scan(&c.ID, &c.Name, &c.TimeZone, &week, &hol, &ovr, &c.IncludeHolidays, &created, &updated); err != nil {
		return Calendar{}, err
	}
	_ = json.Unmarshal([]byte(week), &c.Week)
	_ = json.Unmarshal([]byte(hol), &c.Holidays)
	_ = json.Unmarshal([]byte(ovr), &c.Overrides)
	c.normalize()
	ct, ut := db.Time(created), db.Time(updated)
	c.CreatedAt, c.UpdatedAt = &ct, &ut
	return c, nil
}

// normalize makes nil lists empty so JSON shows [] rather than null.
func (c *Calendar) normalize() {
	for len(c.Week) < 7 {
		c.Week = append(c.Week, nil)
	}
	for i := range c.Week {
		if c.Week[i] == nil {
			c.Week[i] = []Interval{}
		}
	}
	if c.Holidays == nil {
		c.Holidays = []Day{}
	}
	if c.Overrides == nil {
		c.Overrides = []Day{}
	}
	for _, ds := range [][]Day{c.Holidays, c.Overrides} {
		for i := range ds {
			if ds[i].Open == nil {
				ds[i].Open = []Interval{}
			}
		}
	}
}

func (c Calendar) input() CalendarInput {
	return CalendarInput{Name: c.Name, TimeZone: c.TimeZone, Week: c.Week, Holidays: c.Holidays, Overrides: c.Overrides,
		IncludeHolidays: c.IncludeHolidays}
}

// ListCalendars returns the built-in "il" first, then the stored calendars
// by name.
func (s *Service) ListCalendars(ctx context.Context) ([]Calendar, error) {
	out := []Calendar{builtinCalendar()}
	rows, err := s.db.R().Query(ctx, `SELECT `+calendarColumns+` FROM calendars ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sla: list calendars: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCalendar(rows)
		if err != nil {
			return nil, fmt.Errorf("sla: list calendars: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// GetCalendar returns the calendar called name. Errors: errs.ErrNotFound.
func (s *Service) GetCalendar(ctx context.Context, name string) (Calendar, error) {
	if name == BuiltinIL {
		return builtinCalendar(), nil
	}
	return getCalendar(ctx, s.db.R(), name)
}

func getCalendar(ctx context.Context, q db.Querier, name string) (Calendar, error) {
	c, err := scanCalendar(q.QueryRow(ctx, `SELECT `+calendarColumns+` FROM calendars WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return Calendar{}, fmt.Errorf("calendar %q: %w", name, errs.ErrNotFound)
	}
	if err != nil {
		return Calendar{}, fmt.Errorf("sla: get calendar %q: %w", name, err)
	}
	return c, nil
}

func (in *CalendarInput) normalize() {
	in.Name = strings.TrimSpace(in.Name)
	c := Calendar{Week: in.Week, Holidays: in.Holidays, Overrides: in.Overrides}
	if len(c.Week) == 7 {
		c.normalize()
	}
	in.Week, in.Holidays, in.Overrides = c.Week, c.Holidays, c.Overrides
	if in.Holidays == nil {
		in.Holidays = []Day{}
	}
	if in.Overrides == nil {
		in.Overrides = []Day{}
	}
}

// CreateCalendar validates and stores a calendar. Errors:
// *errs.ValidationError naming the field, errs.ErrConflict for a taken
// name.
func (s *Service) CreateCalendar(ctx context.Context, actor audit.Actor, in CalendarInput) (Calendar, error) {
	in.normalize()
	if _, err := buildCalendar(in); err != nil {
		return Calendar{}, err
	}
	now := s.Now()
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO calendars (name, time_zone, week, holidays, overrides, include_holidays, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, in.TimeZone, db.JSON(in.Week), db.JSON(in.Holidays), db.JSON(in.Overrides),
			in.IncludeHolidays, db.Ms(now), db.Ms(now))
		if db.IsUniqueViolation(err) {
			return errs.Invalid("name", "taken", "a calendar called %q exists", in.Name)
		}
		if err != nil {
			return fmt.Errorf("sla: create calendar: %w", err)
		}
		tx.AfterCommit(s.invalidate)
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "calendar.created", EntityType: "calendar", EntityID: id,
			CreatedAt: now, Changes: map[string]audit.Change{"name": {To: in.Name}}})
	})
	if err != nil {
		return Calendar{}, err
	}
	return s.GetCalendar(ctx, in.Name)
}

// UpdateCalendar changes calendar name. Renaming is refused while SLA
// policies use the name. Errors: errs.ErrNotFound, errs.ErrForbidden for
// the built-in "il", *errs.ValidationError, errs.ErrConflict.
func (s *Service) UpdateCalendar(ctx context.Context, actor audit.Actor, name string, p CalendarPatch) (Calendar, error) {
	if name == BuiltinIL {
		return Calendar{}, fmt.Errorf("the built-in calendar %q is read-only: %w", name, errs.ErrForbidden)
	}
	var newName string
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		cur, err := getCalendar(ctx, tx, name)
		if err != nil {
			return err
		}
		in := cur.input()
		if p.Name.Set {
			in.Name = p.Name.V
		}
		if p.TimeZone.Set {
			in.TimeZone = p.TimeZone.V
		}
		if p.Week.Set {
			in.Week = p.Week.V
		}
		if p.Holidays.Set {
			in.Holidays = p.Holidays.V
		}
		if p.Overrides.Set {
			in.Overrides = p.Overrides.V
		}
		if p.IncludeHolidays.Set {
			in.IncludeHolidays = p.IncludeHolidays.V
		}
		in.normalize()
		if _, err := buildCalendar(in); err != nil {
			return err
		}
		if in.Name != cur.Name {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sla_policies WHERE calendar = ?`, cur.Name).Scan(&n); err != nil {
				return fmt.Errorf("sla: calendar users: %w", err)
			}
			if n > 0 {
				return errs.Invalid("name", "in_use", "%d SLA policies use calendar %q; point them elsewhere before renaming it", n, cur.Name)
			}
		}
		now := s.Now()
		_, err = tx.Exec(ctx, `UPDATE calendars SET name = ?, time_zone = ?, week = ?, holidays = ?, overrides = ?, include_holidays = ?,
			updated_at = ? WHERE id = ?`, in.Name, in.TimeZone, db.JSON(in.Week), db.JSON(in.Holidays), db.JSON(in.Overrides),
			in.IncludeHolidays, db.Ms(now), cur.ID)
		if db.IsUniqueViolation(err) {
			return errs.Invalid("name", "taken", "a calendar called %q exists", in.Name)
		}
		if err != nil {
			return fmt.Errorf("sla: update calendar: %w", err)
		}
		newName = in.Name
		if err := s.scheduleReevaluation(ctx, tx, now); err != nil {
			return err
		}
		tx.AfterCommit(s.invalidate)
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "calendar.updated", EntityType: "calendar", EntityID: cur.ID,
			CreatedAt: now, Changes: map[string]audit.Change{"name": {From: cur.Name, To: in.Name}}})
	})
	if err != nil {
		return Calendar{}, err
	}
	return s.GetCalendar(ctx, newName)
}

// DeleteCalendar removes calendar name. Errors: errs.ErrNotFound,
// errs.ErrForbidden for "il", errs.ErrConflict while a policy uses it.
func (s *Service) DeleteCalendar(ctx context.Context, actor audit.Actor, name string) error {
	if name == BuiltinIL {
		return fmt.Errorf("the built-in calendar %q is read-only: %w", name, errs.ErrForbidden)
	}
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		cur, err := getCalendar(ctx, tx, name)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sla_policies WHERE calendar = ?`, name).Scan(&n); err != nil {
			return fmt.Errorf("sla: calendar users: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("%d SLA policies use calendar %q: %w", n, name, errs.ErrConflict)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM calendars WHERE id = ?`, cur.ID); err != nil {
			return fmt.Errorf("sla: delete calendar: %w", err)
		}
		tx.AfterCommit(s.invalidate)
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "calendar.deleted", EntityType: "calendar", EntityID: cur.ID,
			CreatedAt: s.Now(), Changes: map[string]audit.Change{"name": {From: name}}})
	})
}

// BusinessCalendar returns the built calendar called name — "il" or a
// stored one — from the service's cache. The API, the CLI and the SLA
// engine all resolve names here. Errors: errs.ErrNotFound.
func (s *Service) BusinessCalendar(ctx context.Context, name string) (*calendar.Calendar, error) {
	s.mu.Lock()
	cal, ok := s.calendars[name]
	gen := s.gen
	s.mu.Unlock()
	if ok {
		return cal, nil
	}
	var err error
	if name == BuiltinIL {
		cal, err = calendar.IL()
	} else {
		var c Calendar
		if c, err = getCalendar(ctx, s.db.R(), name); err == nil {
			cal, err = buildCalendar(c.input())
		}
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.gen == gen {
		s.calendars[name] = cal
	}
	s.mu.Unlock()
	return cal, nil
}

// Due returns when minutes business minutes after start have elapsed on
// calendar name, in the calendar's zone (calendar.Calendar.Due).
func (s *Service) Due(ctx context.Context, name string, start time.Time, minutes int) (time.Time, error) {
	cal, err := s.BusinessCalendar(ctx, name)
	if err != nil {
		return time.Time{}, err
	}
	if minutes < 0 || minutes > calendar.MaxMinutes {
		return time.Time{}, errs.Invalid("minutes", "invalid", "must be between 0 and %d", calendar.MaxMinutes)
	}
	if err := checkYear("start", start); err != nil {
		return time.Time{}, err
	}
	due := cal.Due(start, minutes)
	if due.Year() > maxYear || due.UTC().Year() > maxYear {
		return time.Time{}, errs.Invalid("minutes", "out_of_range", "the answer would fall after the year %d", maxYear)
	}
	return due, nil
}

// maxYear is the last year an RFC 3339 instant (four-digit years) can name.
const maxYear = 9999

// checkYear rejects an instant outside the years 1 to 9999 (in UTC),
// naming field.
func checkYear(field string, t time.Time) error {
	if y := t.UTC().Year(); y < 1 || y > maxYear {
		return errs.Invalid(field, "out_of_range", "must fall within the years 0001 to %d (UTC)", maxYear)
	}
	return nil
}

// Between returns the business minutes in [from, to) on calendar name.
func (s *Service) Between(ctx context.Context, name string, from, to time.Time) (int, error) {
	cal, err := s.BusinessCalendar(ctx, name)
	if err != nil {
		return 0, err
	}
	if err := checkYear("from", from); err != nil {
		return 0, err
	}
	if err := checkYear("to", to); err != nil {
		return 0, err
	}
	if to.Before(from) {
		return 0, errs.Invalid("to", "invalid", "must not be before from")
	}
	return cal.Between(from, to), nil
}

// Days returns the exceptions (holidays, eves, overrides) of calendar name
// between the dates from and to (YYYY-MM-DD, both included, at most
// MaxDaysRange days).
func (s *Service) Days(ctx context.Context, name, from, to string) ([]Day, error) {
	var c errs.Checker
	f, ok1 := parseDate(from)
	t, ok2 := parseDate(to)
	c.Check(ok1, "from", "invalid", "must be a date YYYY-MM-DD")
	c.Check(ok2, "to", "invalid", "must be a date YYYY-MM-DD")
	if ok1 && ok2 {
		ft, _ := time.Parse("2006-01-02", from)
		tt, _ := time.Parse("2006-01-02", to)
		c.Check(!tt.Before(ft), "to", "invalid", "must not be before from")
		c.Check(tt.Sub(ft) < MaxDaysRange*24*time.Hour, "to", "too_long", "at most %d days", MaxDaysRange)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	cal, err := s.BusinessCalendar(ctx, name)
	if err != nil {
		return nil, err
	}
	out := []Day{}
	for _, d := range cal.Exceptions(f, t) {
		day := Day{Date: d.Date.String(), Name: d.Name, Open: []Interval{}}
		for _, iv := range d.Open {
			day.Open = append(day.Open, Interval{formatHHMM(iv.Start), formatHHMM(iv.End)})
		}
		out = append(out, day)
	}
	return out, nil
}
