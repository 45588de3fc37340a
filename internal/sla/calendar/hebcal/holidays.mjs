// Prints the Israeli public holidays (rest days) from @hebcal/core as JSON
// lines {"date":"YYYY-MM-DD","name":"…"} for the Gregorian years given as
// arguments (first last). The Go test TestAgainstHebcal compares them with
// internal/sla/calendar. Yom tov days have the CHAG flag in Israel mode;
// Yom HaAtzma'ut comes with hebcal's own postponement rules.
import { HebrewCalendar, flags } from '@hebcal/core'

const [first, last] = process.argv.slice(2).map(Number)
const events = HebrewCalendar.calendar({
  start: new Date(first, 0, 1),
  end: new Date(last, 11, 31),
  il: true,
  noMinorFast: true,
  noRoshChodesh: true,
  noSpecialShabbat: true,
})
for (const ev of events) {
  const desc = ev.getDesc()
  const chag = (ev.getFlags() & flags.CHAG) !== 0
  if (!chag && desc !== "Yom HaAtzma'ut") continue
  const d = ev.getDate().greg()
  const date = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
  console.log(JSON.stringify({ date, name: desc }))
}
