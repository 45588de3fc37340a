// Settings screens, against a stubbed fetch.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { h, type Component } from 'vue'
import { applyLocale, i18n } from '@/i18n'
import { adminRoutes } from '@/router/admin'
import type { Agent, Me } from '@/api/types'
import { ApiError } from '@/api/client'
import { useSessionStore } from '@/stores/session'
import { resolveField, useFormErrors } from '@/views/settings/lib/forms'
import { me, stubFetch } from './helpers'

const Blank = { render: () => h('div') }
const ADMIN_PERMS = [
  'conversations:read', 'conversations:write', 'contacts:read', 'contacts:write', 'agents:read', 'agents:write', 'teams:read', 'teams:write',
  'inboxes:read', 'inboxes:write', 'tags:read', 'tags:write', 'audit:read', 'tokens:write', 'canned:read', 'canned:write',
]
const AGENT_PERMS = ['conversations:read', 'conversations:write', 'contacts:read', 'contacts:write', 'agents:read', 'teams:read', 'inboxes:read', 'tags:read', 'tokens:write', 'canned:read']

function agent(id: number, over: Partial<Agent> = {}): Agent {
  return {
    id, name: `Agent ${id}`, email: `a${id}@example.test`, role: 'agent', team_ids: [1], languages: ['he'], capacity: 20, availability: 'online',
    locale: 'he', time_zone: 'Asia/Jerusalem', active: true, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...over,
  }
}

const mounted: VueWrapper[] = []
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount()
  document.body.innerHTML = ''
})

/** Mounts the app's router view at path (a settings section, loaded lazily like in the app) as the given agent. */
async function openSettings(path: string, who: Partial<Me>) {
  const pinia = createPinia()
  setActivePinia(pinia)
  applyLocale('en')
  useSessionStore().me = me(who)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      {
        path: '/',
        component: { render: () => h(RouterView) },
        children: [
          { path: '', component: Blank },
          { path: 'inbox/:view/:id(\\d+)?', name: 'inbox', component: Blank },
          { path: 'sign-in', name: 'sign-in', component: Blank },
          ...adminRoutes,
        ],
      },
    ],
  })
  await router.push(path)
  await router.isReady()
  const wrapper = mount({ render: () => h(RouterView) } as Component, { attachTo: document.body, global: { plugins: [pinia, i18n, router] } })
  mounted.push(wrapper)
  await flushPromises()
  return { wrapper, router }
}

const buttonTexts = (w: VueWrapper) => w.findAll('button').map((b) => b.text())
const button = (w: VueWrapper, text: string) => {
  const b = w.findAll('button').find((x) => x.text() === text)
  if (!b) throw new Error(`no button "${text}" in: ${buttonTexts(w).join(' | ')}`)
  return b
}

describe('settings routes', () => {
  it('redirects /settings to the profile and lists every section', async () => {
    stubFetch({})
    const { wrapper, router } = await openSettings('/settings', { permissions: AGENT_PERMS })
    expect(router.currentRoute.value.name).toBe('settings-profile')
    const nav = wrapper.find('nav').findAll('a').map((a) => a.text())
    expect(nav).toEqual([
      'My profile & language', 'API tokens', 'Agents and roles, View only', 'Teams, View only', 'Inboxes, View only', 'Tags, View only', 'Canned responses, View only',
      'Business hours, View only', 'SLA policies, View only', 'Automation rules, View only', 'Compensation, View only', 'Orders and shops, View only',
    ])
  })

  it('loads every screen lazily', () => {
    const lazy = (r: (typeof adminRoutes)[number]): boolean =>
      (!r.component || (typeof r.component === 'function' && !('render' in r.component) && !('setup' in r.component))) && (r.children ?? []).every(lazy)
    expect(adminRoutes.every(lazy)).toBe(true)
  })
})

