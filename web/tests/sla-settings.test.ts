// The business hours, SLA policy and automation rule screens: the week
// editor, the rule editor's operators, the dry run and server errors.
import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { h, type Component } from 'vue'
import { applyLocale, i18n } from '@/i18n'
import { adminRoutes } from '@/router/admin'
import type { Locale } from '@/api/types'
import { useSessionStore } from '@/stores/session'
import { SLA_TARGETS } from '@/api/types'
import {
  ACTION_TYPES, ESCALATION_TYPES, RULE_FIELDS, TRIGGERS,
  addInterval, checkWeek, defaultWeek, emptyWeek, joinMinutes, moved, newCondition, operatorsFor, removeInterval, ruleBody, splitMinutes,
  valueInput, withField, withOp, instantToZoned, zonedToInstant, type Condition, type Week,
} from '@/views/settings/lib/sla'
import WeekEditor from '@/views/settings/sla/WeekEditor.vue'
import ConditionRow from '@/views/settings/sla/ConditionRow.vue'
import { me, stubFetch, type Handler } from './helpers'
import { mountWith } from './mount'

const mounted: VueWrapper[] = []
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount()
  document.body.innerHTML = ''
  applyLocale('en')
})

describe('week editor', () => {
  it('adds an interval after the day’s last one, removes one, and checks order and overlaps', () => {
    let w: Week = emptyWeek()
    w = addInterval(w, 5)
    expect(w[5]).toEqual([{ start: '09:00', end: '17:00' }])
    w = addInterval(w, 5)
    expect(w[5][1]).toEqual({ start: '17:00', end: '18:00' })
    w = removeInterval(w, 5, 0)
    expect(w[5]).toEqual([{ start: '17:00', end: '18:00' }])
    expect(defaultWeek().map((d) => d.length)).toEqual([1, 1, 1, 1, 1, 0, 0])
    const bad: Week = emptyWeek()
    bad[1] = [{ start: '09:00', end: '13:00' }, { start: '12:00', end: '16:00' }]
    bad[2] = [{ start: '17:00', end: '09:00' }]
    bad[3] = [{ start: '9', end: '10:00' }]
    bad[4] = [{ start: '00:00', end: '24:00' }]
    expect(checkWeek(bad)).toEqual({ 'week[1][1]': 'overlap', 'week[2][0]': 'order', 'week[3][0]': 'invalid' })
  })

  it('edits a day with the keyboard-reachable buttons and inputs, named in the UI language', async () => {
    const { wrapper } = mountWith(WeekEditor, { props: { modelValue: defaultWeek(), idPrefix: 'wk' }, locale: 'he' })
    mounted.push(wrapper)
    const days = wrapper.findAll('.day')
    expect(days).toHaveLength(7)
    expect(days[0].text()).toContain('יום ראשון')
    expect(days[6].text()).toContain('סגור')
    // Friday: add hours.
    await days[5].find('button[aria-label="הוספת שעות ביום יום שישי"]').trigger('click')
    let week = wrapper.emitted('update:modelValue')!.at(-1)![0] as Week
    expect(week[5]).toEqual([{ start: '09:00', end: '17:00' }])
    await wrapper.setProps({ modelValue: week })
    // Change Friday's closing time and remove Sunday's interval.
    const end = wrapper.find('#wk-5-0-e2')
    ;(end.element as HTMLInputElement).value = '13:00'
    await end.trigger('change')
    week = wrapper.emitted('update:modelValue')!.at(-1)![0] as Week
    expect(week[5]).toEqual([{ start: '09:00', end: '13:00' }])
    await wrapper.setProps({ modelValue: week })
    await wrapper.findAll('.day')[0].find('button[aria-label^="הסרת טווח 1"]').trigger('click')
    week = wrapper.emitted('update:modelValue')!.at(-1)![0] as Week
    expect(week[0]).toEqual([])
    expect(week[1]).toEqual([{ start: '09:00', end: '17:00' }])
  })

  it('shows an interval’s error beside it', () => {
    const { wrapper } = mountWith(WeekEditor, { props: { modelValue: defaultWeek(), idPrefix: 'wk', errors: { 'week[2][0]': 'order' } } })
    mounted.push(wrapper)
    const input = wrapper.find('#wk-2-0-s')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(wrapper.find(`#${input.attributes('aria-describedby')}`).text()).toBe('Must end after it starts.')
  })
})

