// Package calendar is the business-hours math behind SLA targets: a weekly
// schedule in an IANA time zone, dated holidays and overrides, and the two
// questions an SLA asks — when is a target due (Due) and how much business
// time has passed (Between). It is pure Go and touches no database.
//
// All schedule times are local wall-clock minutes since midnight, so
// 09:00–17:00 means 09:00–17:00 on every day, whatever the UTC offset that
// day (daylight-saving changes need no special handling for schedules that
// avoid the hour of the change). Business time is counted in wall-clock
// minutes per local day.
package calendar

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// MinutesPerDay is the length of a local day in schedule minutes.
const MinutesPerDay = 24 * 60

// MaxMinutes is the largest duration Due accepts, in business minutes
// (about 190 years of round-the-clock time); larger values are clamped.
const MaxMinutes = 100_000_000

// Interval is an open span within one local day, in minutes since local
// midnight, half-open: [Start, End) with 0 ≤ Start < End ≤ 1440.
type Interval struct {
	Start, End int
}

// String formats the interval as "09:00-17:00".
func (iv Interval) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", iv.Start/60, iv.Start%60, iv.End/60, iv.End%60)
}

// Week is a weekly schedule indexed by time.Weekday (Sunday = 0); each day
// lists its open intervals.
type Week [7][]Interval

// Date is a civil date in a calendar's zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Day is a dated exception to the weekly schedule: a holiday or an override.
// Open lists the intervals still open that day; nil means closed all day.
type Day struct {
	Date Date
	Name string
	Open []Interval
}

// Config describes a calendar for New.
type Config struct {
	Name     string
	Location *time.Location
	Week     Week
	// Holidays close days fully (Open nil) or partly (Open lists what stays
	// open). Two holidays on one date leave open only what both leave open.
	Holidays []Day
	// Overrides replace the schedule of their date, holiday or not (an extra
	// closed day, or a Saturday opened for a backlog). At most one per date.
	Overrides []Day
}

// Calendar answers business-time questions for one schedule. It is
// immutable after New and safe for concurrent use.
type Calendar struct {
	name    string
	loc     *time.Location
	week    Week
	weekMin int64    // business minutes in a week without exceptions
	prefix  [8]int64 // prefix[i]: business minutes of weekdays 0..i-1
	exc     []exception
	excAt   map[int64]int // fixed day → index in exc
	// deltaBefore[i] is the sum, over exc[:i], of the exception's minutes
	// minus the minutes its weekday normally has (negative for holidays).
	deltaBefore []int64
}

type exception struct {
	day  int64 // fixed day number (see fixedFromDate)
	name string
	open []Interval
}

// New checks and normalizes cfg (intervals sorted and merged) and builds a
// Calendar. It fails on a nil location, an interval outside 00:00–24:00 or
// empty, two overrides on one date, or a week with no open time (Due could
// never finish).
func New(cfg Config) (*Calendar, error) {
	if cfg.Location == nil {
		return nil, errors.New("calendar: no time zone")
	}
	c := &Calendar{name: cfg.Name, loc: cfg.Location, excAt: map[int64]int{}}
	for wd := range cfg.Week {
		ivs, err := normalize(cfg.Week[wd])
		if err != nil {
			return nil, fmt.Errorf("calendar: %s: %w", time.Weekday(wd), err)
		}
		c.week[wd] = ivs
		c.prefix[wd+1] = c.prefix[wd] + sumMinutes(ivs)
	}
	c.weekMin = c.prefix[7]
	if c.weekMin == 0 {
		return nil, errors.New("calendar: the weekly schedule has no open hours")
	}

	days := map[int64]exception{}
	for _, h := range cfg.Holidays {
		ivs, err := normalize(h.Open)
		if err != nil {
			return nil, fmt.Errorf("calendar: holiday %s %s: %w", h.Date, h.Name, err)
		}
		f := fixedFromDate(h.Date)
		if prev, ok := days[f]; ok {
			ivs = intersect(prev.open, ivs)
			h.Name = prev.name + ", " + h.Name
		}
		days[f] = exception{day: f, name: h.Name, open: ivs}
	}
	overridden := map[int64]bool{}
	for _, o := range cfg.Overrides {
		ivs, err := normalize(o.Open)
		if err != nil {
			return nil, fmt.Errorf("calendar: override %s %s: %w", o.Date, o.Name, err)
		}
		f := fixedFromDate(o.Date)
		if overridden[f] {
			return nil, fmt.Errorf("calendar: two overrides on %s", o.Date)
		}
		overridden[f] = true
		days[f] = exception{day: f, name: o.Name, open: ivs}
	}
	for _, e := range days {
		c.exc = append(c.exc, e)
	}
	slices.SortFunc(c.exc, func(a, b exception) int { return compare(a.day, b.day) })
	c.deltaBefore = make([]int64, len(c.exc)+1)
	for i, e := range c.exc {
		c.excAt[e.day] = i
		normal := c.prefix[weekday(e.day)+1] - c.prefix[weekday(e.day)]
		c.deltaBefore[i+1] = c.deltaBefore[i] + sumMinutes(e.open) - normal
	}
	return c, nil
}

