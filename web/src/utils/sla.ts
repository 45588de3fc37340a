// SLA badges: a conversation's sla_state and sla_due_at turned into a short
// relative text ("due in 1h 20m", "overdue 25m"), a colour class and a title
// with the absolute due time, in the UI language and the agent's time zone.
// The text is the message; the colour only repeats it.
import { onBeforeUnmount, ref, type Ref } from 'vue'
import { i18n } from '@/i18n'
import type { SlaState } from '@/api/types'
import { formatDateTime } from './format'

/** How often relative SLA times are recomputed (no re-fetch). */
export const SLA_TICK_MS = 30_000

export interface SlaBadge {
  /** The visible text, e.g. "due in 1h 20m". */
  text: string
  /** sla-ok, sla-at_risk, sla-breached, sla-paused or sla-met. */
  cls: string
  /** The absolute due (or met) time for a tooltip; "" when none. */
  title: string
  /** A symbol shown before the text (aria-hidden). */
  icon: string
}

function t(key: string, named: Record<string, unknown> = {}): string {
  return i18n.global.t(key, named)
}

const numberFormats = new Map<string, Intl.NumberFormat>()

function num(n: number, minDigits = 1): string {
  const tag = i18n.global.locale.value === 'he' ? 'he-IL' : 'en-GB'
  const key = `${tag}|${minDigits}`
  let f = numberFormats.get(key)
  if (!f) {
    f = new Intl.NumberFormat(tag, { minimumIntegerDigits: minDigits, useGrouping: false })
    numberFormats.set(key, f)
  }
  return f.format(n)
}

/** A compact duration of whole minutes: "25m", "1h 20m", "2d 3h" (he: "25 דק׳", "1:20 ש׳", "2 ימ׳ 3 ש׳"). */
export function formatDuration(minutes: number): string {
  const m = Math.max(0, Math.round(minutes))
  if (m < 60) return t('sla.dur.m', { m: num(m) })
  // Hebrew writes hours and minutes as a clock ("1:05 ש׳"), English as "1h 5m".
  if (m < 24 * 60) return t('sla.dur.hm', { h: num(Math.floor(m / 60)), m: num(m % 60, i18n.global.locale.value === 'he' ? 2 : 1) })
  const d = Math.floor(m / (24 * 60))
  const h = Math.floor((m % (24 * 60)) / 60)
  return t('sla.dur.dh', { d: num(d), h: num(h) })
}

/** Minutes from now until due (positive, rounded up) or past it (negative, rounded down to at least 1). */
export function minutesUntil(dueMs: number, nowMs: number): number {
  const diff = dueMs - nowMs
  if (diff > 0) return Math.ceil(diff / 60_000)
  return -Math.max(1, Math.floor(-diff / 60_000))
}

/**
 * How early a met target was met ("met 25m early") or how late a breached
 * one was answered ("breached 10m late"), from its due and met instants;
 * "" when it is neither or an instant is missing.
 */
export function slaMargin(state: SlaState | undefined | null, dueAt: string | null | undefined, metAt: string | null | undefined): string {
  const due = dueAt ? Date.parse(dueAt) : NaN
  const met = metAt ? Date.parse(metAt) : NaN
  if (!Number.isFinite(due) || !Number.isFinite(met)) return ''
  if (state === 'met') return t('sla.margin.early', { d: formatDuration(Math.floor(Math.max(0, due - met) / 60_000)) })
  if (state === 'breached') return t('sla.margin.late', { d: formatDuration(Math.ceil(Math.max(0, met - due) / 60_000)) })
  return ''
}

/**
 * The badge for an SLA state and due time at now (ms), or null when there is
 * nothing to show (no policy). A running target past its due time reads
 * "overdue" even before the server marks it breached.
 */
export function slaBadge(state: SlaState | undefined | null, dueAt: string | null | undefined, nowMs: number, metAt?: string | null): SlaBadge | null {
  if (!state) return null
  const due = dueAt ? Date.parse(dueAt) : NaN
  const title = Number.isFinite(due) ? t('sla.dueAt', { time: formatDateTime(dueAt) }) : ''
  switch (state) {
    case 'met':
      return { text: t('sla.badge.met'), cls: 'sla-met', title: metAt ? t('sla.metAt', { time: formatDateTime(metAt) }) : '', icon: '✓' }
    case 'paused':
      return { text: t('sla.badge.paused'), cls: 'sla-paused', title, icon: '‖' }
    case 'ok':
    case 'at_risk':
    case 'breached': {
      if (!Number.isFinite(due)) return { text: t(`sla.state.${state}`), cls: `sla-${state}`, title, icon: state === 'ok' ? '◷' : '!' }
      const mins = minutesUntil(due, nowMs)
      if (mins < 0 || state === 'breached') {
        return { text: t('sla.badge.overdue', { d: formatDuration(Math.abs(Math.min(mins, 0)) || 0) }), cls: 'sla-breached', title, icon: '!' }
      }
      return { text: t('sla.badge.dueIn', { d: formatDuration(mins) }), cls: state === 'at_risk' ? 'sla-at_risk' : 'sla-ok', title, icon: state === 'at_risk' ? '!' : '◷' }
    }
    default:
      return null
  }
}

let tickers = 0
let timer: ReturnType<typeof setInterval> | null = null
const now = ref(Date.now())

/**
 * The current time in ms, updated every SLA_TICK_MS while any component
 * that asked for it is mounted (one shared interval for all of them).
 */
export function useNow(): Ref<number> {
  tickers++
  if (!timer) {
    now.value = Date.now()
    timer = setInterval(() => (now.value = Date.now()), SLA_TICK_MS)
  }
  onBeforeUnmount(() => {
    tickers--
    if (tickers <= 0 && timer) {
      clearInterval(timer)
      timer = null
      tickers = 0
    }
  })
  return now
}