describe('agents', () => {
  it('shows a server field error beside the right field and focuses it', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/agents': { data: [agent(1, { name: 'Admin', role: 'admin' })] },
      'GET /api/v1/teams': { data: [{ id: 1, name: 'Support', description: '', agent_ids: [1] }] },
      'POST /api/v1/agents': () => ({
        status: 400,
        body: {
          type: 'https://kesher.dev/problems/validation', title: 'Invalid input', status: 400,
          errors: [{ field: 'email', code: 'taken', message: 'another agent has this email' }],
        },
      }),
    })
    const { wrapper } = await openSettings('/settings/agents', { id: 1, role: 'admin', permissions: ADMIN_PERMS })
    expect(wrapper.find('tr.agent-row').text()).toContain('Admin')
    await button(wrapper, 'Add agent').trigger('click')
    await flushPromises()
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.exists()).toBe(true)
    await dialog.find('input[id$="-name"]').setValue('Rina Shani')
    const email = dialog.find('input[type="email"]')
    await email.setValue('admin@kesher.test')
    await dialog.find('input[type="password"]').setValue('long-enough-password')
    await dialog.find('input[type="checkbox"][value="1"]').setValue(true)
    await dialog.find('form').trigger('submit')
    await flushPromises()

    const post = calls.find((c) => c.method === 'POST')
    expect(post?.body).toMatchObject({ name: 'Rina Shani', email: 'admin@kesher.test', role: 'agent', password: 'long-enough-password', team_ids: [1], capacity: 20 })
    expect(email.attributes('aria-invalid')).toBe('true')
    const errorId = email.attributes('aria-describedby')
    expect(errorId).toMatch(/-email-error$/)
    const error = document.getElementById(errorId!)
    expect(error?.textContent).toBe('Already in use.')
    // Beside the email field, not elsewhere.
    expect(error?.closest('.adm-field')?.querySelector('input')).toBe(email.element)
    expect(dialog.find('input[id$="-name"]').attributes('aria-invalid')).toBeUndefined()
    expect(document.activeElement).toBe(email.element)
    expect(dialog.find('[role="alert"]').text()).toContain('Some fields need attention')
  })

  it('checks required fields before sending', async () => {
    const { calls } = stubFetch({ 'GET /api/v1/agents': { data: [] } })
    const { wrapper } = await openSettings('/settings/agents', { role: 'admin', permissions: ADMIN_PERMS })
    await button(wrapper, 'Add agent').trigger('click')
    await wrapper.find('[role="dialog"] form').trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
    const name = wrapper.find('[role="dialog"] input[id$="-name"]')
    expect(name.attributes('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(name.element)
  })

  it('deactivates an agent after confirmation', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/agents': { data: [agent(1, { role: 'admin', name: 'Me' }), agent(2, { name: 'Omer' })] },
      'PATCH /api/v1/agents/2': agent(2, { name: 'Omer', active: false }),
    })
    const { wrapper } = await openSettings('/settings/agents', { id: 1, role: 'admin', permissions: ADMIN_PERMS })
    // No deactivate button on one's own row.
    expect(wrapper.findAll('button').filter((b) => b.attributes('aria-label') === 'Deactivate Me')).toHaveLength(0)
    await wrapper.findAll('button').find((b) => b.attributes('aria-label') === 'Deactivate Omer')!.trigger('click')
    expect(wrapper.find('[role="dialog"]').text()).toContain('Omer will be signed out everywhere')
    await wrapper.find('[role="dialog"] .btn-danger').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ active: false })
    expect(wrapper.text()).toContain('Deactivated')
  })
})

