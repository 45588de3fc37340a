// Orders and promises in the web app: money parsing and formatting, the
// compensation panel (quote, grant, approval, goodwill), customer 360,
// approvals and the compensation policy editor, against a stubbed API.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import type { Component } from 'vue'
import { i18n, applyLocale } from '@/i18n'
import type { CompensationQuote, CompensationRequest, ContactOverview, LedgerEntry, Locale, Order } from '@/api/types'
import { useSessionStore } from '@/stores/session'
import { useNotificationsStore } from '@/stores/notifications'
import { formatMoney, minorToDecimal, parseMoney } from '@/utils/money'
import { PENDING_POLL_MS, orderLabel } from '@/utils/commerce'
import CompensationPanel from '@/components/commerce/CompensationPanel.vue'
import Customer360 from '@/components/commerce/Customer360.vue'
import ApprovalsView from '@/views/commerce/ApprovalsView.vue'
import LedgerView from '@/views/commerce/LedgerView.vue'
import OrdersListView from '@/views/commerce/OrdersListView.vue'
import AppShell from '@/components/AppShell.vue'
import { useRealtimeStore } from '@/stores/realtime'
import { adminRoutes } from '@/router/admin'
import CompensationSettings from '@/views/settings/CompensationSettings.vue'
import CommerceSettings from '@/views/settings/CommerceSettings.vue'
import CommerceSection from '@/components/commerce/CommerceSection.vue'
import CustomerPanel from '@/components/CustomerPanel.vue'
import { conv, me, stubFetch } from './helpers'
import { setup } from './mount'

const mounted: VueWrapper[] = []
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount()
  document.body.innerHTML = ''
  vi.useRealTimers()
  vi.unstubAllGlobals()
  applyLocale('en')
})

/** Mounts with the app's plugins and a router that knows the contact and inbox routes. */
function mountC(comp: Component, props: Record<string, unknown> = {}, opts: { locale?: Locale; permissions?: string[] } = {}) {
  const { pinia, router } = setup(opts.locale)
  router.addRoute({ path: '/contacts/:id', name: 'contacts', component: { template: '<div />' } })
  if (opts.permissions) useSessionStore().me = me({ permissions: opts.permissions })
  const wrapper = mount(comp, { props, global: { plugins: [pinia, i18n, router] } }) as unknown as VueWrapper
  mounted.push(wrapper)
  return wrapper
}