describe('rule editor operators', () => {
  it('offers only the operators a field’s kind takes', () => {
    expect(operatorsFor('status')).toEqual(['is', 'is_not', 'in', 'not_in', 'is_set', 'is_not_set'])
    expect(operatorsFor('priority')).toEqual(['is', 'is_not', 'in', 'not_in', 'is_set', 'is_not_set', 'greater', 'less'])
    expect(operatorsFor('team_id')).toEqual(['is', 'is_not', 'in', 'not_in', 'is_set', 'is_not_set'])
    expect(operatorsFor('tags')).toEqual(['contains', 'not_contains', 'in', 'not_in', 'is_set', 'is_not_set'])
    expect(operatorsFor('subject')).toEqual(['is', 'is_not', 'contains', 'not_contains', 'is_set', 'is_not_set'])
    expect(operatorsFor('inside_business_hours')).toEqual(['is', 'is_not'])
    expect(operatorsFor('message_count')).toEqual(['is', 'is_not', 'greater', 'less'])
  })

  it('keeps the operator when the new field takes it and resets the value when its input changes', () => {
    const c: Condition = { field: 'status', op: 'in', value: ['open', 'pending'] }
    expect(withField(c, 'priority')).toEqual({ field: 'priority', op: 'in', value: [] })
    expect(withField({ field: 'subject', op: 'contains', value: 'refund' }, 'message_text')).toEqual({ field: 'message_text', op: 'contains', value: 'refund' })
    expect(withField({ field: 'subject', op: 'contains', value: 'x' }, 'inside_business_hours')).toEqual({ field: 'inside_business_hours', op: 'is', value: true })
    expect(withField({ field: 'status', op: 'is_set' }, 'message_count')).toEqual({ field: 'message_count', op: 'is', value: 1 })
    expect(withOp({ field: 'team_id', op: 'is', value: 3 }, 'is_not')).toEqual({ field: 'team_id', op: 'is_not', value: 3 })
    expect(withOp({ field: 'team_id', op: 'is', value: 3 }, 'in')).toEqual({ field: 'team_id', op: 'in', value: [] })
    expect(valueInput('priority', 'greater')).toBe('priority')
    expect(valueInput('tags', 'contains')).toBe('tag')
    expect(valueInput('tags', 'is_set')).toBe('none')
  })

  it('sends no value for is_set and only time rules carry a time', () => {
    const body = ruleBody({
      name: ' Stale ', enabled: true, trigger: 'conversation.created', time: { field: 'status_for', status: 'pending', minutes: 60, business: true },
      conditions: { all: [{ field: 'assignee_id', op: 'is_not_set', value: null }], any: [] }, actions: [{ type: 'close', value: null }],
    })
    expect(body).toEqual({
      name: 'Stale', enabled: true, trigger: 'conversation.created', time: null,
      conditions: { all: [{ field: 'assignee_id', op: 'is_not_set' }], any: [] }, actions: [{ type: 'close' }],
    })
  })

  it('changes the operator list and value input when the field changes', async () => {
    const { wrapper } = mountWith(ConditionRow, { props: { modelValue: newCondition('status'), idPrefix: 'c0', index: 0, group: 'All' } })
    mounted.push(wrapper)
    const opTexts = () => wrapper.find('#c0-op').findAll('option').map((o) => o.text())
    expect(opTexts()).toEqual(['is', 'is not', 'is one of', 'is none of', 'is set', 'is not set'])
    const field = wrapper.find('#c0-field')
    ;(field.element as HTMLSelectElement).value = 'message_count'
    await field.trigger('change')
    const next = wrapper.emitted('update:modelValue')!.at(-1)![0] as Condition
    expect(next).toEqual({ field: 'message_count', op: 'is', value: 1 })
    await wrapper.setProps({ modelValue: next })
    expect(opTexts()).toEqual(['is', 'is not', 'is more than', 'is less than'])
    expect(wrapper.find('input[type="number"]').exists()).toBe(true)
    await wrapper.setProps({ modelValue: { field: 'priority', op: 'greater', value: 'normal' } })
    const valueSelect = wrapper.findAll('select')[2]
    expect(valueSelect.findAll('option').map((o) => o.text())).toEqual(['Low', 'Normal', 'High', 'Urgent'])
    await wrapper.setProps({ modelValue: { field: 'tags', op: 'is_set' } })
    expect(wrapper.findAll('select')).toHaveLength(2)
    expect(wrapper.find('input').exists()).toBe(false)
  })
})

