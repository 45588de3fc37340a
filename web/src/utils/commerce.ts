// Pure helpers of the orders and compensation screens: the lateness badge
// of an order and the names of remedies, in the UI language.
import { i18n } from '@/i18n'
import type { Order } from '@/api/types'

export interface LatenessBadge {
  /** The badge class (the SLA badge colours: late red, at risk amber, on time green). */
  cls: string
  text: string
}

/** "late 3 days" / "at risk" / "on time"; null for orders that are no longer on their way. */
export function latenessBadge(o: Pick<Order, 'lateness' | 'days_late' | 'status'>): LatenessBadge | null {
  const t = i18n.global.t
  if (o.lateness === 'late') {
    const n = Math.max(0, o.days_late ?? 0)
    return { cls: 'sla-breached', text: n > 0 ? t('commerce.lateness.lateDays', { n }, n) : t('commerce.lateness.late') }
  }
  if (o.lateness === 'at_risk') return { cls: 'sla-at_risk', text: t('commerce.lateness.at_risk') }
  if (o.status === 'delivered' || o.status === 'cancelled' || o.status === 'returned') return null
  return { cls: 'sla-ok', text: t('commerce.lateness.on_time') }
}

/** A remedy's name ("*" is every remedy together); an unknown one as it is. */
export function remedyName(r: string): string {
  const key = `commerce.remedy.${r === '*' ? 'all' : r}`
  return i18n.global.te(key) ? i18n.global.t(key) : r
}

/** An order's number for people: its shop number, else its external id (what the shop and the customer know), never Kesher's internal id unless nothing else exists. */
export function orderLabel(o: { id: number; number?: string; external_id?: string }): string {
  return i18n.global.t('commerce.order.label', { n: o.number || o.external_id || String(o.id) })
}

/** How often a pending approval request is asked for again when no notification says it changed. */
export const PENDING_POLL_MS = 30000
