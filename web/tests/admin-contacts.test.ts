// Contacts and organizations screens, against a stubbed fetch.
import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, RouterView, type Router } from 'vue-router'
import { h, type Component } from 'vue'
import { applyLocale, i18n } from '@/i18n'
import { adminRoutes } from '@/router/admin'
import type { Contact, Organization } from '@/api/types'
import { useSessionStore } from '@/stores/session'
import ContactsListView from '@/views/contacts/ContactsListView.vue'
import ContactProfileView from '@/views/contacts/ContactProfileView.vue'
import MergeContactDialog from '@/views/contacts/MergeContactDialog.vue'
import { contactPatch, contactForm } from '@/views/contacts/lib'
import { conv, me, stubFetch } from './helpers'

const Blank = { render: () => h('div') }

function contact(id: number, over: Partial<Contact> = {}): Contact {
  return {
    id, name: `Contact ${id}`, emails: [`c${id}@example.test`], phones: [], language: 'en', time_zone: '', tier: 'standard',
    organization_id: null, external_ids: {}, custom_attributes: {}, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...over,
  }
}

function org(id: number, over: Partial<Organization> = {}): Organization {
  return { id, name: `Org ${id}`, domains: [], external_id: null, custom_attributes: {}, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...over }
}

const mounted: VueWrapper[] = []
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount()
  document.body.innerHTML = ''
})

/** Mounts comp with the app's plugins and a router holding the admin routes, at path. */
async function mountAt<C extends Component>(comp: C, path: string, props: Record<string, unknown> = {}, permissions = ['contacts:read', 'contacts:write', 'conversations:read']) {
  const pinia = createPinia()
  setActivePinia(pinia)
  applyLocale('en')
  useSessionStore().me = me({ permissions })
  const router: Router = createRouter({
    history: createMemoryHistory(),
    routes: [
      {
        path: '/',
        component: { render: () => h(RouterView) },
        children: [{ path: '', component: Blank }, { path: 'inbox/:view/:id(\\d+)?', name: 'inbox', component: Blank }, ...adminRoutes],
      },
    ],
  })
  await router.push(path)
  await router.isReady()
  const wrapper = mount(comp as Component, { props, attachTo: document.body, global: { plugins: [pinia, i18n, router] } })
  mounted.push(wrapper)
  await flushPromises()
  return { wrapper, router }
}

describe('contacts list', () => {
  it('renders rows and loads more with the cursor', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/contacts': (url) =>
        url.searchParams.get('cursor') === 'page-2'
          ? { body: { data: [contact(3, { name: 'Noa Levi' })], next_cursor: null } }
          : { body: { data: [contact(1, { name: 'Dana Cohen', organization_id: 7 }), contact(2, { name: 'Avi Mizrahi' })], next_cursor: 'page-2' } },
      'GET /api/v1/organizations/7': org(7, { name: 'Acme' }),
    })
    const { wrapper } = await mountAt(ContactsListView, '/contacts')
    let rows = wrapper.findAll('tr.contact-row')
    expect(rows).toHaveLength(2)
    expect(rows[0].text()).toContain('Dana Cohen')
    expect(rows[0].text()).toContain('c1@example.test')
    expect(rows[0].text()).toContain('Acme')
    expect(rows[0].find('a').attributes('href')).toBe('/contacts/1')

    const more = wrapper.find('button.load-more')
    expect(more.text()).toBe('Load more')
    await more.trigger('click')
    await flushPromises()
    rows = wrapper.findAll('tr.contact-row')
    expect(rows.map((r) => r.find('a').text())).toEqual(['Dana Cohen', 'Avi Mizrahi', 'Noa Levi'])
    const listCalls = calls.filter((c) => c.url.pathname === '/api/v1/contacts')
    expect(listCalls.map((c) => c.url.searchParams.get('cursor'))).toEqual([null, 'page-2'])
    expect(wrapper.find('button.load-more').exists()).toBe(false)
  })

  it('searches with ?q= and says when nothing matches', async () => {
    const { calls } = stubFetch({ 'GET /api/v1/contacts': { data: [], next_cursor: null } })
    const { wrapper } = await mountAt(ContactsListView, '/contacts?q=zzz')
    expect(calls[0].url.searchParams.get('q')).toBe('zzz')
    expect(wrapper.text()).toContain('No contacts match “zzz”.')
    expect(wrapper.find('input[type="search"]').element).toHaveProperty('value', 'zzz')
  })

  it('hides the create button without contacts:write', async () => {
    stubFetch({ 'GET /api/v1/contacts': { data: [contact(1)], next_cursor: null } })
    const { wrapper } = await mountAt(ContactsListView, '/contacts', {}, ['contacts:read'])
    expect(wrapper.findAll('button').map((b) => b.text())).not.toContain('New contact')
  })
})

