// The knowledge base screens against a stubbed API: the article list's
// filters and read-only mode for agents, the editor's server-rendered
// preview, saving with the version (and the 409 when someone saved in
// between), "add translation", the version diff, and Hebrew RTL.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { i18n, applyLocale } from '@/i18n'
import type { Locale } from '@/api/types'
import type { KbArticle } from '@/api/kb'
import { useSessionStore } from '@/stores/session'
import ArticlesView from '@/views/kb/ArticlesView.vue'
import ArticleEditor from '@/views/kb/ArticleEditor.vue'
import HelpCenterSettings from '@/views/kb/HelpCenterSettings.vue'
import { me, stubFetch, type Handler } from './helpers'
import { navShown } from './shell'

const mounted: VueWrapper[] = []
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount()
  document.body.innerHTML = ''
  vi.useRealTimers()
  vi.unstubAllGlobals()
  applyLocale('en')
})

function article(over: Partial<KbArticle> = {}): KbArticle {
  return {
    id: 7, translation_id: 7, language: 'he', section_id: 2, slug: 'זמני-משלוח', title: 'זמני משלוח', body_markdown: 'שלושה ימים', body_html: '<p>שלושה ימים</p>',
    status: 'draft', visibility: 'public', version: 3, views: 12, helpful_yes: 4, helpful_no: 1, author_id: null, published_at: null,
    created_at: '2026-11-01T10:00:00Z', updated_at: '2026-11-02T10:00:00Z', translations: [], ...over,
  }
}

const SECTIONS = { data: [{ id: 2, category_id: 1, slug: 'times', name_he: 'זמנים', name_en: 'Times', description_he: '', description_en: '', position: 0, created_at: '', updated_at: '' }] }

async function render(comp: object, path: string, perms: string[], routes: Record<string, Handler | object>, locale: Locale = 'en') {
  const pinia = createPinia()
  setActivePinia(pinia)
  applyLocale(locale)
  const stub = stubFetch({ 'GET /api/v1/kb/sections': SECTIONS, 'GET /api/v1/inboxes': { data: [{ id: 5, name: 'Support' }] }, 'GET /api/v1/agents': { data: [] },
    'GET /api/v1/teams': { data: [] }, 'GET /api/v1/tags': { data: [] }, ...routes })
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/kb', name: 'kb', component: ArticlesView },
      { path: '/kb/articles/:id', name: 'kb-article', component: ArticleEditor },
      { path: '/kb/settings', name: 'kb-settings', component: HelpCenterSettings },
      { path: '/', component: { template: '<div />' } },
    ],
  })
  useSessionStore().me = me({ permissions: perms })
  await router.push(path)
  const w = mount(comp, { global: { plugins: [pinia, i18n, router] } }) as unknown as VueWrapper
  mounted.push(w)
  await flushPromises()
  return { w, router, stub }
}