const tid = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`)

function quoteOf(over: Partial<CompensationQuote> = {}): CompensationQuote {
  return {
    order_id: 7, eligible: true, remedy: 'store_credit', amount_minor: 2000, currency: 'ILS', days_late: 3, policy_version: 2, rule: 'late-3',
    explanation: '3 business days late: 20 ILS store credit.', steps: [{ rule: 'late-3', text: 'Late 3 days or more: 2000 agorot.' }], ...over,
  }
}

function entry(over: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    id: 41, contact_id: 12, order_id: 7, conversation_id: 31, remedy: 'store_credit', amount_minor: 2000, currency: 'ILS', goodwill: false, reason: '',
    policy_version: 2, policy_rule: 'late-3', explanation: '', coupon_code: '', granted_by: 1, approval_request_id: null, approved_by: null,
    reverses_id: null, created_at: '2026-11-26T10:00:00Z', ...over,
  }
}

function request(over: Partial<CompensationRequest> = {}): CompensationRequest {
  return {
    id: 5, order_id: 7, order: { id: 7, number: '1001' }, conversation_id: 31, contact_id: 12, contact: { id: 12, name: 'Dana Cohen', email: 'dana@example.com' },
    requested_by: 3, requester: { id: 3, name: 'Avi' }, remedy: 'partial_refund', amount_minor: 15000, currency: 'ILS', goodwill: false, reason: '',
    policy_version: 2, policy_rule: 'late-7', explanation: '7 days late: refund 150 ILS.', status: 'pending', decided_by: null, decided_at: null,
    decision_reason: '', ledger_entry_id: null, created_at: '2026-11-26T09:00:00Z', ...over,
  }
}

const GRANT = ['orders:read', 'compensation:grant']
const AUTHORITY = { agent_id: 3, role: 'agent', unlimited: false, pending_requests: 0, pending_minor: 0, limits: [{ role: 'agent', remedy: '*', per_order_minor: 5000, per_period_minor: 20000, period: 'day', period_start: '2026-11-28T22:00:00Z', used_minor: 2000, left_minor: 18000 }] }

describe('money', () => {
  it('parses amounts typed in major units exactly and rejects what is not one', () => {
    expect(parseMoney('12.30')).toBe(1230)
    expect(parseMoney('12.3')).toBe(1230)
    expect(parseMoney('12')).toBe(1200)
    expect(parseMoney(' 0.07 ')).toBe(7)
    expect(parseMoney('12,30')).toBe(1230)
    expect(parseMoney('12.345')).toBeNull()
    expect(parseMoney('-1')).toBeNull()
    expect(parseMoney('1e3')).toBeNull()
    expect(parseMoney('')).toBeNull()
    expect(parseMoney('12.')).toBeNull()
    // 0.1 + 0.2 style float errors cannot happen: 1.10 is 110, not 110.00000000000001.
    expect(parseMoney('1.10')).toBe(110)
    expect(parseMoney('500', 'JPY')).toBe(500)
    expect(parseMoney('5.5', 'JPY')).toBeNull()
  })

  it('formats minor units in the currency and UI locale without float division', () => {
    expect(minorToDecimal(25900, 'ILS')).toBe('259.00')
    expect(minorToDecimal(-5, 'ILS')).toBe('-0.05')
    expect(minorToDecimal(500, 'JPY')).toBe('500')
    expect(formatMoney(25900, 'ILS', 'en-US')).toBe('₪259.00')
    expect(formatMoney(123456, 'USD', 'en-US')).toBe('$1,234.56')
    expect(formatMoney(900719925474099, 'USD', 'en-US')).toBe('$9,007,199,254,740.99')
    // he-IL marks the number and the sign right-to-left (RLM), so the sign reads after the number in Hebrew.
    expect(formatMoney(25900, 'ILS', 'he-IL').replace(/\s/g, ' ')).toBe('\u200f259.00 \u200f₪')
  })
})

describe('compensation panel', () => {
  it('shows the quote’s amount and explanation, and one click grants it', async () => {
    const { calls } = stubFetch({
      'POST /api/v1/orders/7/compensation/quote': quoteOf(),
      'GET /api/v1/compensation/authority/me': AUTHORITY,
      'POST /api/v1/compensation/grants': () => ({ status: 201, body: { status: 'granted', entry: entry({ remedy: 'coupon', coupon_code: 'SORRY-20' }) } }),
    })
    const w = mountC(CompensationPanel, { orderId: 7, contactId: 12, conversationId: 31 }, { permissions: GRANT })
    await flushPromises()
    expect(tid(w, 'quote-amount').text()).toBe('₪20.00')
    expect(tid(w, 'quote-explanation').text()).toBe('3 business days late: 20 ILS store credit.')
    expect(tid(w, 'quote-steps').text()).toContain('Late 3 days or more')
    expect(tid(w, 'authority').text()).toContain('₪180.00')
    await tid(w, 'grant-button').trigger('click')
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST' && c.url.pathname === '/api/v1/compensation/grants')
    // The explanation is asked for, and stored, in the UI's language.
    expect(calls.find((c) => c.url.pathname === '/api/v1/orders/7/compensation/quote')?.url.searchParams.get('lang')).toBe('en')
    expect(post?.body).toEqual({ lang: 'en', order_id: 7, contact_id: 12, conversation_id: 31, remedy: 'store_credit', amount_minor: 2000, goodwill: false })
    expect(tid(w, 'grant-result').attributes('data-status')).toBe('granted')
    expect(tid(w, 'grant-result').text()).toContain('Granted: Coupon')
    expect(tid(w, 'grant-coupon').text()).toBe('SORRY-20')
    expect(tid(w, 'grant-button').exists()).toBe(false)
    expect(w.emitted('granted')).toHaveLength(1)
  })

  it('shows a grant above the authority as pending, and its decision when a notification names it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    let decided = false
    const { calls } = stubFetch({
      'POST /api/v1/orders/7/compensation/quote': quoteOf({ remedy: 'partial_refund', amount_minor: 15000 }),
      'GET /api/v1/compensation/authority/me': AUTHORITY,
      'POST /api/v1/compensation/grants': () => ({ status: 202, body: { status: 'pending_approval', request: request() } }),
      'GET /api/v1/compensation/requests': () => ({ body: { data: [request(decided ? { status: 'approved', decision_reason: 'OK' } : {})] } }),
    })
    const w = mountC(CompensationPanel, { orderId: 7, contactId: 12, conversationId: 31 }, { permissions: GRANT })
    await flushPromises()
    await tid(w, 'grant-button').trigger('click')
    await flushPromises()
    expect(tid(w, 'grant-result').attributes('data-status')).toBe('pending')
    expect(tid(w, 'grant-result').text()).toContain('sent to a supervisor for approval')
    expect(tid(w, 'grant-request-status').text()).toBe('Waiting for approval')
    // Still pending on the interval's tick.
    vi.advanceTimersByTime(PENDING_POLL_MS)
    await flushPromises()
    expect(calls.filter((c) => c.url.pathname === '/api/v1/compensation/requests')).toHaveLength(1)
    expect(tid(w, 'grant-request-status').text()).toBe('Waiting for approval')
    // The supervisor approves: the bell gets the notification, the panel asks again.
    decided = true
    useNotificationsStore().push({ id: 90, agent_id: 1, kind: 'compensation.decided', conversation_id: 31, data: { request_id: 5 }, read_at: null, created_at: '2026-11-26T09:05:00Z' })
    await flushPromises()
    expect(tid(w, 'grant-request-status').text()).toBe('Approved')
    expect(tid(w, 'grant-result').attributes('data-status')).toBe('approved')
    // Decided: no more polling.
    const n = calls.filter((c) => c.url.pathname === '/api/v1/compensation/requests').length
    vi.advanceTimersByTime(PENDING_POLL_MS * 2)
    await flushPromises()
    expect(calls.filter((c) => c.url.pathname === '/api/v1/compensation/requests')).toHaveLength(n)
  })

  it('requires a reason and an exact amount for a goodwill gesture before posting it', async () => {
    const { calls } = stubFetch({
      'POST /api/v1/orders/7/compensation/quote': quoteOf({ eligible: false, remedy: '', amount_minor: 0, explanation: 'On time.' }),
      'GET /api/v1/compensation/authority/me': AUTHORITY,
      'POST /api/v1/compensation/grants': () => ({ status: 201, body: { status: 'granted', entry: entry({ goodwill: true, amount_minor: 1230 }) } }),
    })
    const w = mountC(CompensationPanel, { orderId: 7, contactId: 12, conversationId: 31 }, { permissions: GRANT })
    await flushPromises()
    expect(tid(w, 'quote-ineligible').exists()).toBe(true)
    expect(tid(w, 'grant-button').exists()).toBe(false)
    await tid(w, 'goodwill-open').trigger('click')
    await tid(w, 'goodwill-remedy').setValue('coupon')
    await tid(w, 'goodwill-amount').setValue('12.345')
    await tid(w, 'goodwill-form').trigger('submit')
    await flushPromises()
    const reason = tid(w, 'goodwill-reason')
    expect(reason.attributes('aria-invalid')).toBe('true')
    expect(w.find(`#${reason.attributes('aria-describedby')}`).text()).toBe('Say why this gesture is given.')
    const amount = tid(w, 'goodwill-amount')
    expect(amount.attributes('aria-invalid')).toBe('true')
    expect(w.find(`#${amount.attributes('aria-describedby')}`).text()).toContain('at most two decimals')
    expect(calls.some((c) => c.url.pathname === '/api/v1/compensation/grants')).toBe(false)

    await amount.setValue('12.3')
    await reason.setValue('  Broken handle  ')
    await tid(w, 'goodwill-form').trigger('submit')
    await flushPromises()
    const post = calls.find((c) => c.url.pathname === '/api/v1/compensation/grants')
    expect(post?.body).toEqual({ lang: 'en', order_id: 7, contact_id: 12, conversation_id: 31, remedy: 'coupon', amount_minor: 1230, goodwill: true, reason: 'Broken handle' })
    expect(tid(w, 'grant-result').attributes('data-status')).toBe('granted')
  })

  it('places a goodwill grant’s server field errors beside the fields', async () => {
    stubFetch({
      'POST /api/v1/orders/7/compensation/quote': quoteOf(),
      'GET /api/v1/compensation/authority/me': AUTHORITY,
      'POST /api/v1/compensation/grants': () => ({
        status: 400,
        body: { type: 'https://kesher.dev/problems/validation', title: 'Invalid', status: 400, errors: [{ field: 'amount_minor', code: 'too_large', message: 'above the order total' }] },
      }),
    })
    const w = mountC(CompensationPanel, { orderId: 7, contactId: 12, conversationId: 31 }, { permissions: GRANT })
    await flushPromises()
    await tid(w, 'goodwill-open').trigger('click')
    await tid(w, 'goodwill-amount').setValue('9999')
    await tid(w, 'goodwill-reason').setValue('sorry')
    await tid(w, 'goodwill-form').trigger('submit')
    await flushPromises()
    const amount = tid(w, 'goodwill-amount')
    expect(amount.attributes('aria-invalid')).toBe('true')
    expect(w.find(`#${amount.attributes('aria-describedby')}`).text()).toBe('above the order total')
  })

  it('shows the quote but no grant, goodwill or authority without compensation:grant', async () => {
    const { calls } = stubFetch({ 'POST /api/v1/orders/7/compensation/quote': quoteOf(), 'GET /api/v1/compensation/authority/me': AUTHORITY })
    const w = mountC(CompensationPanel, { orderId: 7, contactId: 12 }, { permissions: ['orders:read'] })
    await flushPromises()
    expect(tid(w, 'quote-amount').text()).toBe('₪20.00')
    expect(tid(w, 'grant-button').exists()).toBe(false)
    expect(tid(w, 'goodwill-open').exists()).toBe(false)
    expect(calls.some((c) => c.url.pathname === '/api/v1/compensation/authority/me')).toBe(false)
  })

  it('asks to pick an order when the conversation has none', async () => {
    const { calls } = stubFetch({ 'GET /api/v1/compensation/authority/me': AUTHORITY })
    const w = mountC(CompensationPanel, { orderId: null, contactId: 12 }, { permissions: GRANT })
    await flushPromises()
    expect(w.text()).toContain('Pick one of the customer’s orders')
    expect(calls.some((c) => c.url.pathname.includes('/quote'))).toBe(false)
  })
})