describe('catalog', () => {
  it('names every trigger, field, operator, action, escalation, target and state in both languages', () => {
    const keys = [
      ...TRIGGERS.map((x) => `admin.rules.triggers.${x.replace('.', '_')}`),
      ...RULE_FIELDS.map((x) => `admin.rules.fields.${x}`),
      ...RULE_FIELDS.flatMap((f) => operatorsFor(f)).map((x) => `admin.rules.ops.${x}`),
      ...ACTION_TYPES.map((x) => `admin.rules.actions.${x}`),
      ...ESCALATION_TYPES.map((x) => `admin.slaPolicies.escalations.${x}`),
      ...SLA_TARGETS.map((x) => `sla.target.${x}`),
      ...['none', 'ok', 'at_risk', 'breached', 'paused', 'met'].map((x) => `sla.state.${x}`),
      ...['settings.sections.calendars', 'settings.sections.sla', 'settings.sections.rules'].map((x) => `admin.${x}`),
    ]
    for (const locale of ['he', 'en'] as const) {
      expect(keys.filter((k) => !i18n.global.te(k, locale))).toEqual([])
    }
  })
})

describe('helpers', () => {
  it('reads the due calculator’s start on the calendar’s wall clock', () => {
    expect(zonedToInstant('2026-03-10T12:00', 'Asia/Jerusalem')?.toISOString()).toBe('2026-03-10T10:00:00.000Z')
    expect(zonedToInstant('2026-07-01T09:00', 'Asia/Jerusalem')?.toISOString()).toBe('2026-07-01T06:00:00.000Z')
    expect(zonedToInstant('2026-07-01T09:00', 'Europe/London')?.toISOString()).toBe('2026-07-01T08:00:00.000Z')
    expect(zonedToInstant('nonsense', 'Asia/Jerusalem')).toBeNull()
    expect(instantToZoned(Date.parse('2026-07-01T06:00:00Z'), 'Asia/Jerusalem')).toBe('2026-07-01T09:00')
    expect(instantToZoned(Date.parse('2026-12-31T23:30:00Z'), 'Asia/Jerusalem')).toBe('2027-01-01T01:30')
  })

  it('splits and joins minutes and moves list items', () => {
    expect(splitMinutes(4320)).toEqual({ hours: 72, minutes: 0 })
    expect(splitMinutes(95)).toEqual({ hours: 1, minutes: 35 })
    expect(joinMinutes(2, 30)).toBe(150)
    expect(joinMinutes('', '-5')).toBe(0)
    const l = [{ id: 1 }, { id: 2 }, { id: 3 }]
    expect(moved(l, 2, -1).map((x) => x.id)).toEqual([1, 3, 2])
    expect(moved(l, 0, -1).map((x) => x.id)).toEqual([1, 2, 3])
  })
})

async function openSettings(path: string, role: 'admin' | 'agent', locale: Locale = 'en') {
  const pinia = createPinia()
  setActivePinia(pinia)
  applyLocale(locale)
  useSessionStore().me = me({ role, permissions: ['conversations:read'] })
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      {
        path: '/',
        component: { render: () => h(RouterView) },
        children: [{ path: 'inbox/:view/:id(\\d+)?', name: 'inbox', component: { render: () => h('div') } }, ...adminRoutes],
      },
    ],
  })
  await router.push(path)
  await router.isReady()
  const wrapper = mount({ render: () => h(RouterView) } as Component, { attachTo: document.body, global: { plugins: [pinia, i18n, router] } })
  mounted.push(wrapper)
  await flushPromises()
  return wrapper
}

const button = (w: VueWrapper, text: string) => {
  const b = w.findAll('button').find((x) => x.text() === text)
  if (!b) throw new Error(`no button "${text}" in: ${w.findAll('button').map((x) => x.text()).join(' | ')}`)
  return b
}

