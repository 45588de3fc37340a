// The dashboard's arithmetic and formatting: report periods as dates in the
// desk's zone (Asia/Jerusalem; `to` exclusive), the previous equal period,
// changes between the two, and values for display (durations in h/m,
// percentages with one decimal, numbers in he-IL / en-US). A missing value
// (null) is shown as "—", never as 0.
import { i18n } from '@/i18n'

/** What the dashboard shows for "nothing to measure". */
export const DASH = '—'

/** The desk's zone: report dates are midnights there. */
export const DESK_ZONE = 'Asia/Jerusalem'

export const PRESETS = [7, 30, 90] as const

const DAY_MS = 86_400_000
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/

export function isDate(s: unknown): s is string {
  return typeof s === 'string' && DATE_RE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`))
}

/** Today's date (YYYY-MM-DD) in the desk's zone. */
export function today(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: DESK_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

/** A date moved by n days (calendar arithmetic, no time zone involved). */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)
}

/** Whole days from a to b. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS)
}

export interface Period {
  from: string
  /** Exclusive. */
  to: string
}

/** The last `days` days up to and including today. */
export function presetPeriod(days: number, now: Date = new Date()): Period {
  const to = addDays(today(now), 1)
  return { from: addDays(to, -days), to }
}

/** A custom period from two inclusive dates; null when they are not dates or out of order. */
export function customPeriod(from: string, toInclusive: string): Period | null {
  if (!isDate(from) || !isDate(toInclusive) || toInclusive < from) return null
  return { from, to: addDays(toInclusive, 1) }
}

/** The period of the same length just before p. */
export function previousPeriod(p: Period): Period {
  const len = daysBetween(p.from, p.to)
  return { from: addDays(p.from, -len), to: p.from }
}

function locale(): string {
  return i18n.global.locale.value === 'he' ? 'he-IL' : 'en-US'
}

const nf = new Map<string, Intl.NumberFormat>()
function fmt(key: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const k = `${locale()}|${key}`
  let f = nf.get(k)
  if (!f) {
    f = new Intl.NumberFormat(locale(), opts)
    nf.set(k, f)
  }
  return f
}

function missing(v: number | null | undefined): v is null | undefined {
  return v === null || v === undefined || !Number.isFinite(v)
}

/** A count with grouping: 1234 → "1,234". */
export function formatCount(v: number | null | undefined): string {
  return missing(v) ? DASH : fmt('count', { maximumFractionDigits: 0 }).format(v)
}

/** A number with one decimal (CES mean, scores): 5.25 → "5.3". */
export function formatDecimal(v: number | null | undefined): string {
  return missing(v) ? DASH : fmt('dec', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v)
}

/** A percentage given as 0–100, one decimal: 87.25 → "87.3%". */
export function formatPercent(v: number | null | undefined): string {
  return missing(v) ? DASH : fmt('pct', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v / 100)
}

/** NPS (−100…100) as a whole signed number. */
export function formatNps(v: number | null | undefined): string {
  return missing(v) ? DASH : fmt('nps', { maximumFractionDigits: 0, signDisplay: 'exceptZero' }).format(v)
}

/** Seconds as hours and minutes ("2h 05m", "14m", "40s"). */
export function formatDuration(seconds: number | null | undefined): string {
  if (missing(seconds)) return DASH
  const s = Math.max(0, Math.round(seconds))
  const { t } = i18n.global
  if (s < 60) return t('reports.duration.s', { s: formatCount(s) })
  const m = Math.round(s / 60)
  if (m < 60) return t('reports.duration.m', { m: formatCount(m) })
  const h = Math.floor(m / 60)
  return t('reports.duration.hm', { h: formatCount(h), m: String(m % 60).padStart(2, '0') })
}

export type ValueKind = 'count' | 'duration' | 'percent' | 'nps' | 'decimal'

export function formatValue(kind: ValueKind, v: number | null | undefined): string {
  switch (kind) {
    case 'duration':
      return formatDuration(v)
    case 'percent':
      return formatPercent(v)
    case 'nps':
      return formatNps(v)
    case 'decimal':
      return formatDecimal(v)
    default:
      return formatCount(v)
  }
}

/** How a value moved against the previous period. */
export interface Change {
  /** The difference: relative % for counts and durations, points for percentages, NPS and means. */
  delta: number
  unit: 'percent' | 'points'
  direction: 'up' | 'down' | 'flat'
  /** Whether the move is good, bad or neither (a lower first-response time is good). */
  tone: 'good' | 'bad' | 'neutral'
}

/**
 * The change from prev to cur; null when either is missing, or when a
 * relative change has no base (prev 0). better says which way is good.
 */
export function change(kind: ValueKind, cur: number | null | undefined, prev: number | null | undefined, better: 'up' | 'down' | null): Change | null {
  if (missing(cur) || missing(prev)) return null
  let delta: number
  let unit: Change['unit']
  if (kind === 'percent' || kind === 'nps' || kind === 'decimal') {
    delta = cur - prev
    unit = 'points'
  } else {
    if (prev === 0) return null
    delta = ((cur - prev) / Math.abs(prev)) * 100
    unit = 'percent'
  }
  delta = Math.round(delta * 10) / 10
  return { delta, unit, ...direction(delta, better) }
}

/** Which way a difference goes, and whether that is good given which way is better (null: neither). */
export function direction(delta: number, better: 'up' | 'down' | null): Pick<Change, 'direction' | 'tone'> {
  const dir = delta > 0 ? 'up' : delta < 0 ? 'down' : 'flat'
  return { direction: dir, tone: dir === 'flat' || !better ? 'neutral' : dir === better ? 'good' : 'bad' }
}

/** The arrow of a direction: ▲, ▼ or ■ (unchanged). */
export function arrow(d: Change['direction']): string {
  return d === 'up' ? '▲' : d === 'down' ? '▼' : '■'
}

/** A date (YYYY-MM-DD) shortly, for chart axes: "1 Nov", "1 בנוב׳". */
export function shortDate(date: string): string {
  const tag = i18n.global.locale.value === 'he' ? 'he-IL' : 'en-GB'
  return fmtDate(tag).format(new Date(`${date}T12:00:00Z`))
}

const dateCache = new Map<string, Intl.DateTimeFormat>()
function fmtDate(tag: string): Intl.DateTimeFormat {
  let f = dateCache.get(tag)
  if (!f) {
    f = new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', timeZone: 'UTC' })
    dateCache.set(tag, f)
  }
  return f
}

/** A change as text: "▲ 12.5%", "▼ 3.0 pts", "■ 0.0%". */
export function formatChange(c: Change | null): string {
  if (!c) return DASH
  const n = fmt('chg', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Math.abs(c.delta))
  return `${arrow(c.direction)} ${i18n.global.t(c.unit === 'percent' ? 'reports.change.percent' : 'reports.change.points', { n })}`
}