function order(over: Partial<Order> = {}): Order {
  return {
    id: 7, external_id: 'A-1001', source: 'api', number: '1001', contact_id: 12, status: 'shipped', currency: 'ILS', total_minor: 25900, shipping_minor: 2900,
    items: [], channel: 'web', placed_at: '2026-11-20T08:00:00Z', promised_from: null, promised_by: '2026-11-24T21:59:59.999Z', shipped_at: '2026-11-21T10:00:00Z',
    delivered_at: null, carrier: 'Israel Post', tracking_number: 'RR123456789IL', carrier_status: 'delayed', carrier_eta: null, lateness: 'late', days_late: 3,
    late_since: '2026-11-25T07:00:00Z', conversation_id: 31, created_at: '2026-11-20T08:00:00Z', updated_at: '2026-11-25T07:00:00Z', ...over,
  }
}

function overview(over: Partial<ContactOverview> = {}): ContactOverview {
  return {
    contact: { id: 12, name: 'Dana Cohen', emails: ['dana@example.com'], phones: [], language: 'he', time_zone: '', tier: '', organization_id: null, external_ids: {}, custom_attributes: {}, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
    orders: [order(), order({ id: 8, number: '1002', lateness: 'at_risk', days_late: 0, total_minor: 4990 }), order({ id: 9, number: '1003', status: 'delivered', lateness: 'on_time', days_late: 0 })],
    credits: { entries: [entry(), entry({ id: 42, remedy: 'coupon', amount_minor: 1500, goodwill: true })], totals: [{ currency: 'ILS', amount_minor: 3500 }] },
    conversations: [{ id: 31, subject: 'Where is my order?', status: 'open', channel: 'email', order_id: 7, created_at: '2026-11-25T07:00:00Z' }, { id: 32, subject: 'Chat', status: 'solved', channel: 'chat', order_id: null, created_at: '2026-11-01T07:00:00Z' }],
    satisfaction: { csat: [], nps: [] },
    lifetime_value: { historical: [{ currency: 'ILS', amount_minor: 35790 }], orders_count: 3 },
    open_issues: { open_conversations: 1, pending_compensation_requests: 0, late_orders: 1 },
    ...over,
  }
}

describe('order labels', () => {
  it('name an order by its shop number, else its external id, never by the internal id when either exists', () => {
    expect(orderLabel({ id: 21, number: '1001', external_id: 'shopify:5' })).toBe('Order 1001')
    expect(orderLabel({ id: 21, number: '', external_id: 'A-77' })).toBe('Order A-77')
    expect(orderLabel({ id: 21 })).toBe('Order 21')
  })
})

describe('customer 360', () => {
  it('shows the lifetime value, each order’s lateness badge, credits and the empty satisfaction history', async () => {
    stubFetch({ 'GET /api/v1/contacts/12/overview': overview() })
    const w = mountC(Customer360, { contactId: 12, conversationId: 31, selectable: true, showConversations: true })
    await flushPromises()
    expect(tid(w, 'c360-ltv').text()).toBe('₪357.90')
    const orders = w.findAll('[data-testid="c360-order"]')
    expect(orders).toHaveLength(3)
    expect(orders[0].find('[data-testid="c360-order-lateness"]').text()).toBe('Late 3 days')
    expect(orders[0].find('[data-testid="c360-order-lateness"]').classes()).toContain('sla-breached')
    expect(orders[0].text()).toContain('RR123456789IL')
    // The carrier and the tracking number are separate words, not run together.
    expect(orders[0].text()).not.toMatch(/[A-Za-z]RR123456789IL/)
    expect(orders[0].text()).toContain('₪259.00')
    expect(orders[1].find('[data-testid="c360-order-lateness"]').text()).toBe('At risk')
    expect(orders[2].find('[data-testid="c360-order-lateness"]').exists()).toBe(false)
    expect(w.findAll('[data-testid="c360-credit"]')).toHaveLength(2)
    expect(tid(w, 'c360-credit-totals').text()).toContain('₪35.00')
    expect(tid(w, 'c360-no-surveys').text()).toBe('No survey answers yet.')
    expect(tid(w, 'c360-issues').text()).toContain('1 late order')
    // The open conversation is left out of the list.
    expect(tid(w, 'c360-conversations').text()).not.toContain('Where is my order?')
    expect(tid(w, 'c360-conversations').text()).toContain('Chat')
    await orders[1].find('[data-testid="c360-order-compensate"]').trigger('click')
    expect(w.emitted('select')).toEqual([[8]])
  })

  it('speaks Hebrew and formats money in he-IL', async () => {
    stubFetch({ 'GET /api/v1/contacts/12/overview': overview({ satisfaction: { csat: [{ score: 5, answered_at: '2026-11-02T00:00:00Z' }], nps: [] } }) })
    const w = mountC(Customer360, { contactId: 12 }, { locale: 'he' })
    await flushPromises()
    expect(tid(w, 'c360-ltv').text().replace(/[\u200e\u200f]/g, '').replace(/\s/g, ' ')).toBe('357.90 ₪')
    expect(tid(w, 'c360-ltv').find('.amount').attributes('dir')).toBe('auto')
    expect(w.find('[data-testid="c360-order-lateness"]').text()).toBe('באיחור של 3 ימים')
    expect(tid(w, 'c360-satisfaction').text()).toContain('5/5')
  })
})

describe('approvals', () => {
  const perms = ['orders:read', 'compensation:grant', 'compensation:approve']

  it('lists pending requests and approves one', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/compensation/requests': { data: [request(), request({ id: 6, goodwill: true, reason: 'Long wait', amount_minor: 3000 })] },
      'POST /api/v1/compensation/requests/5/approve': request({ status: 'approved' }),
    })
    const w = mountC(ApprovalsView, {}, { permissions: perms })
    await flushPromises()
    expect(calls.find((c) => c.url.pathname === '/api/v1/compensation/requests')?.url.searchParams.get('status')).toBe('pending')
    const rows = w.findAll('[data-testid="approval-row"]')
    expect(rows).toHaveLength(2)
    expect(rows[0].text()).toContain('Order 1001')
    expect(rows[0].text()).toContain('Dana Cohen')
    expect(rows[0].text()).toContain('₪150.00')
    expect(rows[0].text()).toContain('Avi')
    expect(rows[0].text()).toContain('7 days late: refund 150 ILS.')
    await rows[0].find('[data-testid="approval-approve"]').trigger('click')
    await w.findAll('.adm-dialog-actions button').find((b) => b.text() === 'Approve')!.trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({ url: expect.objectContaining({ pathname: '/api/v1/compensation/requests/5/approve' }), body: { reason: '' } })
    expect(w.findAll('[data-testid="approval-row"]')).toHaveLength(1)
    expect(w.text()).toContain('Request #5 approved.')
  })

  it('denies only with a reason', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/compensation/requests': { data: [request()] },
      'POST /api/v1/compensation/requests/5/deny': request({ status: 'denied' }),
    })
    const w = mountC(ApprovalsView, {}, { permissions: perms })
    await flushPromises()
    await tid(w, 'approval-deny').trigger('click')
    const confirm = () => w.findAll('.adm-dialog-actions button').find((b) => b.text() === 'Deny')!
    await confirm().trigger('click')
    await flushPromises()
    const reason = tid(w, 'reason-input')
    expect(reason.attributes('aria-invalid')).toBe('true')
    expect(w.find(`#${reason.attributes('aria-describedby')}`).text()).toBe('Say why the request is denied.')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
    await reason.setValue('Already refunded by the shop')
    await confirm().trigger('click')
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.url.pathname).toBe('/api/v1/compensation/requests/5/deny')
    expect(post?.body).toEqual({ reason: 'Already refunded by the shop' })
    expect(tid(w, 'approvals-empty').exists()).toBe(true)
  })
})

