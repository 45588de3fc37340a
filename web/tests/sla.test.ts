// SLA badges, the At risk view, and the list's 30-second tick.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { applyLocale, timeZone } from '@/i18n'
import type { Locale, SlaState } from '@/api/types'
import { formatDuration, minutesUntil, slaBadge, slaMargin, SLA_TICK_MS } from '@/utils/sla'
import { AT_RISK_VIEW, builtinFilters, compareBySlaDue, matchesFilters, normalizeCounts } from '@/utils/filters'
import ConversationList from '@/components/ConversationList.vue'
import ViewSidebar from '@/components/ViewSidebar.vue'
import SlaPanel from '@/components/SlaPanel.vue'
import { useViewsStore } from '@/stores/views'
import { useDirectoryStore } from '@/stores/directory'
import { useConversationsStore } from '@/stores/conversations'
import { conv, stubFetch } from './helpers'
import { mountWith } from './mount'

const NOW = Date.parse('2026-03-10T10:00:00Z') // 12:00 in Jerusalem
const at = (min: number) => new Date(NOW + min * 60_000).toISOString()

beforeEach(() => {
  timeZone.value = 'Asia/Jerusalem'
})
afterEach(() => {
  timeZone.value = undefined
  vi.useRealTimers()
  vi.unstubAllGlobals()
  applyLocale('en')
})

describe('slaBadge', () => {
  const cases: { locale: Locale; state: SlaState; due: string | null; text: string | null; cls?: string; title?: string }[] = [
    { locale: 'en', state: 'ok', due: at(80), text: 'due in 1h 20m', cls: 'sla-ok', title: 'Due 10 Mar 2026, 13:20' },
    { locale: 'he', state: 'ok', due: at(80), text: 'בעוד 1:20 ש׳', cls: 'sla-ok' },
    { locale: 'en', state: 'at_risk', due: at(25), text: 'due in 25m', cls: 'sla-at_risk' },
    { locale: 'he', state: 'at_risk', due: at(25), text: 'בעוד 25 דק׳', cls: 'sla-at_risk' },
    { locale: 'he', state: 'at_risk', due: at(65), text: 'בעוד 1:05 ש׳', cls: 'sla-at_risk' },
    { locale: 'en', state: 'at_risk', due: at(65), text: 'due in 1h 5m', cls: 'sla-at_risk' },
    // 30 seconds left rounds up to a minute.
    { locale: 'en', state: 'at_risk', due: new Date(NOW + 30_000).toISOString(), text: 'due in 1m', cls: 'sla-at_risk' },
    { locale: 'en', state: 'breached', due: at(-25), text: 'overdue 25m', cls: 'sla-breached' },
    { locale: 'he', state: 'breached', due: at(-25), text: 'באיחור 25 דק׳', cls: 'sla-breached' },
    { locale: 'en', state: 'breached', due: at(-(2 * 1440 + 3 * 60 + 10)), text: 'overdue 2d 3h', cls: 'sla-breached' },
    { locale: 'he', state: 'breached', due: at(-(2 * 1440 + 3 * 60 + 10)), text: 'באיחור 2 ימ׳ 3 ש׳', cls: 'sla-breached' },
    // Past due but not yet marked breached by the server: overdue already.
    { locale: 'en', state: 'at_risk', due: at(-3), text: 'overdue 3m', cls: 'sla-breached' },
    { locale: 'en', state: 'paused', due: at(300), text: 'paused', cls: 'sla-paused' },
    { locale: 'he', state: 'paused', due: null, text: 'מושהה', cls: 'sla-paused' },
    { locale: 'en', state: 'met', due: null, text: 'met', cls: 'sla-met' },
    { locale: 'he', state: 'met', due: null, text: 'עמד ביעד', cls: 'sla-met' },
    { locale: 'en', state: '', due: at(10), text: null },
  ]
  it.each(cases)('$locale $state $due → $text', ({ locale, state, due, text, cls, title }) => {
    applyLocale(locale)
    const b = slaBadge(state, due, NOW)
    if (text === null) {
      expect(b).toBeNull()
      return
    }
    expect(b?.text).toBe(text)
    expect(b?.cls).toBe(cls)
    if (title) expect(b?.title).toBe(title)
  })

  it('titles the badge with the absolute due time in the agent’s zone and language', () => {
    applyLocale('he')
    const b = slaBadge('at_risk', at(80), NOW)
    expect(b?.title).toContain('13:20')
    expect(b?.title.startsWith('יעד:')).toBe(true)
  })

  it('counts minutes up before due and down after it', () => {
    expect(minutesUntil(NOW + 60_001, NOW)).toBe(2)
    expect(minutesUntil(NOW + 60_000, NOW)).toBe(1)
    expect(minutesUntil(NOW, NOW)).toBe(-1)
    expect(minutesUntil(NOW - 125_000, NOW)).toBe(-2)
    applyLocale('en')
    expect([formatDuration(0), formatDuration(59), formatDuration(60), formatDuration(1439), formatDuration(1440)]).toEqual(['0m', '59m', '1h 0m', '23h 59m', '1d 0h'])
  })
})