const rule = { id: 5, name: 'Tag VIP', enabled: true, position: 1, trigger: 'conversation.created', time: null, conditions: { all: [], any: [] }, actions: [{ type: 'add_tags', value: ['vip'] }] }

describe('automation rules screen', () => {
  it('previews an unsaved rule and links the matches', async () => {
    let dryBody: Record<string, unknown> | undefined
    const dry: Handler = (_u, init) => {
      dryBody = JSON.parse(String(init.body))
      return { body: { statuses: ['new', 'open', 'pending', 'on_hold'], scanned: 12, matched: 2, conversations: [{ id: 31, subject: 'Refund', status: 'open', priority: 'high', requester_name: 'Noa' }, { id: 32, subject: 'Late', status: 'pending', priority: 'normal', requester_name: 'Avi' }] } }
    }
    stubFetch({
      'GET /api/v1/automation-rules': { data: [rule] },
      'POST /api/v1/automation-rules/dry-run': dry,
      'GET /api/v1/canned-responses': { data: [] },
      'GET /api/v1/teams': { data: [{ id: 1, name: 'Support', description: '', agent_ids: [] }] },
    })
    const w = await openSettings('/settings/rules', 'admin')
    expect(w.find('table').text()).toContain('Tag VIP')
    await button(w, 'New rule').trigger('click')
    await flushPromises()
    const dialog = w.find('dialog')
    expect(dialog.text()).not.toMatch(/\badmin\.\w/)
    await dialog.find('input.input').setValue('High priority to Support')
    await button(w, 'Add a condition').trigger('click')
    await button(w, 'Preview (dry run)').trigger('click')
    await flushPromises()
    expect(dryBody).toMatchObject({ name: 'High priority to Support', trigger: 'conversation.created', conditions: { all: [{ field: 'status', op: 'is', value: 'open' }], any: [] } })
    expect(w.find('[data-testid="dry-run-count"]').text()).toBe('Matches 2 of 12 conversations scanned (New, Open, Pending and On hold)')
    const links = w.find('.dry').findAll('a')
    expect(links.map((a) => a.attributes('href'))).toEqual(['/inbox/all/31', '/inbox/all/32'])
  })

  it('puts the server’s field errors beside the condition and action they name', async () => {
    stubFetch({
      'GET /api/v1/automation-rules': { data: [] },
      'GET /api/v1/canned-responses': { data: [] },
      'POST /api/v1/automation-rules': () => ({
        status: 400,
        body: { type: 'https://kesher.dev/problems/validation', title: 'Invalid', status: 400, errors: [
          { field: 'conditions.all[0].value', code: 'wrong_type', message: 'must be a string' },
          { field: 'actions[0].value', code: 'wrong_type', message: 'must be a non-empty list of tag names' },
        ] },
      }),
    })
    const w = await openSettings('/settings/rules', 'admin')
    await button(w, 'New rule').trigger('click')
    await flushPromises()
    await w.find('dialog input.input').setValue('Broken')
    await button(w, 'Add a condition').trigger('click')
    await w.find('dialog form').trigger('submit')
    await flushPromises()
    const cond = w.find('.cond')
    expect(cond.find('.adm-error').text()).toBe('Wrong kind of value.')
    expect(w.find('.act .adm-error').text()).toBe('Wrong kind of value.')
    expect(w.find('dialog [role="alert"]').text()).toBe('Some fields need attention; see the messages beside them.')
  })

  it('reorders with the up and down buttons', async () => {
    let order: unknown
    stubFetch({
      'GET /api/v1/automation-rules': { data: [rule, { ...rule, id: 6, name: 'Second', position: 2 }] },
      'GET /api/v1/canned-responses': { data: [] },
      'POST /api/v1/automation-rules/reorder': (_u, init) => {
        order = JSON.parse(String(init.body))
        return { status: 204 }
      },
    })
    const w = await openSettings('/settings/rules', 'admin')
    await w.find('button[aria-label="Move Second up"]').trigger('click')
    await flushPromises()
    expect(order).toEqual({ ids: [6, 5] })
    expect(w.findAll('tbody tr').map((r) => r.findAll('td')[1].text())).toEqual(['Second', 'Tag VIP'])
  })
})