const tid = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`)

describe('article list', () => {
  it('lists articles with views and votes, filters by language, and is read-only for agents', async () => {
    const { w, stub } = await render(ArticlesView, '/kb', ['kb:read'], {
      'GET /api/v1/kb/articles': (url: URL) => ({
        body: { data: url.searchParams.get('lang') === 'en' ? [article({ id: 8, language: 'en', title: 'Shipping times', status: 'published' })] : [article()], next_cursor: null },
      }),
    })
    const rows = w.findAll('[data-testid="kb-row"]')
    expect(rows).toHaveLength(1)
    expect(rows[0].text()).toContain('זמני משלוח')
    expect(rows[0].text()).toContain('Times')
    expect(rows[0].text()).toContain('12')
    expect(rows[0].text()).toContain('👍 4 · 👎 1')
    expect(tid(w, 'kb-new').exists()).toBe(false)
    expect(tid(w, 'kb-readonly').exists()).toBe(true)

    await tid(w, 'kb-filter-lang').setValue('en')
    await tid(w, 'kb-filters').trigger('submit')
    await flushPromises()
    const last = stub.calls.filter((c) => c.url.pathname === '/api/v1/kb/articles').at(-1)!
    expect(last.url.searchParams.get('lang')).toBe('en')
    expect(w.findAll('[data-testid="kb-row"]')[0].text()).toContain('Shipping times')
  })

  it('offers "new article" to writers', async () => {
    const { w } = await render(ArticlesView, '/kb', ['kb:read', 'kb:write'], { 'GET /api/v1/kb/articles': { data: [], next_cursor: null } })
    expect(tid(w, 'kb-new').exists()).toBe(true)
    expect(tid(w, 'kb-empty').text()).toBe('No articles match.')
  })
})

describe('article editor', () => {
  it('previews through the server, saves with the version and reports a conflict', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    let saves = 0
    const { w, stub } = await render(ArticleEditor, '/kb/articles/7', ['kb:read', 'kb:write'], {
      'GET /api/v1/kb/articles/7': article(),
      'GET /api/v1/kb/articles/7/versions': { data: [{ article_id: 7, version: 3, title: 'x', author_id: null, created_at: '2026-11-02T10:00:00Z' }] },
      'POST /api/v1/kb/preview': (_u: URL, init: RequestInit) => ({ body: { html: `<p><strong>${JSON.parse(String(init.body)).body_markdown.length}</strong></p>` } }),
      'PATCH /api/v1/kb/articles/7': (_u: URL, init: RequestInit) => {
        saves++
        const b = JSON.parse(String(init.body))
        if (saves === 2) return { status: 409, body: { type: 'https://kesher.dev/problems/conflict', title: 'Conflict', status: 409 } }
        return { body: article({ version: b.version + 1, body_markdown: b.body_markdown }) }
      },
    })
    expect((tid(w, 'kb-title').element as HTMLInputElement).value).toBe('זמני משלוח')
    await tid(w, 'kb-body').setValue('**new body**')
    await vi.advanceTimersByTimeAsync(350)
    await flushPromises()
    expect(tid(w, 'kb-preview').html()).toContain('<strong>12</strong>')

    await w.find('form.kb-form').trigger('submit')
    await flushPromises()
    const patch = stub.calls.find((c) => c.method === 'PATCH')!
    expect(patch.body).toMatchObject({ version: 3, body_markdown: '**new body**', title: 'זמני משלוח', section_id: 2 })
    expect(tid(w, 'kb-flash').text()).toBe('Saved as version 4.')

    await w.find('form.kb-form').trigger('submit')
    await flushPromises()
    expect(stub.calls.filter((c) => c.method === 'PATCH').at(-1)!.body).toMatchObject({ version: 4 })
    expect(tid(w, 'kb-conflict').text()).toContain('Someone saved this article')
  })

  it('adds a translation in the other language and shows a version diff', async () => {
    const { w, router } = await render(ArticleEditor, '/kb/articles/7', ['kb:read', 'kb:write'], {
      'GET /api/v1/kb/articles/7': article(),
      'POST /api/v1/kb/preview': { html: '' },
      'GET /api/v1/kb/articles/7/versions': { data: [3, 2, 1].map((v) => ({ article_id: 7, version: v, title: 't', author_id: null, created_at: '2026-11-02T10:00:00Z' })) },
      'GET /api/v1/kb/articles/7/diff': (url: URL) => ({
        body: { article_id: 7, from: Number(url.searchParams.get('from')), to: Number(url.searchParams.get('to')), title_from: 'a', title_to: 'a', inserted: 1, deleted: 1,
          lines: [{ op: 'equal', text: 'כותרת' }, { op: 'delete', text: 'ישן' }, { op: 'insert', text: 'חדש' }] },
      }),
    })
    await tid(w, 'kb-diff-form').trigger('submit')
    await flushPromises()
    const view = tid(w, 'kb-diff-view')
    expect(view.find('[data-op="insert"]').text()).toBe('+ חדש')
    expect(view.find('[data-op="delete"]').text()).toBe('− ישן')
    expect(view.text()).toContain('1 lines added, 1 removed')

    await tid(w, 'kb-add-translation').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.params.id).toBe('new')
    expect(router.currentRoute.value.query).toMatchObject({ translation_of: '7', lang: 'en', section_id: '2' })
  })

  it('is read-only in Hebrew for an agent, right to left', async () => {
    const { w } = await render(ArticleEditor, '/kb/articles/7', ['kb:read'], {
      'GET /api/v1/kb/articles/7': article({ translations: [{ id: 8, language: 'en', slug: 'shipping-times', title: 'Shipping times', status: 'published', visibility: 'public' }] }),
      'GET /api/v1/kb/articles/7/versions': { data: [] },
      'POST /api/v1/kb/preview': { html: '<p>x</p>' },
    }, 'he')
    expect(document.documentElement.getAttribute('dir')).toBe('rtl')
    expect(tid(w, 'kb-readonly').text()).toBe('אפשר לקרוא את מאגר הידע; מפקחים ומנהלים עורכים אותו.')
    expect(tid(w, 'kb-save').exists()).toBe(false)
    expect((tid(w, 'kb-body').element as HTMLTextAreaElement).readOnly).toBe(true)
    expect(tid(w, 'kb-translation').text()).toContain('Shipping times')
    expect(tid(w, 'kb-add-translation').exists()).toBe(false)
  })
})

describe('help center settings', () => {
  it('shows the colour error the server names', async () => {
    const { w, stub } = await render(HelpCenterSettings, '/kb/settings', ['kb:read', 'kb:write'], {
      'GET /api/v1/kb/settings': { enabled: true, brand_name: 'Shop', logo_url: '', color: '#1f5fbf', contact_inbox_id: 5 },
      'PUT /api/v1/kb/settings': () => ({
        status: 400,
        body: { type: 'https://kesher.dev/problems/validation', title: 'Invalid input', status: 400, errors: [{ field: 'color', code: 'invalid', message: 'color must be #rrggbb' }] },
      }),
    })
    await tid(w, 'kb-color').setValue('red')
    await tid(w, 'kb-settings').trigger('submit')
    await flushPromises()
    expect(stub.calls.find((c) => c.method === 'PUT')!.body).toMatchObject({ color: 'red', contact_inbox_id: 5, brand_name: 'Shop' })
    expect(tid(w, 'kb-color').attributes('aria-invalid')).toBe('true')
    expect(w.text()).not.toContain('Saved.')
  })
})

describe('navigation', () => {
  it('shows the knowledge base link in the top bar with kb:read', async () => {
    for (const [perms, want] of [[['kb:read'], true], [['conversations:read'], false]] as const) {
      stubFetch({})
      expect(await navShown('nav-kb', perms), perms.join()).toBe(want)
    }
  })
})