describe('At risk view', () => {
  it('asks for sla=at_risk and keeps at-risk and breached open conversations, earliest due first', () => {
    const f = builtinFilters(AT_RISK_VIEW)
    expect(f).toEqual({ sla: 'at_risk' })
    const a = conv(1, { sla_state: 'at_risk', sla_due_at: at(30) })
    const b = conv(2, { sla_state: 'breached', sla_due_at: at(-5) })
    const ok = conv(3, { sla_state: 'ok', sla_due_at: at(10) })
    const solved = conv(4, { sla_state: 'breached', sla_due_at: at(-50), status: 'solved' })
    expect([a, b, ok, solved].filter((c) => matchesFilters(c, f!, null)).map((c) => c.id)).toEqual([1, 2])
    expect([a, b].sort(compareBySlaDue).map((c) => c.id)).toEqual([2, 1])
  })

  it('reads its count from the counts endpoint when it has one', () => {
    expect(normalizeCounts({ mine: 2, at_risk: 4 }).get(AT_RISK_VIEW)).toBe(4)
    expect(normalizeCounts({ mine: 2, sla: { at_risk: 7 } }).get(AT_RISK_VIEW)).toBe(7)
    expect(normalizeCounts({ mine: 2 }).has(AT_RISK_VIEW)).toBe(false)
  })

  it('is listed in the sidebar, with a count only when the server counts it', async () => {
    stubFetch({})
    const { wrapper, pinia } = mountWith(ViewSidebar, { props: { active: AT_RISK_VIEW } })
    const views = useViewsStore(pinia)
    let link = wrapper.findAll('a').find((a) => a.text().startsWith('At risk'))!
    expect(link.attributes('aria-current')).toBe('page')
    expect(link.find('.count').exists()).toBe(false)
    views.counts = new Map([[AT_RISK_VIEW, 3]])
    await flushPromises()
    link = wrapper.findAll('a').find((a) => a.text().startsWith('At risk'))!
    expect(link.find('.count').text()).toBe('3')
  })

  it('shows long team names whole: wrapped, isolated, with a title', async () => {
    stubFetch({})
    const { wrapper, pinia } = mountWith(ViewSidebar, { props: { active: 'mine' } })
    const name = 'מערכת ההזמנות (API) — Order system escalations team'
    useDirectoryStore(pinia).teams = [{ id: 4, name, description: '', agent_ids: [] }]
    await flushPromises()
    const label = wrapper.findAll('.view-label').find((x) => x.text() === name)!
    expect(label.attributes('title')).toBe(name)
    expect(label.find('bdi').text()).toBe(name)
  })

  it('loads with ?sla=at_risk and no sort, so the server orders by due time', async () => {
    const { calls } = stubFetch({ 'GET /api/v1/conversations': { data: [], next_cursor: null } })
    mountWith({ template: '<div />' })
    const list = useConversationsStore()
    await list.load(builtinFilters(AT_RISK_VIEW)!)
    const url = calls[0].url
    expect(url.searchParams.get('sla')).toBe('at_risk')
    expect(url.searchParams.has('sort')).toBe(false)
  })
})