describe('permissions', () => {
  it('hides edit controls without the permission', async () => {
    stubFetch({
      'GET /api/v1/agents': { data: [agent(1), agent(2)] },
      'GET /api/v1/teams': { data: [{ id: 1, name: 'Support', description: '', agent_ids: [1, 2] }, { id: 2, name: 'Billing', description: '', agent_ids: [] }] },
      'GET /api/v1/inboxes': { data: [{ id: 1, name: 'Support mail', channel: 'email', address: 'support@example.test', team_id: 1, settings: {}, enabled: true }] },
      'GET /api/v1/tags': { data: [{ id: 1, name: 'vip', color: '#ca8a04' }] },
      'GET /api/v1/canned-responses': { data: [{ id: 1, title: 'Hello', body: 'Hi {{contact.first_name}}', language: '', shortcut: 'hi', team_id: null, created_by: 1, created_at: '', updated_at: '' }] },
    })
    const who = { id: 1, role: 'agent' as const, permissions: AGENT_PERMS }
    for (const [path, create] of [
      ['/settings/agents', 'Add agent'],
      ['/settings/teams', 'Add team'],
      ['/settings/inboxes', 'Add inbox'],
      ['/settings/tags', 'Add tag'],
      ['/settings/canned', 'Add canned response'],
    ] as const) {
      const { wrapper } = await openSettings(path, who)
      const content = wrapper.find('.settings-content')
      expect(content.findAll('tbody tr').length, path).toBeGreaterThan(0)
      const texts = content.findAll('button').map((b) => b.text())
      expect(texts, path).not.toContain(create)
      expect(texts, path).not.toContain('Edit')
      expect(texts, path).not.toContain('Delete')
      expect(texts, path).not.toContain('Test connection')
      expect(content.findAll('input[type="color"]'), path).toHaveLength(0)
      expect(content.find('[role="note"]').text(), path).toContain('You can view this section')
      wrapper.unmount()
      mounted.length = 0
    }
  })

  it('shows the controls with the permission, and a supervisor edits only their own teams', async () => {
    stubFetch({ 'GET /api/v1/teams': { data: [{ id: 1, name: 'Support', description: '', agent_ids: [1] }, { id: 2, name: 'Billing', description: '', agent_ids: [] }] } })
    const sup = await openSettings('/settings/teams', {
      id: 1, role: 'supervisor', team_ids: [1], permissions: [...AGENT_PERMS, 'teams:write', 'tags:write', 'canned:write'],
    })
    expect(buttonTexts(sup.wrapper)).not.toContain('Add team')
    const rows = sup.wrapper.findAll('tbody tr')
    expect(rows[0].text()).toContain('Billing')
    expect(rows[0].find('button').exists()).toBe(false)
    expect(rows[1].text()).toContain('Support')
    expect(rows[1].find('button').text()).toBe('Edit')

    const admin = await openSettings('/settings/teams', { id: 1, role: 'admin', team_ids: [1], permissions: ADMIN_PERMS })
    expect(buttonTexts(admin.wrapper)).toContain('Add team')
    expect(admin.wrapper.findAll('tbody tr button')).toHaveLength(2)
  })

  it("shows the server's 403 as a clear message", async () => {
    stubFetch({
      'GET /api/v1/tags': { data: [{ id: 1, name: 'vip', color: '#ca8a04' }] },
      'PATCH /api/v1/tags/1': () => ({
        status: 403,
        body: { type: 'https://kesher.dev/problems/forbidden', title: 'Forbidden', status: 403, detail: 'your role or token scope lacks tags:write' },
      }),
    })
    const { wrapper } = await openSettings('/settings/tags', { role: 'supervisor', permissions: [...AGENT_PERMS, 'tags:write'] })
    const color = wrapper.find('tbody input[type="color"]')
    await color.setValue('#ff0000')
    await color.trigger('change')
    await flushPromises()
    expect(wrapper.find('tbody [role="status"]').text()).toBe("You don't have permission to do this (it needs tags:write). Ask an administrator.")
  })
})

describe('API tokens', () => {
  it('shows the secret once, with a copy button', async () => {
    const secret = 'ksr_abcdEFGHijklMNOPqrstUVWXyz0123456789'
    const writeText = vi.fn(async () => undefined)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const { calls } = stubFetch({
      'GET /api/v1/tokens': { data: [] },
      'POST /api/v1/tokens': () => ({
        status: 201,
        body: { id: 9, agent_id: 1, name: 'Order sync', prefix: 'ksr_abcd', scopes: ['contacts:read'], created_at: '2026-01-01T00:00:00Z', last_used_at: null, expires_at: null, token: secret },
      }),
    })
    const { wrapper } = await openSettings('/settings/tokens', { permissions: AGENT_PERMS })
    expect(wrapper.text()).toContain('No API tokens yet.')
    await button(wrapper, 'Create token').trigger('click')
    const dialog = () => wrapper.find('[role="dialog"]')
    await dialog().find('input[id$="-name"]').setValue('Order sync')
    await dialog().findAll('input[type="radio"]')[1].setValue(true)
    // The scopes offered are the agent's own permissions.
    expect(dialog().findAll('input[type="checkbox"]').map((c) => (c.element as HTMLInputElement).value)).toEqual(AGENT_PERMS)
    await dialog().find('input[type="checkbox"][value="contacts:read"]').setValue(true)
    await dialog().find('form').trigger('submit')
    await flushPromises()

    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'Order sync', scopes: ['contacts:read'] })
    expect(calls.find((c) => c.method === 'POST')).toBeTruthy()
    const shown = dialog().find('input[readonly]')
    expect((shown.element as HTMLInputElement).value).toBe(secret)
    expect(dialog().text()).toContain('It is shown only this once')
    await button(wrapper, 'Copy').trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith(secret)
    expect(dialog().text()).toContain('Copied to the clipboard.')

    // The list shows only the prefix; once closed the secret is gone for good.
    await button(wrapper, "I've copied it").trigger('click')
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(wrapper.find('tbody').text()).toContain('ksr_abcd…')
    expect(wrapper.html()).not.toContain(secret)
    await button(wrapper, 'Create token').trigger('click')
    expect(wrapper.html()).not.toContain(secret)
    expect(dialog().find('input[readonly]').exists()).toBe(false)
  })

  it('revokes a token after confirmation', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/tokens': { data: [{ id: 4, agent_id: 1, name: 'Old', prefix: 'ksr_old1', scopes: ['*'], created_at: '2026-01-01T00:00:00Z', last_used_at: null, expires_at: null }] },
      'DELETE /api/v1/tokens/4': () => ({ status: 204 }),
    })
    const { wrapper } = await openSettings('/settings/tokens', { permissions: AGENT_PERMS })
    expect(wrapper.find('tbody').text()).toContain('Everything my role allows')
    await button(wrapper, 'Revoke').trigger('click')
    await wrapper.find('[role="dialog"] .btn-danger').trigger('click')
    await flushPromises()
    expect(calls.some((c) => c.method === 'DELETE' && c.url.pathname === '/api/v1/tokens/4')).toBe(true)
    expect(wrapper.text()).toContain('No API tokens yet.')
  })
})

