import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import MessageThread from '@/components/MessageThread.vue'
import EmailFrame from '@/components/EmailFrame.vue'
import PlainText from '@/components/PlainText.vue'
import { useDirectoryStore } from '@/stores/directory'
import type { Agent, Team } from '@/api/types'
import { conv, msg } from './helpers'
import { mountWith } from './mount'

function agent(id: number, name: string): Agent {
  return {
    id, name, email: `a${id}@example.test`, role: 'agent', team_ids: [], languages: [], capacity: 20, availability: 'online',
    locale: 'he', time_zone: 'Asia/Jerusalem', active: true, created_at: '', updated_at: '',
  }
}

const messages = [
  msg(1, { body_text: 'Where is my order?' }),
  msg(2, { kind: 'note', direction: 'internal', author_type: 'agent', author_id: 5, body_text: 'Checking with the courier' }),
  msg(3, { kind: 'event', direction: 'internal', author_type: 'agent', author_id: 5, body_text: 'status_changed: open → pending', channel_meta: { event: 'status_changed', from: 'open', to: 'pending' } }),
  msg(4, { kind: 'event', direction: 'internal', author_type: 'system', author_id: null, body_text: 'assigned: none → 5', channel_meta: { event: 'assigned', from: null, to: 5 } }),
  msg(5, { kind: 'event', direction: 'internal', author_type: 'agent', author_id: 5, body_text: 'tags_changed', channel_meta: { event: 'tags_changed', from: ['a'], to: ['a', 'vip'] } }),
  msg(6, { kind: 'event', direction: 'internal', author_type: 'agent', author_id: 5, body_text: 'team_changed', channel_meta: { event: 'team_changed', from: null, to: 2 } }),
  msg(8, { kind: 'event', direction: 'internal', author_type: 'system', author_id: null, body_text: 'rule_notified: agent:5', channel_meta: { event: 'rule_notified', to: 'agent:5', agent_ids: [5], rule_id: 3, rule_name: 'VIP' } }),
  msg(9, { kind: 'event', direction: 'internal', author_type: 'system', author_id: null, body_text: 'rule_webhook: https://hooks.example/secret-path', channel_meta: { event: 'rule_webhook', to: 'https://hooks.example/secret-path', rule_id: 3, rule_name: 'VIP' } }),
  msg(7, { kind: 'reply', direction: 'outbound', author_type: 'agent', author_id: 5, body_text: 'Hi', body_html: '<p>Hi <b>there</b></p><script>alert(1)</script>' }),
]

function mountThread(locale: 'he' | 'en') {
  const r = mountWith(MessageThread, { locale, props: { messages, conversation: conv(1) } })
  const dir = useDirectoryStore()
  dir.agents = [agent(5, 'Yossi')]
  dir.teams = [{ id: 2, name: 'Billing', description: '', agent_ids: [] } as Team]
  return r
}

describe('MessageThread', () => {
  afterEach(() => document.body.replaceChildren())

  it('renders internal notes distinct from replies', async () => {
    const { wrapper } = mountThread('en')
    await flushPromises()
    const note = wrapper.find('[data-kind="note"]')
    expect(note.classes()).toContain('msg-note')
    expect(note.text()).toContain('Internal note')
    const reply = wrapper.findAll('[data-kind="reply"]')
    expect(reply).toHaveLength(2)
    for (const r of reply) expect(r.classes()).not.toContain('msg-note')
  })

  it('renders events as localized timeline lines (English)', async () => {
    const { wrapper } = mountThread('en')
    await flushPromises()
    const lines = wrapper.findAll('li.event').map((e) => e.find('.event-text').text())
    expect(lines).toEqual([
      'Yossi changed the status from Open to Pending',
      'Kesher assigned the conversation to Yossi',
      'Yossi added tags: vip',
      'Yossi moved the conversation to team Billing',
      'Rule “VIP” notified Yossi',
      'Rule “VIP” called its webhook',
    ])
    expect(wrapper.text()).not.toContain('secret-path')
  })

  it('renders events as localized timeline lines (Hebrew)', async () => {
    const { wrapper } = mountThread('he')
    await flushPromises()
    const lines = wrapper.findAll('li.event').map((e) => e.find('.event-text').text())
    expect(lines[0]).toBe('Yossi: הסטטוס שונה מ־פתוחה ל־ממתינה ללקוח')
    expect(lines[1]).toBe('קשר: הפנייה שויכה ל־Yossi')
    expect(lines[4]).toBe('הכלל „VIP” שלח התראה ל־Yossi')
    expect(lines[5]).toBe('הכלל „VIP” הפעיל את ה־webhook שלו')
    expect(lines.join(' ')).not.toMatch(/status_changed|assigned:/)
  })

  it('shows HTML mail only in a sandboxed iframe, never inline', async () => {
    const { wrapper } = mountThread('en')
    await flushPromises()
    // No element of the mail reaches the app's DOM: it lives only in srcdoc.
    expect(wrapper.findAll('script')).toHaveLength(0)
    expect(wrapper.find('article b').exists()).toBe(false)
    const frame = wrapper.find('iframe')
    expect(frame.exists()).toBe(true)
    expect(frame.attributes('title')).toBe('Email content')
  })
})