describe('SLA badge in the list', () => {
  it('shows the relative time and updates it every 30 s without fetching again', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    vi.setSystemTime(NOW)
    const { fn } = stubFetch({})
    const items = [conv(1, { sla_state: 'at_risk', sla_due_at: at(2) }), conv(2)]
    const { wrapper } = mountWith(ConversationList, { props: { items, openId: null, cursorId: null, view: AT_RISK_VIEW, label: 'x' } })
    const badge = () => wrapper.find('#conv-row-1 .sla-badge')
    expect(badge().text()).toBe('! SLA: due in 2m')
    expect(badge().classes()).toContain('sla-at_risk')
    expect(badge().attributes('title')).toBe('Due 10 Mar 2026, 12:02')
    expect(wrapper.find('#conv-row-2 .sla-badge').exists()).toBe(false)
    vi.advanceTimersByTime(SLA_TICK_MS * 6)
    await flushPromises()
    expect(badge().text()).toBe('! SLA: overdue 1m')
    expect(badge().classes()).toContain('sla-breached')
    expect(fn).not.toHaveBeenCalled()
    wrapper.unmount()
  })
})

describe('SLA panel', () => {
  it('lists each target with its state, due or met time, and time kind', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    stubFetch({
      'GET /api/v1/conversations/7/sla': {
        policy_id: 2, policy_name: 'VIP', state: 'at_risk', due_at: at(20),
        targets: [
          { target: 'first_response', state: 'met', business: true, minutes: 60, started_at: at(-100), due_at: at(-40), at_risk_at: null, met_at: at(-50), breached_at: null, remaining_minutes: null },
          { target: 'next_response', state: 'breached', business: true, minutes: 120, started_at: at(-300), due_at: null, at_risk_at: null, met_at: null, breached_at: at(-90), remaining_minutes: 0 },
          { target: 'resolution', state: 'at_risk', business: false, minutes: 480, started_at: at(-460), due_at: at(20), at_risk_at: at(-100), met_at: null, breached_at: null, remaining_minutes: 20 },
        ],
      },
    })
    const { wrapper } = mountWith(SlaPanel, { props: { conversation: conv(7, { sla_state: 'at_risk', sla_due_at: at(20) }) } })
    await flushPromises()
    const text = wrapper.text()
    expect(text).toContain('Policy: VIP')
    const items = wrapper.findAll('li')
    expect(items).toHaveLength(3)
    expect(items[0].text()).toContain('First response')
    expect(items[0].text()).toContain('met')
    expect(items[0].text()).toContain('1h 0m · business hours')
    expect(items[1].find('.sla-badge').text()).toBe('! overdue 1h 30m')
    // Met 10 minutes before its due instant; the breached one was due (and breached) 90 minutes ago.
    expect(items[0].find('.margin').text()).toBe('met 10m early')
    expect(items[1].find('.margin').exists()).toBe(false)
    expect(items[2].text()).toContain('due in 20m')
    expect(items[2].text()).toContain('8h 0m · calendar time')
    wrapper.unmount()
  })

  it('says how early a target was met and how late a breach was answered', async () => {
    applyLocale('en')
    expect(slaMargin('met', at(-40), at(-65))).toBe('met 25m early')
    expect(slaMargin('breached', at(-40), at(-30))).toBe('breached 10m late')
    expect(slaMargin('breached', at(-40), null)).toBe('')
    expect(slaMargin('ok', at(40), null)).toBe('')
    applyLocale('he')
    expect(slaMargin('met', at(-40), at(-65))).toBe('עמד ביעד 25 דק׳ לפני הזמן')
    expect(slaMargin('breached', at(-40), at(-30))).toBe('הופר באיחור של 10 דק׳')
  })

  it('says so when no policy applies', async () => {
    stubFetch({ 'GET /api/v1/conversations/8/sla': { policy_id: null, policy_name: '', state: '', due_at: null, targets: [] } })
    const { wrapper } = mountWith(SlaPanel, { props: { conversation: conv(8) }, locale: 'he' })
    await flushPromises()
    expect(wrapper.text()).toContain('אין מדיניות SLA שחלה על הפנייה הזו.')
    wrapper.unmount()
  })
})
