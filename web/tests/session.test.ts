import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useSessionStore } from '@/stores/session'
import { i18n, timeZone } from '@/i18n'
import { me, stubFetch } from './helpers'

describe('session store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    sessionStorage.clear()
    history.replaceState(null, '', '/')
  })

  it('signs in, loads /me and applies the agent locale and time zone', async () => {
    const { calls } = stubFetch({
      'POST /api/v1/auth/login': { id: 1 },
      'GET /api/v1/me': me({ locale: 'en', time_zone: 'Europe/London' }),
    })
    const s = useSessionStore()
    await s.signIn('dana@example.test', 'secret-password')
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual(['POST /api/v1/auth/login', 'GET /api/v1/me'])
    expect(calls[0].body).toEqual({ email: 'dana@example.test', password: 'secret-password' })
    expect(s.signedIn).toBe(true)
    expect(s.can('conversations:write')).toBe(true)
    expect(s.can('agents:write')).toBe(false)
    expect(i18n.global.locale.value).toBe('en')
    expect(document.documentElement.dir).toBe('ltr')
    expect(timeZone.value).toBe('Europe/London')
  })

  it('treats 401 from /me as signed out and mirrors the page for Hebrew', async () => {
    stubFetch({ 'GET /api/v1/me': () => ({ status: 401, body: { title: 'Unauthenticated', status: 401 } }) })
    Object.defineProperty(navigator, 'languages', { value: ['he-IL', 'en'], configurable: true })
    const s = useSessionStore()
    expect(await s.fetchMe()).toBeNull()
    expect(s.checked).toBe(true)
    expect(s.signedIn).toBe(false)
    expect(document.documentElement.lang).toBe('he')
    expect(document.documentElement.dir).toBe('rtl')
  })

  it('?lang= overrides the agent locale', async () => {
    history.replaceState(null, '', '/inbox/mine?lang=en')
    stubFetch({ 'GET /api/v1/me': me({ locale: 'he' }) })
    const s = useSessionStore()
    await s.fetchMe()
    expect(i18n.global.locale.value).toBe('en')
  })

  it('saves a locale change on the profile', async () => {
    const { calls } = stubFetch({ 'GET /api/v1/me': me({ locale: 'he' }), 'PATCH /api/v1/me': me({ locale: 'en' }) })
    const s = useSessionStore()
    await s.fetchMe()
    await s.setLocale('en')
    expect(calls.at(-1)).toMatchObject({ method: 'PATCH', body: { locale: 'en' } })
    expect(s.me?.locale).toBe('en')
    expect(s.me?.permissions).toContain('conversations:read')
    expect(document.documentElement.dir).toBe('ltr')
  })

  it('signs out even when the server call fails', async () => {
    stubFetch({ 'GET /api/v1/me': me(), 'POST /api/v1/auth/logout': () => ({ status: 500, body: {} }) })
    const s = useSessionStore()
    await s.fetchMe()
    await s.signOut()
    expect(s.me).toBeNull()
  })

  it('reports a missing password-reset endpoint as unavailable', async () => {
    stubFetch({})
    const s = useSessionStore()
    expect(await s.requestPasswordReset('x@example.test')).toBe('unavailable')
    expect(await s.confirmPasswordReset('tok', 'long-enough-password')).toBe('unavailable')
    stubFetch({ 'POST /api/v1/auth/password-reset': () => ({ status: 204 }) })
    expect(await s.requestPasswordReset('x@example.test')).toBe('ok')
  })
})
