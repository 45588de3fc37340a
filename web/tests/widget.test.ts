import { describe, it, expect, beforeEach } from 'vitest'
import { KesherWidget, backoff, safeUrl, type Session } from '../widget/src/widget'
import { pickLang, t } from '../widget/src/i18n'

const session = (over: Partial<Session> = {}): Session => ({
  visitor_token: 'tok', conversation_id: 4, online: true, prechat: { name: 'off', email: 'off' }, greeting: 'שלום!',
  color: '#112233', name: '', email: '', language: 'he', messages: [], ...over,
})

describe('widget helpers', () => {
  it('backs off from 0.5 s doubling to 30 s with jitter', () => {
    expect([0, 1, 2, 10].map((n) => backoff(n, () => 1))).toEqual([500, 1000, 2000, 30000])
    expect(backoff(3, () => 0)).toBe(2000)
  })
  it('keeps only http(s) links', () => {
    expect(safeUrl('/help/en/a', 'https://desk.test')).toBe('https://desk.test/help/en/a')
    expect(safeUrl('javascript:alert(1)', 'https://desk.test')).toBe('#')
  })
  it('picks the language: explicit, then the page, Hebrew by default', () => {
    expect([pickLang('en', 'he'), pickLang(undefined, 'en-US'), pickLang(null, ''), pickLang('he', 'en')]).toEqual(['en', 'en', 'he', 'he'])
    expect(t('en', 'typing', { name: 'Noa' })).toBe('Noa is typing…')
    expect(t('he', 'typing', { name: 'נועה' })).toBe('נועה מקלידים…')
  })
})

describe('KesherWidget', () => {
  let host: HTMLElement
  beforeEach(() => {
    document.body.replaceChildren()
    host = document.createElement('kesher-chat')
    document.body.append(host)
  })

  it('renders RTL in Hebrew, messages once, and bot cards with yes/no and a person', () => {
    const w = new KesherWidget(host, 'https://desk.test', 'inbox_token_0123456789', 'he')
    w.session = session()
    w.render()
    const root = w.root.querySelector('.root')!
    expect(root.getAttribute('dir')).toBe('rtl')
    expect(w.root.querySelector('.launcher')!.getAttribute('aria-label')).toBe('פתיחת צ׳אט')
    const log = w.root.querySelector('ol.log')!
    expect(log.getAttribute('aria-live')).toBe('polite')
    const msg = { id: 7, direction: 'outbound', author_type: 'agent', author_name: 'Noa', text: 'היי', html: '', attachments: [], created_at: '' }
    w.onFrame({ type: 'message', message: msg })
    w.onFrame({ type: 'message', message: msg })
    expect(log.querySelectorAll('li[data-id="7"]').length).toBe(1)
    w.onFrame({ type: 'message', message: { ...msg, id: 8, author_type: 'bot', author_name: '', text: 'אולי זה יעזור:',
      bot: { interaction_id: 3, question: 'solved', articles: [{ id: 1, title: 'משלוחים', url: '/help/he/shipping', snippet: 'זמני משלוח' }] } } })
    const card = log.querySelector('li[data-id="8"] .card')!
    expect(card.querySelector('a.article')!.getAttribute('href')).toBe('https://desk.test/help/he/shipping')
    expect([...card.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['כן, תודה', 'לא', 'דברו עם נציג/ה'])
    w.onFrame({ type: 'typing', on: true, name: 'Noa' })
    expect(w.root.querySelector('.typing')!.textContent).toBe('Noa מקלידים…')
  })

  it('asks pre-chat fields before the first message and offers the offline form when no one is online', () => {
    const w = new KesherWidget(host, 'https://desk.test', 'inbox_token_0123456789', 'en')
    w.session = session({ conversation_id: undefined, prechat: { name: 'optional', email: 'required' } })
    w.render()
    expect(w.root.querySelector('.root')!.getAttribute('dir')).toBe('ltr')
    expect(w.root.querySelector<HTMLInputElement>('form.prechat #kc-email')!.required).toBe(true)
    expect(w.root.querySelector<HTMLInputElement>('form.prechat #kc-name')!.required).toBe(false)
    w.session = session({ conversation_id: undefined, online: false })
    w.render()
    expect(w.root.querySelector('form.offline')).not.toBeNull()
    expect(w.root.querySelector<HTMLInputElement>('#kc-oemail')!.required).toBe(true)
  })
})
