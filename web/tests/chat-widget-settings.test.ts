// The inbox dialog's "Chat widget" section: the embed snippet and its copy
// button, token regeneration (confirmed; the server makes the new token),
// the allowed-sites list, greetings, colour, pre-chat questions, business
// hours and the offline inbox written into settings.widget, and the
// server's field errors shown next to their fields. Hebrew, RTL.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { applyLocale, i18n } from '@/i18n'
import { useSessionStore } from '@/stores/session'
import InboxesSettings from '@/views/settings/InboxesSettings.vue'
import { applyWidget, embedSnippet, widgetForm } from '@/views/settings/lib/widget'
import { me, stubFetch } from './helpers'
import { setup } from './mount'

const mounted: VueWrapper[] = []
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount()
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  applyLocale('en')
})

const TOKEN = 'AbCdEfGhIjKlMnOpQrStUvWxYz'
const chat = {
  id: 4, name: 'צ׳אט', channel: 'chat', address: '', team_id: null, enabled: true,
  settings: { widget: { token: TOKEN, allowed_origins: ['https://shop.example'], greeting: { he: 'שלום', en: 'Hi' }, color: '#112233',
    prechat: { name: 'off', email: 'required' }, business_hours: '', offline_inbox_id: 0 } },
}
const mail = { id: 7, name: 'Support mail', channel: 'email', address: 'help@shop.test', team_id: null, enabled: true, settings: {} }
const $ = (sel: string) => document.body.querySelector(sel) as HTMLElement | null
const input = async (el: Element | null, v: string) => {
  ;(el as HTMLInputElement).value = v
  el!.dispatchEvent(new Event('input'))
  el!.dispatchEvent(new Event('change'))
  await flushPromises()
}

describe('widget settings form', () => {
  it('reads and writes settings.widget, dropping empty rows and rejecting bad sites and colours', () => {
    const f = widgetForm(chat.settings)
    expect(f).toEqual({ token: TOKEN, origins: ['https://shop.example'], greetingHe: 'שלום', greetingEn: 'Hi', color: '#112233',
      prechatName: 'off', prechatEmail: 'required', businessHours: '', offlineInboxId: '', helpCenter: false })
    const s: Record<string, unknown> = {}
    expect(applyWidget(s, { ...f, origins: ['https://shop.example', ' ', '*.example.com'], offlineInboxId: 7, color: '#AABBCC' })).toEqual([])
    expect(s.widget).toEqual({ token: TOKEN, allowed_origins: ['https://shop.example', '*.example.com'], greeting: { he: 'שלום', en: 'Hi' },
      color: '#aabbcc', prechat: { name: 'off', email: 'required' }, business_hours: '', offline_inbox_id: 7, help_center: false })
    expect(applyWidget({}, { ...f, origins: ['ftp://x/y'], color: 'red' })).toEqual(['settings.widget.allowed_origins', 'settings.widget.color'])
    expect(widgetForm(null).prechatName).toBe('off')
    expect(embedSnippet('https://desk.example', 'T0K')).toBe('<script src="https://desk.example/widget.js" data-inbox="T0K" async></script>')
  })
})

