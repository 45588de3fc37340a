// Kesher's live-chat widget: one <script src=".../widget.js" data-inbox="TOKEN" async>
// tag. Vanilla TypeScript (no framework, to stay small), rendered in a shadow
// root so the host page's CSS cannot reach it. Protocol: docs/knowledge.md
// ("Live chat").
import { css } from './style'
import { t, pickLang, type Lang, type Key } from './i18n'

export interface Article { id: number; title: string; url: string; snippet?: string }
export interface BotMeta { interaction_id: number; articles?: Article[]; question?: string }
export interface Attachment { id: number; filename: string; content_type: string; size: number; url: string }
export interface Message {
  id: number
  direction: string
  author_type: string
  author_name: string
  text: string
  html: string
  attachments: Attachment[]
  created_at: string
  bot?: BotMeta
}
export interface Session {
  visitor_token: string
  conversation_id?: number
  online: boolean
  prechat: { name: string; email: string }
  greeting: string
  color: string
  name: string
  email: string
  language: string
  messages: Message[]
}

type View = 'prechat' | 'chat' | 'offline' | 'offline-sent'

/** el builds an element with attributes/properties and children. */
function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | ((e: Event) => void)> = {},
  ...children: (Node | string | null)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') e.addEventListener(k.slice(2), v)
    else if (v === true) e.setAttribute(k, '')
    else if (v !== false) e.setAttribute(k, v)
  }
  for (const c of children) if (c !== null) e.append(c)
  return e
}

const CLIP = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2" d="M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7"/></svg>'
const ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>'

/** backoff returns the delay before reconnect attempt n (0-based): 0.5 s doubling to 30 s, with jitter. */
export function backoff(n: number, rnd: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** n)
  return Math.round(base * (0.5 + rnd() / 2))
}

/** safeUrl keeps http(s) links only (article URLs come from the server, but never trust a scheme). */
export function safeUrl(u: string, base: string): string {
  try {
    const p = new URL(u, base)
    return p.protocol === 'https:' || p.protocol === 'http:' ? p.href : '#'
  } catch {
    return '#'
  }
}

export class KesherWidget {
  readonly root: ShadowRoot
  lang: Lang
  session: Session | null = null
  private base: string
  private inbox: string
  private view: View = 'chat'
  private prechatDone = false
  private ws: WebSocket | null = null
  private attempts = 0
  private connected = false
  private stopped = false
  private seen = new Set<number>()
  private answered = new Set<number>()
  private typingSent = 0
  private pingTimer: ReturnType<typeof setInterval> | undefined
  private panel!: HTMLDivElement
  private body!: HTMLDivElement
  private log!: HTMLOListElement
  private typingEl!: HTMLDivElement
  private statusEl!: HTMLDivElement
  private launcher!: HTMLButtonElement

  constructor(host: HTMLElement, base: string, inbox: string, lang: Lang) {
    this.root = host.attachShadow({ mode: 'open' })
    this.base = base
    this.inbox = inbox
    this.lang = lang
  }

  private s(key: Key, vars?: Record<string, string>): string { return t(this.lang, key, vars) }
  private storeKey(): string { return 'kesher_chat_' + this.inbox }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const r = await fetch(this.base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    if (!r.ok) throw new Error(`${path}: ${r.status}`)
    return (await r.json()) as T
  }

  /** start opens (or resumes) the session and renders the launcher. */
  async start(): Promise<void> {
    await this.openSession({})
    this.render()
    if (this.session?.conversation_id) this.connect()
  }

  private async openSession(extra: Record<string, string>): Promise<void> {
    let token = ''
    try { token = localStorage.getItem(this.storeKey()) || '' } catch { /* storage blocked */ }
    const s = await this.post<Session>('/widget/v1/sessions', { inbox: this.inbox, visitor_token: token, language: this.lang, ...extra })
    try { localStorage.setItem(this.storeKey(), s.visitor_token) } catch { /* storage blocked */ }
    this.session = s
    if (s.name || s.email) this.prechatDone = true
  }

  private chooseView(): View {
    const s = this.session
    if (!s) return 'chat'
    if (this.view === 'offline-sent') return this.view
    if (!s.online && !s.conversation_id) return 'offline'
    const asks = s.prechat.name !== 'off' || s.prechat.email !== 'off'
    if (!s.conversation_id && asks && !this.prechatDone) return 'prechat'
    return 'chat'
  }