describe('EmailFrame', () => {
  it('gets a sandbox without allow-scripts or allow-same-origin and a restrictive CSP', () => {
    const { wrapper } = mountWith(EmailFrame, { props: { html: '<p onclick="x()">Hello</p><img src="https://tracker.example/p.gif">' } })
    const frame = wrapper.find('iframe')
    const sandbox = frame.attributes('sandbox')
    expect(sandbox).toBeDefined()
    expect(sandbox).not.toMatch(/allow-scripts/)
    expect(sandbox).not.toMatch(/allow-same-origin/)
    const doc = (frame.element as HTMLIFrameElement).srcdoc || frame.attributes('srcdoc') || ''
    expect(doc).toContain('Content-Security-Policy')
    expect(doc).toContain("default-src 'none'")
    expect(doc).not.toMatch(/script-src/)
    // Remote images are blocked until asked for.
    expect(doc).not.toMatch(/img-src[^;]*https:/)
    expect(wrapper.text()).toContain('Remote images are blocked')
  })

  it('allows remote images after the agent asks', async () => {
    const { wrapper } = mountWith(EmailFrame, { props: { html: '<img src="https://cdn.example/x.png">' } })
    await wrapper.find('button').trigger('click')
    const doc = (wrapper.find('iframe').element as HTMLIFrameElement).srcdoc
    expect(doc).toMatch(/img-src[^;]*https:/)
  })

  it('hands inline (cid:) images to the frame as data: URLs fetched with the session', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47])
    const calls: string[] = []
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      calls.push(`${url} ${init?.credentials}`)
      return new Response(new Blob([png], { type: 'image/png' }), { status: 200 })
    })
    try {
      const html = '<p>צילום:</p><img src="cid:pic1@example" alt="pic"><img src="/api/v1/attachments/8?inline=1">'
      const attachments = [{ id: 7, filename: 'pic.png', content_type: 'image/png', size: 4, content_id: 'pic1@example' }]
      const { wrapper } = mountWith(EmailFrame, { props: { html, attachments: attachments as never } })
      await vi.waitFor(() => {
        const doc = (wrapper.find('iframe').element as HTMLIFrameElement).srcdoc
        expect(doc.match(/src="data:image\/png;base64,iVBORw=="/g)).toHaveLength(2)
      })
      expect(calls).toEqual(['/api/v1/attachments/7?inline=1 same-origin', '/api/v1/attachments/8?inline=1 same-origin'])
    } finally {
      vi.unstubAllGlobals()
    }
  })
})

describe('PlainText', () => {
  it('gives each paragraph dir="auto" and links only http(s) URLs', () => {
    const { wrapper } = mountWith(PlainText, {
      props: { text: 'שלום, ההזמנה שלי\nלא הגיעה.\n\nSee https://shop.example/track?id=1. Also javascript:alert(1) and ftp://x.example' },
    })
    const paras = wrapper.findAll('p')
    expect(paras).toHaveLength(2)
    for (const p of paras) expect(p.attributes('dir')).toBe('auto')
    const links = wrapper.findAll('a')
    expect(links).toHaveLength(1)
    expect(links[0].attributes('href')).toBe('https://shop.example/track?id=1')
    expect(links[0].attributes('rel')).toContain('noopener')
    expect(wrapper.text()).toContain('javascript:alert(1)')
  })
})