describe('business hours screen', () => {
  const il = { id: 0, name: 'il', time_zone: 'Asia/Jerusalem', week: defaultWeek(), holidays: [], overrides: [], include_holidays: 'il', builtin: true }

  it('lists the built-in calendar read-only and previews its coming holidays', async () => {
    stubFetch({
      'GET /api/v1/calendars': { data: [il] },
      'GET /api/v1/calendars/il/days': { data: [{ date: '2026-04-01', name: 'ערב פסח', open: [{ start: '09:00', end: '13:00' }] }, { date: '2026-04-02', name: 'פסח', open: [] }] },
      'GET /api/v1/calendars/il/due': { due: '2026-04-05T11:00:00+03:00' },
    })
    const w = await openSettings('/settings/calendars', 'admin', 'he')
    expect(w.find('tbody').text()).toContain('מובנה')
    await w.find('tbody button').trigger('click')
    await flushPromises()
    const dialog = w.find('dialog')
    expect(dialog.text()).toContain('אי אפשר לשנות את הלוח המובנה')
    expect(dialog.findAll('input[type="time"]').every((i) => (i.element as HTMLInputElement).disabled)).toBe(true)
    const rows = dialog.findAll('.preview-row')
    expect(rows.map((r) => r.find('bdi').text())).toEqual(['ערב פסח', 'פסח'])
    expect(rows[1].text()).toContain('סגור כל היום')
    await dialog.find('form.adm-card').trigger('submit')
    await flushPromises()
    const result = dialog.find('.calc-result').text()
    expect(result).toMatch(/^מועד היעד: .*5 באפריל 2026.*11:00 \(Asia\/Jerusalem\)$/)
  })

  it('creates a calendar and shows the server’s week error on the interval', async () => {
    let sent: Record<string, unknown> | undefined
    stubFetch({
      'GET /api/v1/calendars': { data: [il] },
      'POST /api/v1/calendars': (_u, init) => {
        sent = JSON.parse(String(init.body))
        return { status: 400, body: { status: 400, title: 'Invalid', errors: [{ field: 'week[0][0].end', code: 'invalid', message: 'must be after start' }] } }
      },
    })
    const w = await openSettings('/settings/calendars', 'admin')
    await button(w, 'New calendar').trigger('click')
    await flushPromises()
    const dialog = w.find('dialog')
    await dialog.find('input[maxlength="64"]').setValue('support-eu')
    await dialog.find('form').trigger('submit')
    await flushPromises()
    expect(sent).toMatchObject({ name: 'support-eu', time_zone: 'Asia/Jerusalem', include_holidays: 'il', holidays: [], overrides: [] })
    expect((sent!.week as Week)[0]).toEqual([{ start: '09:00', end: '17:00' }])
    expect(dialog.find('[id$="-week-0-0-s"]').attributes('aria-invalid')).toBe('true')
  })
})

describe('new calendar time zone', () => {
  it('includes Israeli holidays by default only for Asia/Jerusalem, until the admin chooses', async () => {
    stubFetch({ 'GET /api/v1/calendars': { data: [] } })
    const w = await openSettings('/settings/calendars', 'admin')
    await button(w, 'New calendar').trigger('click')
    await flushPromises()
    const dialog = w.find('dialog')
    const box = () => dialog.find('label.adm-check input[type="checkbox"]').element as HTMLInputElement
    const zone = dialog.find('select[id$="time_zone"]')
    expect(box().checked).toBe(true)
    await zone.setValue('Europe/Berlin')
    expect(box().checked).toBe(false)
    await zone.setValue('Asia/Jerusalem')
    expect(box().checked).toBe(true)
    // The admin's explicit choice stays.
    await zone.setValue('Europe/Berlin')
    await dialog.find('label.adm-check input[type="checkbox"]').setValue(true)
    await zone.setValue('America/New_York')
    expect(box().checked).toBe(true)
  })
})

