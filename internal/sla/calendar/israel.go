package calendar

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Names of the Israeli public holidays (rest days), spelled as in the
// vacanza/holidays data set that the tests check against.
const (
	RoshHashanah             = "Rosh Hashanah"
	YomKippur                = "Yom Kippur"
	Sukkot                   = "Sukkot"
	SheminiAtzeret           = "Simchat Torah / Shemini Atzeret"
	Pesach                   = "Pesach"
	SeventhDayOfPesach       = "Seventh day of Pesach"
	Shavuot                  = "Shavuot"
	IndependenceDay          = "Independence Day"
	IndependenceDayObserved  = "Independence Day (observed)"
	erevPrefix               = "Erev "
	independenceFirstYear    = 1949 // the first Yom Ha'atzmaut
	independenceMondayRuleIn = 2004 // first year a Monday 5 Iyar moves to Tuesday
)

// The built-in "il" calendar carries holidays for these Gregorian years;
// outside them only the weekly schedule applies.
const (
	ILFirstYear = 1949
	ILLastYear  = 2199
)

type ilHoliday struct {
	day  int64
	name string
	eve  bool // the previous day is a half day (Erev Chag) when it is a working day
}

// israeliHolidays returns the public holidays of a Gregorian year. Nisan,
// Iyyar and Sivan of Hebrew year year+3760 fall in its spring; Tishrei of
// year+3761 falls in its autumn.
func israeliHolidays(year int) []ilHoliday {
	spring, autumn := int64(year+3760), int64(year+3761)
	rh := hebrewNewYear(autumn)
	hs := []ilHoliday{
		{fixedFromHebrew(spring, Nisan, 15), Pesach, true},
		{fixedFromHebrew(spring, Nisan, 21), SeventhDayOfPesach, true},
		{fixedFromHebrew(spring, Sivan, 6), Shavuot, true},
		{rh, RoshHashanah, true},        // 1 Tishrei
		{rh + 1, RoshHashanah, false},   // 2 Tishrei; its eve is the first day
		{rh + 9, YomKippur, true},       // 10 Tishrei
		{rh + 14, Sukkot, true},         // 15 Tishrei
		{rh + 21, SheminiAtzeret, true}, // 22 Tishrei
	}
	if year >= independenceFirstYear {
		day, name := independenceDay(year)
		hs = append(hs, ilHoliday{day, name, false})
	}
	slices.SortFunc(hs, func(a, b ilHoliday) int { return compare(a.day, b.day) })
	return hs
}

// independenceDay returns the day Yom Ha'atzmaut is kept in a Gregorian year
// and its name. It is 5 Iyyar, moved (Independence Day Law 5709-1949 and the
// government decisions under it) back to Thursday when 5 Iyyar is a Friday
// or Saturday, so that neither it nor Memorial Day touches Shabbat, and since
// 2004 (5764) forward to Tuesday when 5 Iyyar is a Monday, so that Memorial
// Day does not start on Saturday night. 5 Iyyar is never a Sunday, Tuesday
// or Thursday.
func independenceDay(year int) (int64, string) {
	f := fixedFromHebrew(int64(year+3760), Iyyar, 5)
	switch time.Weekday(weekday(f)) {
	case time.Friday:
		return f - 1, IndependenceDayObserved
	case time.Saturday:
		return f - 2, IndependenceDayObserved
	case time.Monday:
		if year >= independenceMondayRuleIn {
			return f + 1, IndependenceDayObserved
		}
	}
	return f, IndependenceDay
}

// IsraeliPublicHolidays returns the Israeli public holidays (rest days, no
// business hours) of a Gregorian year in date order, each closed all day:
// Rosh Hashanah (1–2 Tishrei), Yom Kippur (10 Tishrei), Sukkot (15 Tishrei),
// Shemini Atzeret / Simchat Torah (22 Tishrei), Pesach (15 Nisan), the
// seventh day of Pesach (21 Nisan), Shavuot (6 Sivan) and Independence Day
// (5 Iyyar, or the day it is moved to, named "(observed)"; from 1949). The
// intermediate days of Sukkot and Pesach are not included: they are
// working days.
func IsraeliPublicHolidays(year int) []Day {
	var out []Day
	for _, h := range israeliHolidays(year) {
		out = append(out, Day{Date: dateFromFixed(h.day), Name: h.name})
	}
	return out
}

// IL returns the built-in "il" calendar: Asia/Jerusalem, Sunday–Thursday
// 09:00–17:00, closed Friday and Saturday and on IsraeliPublicHolidays for
// the years ILFirstYear–ILLastYear; the eve of each of those holidays except
// Independence Day (and the second day of Rosh Hashanah, whose eve is the
// first) is a half day ending 13:00 when it falls on a working day.
func IL() (*Calendar, error) {
	loc, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		return nil, fmt.Errorf("calendar il: %w", err)
	}
	day := []Interval{{9 * 60, 17 * 60}}
	cfg := Config{
		Name:     "il",
		Location: loc,
		Week:     Week{time.Sunday: day, time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day},
	}
	cfg.Holidays = ILHolidays(ILFirstYear, ILLastYear)
	return New(cfg)
}

// ILHolidays returns the closures of the built-in "il" calendar for the
// Gregorian years from through to (clamped to ILFirstYear–ILLastYear): each
// of IsraeliPublicHolidays closed all day and, for each holiday with an eve
// (all but Independence Day and the second day of Rosh Hashanah), the eve
// open 09:00–13:00 named "Erev <holiday>" when it falls Sunday–Thursday.
// Custom calendars add them with include_holidays "il".
func ILHolidays(from, to int) []Day {
	var out []Day
	for y := max(from, ILFirstYear); y <= min(to, ILLastYear); y++ {
		for _, h := range israeliHolidays(y) {
			out = append(out, Day{Date: dateFromFixed(h.day), Name: h.name})
			if wd := time.Weekday(weekday(h.day - 1)); h.eve && wd != time.Friday && wd != time.Saturday {
				out = append(out, Day{
					Date: dateFromFixed(h.day - 1),
					Name: erevPrefix + h.name,
					Open: []Interval{{9 * 60, 13 * 60}},
				})
			}
		}
	}
	return out
}

// ErrUnknownCalendar is returned by Builtin for a name it does not know.
var ErrUnknownCalendar = errors.New("no such built-in calendar")

// Builtin returns the built-in calendar called name; "il" is the only one.
// An unknown name gives an error wrapping ErrUnknownCalendar.
func Builtin(name string) (*Calendar, error) {
	switch name {
	case "il":
		return IL()
	}
	return nil, fmt.Errorf("calendar %q: %w (known: il)", name, ErrUnknownCalendar)
}