describe('compensation settings', () => {
  it('shows a 400’s field errors with their path in the policy, and saves a new version', async () => {
    let fail = true
    const { calls } = stubFetch({
      'GET /api/v1/compensation/policy': { version: 3, policy: { currency: 'ILS', rules: [{ name: 'late-3', min_days_late: 3, remedy: 'store_credit', amount_minor: 2000 }] } },
      'GET /api/v1/compensation/authority-limits': { data: [{ role: 'agent', remedy: '*', per_order_minor: 5000, per_period_minor: 20000, period: 'day' }] },
      'PUT /api/v1/compensation/policy': () =>
        fail
          ? { status: 400, body: { type: 'https://kesher.dev/problems/validation', title: 'Invalid policy', status: 400, errors: [{ field: 'rules[0].remedy', code: 'invalid', message: 'unknown remedy "cash"' }] } }
          : { body: { version: 4, policy: {} } },
    })
    const w = mountC(CompensationSettings, {}, { permissions: ['orders:read', 'commerce:admin'] })
    await flushPromises()
    expect(tid(w, 'policy-version').text()).toBe('Version 3 in force')
    const text = tid(w, 'policy-text')
    expect(JSON.parse((text.element as HTMLTextAreaElement).value).rules[0].name).toBe('late-3')
    const doc = { currency: 'ILS', rules: [{ name: 'late-3', min_days_late: 3, remedy: 'cash', amount_minor: 2000 }] }
    await text.setValue(JSON.stringify(doc))
    await tid(w, 'policy-save').trigger('click')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual(doc)
    const errs = tid(w, 'policy-field-errors')
    expect(errs.text()).toContain('rules[0].remedy')
    expect(errs.text()).toMatch(/cash|not valid|invalid/i)
    expect(tid(w, 'policy-text').attributes('aria-invalid')).toBe('true')

    // Not JSON: said at once, nothing sent.
    const puts = calls.filter((c) => c.method === 'PUT').length
    await tid(w, 'policy-text').setValue('{ nope')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(tid(w, 'policy-error').text()).toContain('Not valid JSON')
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(puts)

    fail = false
    await tid(w, 'policy-text').setValue('{"rules": []}')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(tid(w, 'policy-version').text()).toBe('Version 4 in force')
    expect(w.findAll('[data-testid="limit-row"]')).toHaveLength(1)
  })
})