describe('SLA policies screen', () => {
  it('sends targets as minutes and the warn percentage as a fraction', async () => {
    let sent: Record<string, unknown> | undefined
    stubFetch({
      'GET /api/v1/sla-policies': { data: [] },
      'GET /api/v1/calendars': { data: [{ id: 0, name: 'il', builtin: true, week: defaultWeek(), time_zone: 'Asia/Jerusalem', holidays: [], overrides: [], include_holidays: 'il' }] },
      'POST /api/v1/sla-policies': (_u, init) => {
        sent = JSON.parse(String(init.body))
        return { body: { id: 1 } }
      },
    })
    const w = await openSettings('/settings/sla', 'admin')
    await button(w, 'New policy').trigger('click')
    await flushPromises()
    const dialog = w.find('dialog')
    await dialog.find('input[maxlength="100"]').setValue('Urgent')
    await dialog.find('input[type="checkbox"][value="urgent"]').setValue(true)
    const hours = dialog.findAll('.target-row')[0].findAll('input[type="number"]')
    await hours[0].setValue(1)
    await hours[1].setValue(30)
    await dialog.find('form').trigger('submit')
    await flushPromises()
    expect(sent).toMatchObject({
      name: 'Urgent', enabled: true, calendar: 'il', warn_fraction: 0.75,
      conditions: { priorities: ['urgent'] },
      targets: { first_response: { minutes: 90, business: true }, next_response: { minutes: 480, business: true }, resolution: { minutes: 2880, business: true } },
      escalation: [{ type: 'notify', value: 'assignee' }],
    })
  })

  it('shows "No calendar" for a policy without one and asks for a calendar only for business-time targets', async () => {
    let sent: Record<string, unknown> | undefined
    const policy = {
      id: 3, name: 'Order system (API)', enabled: true, position: 1, calendar: '', warn_fraction: 0.5, escalation: [{ type: 'set_team', value: 1 }],
      conditions: { priorities: [], inbox_ids: [], channels: [], contact_tiers: [], organization_ids: [], tags: ['fast-sla'] },
      targets: { first_response: { minutes: 1, business: false }, next_response: { minutes: 0, business: false }, resolution: { minutes: 0, business: false } },
    }
    stubFetch({
      'GET /api/v1/sla-policies': { data: [policy] },
      'GET /api/v1/calendars': { data: [{ id: 0, name: 'il', builtin: true, week: defaultWeek(), time_zone: 'Asia/Jerusalem', holidays: [], overrides: [], include_holidays: 'il' }] },
      'GET /api/v1/teams': { data: [{ id: 1, name: 'מערכת ההזמנות (API)', description: '', agent_ids: [] }] },
      'PATCH /api/v1/sla-policies/3': (_u, init) => {
        sent = JSON.parse(String(init.body))
        return { body: policy }
      },
    })
    const w = await openSettings('/settings/sla', 'admin')
    expect(w.find('tbody').text()).toContain('No calendar (calendar time only)')
    await button(w, 'Edit').trigger('click')
    await flushPromises()
    const dialog = w.find('dialog')
    const select = dialog.find('select[id$="calendar"]')
    expect((select.element as HTMLSelectElement).value).toBe('')
    const el = select.element as HTMLSelectElement
    expect(el.options[el.selectedIndex].text).toBe('No calendar (calendar time only)')
    // A mixed Hebrew/English team name is isolated so an RTL page keeps its order.
    expect(dialog.find('.esc-row select + select option').text()).toBe('\u2068מערכת ההזמנות (API)\u2069')
    // Turning the first response to business time needs a calendar.
    await dialog.findAll('.target-row')[0].find('select').setValue('true')
    await dialog.find('form').trigger('submit')
    await flushPromises()
    expect(sent).toBeUndefined()
    expect(dialog.text()).toContain('Choose a calendar: a target counts business hours.')
    await dialog.findAll('.target-row')[0].find('select').setValue('false')
    await dialog.find('form').trigger('submit')
    await flushPromises()
    expect(sent).toMatchObject({ calendar: '', targets: { first_response: { minutes: 1, business: false } } })
  })

  it('is view-only for agents', async () => {
    stubFetch({ 'GET /api/v1/sla-policies': { data: [] }, 'GET /api/v1/calendars': { data: [] } })
    const w = await openSettings('/settings/sla', 'agent')
    expect(w.text()).toContain('Changing it needs the admin role.')
    expect(w.findAll('button').some((b) => b.text() === 'New policy')).toBe(false)
  })
})