describe('merge duplicates', () => {
  const kept = contact(10, { name: 'Dana Cohen', emails: ['dana@example.test'] })
  const dup = contact(11, { name: 'Dana C.', emails: ['dana.c@example.test'], phones: ['+972501234567'] })

  async function pickDuplicate(wrapper: VueWrapper) {
    const search = wrapper.find('input[type="search"]')
    await search.setValue('dana')
    await search.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    const results = wrapper.findAll('.adm-picker-item')
    // The contact itself is not offered.
    expect(results.map((r) => r.text())).toEqual([expect.stringContaining('Dana C.')])
    await results[0].trigger('click')
    await flushPromises()
  }

  it('calls the merge endpoint with from_id and shows the surviving contact', async () => {
    const survivor = { ...kept, emails: ['dana@example.test', 'dana.c@example.test'], phones: ['+972501234567'] }
    const { calls } = stubFetch({
      'GET /api/v1/contacts': { data: [kept, dup], next_cursor: null },
      'GET /api/v1/contacts/11': dup,
      'POST /api/v1/contacts/10/merge': survivor,
    })
    const { wrapper } = await mountAt(MergeContactDialog, '/contacts/10', { contact: kept })
    expect(wrapper.find('[role="dialog"]').exists()).toBe(true)
    await pickDuplicate(wrapper)

    // The confirmation says plainly which one survives.
    expect(wrapper.find('.merge-summary').text()).toBe('Dana C. (#11) will be merged into Dana Cohen (#10). Dana Cohen stays; Dana C. will no longer exist.')
    expect(wrapper.find('.merge-keep').text()).toContain('Dana Cohen')
    expect(wrapper.find('.merge-gone').text()).toContain('Dana C.')
    const confirm = wrapper.find('button.merge-confirm')
    expect(confirm.text()).toBe('Merge Dana C. into Dana Cohen')
    await confirm.trigger('click')
    await flushPromises()

    const post = calls.find((c) => c.method === 'POST')
    expect(post?.url.pathname).toBe('/api/v1/contacts/10/merge')
    expect(post?.body).toEqual({ from_id: 11 })
    expect(wrapper.find('.merge-done').text()).toBe('Merged. Dana Cohen (#10) is the contact that remains.')
    expect(wrapper.find('.merge-survivor').text()).toBe('Dana Cohen')
    expect(wrapper.text()).toContain('dana.c@example.test')
    expect(wrapper.emitted('merged')?.[0]).toEqual([survivor, dup])
  })

  it('can keep the other contact instead', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/contacts': { data: [kept, dup], next_cursor: null },
      'GET /api/v1/contacts/11': dup,
      'POST /api/v1/contacts/11/merge': dup,
    })
    const { wrapper } = await mountAt(MergeContactDialog, '/contacts/10', { contact: kept })
    await pickDuplicate(wrapper)
    const swap = wrapper.findAll('button').find((b) => b.text() === 'Keep Dana C. instead')
    await swap!.trigger('click')
    expect(wrapper.find('.merge-summary').text()).toContain('Dana Cohen (#10) will be merged into Dana C. (#11). Dana C. stays')
    await wrapper.find('button.merge-confirm').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({ body: { from_id: 10 } })
    expect(calls.find((c) => c.method === 'POST')?.url.pathname).toBe('/api/v1/contacts/11/merge')
  })

  it('closes on Escape', async () => {
    stubFetch({})
    const { wrapper } = await mountAt(MergeContactDialog, '/contacts/10', { contact: kept })
    await wrapper.find('[role="dialog"]').trigger('keydown', { key: 'Escape' })
    expect(wrapper.emitted('close')).toHaveLength(1)
  })
})

describe('contact profile', () => {
  it('shows the profile and links conversations to the inbox', async () => {
    stubFetch({
      'GET /api/v1/contacts/5': contact(5, { name: 'Yael Bar', organization_id: 3, external_ids: { shop: 'A-17' }, custom_attributes: { plan: 'gold', seats: 3 } }),
      'GET /api/v1/organizations/3': org(3, { name: 'Bar Ltd' }),
      'GET /api/v1/conversations': (url) => {
        expect(url.searchParams.get('requester')).toBe('5')
        return { body: { data: [conv(42, { number: 1042, subject: 'Refund please' })], next_cursor: null } }
      },
    })
    const { wrapper } = await mountAt(ContactProfileView, '/contacts/5')
    expect(wrapper.find('h1').text()).toBe('Yael Bar')
    expect(wrapper.text()).toContain('Bar Ltd')
    expect(wrapper.text()).toContain('shop: A-17')
    expect(wrapper.text()).toContain('seats: 3')
    const link = wrapper.find('tr.conv-row a')
    expect(link.text()).toContain('#1042')
    expect(link.attributes('href')).toBe('/inbox/all/42')
  })

  it('places a server error beside the field it names', async () => {
    const c = contact(5, { name: 'Yael Bar', emails: ['yael@example.test'] })
    stubFetch({
      'GET /api/v1/contacts/5': c,
      'GET /api/v1/conversations': { data: [], next_cursor: null },
      'PATCH /api/v1/contacts/5': () => ({
        status: 400,
        body: { type: 'https://kesher.dev/problems/validation', title: 'Invalid input', status: 400, errors: [{ field: 'emails[1]', code: 'taken', message: 'taken' }] },
      }),
    })
    const { wrapper } = await mountAt(ContactProfileView, '/contacts/5')
    await wrapper.findAll('button').find((b) => b.text() === 'Edit')!.trigger('click')
    const emails = wrapper.find('textarea[id$="-emails"]')
    await emails.setValue('yael@example.test\nother@example.test')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(emails.attributes('aria-invalid')).toBe('true')
    const errId = emails.attributes('aria-describedby')!.split(' ').find((x) => x.endsWith('-error'))!
    expect(document.getElementById(errId)?.textContent).toBe('Entry 2: Already in use.')
    expect(document.activeElement).toBe(emails.element)
  })

  it('sends removed custom attributes as null and keeps non-string values typed', () => {
    const c = contact(5, { custom_attributes: { plan: 'gold', seats: 3, old: 'x' } })
    const f = contactForm(c, null)
    f.custom_attributes = f.custom_attributes.filter((r) => r.key !== 'old').map((r) => (r.key === 'seats' ? { ...r, value: '4' } : r))
    expect(contactPatch(f, c).custom_attributes).toEqual({ plan: 'gold', seats: 4, old: null })
  })
})