describe('orders and shops settings', () => {
  it('shows whether each shop secret is set, the webhook URLs, and saves lateness with a server field error placed', async () => {
    let n = 0
    const { calls } = stubFetch({
      'GET /api/v1/calendars': { data: [{ name: 'il' }, { name: 'us' }] },
      'GET /api/v1/inboxes': { data: [{ id: 3, name: 'Support', channel: 'email', address: 's@example.com', team_id: null, enabled: true }, { id: 4, name: 'Chat', channel: 'chat', address: '', team_id: null, enabled: true }] },
      'GET /api/v1/commerce/lateness-settings': { enabled: true, calendar: 'il', unit: 'business_days', notice_inbox_id: 3, scan_interval_minutes: 15, notify: true },
      'PUT /api/v1/commerce/lateness-settings': (_u, init) =>
        ++n === 1
          ? { status: 400, body: { type: 'https://kesher.dev/problems/validation', title: 'Invalid', status: 400, errors: [{ field: 'calendar', code: 'unknown', message: 'no such calendar' }] } }
          : { body: JSON.parse(String(init.body)) },
      'GET /api/v1/commerce/shop-settings': { shopify_secret_set: true, woocommerce_secret_set: false },
      'PUT /api/v1/commerce/shop-settings': { shopify_secret_set: true, woocommerce_secret_set: true },
      'GET /api/v1/compensation/export-settings': { url: 'https://erp.example.com/hook', secret_set: false },
    })
    const w = mountC(CommerceSettings, {}, { permissions: ['orders:read', 'commerce:admin'] })
    await flushPromises()
    expect(w.find('[data-testid="shop-shopify"] [data-testid="shop-secret-state"]').text()).toBe('Secret set')
    expect(w.find('[data-testid="shop-woocommerce"] [data-testid="shop-secret-state"]').text()).toBe('Secret not set')
    const urls = w.findAll('input[readonly]').map((i) => (i.element as HTMLInputElement).value)
    expect(urls).toEqual([`${location.origin}/api/v1/webhooks/shopify/orders`, `${location.origin}/api/v1/webhooks/woocommerce/orders`])
    // Only email inboxes can send notices.
    const inboxOptions = w.findAll('select')[2]
    expect(inboxOptions.findAll('option').map((o) => o.text().replace(/[\u2068\u2069]/g, ''))).toEqual(['No inbox (no notices)', 'Support'])

    const forms = () => w.findAll('form')
    const calendar = w.findAll('select')[0]
    await calendar.setValue('us')
    await forms()[0].trigger('submit')
    await flushPromises()
    expect(calendar.attributes('aria-invalid')).toBe('true')
    expect(w.find(`#${calendar.attributes('aria-describedby')}`).text()).toBe('no such calendar')
    await forms()[0].trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.method === 'PUT' && c.url.pathname === '/api/v1/commerce/lateness-settings').at(-1)?.body).toEqual({
      enabled: true, calendar: 'us', unit: 'business_days', notice_inbox_id: 3, scan_interval_minutes: 15, notify: true,
    })
    expect(forms()[0].text()).toContain('Saved.')

    // Secrets are write-only: only the one typed is sent.
    await w.find('[data-testid="shop-woocommerce"] input[type="password"]').setValue(' wc-secret ')
    await forms()[1].trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.method === 'PUT' && c.url.pathname === '/api/v1/commerce/shop-settings')?.body).toEqual({ woocommerce_secret: 'wc-secret' })
    expect(w.find('[data-testid="shop-woocommerce"] [data-testid="shop-secret-state"]').text()).toBe('Secret set')
  })
})