describe('teams', () => {
  it('shows the assignment mode and sends the chosen one when a team is edited', async () => {
    const team = { id: 1, name: 'Support', description: '', agent_ids: [1], assignment_mode: 'manual' }
    let reject = true
    const { calls } = stubFetch({
      'GET /api/v1/teams': { data: [team] },
      'PATCH /api/v1/teams/1': (_u, init) => {
        if (reject) {
          reject = false
          return {
            status: 400,
            body: { type: 'https://kesher.dev/problems/validation', title: 'Invalid input', status: 400, errors: [{ field: 'assignment_mode', code: 'invalid', message: 'x' }] },
          }
        }
        return { body: { ...team, ...JSON.parse(String(init.body)) } }
      },
    })
    const { wrapper } = await openSettings('/settings/teams', { role: 'admin', permissions: ADMIN_PERMS })
    expect(wrapper.find('tbody tr').text()).toContain('Manual')
    await button(wrapper, 'Edit').trigger('click')
    const dialog = () => wrapper.find('[role="dialog"]')
    const select = dialog().find('select[id$="-assignment_mode"]')
    expect(dialog().find(`label[for="${select.attributes('id')}"]`).text()).toBe('Assignment')
    expect((select.element as HTMLSelectElement).value).toBe('manual')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['Manual', 'Round robin', 'Load balanced'])
    await select.setValue('round_robin')
    const hint = dialog().find(`#${select.attributes('aria-describedby')}`)
    expect(hint.text()).toContain('in turn')

    await dialog().find('form').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.method === 'PATCH')[0].body).toMatchObject({ assignment_mode: 'round_robin' })
    expect(select.attributes('aria-invalid')).toBe('true')

    await dialog().find('form').trigger('submit')
    await flushPromises()
    expect(calls.filter((c) => c.method === 'PATCH')[1].body).toMatchObject({ assignment_mode: 'round_robin' })
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(wrapper.find('tbody tr').text()).toContain('Round robin')
  })
})

