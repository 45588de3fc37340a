package calendar

import (
	"math/rand/v2"
	"testing"
	"time"
	_ "time/tzdata" // the test binary does not link cmd/kesher
)

func mustIL(t testing.TB) *Calendar {
	t.Helper()
	c, err := IL()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newYork is a custom calendar: Monday–Friday 09:00–12:00 and 13:00–17:00
// (420 minutes a day, 2100 a week) in America/New_York, with Thanksgiving
// 2026 closed, the day after open only 09:00–12:00, an extra open Saturday
// and an extra closed Monday (overrides).
func newYork(t testing.TB) *Calendar {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	day := []Interval{{13 * 60, 17 * 60}, {9 * 60, 12 * 60}} // unsorted on purpose
	c, err := New(Config{
		Name:     "nyc",
		Location: loc,
		Week:     Week{time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day},
		Holidays: []Day{
			{Date: Date{2026, 11, 26}, Name: "Thanksgiving"},
			{Date: Date{2026, 11, 27}, Name: "Day after Thanksgiving", Open: []Interval{{9 * 60, 12 * 60}}},
		},
		Overrides: []Day{
			{Date: Date{2026, 11, 28}, Name: "Inventory Saturday", Open: []Interval{{10 * 60, 14 * 60}}},
			{Date: Date{2026, 11, 30}, Name: "Office move"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ts(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestDueIL checks Due on the il calendar (Sun–Thu 09:00–17:00) against
// hand-computed instants. 2026: Pesach Thu 2 Apr (eve Wed 1 Apr half day),
// chol hamoed Fri 3–Tue 7 Apr, seventh day Wed 8 Apr (eve Tue 7 Apr half
// day), Independence Day Wed 22 Apr, Rosh Hashanah Sat–Sun 12–13 Sep, Yom
// Kippur Mon 21 Sep (eve Sun 20 Sep half day). DST starts Fri 27 Mar 02:00
// (+02→+03) and ends Sun 25 Oct 02:00 (+03→+02).
func TestDueIL(t *testing.T) {
	c := mustIL(t)
	cases := []struct {
		name, start string
		minutes     int
		want        string
	}{
		// Sun 16:00: 60 min to 17:00, 60 more Mon 09:00–10:00.
		{"overnight", "2026-01-04T16:00:00+02:00", 120, "2026-01-05T10:00:00+02:00"},
		// Thu 15:00: 120 to 17:00, Fri–Sat closed, 120 more Sun 09:00–11:00.
		{"weekend", "2026-01-08T15:00:00+02:00", 240, "2026-01-11T11:00:00+02:00"},
		// Tue 21 Apr 16:00: 60 to 17:00, Wed 22 Apr Independence Day closed, Thu 09:00–10:00.
		{"full holiday", "2026-04-21T16:00:00+03:00", 120, "2026-04-23T10:00:00+03:00"},
		// Thu 10 Sep 16:00: 60, Fri–Sat, Sun 13 Sep (Rosh Hashanah day 2) closed, Mon 09:00–10:00.
		{"holiday after weekend", "2026-09-10T16:00:00+03:00", 120, "2026-09-14T10:00:00+03:00"},
		// Thu 17 Sep 16:00: 60, Sun 20 Sep Erev Yom Kippur 09:00–13:00 gives 240: used up at 13:00.
		{"eve half day, ends at 13:00", "2026-09-17T16:00:00+03:00", 300, "2026-09-20T13:00:00+03:00"},
		// One minute more: Mon 21 Sep Yom Kippur closed, Tue 09:01.
		{"eve half day then holiday", "2026-09-17T16:00:00+03:00", 301, "2026-09-22T09:01:00+03:00"},
		// Tue 31 Mar 16:00: 60; Wed 1 Apr eve 240 (300 left); Thu Pesach, Fri, Sat closed;
		// Sun 5 Apr chol hamoed is a working day: 09:00 + 300 = 14:00.
		{"Pesach intermediate days", "2026-03-31T16:00:00+03:00", 600, "2026-04-05T14:00:00+03:00"},
		// Mon 6 Apr 16:00: 60; Tue 7 Apr (chol hamoed and eve of the seventh day) 09:00–13:00
		// 240 (60 left); Wed 8 Apr closed; Thu 9 Apr 09:00–10:00.
		{"eve of the seventh day of Pesach", "2026-04-06T16:00:00+03:00", 360, "2026-04-09T10:00:00+03:00"},
		// Thu 26 Mar 16:00 +02: 60; Fri 27 Mar DST starts; Sun 29 Mar 09:00–10:00 +03.
		{"DST starts", "2026-03-26T16:00:00+02:00", 120, "2026-03-29T10:00:00+03:00"},
		// Thu 22 Oct 16:00 +03: 60; Sun 25 Oct DST ends at 02:00; 09:00–10:00 +02.
		{"DST ends", "2026-10-22T16:00:00+03:00", 120, "2026-10-25T10:00:00+02:00"},
		// 2025: 5 Iyyar is Sat 3 May, kept Thu 1 May. Wed 30 Apr 16:00: 60; Thu–Sat closed; Sun 09:00–10:00.
		{"Independence Day moved to Thursday", "2025-04-30T16:00:00+03:00", 120, "2025-05-04T10:00:00+03:00"},
		// 2024: 5 Iyyar is Mon 13 May, kept Tue 14 May. Mon 16:00: 60; Tue closed; Wed 09:00–10:00.
		{"Independence Day moved to Tuesday", "2024-05-13T16:00:00+03:00", 120, "2024-05-15T10:00:00+03:00"},
		// 1997: 5 Iyyar is Mon 12 May and stays (before 2004). Sun 11 May 16:00: 60; Mon closed; Tue 09:00–10:00.
		{"Independence Day on Monday before 2004", "1997-05-11T16:00:00+03:00", 120, "1997-05-13T10:00:00+03:00"},
		{"zero inside hours", "2026-01-05T10:30:15+02:00", 0, "2026-01-05T10:30:15+02:00"},
		{"zero on Friday: next opening", "2026-01-09T10:00:00+02:00", 0, "2026-01-11T09:00:00+02:00"},
		{"zero at closing: next opening", "2026-01-08T17:00:00+02:00", 0, "2026-01-11T09:00:00+02:00"},
		{"used up at closing", "2026-01-08T16:00:00+02:00", 60, "2026-01-08T17:00:00+02:00"},
		{"start before opening", "2026-01-05T07:00:00+02:00", 30, "2026-01-05T09:30:00+02:00"},
		{"start after closing", "2026-01-05T20:00:00+02:00", 30, "2026-01-06T09:30:00+02:00"},
		{"start on Saturday", "2026-01-10T12:00:00+02:00", 60, "2026-01-11T10:00:00+02:00"},
		{"start given in UTC", "2026-01-05T14:00:00Z", 120, "2026-01-06T10:00:00+02:00"},
		{"seconds carry over", "2026-01-05T16:59:30+02:00", 1, "2026-01-06T09:00:30+02:00"},
		{"negative counts as zero", "2026-01-05T10:00:00+02:00", -5, "2026-01-05T10:00:00+02:00"},
		// 2026 holds 121920 business minutes (see TestBetweenIL); from 1 Jan 00:00 they end
		// at the last closing of the year, Thu 31 Dec 17:00.
		{"one year", "2026-01-01T00:00:00+02:00", 121920, "2026-12-31T17:00:00+02:00"},
		// One minute more: Fri 1 Jan 2027, Sat closed; Sun 3 Jan 09:01.
		{"one year and a minute", "2026-01-01T00:00:00+02:00", 121921, "2027-01-03T09:01:00+02:00"},
	}
	for _, tc := range cases {
		got := c.Due(ts(t, tc.start), tc.minutes)
		if got.Format(time.RFC3339) != tc.want {
			t.Errorf("%s: Due(%s, %d) = %s, want %s", tc.name, tc.start, tc.minutes, got.Format(time.RFC3339), tc.want)
		}
	}
}

// TestBetweenIL checks Between on the il calendar against hand counts.
func TestBetweenIL(t *testing.T) {
	c := mustIL(t)
	cases := []struct {
		name, from, to string
		want           int
	}{
		{"empty", "2026-01-05T10:00:00+02:00", "2026-01-05T10:00:00+02:00", 0},
		{"reversed", "2026-01-05T12:00:00+02:00", "2026-01-05T10:00:00+02:00", 0},
		{"within a day", "2026-01-05T10:00:00+02:00", "2026-01-05T12:30:00+02:00", 150},
		{"partial minute rounds down", "2026-01-05T10:00:00+02:00", "2026-01-05T10:01:59+02:00", 1},
		// Sun 4 Jan to Sun 11 Jan: five days of 480.
		{"plain week", "2026-01-04T00:00:00+02:00", "2026-01-11T00:00:00+02:00", 2400},
		// Sun 16:00–17:00 and Mon 09:00–10:00.
		{"overnight", "2026-01-04T16:00:00+02:00", "2026-01-05T10:00:00+02:00", 120},
		// Wed 1 Apr eve 240 + Sun 5 Apr 480 + Mon 6 Apr 480 + Tue 7 Apr eve 240; Thu 2 and Wed 8 closed.
		{"Pesach week", "2026-04-01T00:00:00+03:00", "2026-04-09T09:00:00+03:00", 1440},
		// Thu 26 Mar 09:00 +02 to Sun 29 Mar 17:00 +03: 480 + 480 across the change.
		{"DST starts", "2026-03-26T09:00:00+02:00", "2026-03-29T17:00:00+03:00", 960},
		// Sun 25 Oct from 00:00 +03 to 12:00 +02: 09:00–12:00 wall clock.
		{"DST ends", "2026-10-25T00:00:00+03:00", "2026-10-25T12:00:00+02:00", 180},
		// 2024: Tue 14 May (Independence Day, moved) is closed: Mon 13 May full day only.
		{"Independence Day moved", "2024-05-13T00:00:00+03:00", "2024-05-15T09:00:00+03:00", 480},
		// 2026 has 261 Sun–Thu days (52 weeks and Thu 31 Dec) = 125280 minutes, minus five holidays on
		// working days (Pesach Thu, seventh day Wed, Independence Day Wed, Rosh Hashanah day 2 Sun,
		// Yom Kippur Mon: 2400) and four half-day eves (Wed 1 Apr, Tue 7 Apr, Thu 21 May, Sun 20 Sep: 960).
		// Shavuot, Rosh Hashanah day 1, Sukkot and Shemini Atzeret fall on Friday or Saturday.
		{"year 2026", "2026-01-01T00:00:00+02:00", "2027-01-01T00:00:00+02:00", 121920},
	}
	for _, tc := range cases {
		if got := c.Between(ts(t, tc.from), ts(t, tc.to)); got != tc.want {
			t.Errorf("%s: Between(%s, %s) = %d, want %d", tc.name, tc.from, tc.to, got, tc.want)
		}
	}
}

// TestCustomNewYork covers a calendar with two intervals a day, a full and a
// partial holiday, overrides and the US DST end on Sun 1 Nov 2026.
func TestCustomNewYork(t *testing.T) {
	c := newYork(t)
	due := []struct {
		name, start string
		minutes     int
		want        string
	}{
		// Fri 30 Oct 16:00 -04: 60; weekend (DST ends Sun); Mon 2 Nov 09:00–10:00 -05.
		{"DST ends over the weekend", "2026-10-30T16:00:00-04:00", 120, "2026-11-02T10:00:00-05:00"},
		// 11:30–12:00 then lunch, 13:00–13:30.
		{"lunch break", "2026-11-02T11:30:00-05:00", 60, "2026-11-02T13:30:00-05:00"},
		{"zero at lunch: reopening", "2026-11-02T12:15:00-05:00", 0, "2026-11-02T13:00:00-05:00"},
		// Wed 25 Nov 16:00: 60 (540 left); Thu closed; Fri 09:00–12:00 180 (360); Sat override
		// 10:00–14:00 240 (120); Sun closed; Mon 30 Nov override closed; Tue 1 Dec 09:00–11:00.
		{"holidays and overrides", "2026-11-25T16:00:00-05:00", 600, "2026-12-01T11:00:00-05:00"},
	}
	for _, tc := range due {
		if got := c.Due(ts(t, tc.start), tc.minutes); got.Format(time.RFC3339) != tc.want {
			t.Errorf("%s: Due = %s, want %s", tc.name, got.Format(time.RFC3339), tc.want)
		}
	}
	// Wed 420 + Thu 0 + Fri 180 + Sat 240 + Sun 0 + Mon 0 + Tue 420.
	if got := c.Between(ts(t, "2026-11-25T00:00:00-05:00"), ts(t, "2026-12-02T00:00:00-05:00")); got != 1260 {
		t.Errorf("Thanksgiving week: Between = %d, want 1260", got)
	}
	if open, name := c.Hours(Date{2026, 11, 28}); name != "Inventory Saturday" || len(open) != 1 || open[0].String() != "10:00-14:00" {
		t.Errorf("Hours(2026-11-28) = %v %q", open, name)
	}
}

func TestNewRejects(t *testing.T) {
	loc := time.UTC
	day := []Interval{{540, 1020}}
	bad := map[string]Config{
		"no zone":       {Week: Week{1: day}},
		"no hours":      {Location: loc},
		"bad interval":  {Location: loc, Week: Week{1: {{600, 540}}}},
		"past midnight": {Location: loc, Week: Week{1: {{540, 1500}}}},
		"two overrides": {Location: loc, Week: Week{1: day}, Overrides: []Day{{Date: Date{2026, 1, 1}}, {Date: Date{2026, 1, 1}}}},
	}
	for name, cfg := range bad {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}

// naiveBetween is a reference: it walks day by day (as Between must not).
func naiveBetween(c *Calendar, from, to time.Time) int {
	if !to.After(from) {
		return 0
	}
	d1, o1 := c.split(from)
	d2, o2 := c.split(to)
	var sum time.Duration
	for d := d1; d <= d2; d++ {
		lo, hi := time.Duration(0), 24*time.Hour
		if d == d1 {
			lo = o1
		}
		if d == d2 {
			hi = o2
		}
		for _, iv := range c.open(d) {
			a, b := max(wall(iv.Start), lo), min(wall(iv.End), hi)
			if a < b {
				sum += b - a
			}
		}
	}
	return int(sum / time.Minute)
}

// TestProperties checks, over many random starts (2000–2040, to the second)
// and amounts (up to about two years of business time), that Due is
// additive, that Between measures what Due added, and that Between agrees
// with a day-by-day reference.
func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	lo := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for _, c := range []*Calendar{mustIL(t), newYork(t)} {
		for i := 0; i < 20000; i++ {
			start := time.Unix(lo+r.Int64N(hi-lo), 0)
			amount := func() int {
				if r.IntN(2) == 0 {
					return r.IntN(3000) // within a week or two
				}
				return r.IntN(250000) // up to about two years
			}
			a, b, m := amount(), 1+amount(), amount()
			if got, want := c.Due(start, a+b), c.Due(c.Due(start, a), b); !got.Equal(want) {
				t.Fatalf("%s: Due(%v, %d+%d) = %v, but stepwise %v", c.Name(), start, a, b, got, want)
			}
			// With b = 0 the stepwise result moves on to the next opening when
			// the first step ends at a closing; no business time lies between.
			if s, z := c.Due(start, a), c.Due(c.Due(start, a), 0); z.Before(s) || c.Between(s, z) != 0 {
				t.Fatalf("%s: Due(Due(%v, %d), 0) = %v, Due(start, %d) = %v", c.Name(), start, a, z, a, s)
			}
			due := c.Due(start, m)
			if got := c.Between(start, due); got != m {
				t.Fatalf("%s: Between(%v, Due(start, %d) = %v) = %d", c.Name(), start, m, due, got)
			}
			if i%10 == 0 {
				if got, want := c.Between(start, due), naiveBetween(c, start, due); got != want {
					t.Fatalf("%s: Between(%v, %v) = %d, day-by-day %d", c.Name(), start, due, got, want)
				}
			}
		}
	}
}

func BenchmarkDue(b *testing.B) {
	c := mustIL(b)
	start := time.Date(2026, 3, 26, 16, 0, 0, 0, c.Location())
	for b.Loop() {
		c.Due(start, 121920) // one year of il business time
	}
}

func BenchmarkBetween(b *testing.B) {
	c := mustIL(b)
	from := time.Date(2026, 3, 26, 16, 0, 0, 0, c.Location())
	to := from.AddDate(1, 0, 0)
	for b.Loop() {
		c.Between(from, to)
	}
}