// Name is the calendar's name, e.g. "il".
func (c *Calendar) Name() string { return c.name }

// Location is the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// WeekMinutes is the number of business minutes in a week without holidays.
func (c *Calendar) WeekMinutes() int { return int(c.weekMin) }

// Hours returns the open intervals of date and, when a holiday or override
// applies, its name.
func (c *Calendar) Hours(date Date) (open []Interval, name string) {
	f := fixedFromDate(date)
	if i, ok := c.excAt[f]; ok {
		return slices.Clone(c.exc[i].open), c.exc[i].name
	}
	return slices.Clone(c.week[weekday(f)]), ""
}

// Exceptions returns the dated exceptions (holidays, eves, overrides) of
// the days from through to, both included, in date order, with the hours
// each leaves open (nil: closed all day).
func (c *Calendar) Exceptions(from, to Date) []Day {
	f, t := fixedFromDate(from), fixedFromDate(to)
	i := sort.Search(len(c.exc), func(i int) bool { return c.exc[i].day >= f })
	var out []Day
	for ; i < len(c.exc) && c.exc[i].day <= t; i++ {
		e := c.exc[i]
		out = append(out, Day{Date: dateFromFixed(e.day), Name: e.name, Open: slices.Clone(e.open)})
	}
	return out
}

// Due returns the instant at which minutes business minutes have elapsed
// after start, in the calendar's zone. A start outside business hours counts
// from the next opening. Zero minutes gives start itself if it is inside
// business hours, else the next opening. A positive amount that is used up
// exactly at a closing returns that closing time (e.g. 17:00), not the next
// opening. Negative minutes count as zero; more than MaxMinutes as MaxMinutes.
//
// Whole weeks are skipped arithmetically (the business minutes of k weeks
// are known from the weekly total and the prefix sums of holiday
// differences), so the cost does not grow with the span: only the last
// couple of weeks are walked day by day.
func (c *Calendar) Due(start time.Time, minutes int) time.Time {
	minutes = min(max(minutes, 0), MaxMinutes)
	need := time.Duration(minutes) * time.Minute
	d, off := c.split(start)

	// The start day, from the start's wall-clock time on.
	for _, iv := range c.open(d) {
		a, b := wall(iv.Start), wall(iv.End)
		if off >= b {
			continue
		}
		s := max(off, a)
		if need <= b-s {
			if need == 0 && s == off {
				return start.In(c.loc)
			}
			return c.at(d, s+need)
		}
		need -= b - s
	}
	d++

	// Skip whole weeks while more than two weeks of business time remain.
	// Holidays make k weeks worth less than k×weekMin, so the loop repeats
	// a few times; extra open days (overrides) can make them worth more, in
	// which case k is halved until the jump no longer overshoots.
	week := time.Duration(c.weekMin) * time.Minute
	for need > 2*week {
		k := int64(need/week) - 1
		for ; k > 0; k /= 2 {
			got := time.Duration(c.cum(d+7*k)-c.cum(d)) * time.Minute
			if got < need {
				d += 7 * k
				need -= got
				break
			}
		}
		if k == 0 {
			break
		}
	}

	// Walk the remaining days. need > 0 here unless minutes was 0, in which
	// case the first opening is returned.
	for ; ; d++ {
		for _, iv := range c.open(d) {
			if avail := wall(iv.End - iv.Start); need <= avail {
				return c.at(d, wall(iv.Start)+need)
			}
			need -= wall(iv.End - iv.Start)
		}
	}
}

// Between returns the business minutes in [from, to), rounded down to whole
// minutes; 0 if to is not after from. Like Due it skips whole weeks
// arithmetically, so its cost does not depend on the span.
func (c *Calendar) Between(from, to time.Time) int {
	if !to.After(from) {
		return 0
	}
	d1, o1 := c.split(from)
	d2, o2 := c.split(to)
	frac := c.inDay(d2, o2) - c.inDay(d1, o1)
	n := c.cum(d2) - c.cum(d1) + floorDiv(int64(frac), int64(time.Minute))
	// In the repeated hour of a fall-back change wall-clock time runs
	// backwards; never report negative time.
	return int(max(n, 0))
}

