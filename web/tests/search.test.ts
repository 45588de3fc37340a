// The search results page against a stubbed API: hits grouped by type,
// snippets rendered with <mark> only (anything else stays text), links to
// the conversation, contact and article, filters kept in the URL and sent
// to the API, a problem naming the field, and Hebrew RTL.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { applyLocale, i18n } from '@/i18n'
import type { Locale } from '@/api/types'
import type { SearchHit } from '@/api/search'
import { safeSnippet } from '@/api/search'
import SearchView from '@/views/SearchView.vue'
import { stubFetch, type Handler } from './helpers'

const mounted: VueWrapper[] = []
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount()
  vi.unstubAllGlobals()
  applyLocale('en')
})

const HITS: SearchHit[] = [
  { type: 'message', id: 71, conversation_id: 7, title: 'Late parcel', snippet: 'my <mark>parcel</mark> &lt;img src=x onerror=alert(1)&gt; is late', language: 'en', time: '2026-11-01T10:00:00Z', score: 3.2, confidence: 1 },
  { type: 'contact', id: 5, title: 'דנה כהן', snippet: 'dana@example.com', time: '2026-10-01T10:00:00Z', score: 2, confidence: 1 },
  { type: 'article', id: 9, title: 'Delivery times', snippet: '<mark>Parcels</mark> arrive in 3 days <img src=x onerror=alert(2)>', language: 'en', time: '2026-10-01T10:00:00Z', score: 1, confidence: 0.6 },
]

async function open(path: string, handler: Handler, locale: Locale = 'en') {
  setActivePinia(createPinia())
  applyLocale(locale)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/search', name: 'search', component: SearchView },
      { path: '/inbox/:view/:id(\\d+)?', name: 'inbox', component: { template: '<div />' } },
      { path: '/contacts/:id(\\d+)', name: 'contacts', component: { template: '<div />' } },
    ],
  })
  const stub = stubFetch({ 'GET /api/v1/search': handler })
  await router.push(path)
  const w = mount({ template: '<RouterView />' }, { global: { plugins: [i18n, router] }, attachTo: document.body })
  mounted.push(w)
  await flushPromises()
  return { w, router, stub }
}

describe('search page', () => {
  it('groups hits, renders only <mark> from snippets and links each hit', async () => {
    const { w, stub } = await open('/search?q=parcel', () => ({ body: { hits: HITS, total: 3, total_is_lower_bound: false } }))
    expect(stub.calls[0].url.searchParams.get('q')).toBe('parcel')
    expect(w.find('h1').text()).toBe('Results for “parcel”')
    const groups = w.findAll('section.group').map((s) => s.find('h2').text())
    expect(groups).toEqual(['Conversations (1)', 'Contacts (1)', 'Articles (1)'])
    const conv = w.find('[data-testid="group-conversations"] .snippet')
    expect(conv.findAll('mark').map((m) => m.text())).toEqual(['parcel'])
    expect(conv.text()).toBe('my parcel <img src=x onerror=alert(1)> is late')
    expect(w.findAll('img')).toHaveLength(0) // the article's raw <img> stays text
    expect(w.find('[data-testid="group-articles"] .snippet').text()).toContain('<img src=x onerror=alert(2)>')
    const links = w.findAll('a.hit').map((a) => a.attributes('href'))
    expect(links).toEqual(['/inbox/all/7', '/contacts/5', '/kb/articles/9'])
    expect(w.find('[data-testid="group-conversations"] .hit-meta').text()).toContain('In a message')
  })

  it('keeps filters in the URL and sends them', async () => {
    const { w, router, stub } = await open('/search?q=refund', () => ({ body: { hits: [], total: 0, total_is_lower_bound: false } }))
    expect(w.find('[data-testid="no-results"]').text()).toBe('Nothing found for “refund”.')
    await w.find('[data-testid="filter-type"]').setValue('article')
    await flushPromises()
    await w.find('[data-testid="filter-lang"]').setValue('he')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ q: 'refund', type: 'article', lang: 'he' })
    const last = stub.calls[stub.calls.length - 1].url.searchParams
    expect([last.get('type'), last.get('lang'), last.get('q')]).toEqual(['article', 'he', 'refund'])
  })

  it('names the field of a problem and speaks Hebrew right to left', async () => {
    const { w } = await open('/search?q=x&status=lost', () => ({
      status: 400, body: { type: 'about:blank', title: 'Invalid', status: 400, errors: [{ field: 'status', code: 'invalid', message: 'unknown status' }] },
    }), 'he')
    expect(w.find('[role="alert"]').text()).toBe('לא ניתן לחפש: בדקו את „status”.')
    expect(document.documentElement.getAttribute('dir')).toBe('rtl')
    expect(w.find('[data-testid="filter-type"] option:nth-child(2)').text()).toBe('פניות')
  })
})

describe('safeSnippet', () => {
  it.each([
    ['a <mark>b</mark> c', 'a <mark>b</mark> c'],
    ['<script>x</script><mark>y</mark>', '&lt;script>x&lt;/script><mark>y</mark>'],
    ['<markx>', '&lt;markx>'],
  ])('%s', (input, want) => expect(safeSnippet(input)).toBe(want))
})