describe('inboxes', () => {
  it('sends the mail servers, keeps a saved password when left empty, and tests the connection', async () => {
    const inbox = {
      id: 3, name: 'Support mail', channel: 'email', address: 'support@example.test', team_id: null, enabled: true,
      settings: { from_name: 'Shop', smtp: { host: 'smtp.example.test', port: 587, tls: 'starttls', username: 'support', password_set: true } },
    }
    const { calls } = stubFetch({
      'GET /api/v1/inboxes': { data: [inbox] },
      'PATCH /api/v1/inboxes/3': () => ({
        status: 400,
        body: { type: 'https://kesher.dev/problems/validation', title: 'Invalid input', status: 400, errors: [{ field: 'settings.imap.port', code: 'invalid', message: 'port must be…' }] },
      }),
      'POST /api/v1/inboxes/3/test': { smtp: { ok: true, error: '' }, imap: { ok: false, error: 'dial tcp: connection refused' } },
    })
    const { wrapper } = await openSettings('/settings/inboxes', { role: 'admin', permissions: ADMIN_PERMS })
    await button(wrapper, 'Edit').trigger('click')
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.find('input[id$="-settings-smtp-password"]').attributes('placeholder')).toBe('Saved password')
    await dialog.findAll('input[type="checkbox"]').find((c) => c.element.parentElement?.textContent?.includes('Fetch mail from an IMAP server'))!.setValue(true)
    await dialog.find('input[id$="-settings-imap-host"]').setValue('imap.example.test')
    await dialog.find('input[id$="-settings-imap-port"]').setValue('99')
    await dialog.find('input[id$="-settings-imap-password"]').setValue('imap-secret')
    // Processed mail is moved to a folder (kept on save, never dropped).
    await dialog.find('select[id$="-settings-imap-processed"]').setValue('move')
    await dialog.find('input[aria-label="Folder to move to"]').setValue('Kesher/Done')
    await dialog.find('form').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      name: 'Support mail', address: 'support@example.test', team_id: null, enabled: true,
      settings: {
        from_name: 'Shop',
        smtp: { host: 'smtp.example.test', port: 587, tls: 'starttls', username: 'support' },
        imap: { host: 'imap.example.test', port: 99, tls: 'tls', password: 'imap-secret', processed: 'move:Kesher/Done' },
      },
    })
    const port = dialog.find('input[id$="-settings-imap-port"]')
    expect(port.attributes('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(port.element)

    await dialog.find('.conn-test button').trigger('click')
    await flushPromises()
    const results = dialog.find('.conn-results')
    expect(results.find('[data-server="smtp"]').text()).toContain('Connected')
    expect(results.find('[data-server="imap"]').text()).toContain('Failed:')
    expect(results.find('[data-server="imap"]').text()).toContain('dial tcp: connection refused')
  })
})

describe('my profile', () => {
  it('switches the UI language at once and saves it', async () => {
    const { calls } = stubFetch({ 'PATCH /api/v1/me': (_u, init) => ({ body: { ...me(), ...JSON.parse(String(init.body)) } }) })
    const { wrapper } = await openSettings('/settings/profile', { locale: 'en', permissions: AGENT_PERMS })
    expect(wrapper.find('.settings-content h2').text()).toBe('My profile & language')
    await wrapper.find('input[type="radio"][value="he"]').setValue(true)
    await flushPromises()
    expect(i18n.global.locale.value).toBe('he')
    expect(document.documentElement.dir).toBe('rtl')
    expect(wrapper.find('.settings-content h2').text()).toBe('הפרופיל והשפה שלי')
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ locale: 'he' })
    applyLocale('en')
  })

  it('changes the password after checking the current one is given and the two match', async () => {
    const { calls } = stubFetch({ 'PATCH /api/v1/me': { ...me() } })
    const { wrapper } = await openSettings('/settings/profile', { permissions: AGENT_PERMS })
    const [current, pw, again] = wrapper.findAll('input[type="password"]')
    await pw.setValue('a-new-password-1')
    await again.setValue('a-new-password-1')
    await wrapper.findAll('form')[1].trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false)
    expect(current.attributes('aria-invalid')).toBe('true')
    await current.setValue('the-old-password')
    await again.setValue('a-new-password-2')
    await wrapper.findAll('form')[1].trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false)
    expect(again.attributes('aria-invalid')).toBe('true')
    await again.setValue('a-new-password-1')
    await wrapper.findAll('form')[1].trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ password: 'a-new-password-1', current_password: 'the-old-password' })
    expect(wrapper.text()).toContain('Sign in again with the new password.')
  })
})

describe('form errors', () => {
  it('maps problem fields to the form fields they belong to', () => {
    const known = ['name', 'emails', 'external_ids', 'settings.smtp.host', 'settings']
    expect(resolveField('emails[2]', known)).toBe('emails')
    expect(resolveField('external_ids.crm', known)).toBe('external_ids')
    expect(resolveField('settings.smtp.host', known)).toBe('settings.smtp.host')
    expect(resolveField('settings.imap.port', known)).toBe('settings')
    expect(resolveField('body', known)).toBeNull()
  })

  it('puts unplaced field errors in the general message', () => {
    applyLocale('en')
    const f = useFormErrors(['name'])
    f.apply(new ApiError(400, { errors: [{ field: 'name', code: 'required', message: 'x' }, { field: 'colour', code: 'unknown_field', message: 'y' }] }))
    expect(f.errors.name).toBe('Required.')
    expect(f.general.value).toBe('The server rejected the input. colour: Unknown field.')
  })
})