// cum returns the business minutes from fixed day 0 (a Sunday) to the start
// of day d: whole weeks times the weekly total, the weekdays of the last
// partial week, and the holiday/override differences before d.
func (c *Calendar) cum(d int64) int64 {
	i := sort.Search(len(c.exc), func(i int) bool { return c.exc[i].day >= d })
	return floorDiv(d, 7)*c.weekMin + c.prefix[weekday(d)] + c.deltaBefore[i]
}

// open returns the open intervals of fixed day d.
func (c *Calendar) open(d int64) []Interval {
	if i, ok := c.excAt[d]; ok {
		return c.exc[i].open
	}
	return c.week[weekday(d)]
}

// inDay returns the business time of day d before wall-clock offset off.
func (c *Calendar) inDay(d int64, off time.Duration) time.Duration {
	var sum time.Duration
	for _, iv := range c.open(d) {
		a, b := wall(iv.Start), wall(iv.End)
		if off <= a {
			break
		}
		sum += min(off, b) - a
	}
	return sum
}

// split returns t's local fixed day and wall-clock offset since midnight.
func (c *Calendar) split(t time.Time) (int64, time.Duration) {
	lt := t.In(c.loc)
	y, m, d := lt.Date()
	off := time.Duration(lt.Hour())*time.Hour + time.Duration(lt.Minute())*time.Minute +
		time.Duration(lt.Second())*time.Second + time.Duration(lt.Nanosecond())
	return fixedFromDate(Date{y, m, d}), off
}

// at returns the instant at wall-clock offset off on fixed day d; time.Date
// normalizes 24:00 to the next midnight.
func (c *Calendar) at(d int64, off time.Duration) time.Time {
	dt := dateFromFixed(d)
	return time.Date(dt.Year, dt.Month, dt.Day, 0, 0, 0, int(off), c.loc)
}

func wall(minutes int) time.Duration { return time.Duration(minutes) * time.Minute }

// unixEpochFixed is the fixed day number (R.D., Dershowitz–Reingold) of
// 1970-01-01.
const unixEpochFixed = 719163

// fixedFromDate returns the R.D. fixed day number of a proleptic Gregorian
// date (R.D. 1 is 0001-01-01), as in Dershowitz & Reingold, "Calendrical
// Calculations", ch. 2; Go's time package does the Gregorian arithmetic.
func fixedFromDate(d Date) int64 {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix()/86400 + unixEpochFixed
}

// dateFromFixed is the inverse of fixedFromDate.
func dateFromFixed(f int64) Date {
	y, m, d := time.Unix((f-unixEpochFixed)*86400, 0).UTC().Date()
	return Date{y, m, d}
}

// weekday returns the weekday of fixed day f (R.D. 0 is a Sunday).
func weekday(f int64) int { return int(mod(f, 7)) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func mod(a, b int64) int64 { return a - b*floorDiv(a, b) }

func compare(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func sumMinutes(ivs []Interval) int64 {
	var n int64
	for _, iv := range ivs {
		n += int64(iv.End - iv.Start)
	}
	return n
}

// normalize checks intervals and returns them sorted with overlapping or
// touching ones merged.
func normalize(ivs []Interval) ([]Interval, error) {
	out := slices.Clone(ivs)
	for _, iv := range out {
		if iv.Start < 0 || iv.End > MinutesPerDay || iv.Start >= iv.End {
			return nil, fmt.Errorf("bad interval %d-%d (minutes since midnight, start < end ≤ 1440)", iv.Start, iv.End)
		}
	}
	slices.SortFunc(out, func(a, b Interval) int { return a.Start - b.Start })
	merged := out[:0]
	for _, iv := range out {
		if n := len(merged); n > 0 && iv.Start <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, iv.End)
			continue
		}
		merged = append(merged, iv)
	}
	if len(merged) == 0 {
		return nil, nil
	}
	return merged, nil
}

// intersect returns the time open in both a and b (both normalized).
func intersect(a, b []Interval) []Interval {
	var out []Interval
	for i, j := 0, 0; i < len(a) && j < len(b); {
		s, e := max(a[i].Start, b[j].Start), min(a[i].End, b[j].End)
		if s < e {
			out = append(out, Interval{s, e})
		}
		if a[i].End < b[j].End {
			i++
		} else {
			j++
		}
	}
	return out
}
