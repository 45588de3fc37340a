package calendar

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestHebrewToGregorian checks conversions against known dates.
func TestHebrewToGregorian(t *testing.T) {
	cases := []struct {
		y, m, d int
		want    string
	}{
		{5786, Tishrei, 1, "2025-09-23"}, // Rosh Hashanah 5786
		{5787, Tishrei, 1, "2026-09-12"}, // Rosh Hashanah 5787 (Saturday)
		{5786, Nisan, 15, "2026-04-02"},  // Pesach 5786
		{5784, AdarII, 14, "2024-03-24"}, // Purim in the leap year 5784
		{5785, Kislev, 25, "2024-12-26"}, // Hanukkah 5785 (Kislev has 30 days: 5785 is complete)
		{5708, Iyyar, 5, "1948-05-14"},   // the declaration of independence
	}
	for _, c := range cases {
		if got := HebrewToGregorian(c.y, c.m, c.d).String(); got != c.want {
			t.Errorf("%d/%d/%d: got %s, want %s", c.d, c.m, c.y, got, c.want)
		}
	}
	// Year lengths are always one of the six legal values.
	for y := int64(5000); y <= 6500; y++ {
		switch n := daysInHebrewYear(y); n {
		case 353, 354, 355, 383, 384, 385:
		default:
			t.Fatalf("year %d has %d days", y, n)
		}
	}
}

// publicNames are the names of public holidays (rest days) in the vacanza
// snapshot; its optional and school entries (Chol HaMoed, Purim, Hanukkah,
// Remembrance Day, …) are not closed days. See SOURCES.md.
var publicNames = map[string]bool{
	RoshHashanah: true, YomKippur: true, Sukkot: true, SheminiAtzeret: true, Pesach: true,
	SeventhDayOfPesach: true, Shavuot: true, IndependenceDay: true, IndependenceDayObserved: true,
}

// TestIsraeliHolidaysMatchCorpus cross-checks every public holiday of
// 1950–2050 against IL_COMMON.json, both ways, with names.
func TestIsraeliHolidaysMatchCorpus(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(wd, "..", "..", "..", "..", "shared", "corpus", "israel-holidays", "IL_COMMON.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the holiday snapshot is needed for this cross-check and is missing: %v", err)
	}
	var corpus map[string]string
	if err := json.Unmarshal(raw, &corpus); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	public := map[string]string{}
	for date, name := range corpus {
		if publicNames[name] {
			public[date] = name
		}
	}
	computed := map[string]string{}
	for y := 1950; y <= 2050; y++ {
		for _, h := range IsraeliPublicHolidays(y) {
			computed[h.Date.String()] = h.Name
		}
	}
	mismatches := 0
	for date, name := range computed {
		if public[date] != name {
			mismatches++
			t.Errorf("computed %s %q; snapshot has %q", date, name, corpus[date])
		}
	}
	for date, name := range public {
		if computed[date] != name {
			mismatches++
			t.Errorf("snapshot %s %q; computed %q", date, name, computed[date])
		}
	}
	if len(public) != 909 { // 101 years × 9: Rosh Hashanah twice, seven other days
		t.Errorf("snapshot has %d public holidays, want 909", len(public))
	}
	t.Logf("1950–2050: %d computed, %d public in the snapshot (of %d entries), %d mismatches",
		len(computed), len(public), len(corpus), mismatches)
}

// TestILEves checks the half days and that Chol HaMoed stays a working day.
func TestILEves(t *testing.T) {
	c := mustIL(t)
	cases := []struct {
		date Date
		open string
		name string
	}{
		{Date{2026, 4, 1}, "[09:00-13:00]", "Erev Pesach"},
		{Date{2026, 4, 5}, "[09:00-17:00]", ""}, // chol hamoed Pesach
		{Date{2026, 4, 7}, "[09:00-13:00]", "Erev Seventh day of Pesach"},
		{Date{2026, 4, 21}, "[09:00-17:00]", ""}, // no eve before Independence Day
		{Date{2026, 9, 11}, "[]", ""},            // Erev Rosh Hashanah is a Friday
		{Date{2026, 9, 20}, "[09:00-13:00]", "Erev Yom Kippur"},
		{Date{2026, 9, 29}, "[09:00-17:00]", ""}, // chol hamoed Sukkot
		{Date{2025, 9, 22}, "[09:00-13:00]", "Erev Rosh Hashanah"},
		{Date{2025, 9, 24}, "[]", RoshHashanah}, // day 2 closed, not an eve
	}
	for _, tc := range cases {
		open, name := c.Hours(tc.date)
		if got := fmtIntervals(open); got != tc.open || name != tc.name {
			t.Errorf("Hours(%s) = %s %q, want %s %q", tc.date, got, name, tc.open, tc.name)
		}
	}
}

func fmtIntervals(ivs []Interval) string {
	s := "["
	for i, iv := range ivs {
		if i > 0 {
			s += " "
		}
		s += iv.String()
	}
	return s + "]"
}