describe('customer panel commerce section', () => {
  it('quotes the conversation’s order, and another order when the agent picks it', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/contacts/12/overview': overview(),
      'GET /api/v1/compensation/authority/me': AUTHORITY,
      'POST /api/v1/orders/7/compensation/quote': quoteOf(),
      'POST /api/v1/orders/8/compensation/quote': quoteOf({ order_id: 8, amount_minor: 500, remedy: 'coupon', explanation: 'At risk: 5 ILS coupon.' }),
    })
    const w = mountC(CommerceSection, { conversation: conv(31, { requester_id: 12, order_id: 7 }) }, { permissions: GRANT })
    await flushPromises()
    expect(tid(w, 'quote-amount').text()).toBe('₪20.00')
    expect(w.find('.card.selected').text()).toContain('Order 1001')
    await w.findAll('[data-testid="c360-order-compensate"]')[1].trigger('click')
    await flushPromises()
    expect(tid(w, 'quote-amount').text()).toBe('₪5.00')
    expect(tid(w, 'quote-explanation').text()).toBe('At risk: 5 ILS coupon.')
    expect(w.find('.card.selected').text()).toContain('Order 1002')
    expect(calls.filter((c) => c.url.pathname.endsWith('/quote')).map((c) => c.url.pathname)).toEqual(['/api/v1/orders/7/compensation/quote', '/api/v1/orders/8/compensation/quote'])
  })
})