  render(): void {
    const s = this.session
    const color = s?.color || '#0b5fff'
    this.root.replaceChildren()
    const style = el('style')
    style.textContent = css(color)
    const dir = this.lang === 'he' ? 'rtl' : 'ltr'
    const wrap = el('div', { class: 'root', dir, lang: this.lang })
    this.launcher = el('button', { class: 'launcher', type: 'button', 'aria-label': this.s('open'), 'aria-expanded': 'false',
      onclick: () => this.toggle() })
    this.launcher.innerHTML = ICON
    this.panel = el('div', { class: 'panel', role: 'dialog', 'aria-label': this.s('title'), hidden: true })
    const close = el('button', { type: 'button', 'aria-label': this.s('close'), onclick: () => this.toggle(false) }, '×')
    this.statusEl = el('div', { class: 'status', role: 'status' })
    this.body = el('div', { style: 'display:flex;flex-direction:column;flex:1;min-height:0' })
    this.panel.append(el('header', {}, el('span', {}, this.s('title')), close), this.statusEl, this.body)
    wrap.append(this.panel, this.launcher)
    this.root.append(style, wrap)
    this.renderBody()
  }

  /** toggle opens or closes the panel. */
  toggle(open = this.panel.hidden): void {
    this.panel.hidden = !open
    this.launcher.setAttribute('aria-expanded', String(open))
    this.launcher.setAttribute('aria-label', this.s(open ? 'close' : 'open'))
    if (open) {
      if (!this.ws && this.view === 'chat') this.connect()
      const f = this.body.querySelector<HTMLElement>('textarea, input')
      f?.focus()
    }
  }

  private renderBody(): void {
    this.view = this.chooseView()
    this.body.replaceChildren()
    if (this.view === 'prechat') this.renderPrechat()
    else if (this.view === 'offline') this.renderOffline()
    else if (this.view === 'offline-sent') this.body.append(el('div', { class: 'form' }, el('p', { role: 'status' }, this.s('thanks'))))
    else this.renderChat()
  }

  private field(key: Key, type: string, mode: string, id: string): HTMLLabelElement {
    const input = el('input', { type, id, name: id, required: mode === 'required', autocomplete: type === 'email' ? 'email' : 'name' })
    return el('label', {}, `${this.s(key)} ${mode === 'optional' ? this.s('optional') : ''}`.trim(), input)
  }

  private renderPrechat(): void {
    const s = this.session!
    const form = el('form', { class: 'form prechat' })
    if (s.greeting) form.append(el('p', {}, s.greeting))
    if (s.prechat.name !== 'off') form.append(this.field('name', 'text', s.prechat.name, 'kc-name'))
    if (s.prechat.email !== 'off') form.append(this.field('email', 'email', s.prechat.email, 'kc-email'))
    form.append(el('button', { class: 'btn', type: 'submit' }, this.s('start')))
    form.addEventListener('submit', async (e) => {
      e.preventDefault()
      const v = (n: string) => (form.querySelector<HTMLInputElement>('#' + n)?.value || '').trim()
      try {
        await this.openSession({ name: v('kc-name'), email: v('kc-email') })
        this.prechatDone = true
        this.renderBody()
        this.connect()
      } catch {
        this.setStatus(this.s('error'))
      }
    })
    this.body.append(form)
  }

  private renderOffline(): void {
    const form = el('form', { class: 'form offline' },
      el('p', {}, el('b', {}, this.s('offlineTitle'))), el('p', { class: 'note' }, this.s('offlineText')),
      this.field('name', 'text', 'optional', 'kc-oname'), this.field('email', 'email', 'required', 'kc-oemail'),
      el('label', {}, this.s('message'), el('textarea', { id: 'kc-omsg', required: true, style: 'height:90px' })),
      el('button', { class: 'btn', type: 'submit' }, this.s('leave')))
    form.addEventListener('submit', async (e) => {
      e.preventDefault()
      const v = (n: string) => (form.querySelector<HTMLInputElement | HTMLTextAreaElement>('#' + n)?.value || '').trim()
      try {
        await this.post('/widget/v1/offline', { inbox: this.inbox, visitor_token: this.session?.visitor_token || '',
          name: v('kc-oname'), email: v('kc-oemail'), message: v('kc-omsg'), language: this.lang })
        this.view = 'offline-sent'
        this.renderBody()
      } catch {
        this.setStatus(this.s('error'))
      }
    })
    this.body.append(form)
  }

