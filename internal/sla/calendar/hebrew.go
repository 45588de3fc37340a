package calendar

// Hebrew calendar arithmetic after Edward M. Reingold and Nachum Dershowitz,
// "Calendrical Calculations" (Cambridge University Press, 3rd/4th ed.),
// chapter 8 "The Hebrew Calendar": fixed (R.D.) day numbers, the molad of
// Tishrei counted in parts (1/1080 hour), the four postponements (dehiyyot),
// year lengths and month lengths. Function names follow the book's.

// Hebrew month numbers as in Calendrical Calculations: months are counted
// from Nisan, while the year number changes at Tishrei.
const (
	Nisan      = 1
	Iyyar      = 2
	Sivan      = 3
	Tammuz     = 4
	Av         = 5
	Elul       = 6
	Tishrei    = 7
	Marheshvan = 8
	Kislev     = 9
	Tevet      = 10
	Shevat     = 11
	Adar       = 12 // Adar I in a leap year
	AdarII     = 13
)

// hebrewEpoch is the fixed day of 1 Tishrei AM 1 (Julian 7 October 3761 BCE).
const hebrewEpoch = -1373427

// hebrewLeapYear reports whether year has 13 months (7 leap years in each
// 19-year Metonic cycle).
func hebrewLeapYear(year int64) bool { return mod(7*year+1, 19) < 7 }

// lastMonthOfHebrewYear is Adar (12) or, in a leap year, Adar II (13).
func lastMonthOfHebrewYear(year int64) int64 {
	if hebrewLeapYear(year) {
		return AdarII
	}
	return Adar
}

// hebrewCalendarElapsedDays returns the days from the epoch to the New Year
// of year after the first two postponements. The molad of Tishrei advances
// 29 days and 13753 parts (of 25920 per day) each month from molad BaHaRaD;
// the constant 12084 is BaHaRaD (5h 204p) plus 6 hours, so the day count
// turns at noon, which is the molad-zaken postponement. Rosh Hashanah then
// moves a day when it would fall on Sunday, Wednesday or Friday (lo ADU
// rosh): mod(3(days+1), 7) < 3 catches exactly those weekdays.
func hebrewCalendarElapsedDays(year int64) int64 {
	monthsElapsed := floorDiv(235*year-234, 19)
	partsElapsed := 12084 + 13753*monthsElapsed
	days := 29*monthsElapsed + floorDiv(partsElapsed, 25920)
	if mod(3*(days+1), 7) < 3 {
		return days + 1
	}
	return days
}

// hebrewYearLengthCorrection returns the further delay (0, 1 or 2 days) that
// keeps year lengths legal: a 356-day next year (GaTaRaD) or a 382-day
// previous year (BeTU'TaKPaT) is avoided by postponing this New Year.
func hebrewYearLengthCorrection(year int64) int64 {
	ny0 := hebrewCalendarElapsedDays(year - 1)
	ny1 := hebrewCalendarElapsedDays(year)
	ny2 := hebrewCalendarElapsedDays(year + 1)
	switch {
	case ny2-ny1 == 356:
		return 2
	case ny1-ny0 == 382:
		return 1
	}
	return 0
}

// hebrewNewYear returns the fixed day of 1 Tishrei of year.
func hebrewNewYear(year int64) int64 {
	return hebrewEpoch + hebrewCalendarElapsedDays(year) + hebrewYearLengthCorrection(year)
}

// daysInHebrewYear is 353–355 or, in a leap year, 383–385.
func daysInHebrewYear(year int64) int64 { return hebrewNewYear(year+1) - hebrewNewYear(year) }

// longMarheshvan reports whether Marheshvan has 30 days (a "complete" year).
func longMarheshvan(year int64) bool {
	n := daysInHebrewYear(year)
	return n == 355 || n == 385
}

// shortKislev reports whether Kislev has 29 days (a "deficient" year).
func shortKislev(year int64) bool {
	n := daysInHebrewYear(year)
	return n == 353 || n == 383
}

// lastDayOfHebrewMonth returns the length of month in year (29 or 30).
func lastDayOfHebrewMonth(month, year int64) int64 {
	switch {
	case month == Iyyar || month == Tammuz || month == Elul || month == Tevet || month == AdarII,
		month == Adar && !hebrewLeapYear(year),
		month == Marheshvan && !longMarheshvan(year),
		month == Kislev && shortKislev(year):
		return 29
	}
	return 30
}

// fixedFromHebrew returns the fixed day of day/month/year (Hebrew). Months
// before Tishrei (Nisan–Elul) belong to the second half of the year that
// began the previous autumn, so their offset also counts Tishrei–Adar.
func fixedFromHebrew(year, month, day int64) int64 {
	f := hebrewNewYear(year) + day - 1
	if month < Tishrei {
		for m := int64(Tishrei); m <= lastMonthOfHebrewYear(year); m++ {
			f += lastDayOfHebrewMonth(m, year)
		}
		for m := int64(Nisan); m < month; m++ {
			f += lastDayOfHebrewMonth(m, year)
		}
	} else {
		for m := int64(Tishrei); m < month; m++ {
			f += lastDayOfHebrewMonth(m, year)
		}
	}
	return f
}

// HebrewToGregorian converts a Hebrew date (months numbered from Nisan = 1,
// see the constants) to the Gregorian date of the day that begins at the
// following midnight; the Hebrew day itself starts at the previous sunset.
func HebrewToGregorian(year, month, day int) Date {
	return dateFromFixed(fixedFromHebrew(int64(year), int64(month), int64(day)))
}