describe('ledger', () => {
  it('filters by contact and reverses an entry only with a reason (admins)', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/ledger': (u) => ({ body: { data: u.searchParams.get('contact_id') === '12' ? [entry(), entry({ id: 43, amount_minor: -1000, reverses_id: 40 })] : [] } }),
      'POST /api/v1/ledger/41/reverse': entry({ id: 44, amount_minor: -2000, reverses_id: 41 }),
    })
    const w = mountC(LedgerView, {}, { permissions: ['orders:read', 'commerce:admin'] })
    await flushPromises()
    expect(w.text()).toContain('No entries.')
    await w.find('input[inputmode="numeric"]').setValue('12')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.url.pathname === '/api/v1/ledger').at(-1)?.url.searchParams.get('contact_id')).toBe('12')
    const rows = w.findAll('[data-testid="ledger-row"]')
    expect(rows).toHaveLength(2)
    expect(rows[0].text()).toContain('₪20.00')
    expect(rows[1].text()).toContain('-₪10.00')
    // A reversal is not reversed again.
    expect(rows[1].find('[data-testid="ledger-reverse"]').exists()).toBe(false)
    await rows[0].find('[data-testid="ledger-reverse"]').trigger('click')
    const confirm = () => w.findAll('.adm-dialog-actions button').find((b) => b.text() === 'Reverse')!
    await confirm().trigger('click')
    await flushPromises()
    expect(w.find(`#${tid(w, 'reason-input').attributes('aria-describedby')}`).text()).toBe('Say why the entry is reversed.')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
    await tid(w, 'reason-input').setValue('Granted twice')
    await confirm().trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ reason: 'Granted twice' })
    expect(w.text()).toContain('Entry #41 reversed.')
  })

  it('offers no reverse button without commerce:admin', async () => {
    stubFetch({ 'GET /api/v1/ledger': { data: [entry()] } })
    const w = mountC(LedgerView, {}, { permissions: ['orders:read'] })
    await flushPromises()
    expect(w.findAll('[data-testid="ledger-row"]')).toHaveLength(1)
    expect(tid(w, 'ledger-reverse').exists()).toBe(false)
  })
})