  private renderChat(): void {
    const s = this.session!
    this.log = el('ol', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': this.s('title') })
    this.seen.clear()
    if (s.greeting) this.log.append(el('li', { class: 'msg greeting' }, s.greeting))
    for (const m of s.messages) this.addMessage(m)
    this.typingEl = el('div', { class: 'typing', 'aria-live': 'polite' })
    const ta = el('textarea', { id: 'kc-text', placeholder: this.s('placeholder'), 'aria-label': this.s('message'), rows: '1' })
    const file = el('input', { type: 'file', 'aria-label': this.s('attach'), accept: 'image/*,application/pdf,text/plain' })
    const send = el('button', { class: 'btn send', type: 'submit' }, this.s('send'))
    const clip = el('label', { class: 'attach', title: this.s('attach') })
    clip.innerHTML = CLIP
    clip.append(file)
    const form = el('form', { class: 'compose' }, clip, ta, send)
    form.addEventListener('submit', (e) => {
      e.preventDefault()
      const text = ta.value.trim()
      if (!text) return
      this.sendFrame({ type: 'message', text })
      ta.value = ''
      this.typingSent = 0
      this.sendFrame({ type: 'typing', on: false })
    })
    ta.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault()
        form.requestSubmit()
      }
    })
    ta.addEventListener('input', () => {
      const now = Date.now()
      if (ta.value && now - this.typingSent > 3000) {
        this.typingSent = now
        this.sendFrame({ type: 'typing', on: true })
      }
    })
    file.addEventListener('change', () => { if (file.files?.[0]) void this.upload(file.files[0]) })
    const foot = el('div', { class: 'foot' }, el('button', { class: 'link transcript', type: 'button', onclick: () => this.transcript() },
      this.s('transcript')))
    this.body.append(this.log, this.typingEl, form, foot)
    this.scroll()
  }

  private scroll(): void { this.log.scrollTop = this.log.scrollHeight }

  private setStatus(text: string): void { this.statusEl.textContent = text }

  /** addMessage appends a message once (frames may repeat). */
  addMessage(m: Message): void {
    if (this.seen.has(m.id) || !this.log) return
    this.seen.add(m.id)
    const me = m.author_type === 'contact'
    const who = me ? this.s('you') : m.author_type === 'bot' ? this.s('bot') : m.author_name || this.s('someone')
    const li = el('li', { class: `msg ${me ? 'me' : 'them'} ${m.author_type}`, 'data-id': String(m.id) },
      el('span', { class: 'who' }, who), m.text)
    for (const a of m.attachments || []) {
      const tok = encodeURIComponent(this.session?.visitor_token || '')
      li.append(el('br'), el('a', { href: safeUrl(`${a.url}?token=${tok}`, this.base), target: '_blank', rel: 'noopener' }, a.filename))
    }
    if (m.bot) li.append(this.botCard(m.bot))
    this.log.append(li)
    this.scroll()
  }

  private botCard(b: BotMeta): HTMLElement {
    const card = el('div', { class: 'card' })
    for (const a of b.articles || []) {
      card.append(el('a', { class: 'article', href: safeUrl(a.url, this.base), target: '_blank', rel: 'noopener' },
        el('b', {}, a.title), a.snippet ? el('small', {}, a.snippet) : null))
    }
    if (b.question === 'solved' && !this.answered.has(b.interaction_id)) {
      const buttons: HTMLButtonElement[] = []
      const done = () => { this.answered.add(b.interaction_id); buttons.forEach((x) => (x.disabled = true)) }
      const answer = (solved: boolean) => () => { this.sendFrame({ type: 'bot.answer', interaction_id: b.interaction_id, solved }); done() }
      buttons.push(el('button', { class: 'btn yes', type: 'button', onclick: answer(true) }, this.s('yes')),
        el('button', { class: 'btn ghost no', type: 'button', onclick: answer(false) }, this.s('no')),
        el('button', { class: 'btn ghost human', type: 'button', onclick: () => { this.sendFrame({ type: 'handover' }); done() } },
          this.s('human')))
      card.append(el('p', { class: 'note' }, this.s('solved')), el('div', { class: 'choices' }, ...buttons))
    }
    return card
  }

  private async upload(f: File): Promise<void> {
    const fd = new FormData()
    fd.append('token', this.session?.visitor_token || '')
    fd.append('file', f)
    try {
      const r = await fetch(this.base + '/widget/v1/uploads', { method: 'POST', body: fd })
      if (!r.ok) throw new Error(String(r.status))
      const a = (await r.json()) as { id: number }
      this.sendFrame({ type: 'message', text: '', attachment_ids: [a.id] })
    } catch {
      this.setStatus(this.s('error'))
    }
  }

  private async transcript(): Promise<void> {
    let email = this.session?.email || ''
    if (!email) {
      const input = this.body.querySelector<HTMLInputElement>('#kc-temail')
      if (!input) {
        const row = el('form', { class: 'form', style: 'flex:none;padding:6px' }, this.field('email', 'email', 'required', 'kc-temail'),
          el('button', { class: 'btn', type: 'submit' }, this.s('transcript')))
        row.addEventListener('submit', (e) => { e.preventDefault(); void this.transcript() })
        this.body.querySelector('.foot')?.append(row)
        return
      }
      email = input.value.trim()
    }
    try {
      await this.post('/widget/v1/transcript', { visitor_token: this.session?.visitor_token, email })
      this.setStatus(this.s('transcriptSent'))
    } catch {
      this.setStatus(this.s('error'))
    }
  }

  private sendFrame(f: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(f))
    else if (!this.ws) this.connect()
  }

  /** connect opens the socket; after a drop it reconnects with backoff and resyncs the history. */
  connect(): void {
    if (this.ws || this.stopped || !this.session) return
    const url = this.base.replace(/^http/, 'ws') + '/widget/v1/ws?token=' + encodeURIComponent(this.session.visitor_token)
    const ws = new WebSocket(url)
    this.ws = ws
    ws.onopen = async () => {
      if (this.connected) {
        // A reconnect: nothing is replayed, so refetch the history.
        try {
          await this.openSession({})
          for (const m of this.session!.messages) this.addMessage(m)
        } catch { /* the next frame or reconnect retries */ }
      }
      this.connected = true
      this.attempts = 0
      this.setStatus('')
      clearInterval(this.pingTimer)
      this.pingTimer = setInterval(() => this.sendFrame({ type: 'ping' }), 20_000)
    }
    ws.onmessage = (e) => this.onFrame(JSON.parse(String(e.data)))
    ws.onclose = () => {
      this.ws = null
      clearInterval(this.pingTimer)
      if (this.stopped) return
      this.setStatus(this.s('reconnecting'))
      setTimeout(() => this.connect(), backoff(this.attempts++))
    }
  }

  /** onFrame applies one server frame. */
  onFrame(f: { type: string; message?: Message; on?: boolean; name?: string; online?: boolean; conversation_id?: number }): void {
    if (f.type === 'message' && f.message) {
      if (f.conversation_id && this.session) this.session.conversation_id = f.conversation_id
      if (f.message.author_type !== 'contact') this.typingEl.textContent = ''
      this.addMessage(f.message)
    } else if (f.type === 'typing') {
      this.typingEl.textContent = f.on ? this.s('typing', { name: f.name || this.s('someone') }) : ''
    } else if (f.type === 'error') {
      this.setStatus(this.s('error'))
    }
  }

  stop(): void {
    this.stopped = true
    this.ws?.close()
  }
}

/** boot mounts the widget for the <script data-inbox> tag that loaded it. */
export function boot(): KesherWidget | null {
  const script = (document.currentScript as HTMLScriptElement | null) ||
    document.querySelector<HTMLScriptElement>('script[data-inbox][src*="widget.js"]')
  const inbox = script?.dataset.inbox
  if (!script || !inbox) return null
  const base = new URL(script.src, location.href).origin
  const host = document.createElement('kesher-chat')
  const w = new KesherWidget(host, base, inbox, pickLang(script.dataset.lang, document.documentElement.lang))
  const mount = () => {
    document.body.append(host)
    void w.start()
  }
  if (document.body) mount()
  else document.addEventListener('DOMContentLoaded', mount)
  ;(window as unknown as { KesherChat?: KesherWidget }).KesherChat = w
  return w
}