describe('Chat widget section of the inbox dialog', () => {
  async function open(locale: 'he' | 'en', patch: (body: any) => { status?: number; body: object }) {
    const api = stubFetch({
      'GET /api/v1/inboxes': { data: [chat, mail] },
      'GET /api/v1/calendars': { data: [{ name: 'il', builtin: true }, { name: 'shop-hours' }] },
      'PATCH /api/v1/inboxes/4': (_u: URL, init?: RequestInit) => patch(JSON.parse(String(init?.body))),
    })
    const writeText = vi.fn(async () => {})
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    const { pinia, router } = setup(locale)
    useSessionStore().me = me({ permissions: ['inboxes:read', 'inboxes:write'] })
    const w = mount(InboxesSettings, { attachTo: document.body, global: { plugins: [pinia, i18n, router] } })
    mounted.push(w as unknown as VueWrapper)
    await flushPromises()
    const edit = w.findAll('button').find((b) => b.attributes('aria-label')?.includes('צ׳אט'))!
    await edit.trigger('click')
    await flushPromises()
    return { api, writeText }
  }

  it('shows the snippet, copies it, edits every setting and sends them in settings.widget (Hebrew, RTL)', async () => {
    let sent: any = null
    const { api, writeText } = await open('he', (body) => {
      sent = body
      return { body: { ...chat, settings: body.settings } }
    })
    expect(document.documentElement.dir).toBe('rtl')
    expect($('[data-test="widget-fields"] legend')!.textContent).toBe("וידג'ט צ'אט")
    const snippet = $('[data-test="widget-snippet"]')!
    expect(snippet.textContent).toBe(`<script src="${window.location.origin}/widget.js" data-inbox="${TOKEN}" async></script>`)
    expect(snippet.getAttribute('dir')).toBe('ltr')
    $('[data-test="widget-copy"]')!.click()
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith(snippet.textContent)
    // Calendars come from the server; the offline inbox list holds the email inboxes.
    const hours = $('[data-test="widget-hours"]') as HTMLSelectElement
    expect([...hours.options].map((o) => o.value)).toEqual(['', 'il', 'shop-hours'])
    expect([...($('[data-test="widget-offline"]') as HTMLSelectElement).options].map((o) => o.value)).toEqual(['', '7'])
    $('[data-test="widget-add-origin"]')!.click()
    await flushPromises()
    await input(document.body.querySelectorAll('[data-test="widget-origin"]')[1], '*.example.com')
    await input(hours, 'shop-hours')
    await input($('[data-test="widget-offline"]'), '7')
    await input($('[data-test="widget-prechat-name"]'), 'required')
    await input($('[data-test="widget-color"]'), '#0B5FFF')
    ;($('[data-test="widget-help-center"]') as HTMLInputElement).click()
    await flushPromises()
    ;($('button[type="submit"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(api.calls.filter((c) => c.method === 'PATCH')).toHaveLength(1)
    expect(sent.settings.widget).toEqual({ token: TOKEN, allowed_origins: ['https://shop.example', '*.example.com'], greeting: { he: 'שלום', en: 'Hi' },
      color: '#0b5fff', prechat: { name: 'required', email: 'required' }, business_hours: 'shop-hours', offline_inbox_id: 7, help_center: true })
  })

  it('regenerates the token only after confirming, and shows server field errors next to their fields', async () => {
    const bodies: any[] = []
    await open('en', (body) => {
      bodies.push(body)
      return { status: 400, body: { type: 'https://kesher.dev/problems/validation', title: 'Invalid input', status: 400,
        errors: [{ field: 'settings.widget.allowed_origins[0]', code: 'invalid', message: '"x y" is neither an origin nor a host pattern' },
          { field: 'settings.widget.business_hours', code: 'not_found', message: 'no calendar "gone"' }] } }
    })
    $('[data-test="widget-regenerate"]')!.click()
    await flushPromises()
    // Cancelling keeps the token.
    const confirm = $('[data-testid="confirm-button"]')!.parentElement!
    ;[...confirm.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Cancel')!.click()
    await flushPromises()
    expect($('[data-test="widget-snippet"]')!.textContent).toContain(TOKEN)
    $('[data-test="widget-regenerate"]')!.click()
    await flushPromises()
    $('[data-testid="confirm-button"]')!.click()
    await flushPromises()
    expect($('[data-test="widget-snippet"]')).toBeNull()
    expect($('[data-test="widget-token-pending"]')!.textContent).toContain('new token is made when you save')
    ;($('button[type="submit"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(bodies).toHaveLength(1)
    expect(bodies[0].settings.widget.token).toBe('')
    expect($('[data-test="widget-origins-error"]')!.textContent).toMatch(/1.*Not valid/)
    const hours = $('[data-test="widget-hours"]')!
    expect(hours.getAttribute('aria-invalid')).toBe('true')
    expect(document.getElementById(hours.getAttribute('aria-describedby')!.split(' ').pop()!)!.textContent).toBe('Does not exist.')
  })
})
