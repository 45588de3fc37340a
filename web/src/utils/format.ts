// Dates, times, numbers and sizes through Intl, in the UI locale and the
// agent's time zone. Formatters are cached: building one is the slow part.
import { i18n, timeZone } from '@/i18n'

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.ListFormat>()

function tag(): string {
  return i18n.global.locale.value === 'he' ? 'he-IL' : 'en-GB'
}

function dtf(kind: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${kind}|${tag()}|${timeZone.value ?? ''}`
  let f = cache.get(key) as Intl.DateTimeFormat | undefined
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(tag(), { ...opts, timeZone: timeZone.value })
    } catch {
      f = new Intl.DateTimeFormat(tag(), opts) // an unknown time zone
    }
    cache.set(key, f)
  }
  return f
}

function dayKey(d: Date): string {
  return dtf('day', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
}

/** A full date and time, e.g. for tooltips and the thread. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return ''
  return dtf('dt', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}

/** A date without time. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return ''
  return dtf('date', { dateStyle: 'medium' }).format(new Date(iso))
}

/** Compact for lists: the time today, day and month this year, else the date. */
export function formatShort(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (dayKey(d) === dayKey(now)) return dtf('time', { hour: '2-digit', minute: '2-digit' }).format(d)
  const sameYear = dtf('year', { year: 'numeric' }).format(d) === dtf('year', { year: 'numeric' }).format(now)
  if (sameYear) return dtf('dm', { day: 'numeric', month: 'short' }).format(d)
  return dtf('dmy', { day: 'numeric', month: 'short', year: 'numeric' }).format(d)
}

/** A number with locale grouping. */
export function formatNumber(n: number): string {
  const key = `n|${tag()}`
  let f = cache.get(key) as Intl.NumberFormat | undefined
  if (!f) {
    f = new Intl.NumberFormat(tag())
    cache.set(key, f)
  }
  return f.format(n)
}

/** A byte size with a unit, e.g. "1.2 MB". */
export function formatBytes(n: number): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const
  let i = 0
  let v = n
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  const key = `b|${tag()}|${units[i]}`
  let f = cache.get(key) as Intl.NumberFormat | undefined
  if (!f) {
    f = new Intl.NumberFormat(tag(), { style: 'unit', unit: units[i], unitDisplay: 'short', maximumFractionDigits: i === 0 ? 0 : 1 })
    cache.set(key, f)
  }
  return f.format(v)
}

/** Joins names with the locale's "and". */
export function formatList(items: string[]): string {
  const key = `l|${tag()}`
  let f = cache.get(key) as Intl.ListFormat | undefined
  if (!f) {
    f = new Intl.ListFormat(tag(), { style: 'long', type: 'conjunction' })
    cache.set(key, f)
  }
  return f.format(items)
}