describe('navigation', () => {
  it('shows Approvals only with compensation:approve, and Ledger with orders:read', async () => {
    for (const [perms, want] of [
      [['orders:read', 'compensation:grant'], ['Orders', 'Ledger']],
      [['orders:read', 'compensation:grant', 'compensation:approve'], ['Approvals', 'Orders', 'Ledger']],
      [['conversations:read'], []],
    ] as const) {
      stubFetch({ 'GET /api/v1/conversations': { data: [], next_cursor: null }, 'GET /api/v1/notifications': { data: [], unread_count: 0 } })
      const { pinia, router } = setup()
      for (const r of adminRoutes) router.addRoute({ ...r, path: '/' + r.path } as typeof r)
      const rt = useRealtimeStore()
      rt.start = () => undefined
      rt.stop = () => undefined
      useSessionStore().me = me({ permissions: [...perms] })
      const w = mount(AppShell, { global: { plugins: [pinia, i18n, router], stubs: { RouterView: true, NotificationBell: true } } })
      mounted.push(w)
      await flushPromises()
      const links = w.findAll('header a').map((a) => a.text()).filter((x) => ['Approvals', 'Ledger', 'Orders'].includes(x))
      expect(links, perms.join(',')).toEqual(want)
      w.unmount()
      mounted.pop()
    }
  })
})

describe('orders list', () => {
  it('lists orders with their lateness and asks again when a filter changes', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/orders': (u) => ({ body: { data: u.searchParams.get('lateness') === 'late' ? [order()] : [order(), order({ id: 8, number: '1002', lateness: 'on_time', days_late: 0 })], next_cursor: null } }),
    })
    const w = mountC(OrdersListView, {}, { permissions: ['orders:read'] })
    await flushPromises()
    expect(w.findAll('[data-testid="order-row"]')).toHaveLength(2)
    expect(w.findAll('[data-testid="order-row"]')[0].text()).toContain('Late 3 days')
    await w.findAll('select')[1].setValue('late')
    await flushPromises()
    expect(calls.filter((c) => c.url.pathname === '/api/v1/orders').at(-1)?.url.searchParams.get('lateness')).toBe('late')
    expect(w.findAll('[data-testid="order-row"]')).toHaveLength(1)
  })
})

describe('customer panel', () => {
  const routes = {
    'GET /api/v1/contacts/12': overview().contact,
    'GET /api/v1/conversations': { data: [], next_cursor: null },
    'GET /api/v1/contacts/12/overview': overview(),
    'GET /api/v1/compensation/authority/me': AUTHORITY,
    'POST /api/v1/orders/7/compensation/quote': quoteOf(),
  }

  it('shows customer 360 and the compensation of the conversation’s order to agents who read orders', async () => {
    stubFetch(routes)
    const w = mountC(CustomerPanel, { conversation: conv(31, { requester_id: 12, order_id: 7 }) }, { permissions: ['contacts:read', ...GRANT] })
    await flushPromises()
    await new Promise((r) => setTimeout(r, 0))
    await flushPromises()
    expect(tid(w, 'c360-ltv').text()).toBe('₪357.90')
    expect(tid(w, 'quote-amount').text()).toBe('₪20.00')
  })

  it('leaves orders out without orders:read', async () => {
    const { calls } = stubFetch(routes)
    const w = mountC(CustomerPanel, { conversation: conv(31, { requester_id: 12, order_id: 7 }) }, { permissions: ['contacts:read'] })
    await flushPromises()
    expect(tid(w, 'c360').exists()).toBe(false)
    expect(calls.some((c) => c.url.pathname.includes('overview'))).toBe(false)
  })
})

describe('orders and shops settings, read only', () => {
  it('shows agents the lateness settings without controls, and no shop secrets or export', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/calendars': { data: [{ name: 'il' }] },
      'GET /api/v1/inboxes': { data: [] },
      'GET /api/v1/commerce/lateness-settings': { enabled: true, calendar: 'il', unit: 'calendar_days', notice_inbox_id: null, scan_interval_minutes: 15, notify: false },
    })
    const w = mountC(CommerceSettings, {}, { permissions: ['orders:read'] })
    await flushPromises()
    expect(w.find('fieldset').attributes('disabled')).toBeDefined()
    expect(w.find('button[type="submit"]').exists()).toBe(false)
    expect(w.find('[data-testid="shop-shopify"]').exists()).toBe(false)
    expect(calls.map((c) => c.url.pathname)).not.toContain('/api/v1/commerce/shop-settings')
    expect(calls.map((c) => c.url.pathname)).not.toContain('/api/v1/compensation/export-settings')
  })
})
