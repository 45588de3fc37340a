// The signed-in agent: sign in and out, the profile from /me, the UI
// language, and the password-reset requests made before sign-in.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, ApiError } from '@/api/client'
import type { Locale, Me } from '@/api/types'
import { applyLocale, clearForcedLocale, resolveLocale, timeZone } from '@/i18n'

export type ResetOutcome = 'ok' | 'unavailable'

export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null)
  /** True once /me has been asked (signed in or not). */
  const checked = ref(false)

  const signedIn = computed(() => me.value !== null)

  function can(permission: string): boolean {
    return !!me.value?.permissions.includes(permission)
  }

  function adopt(agent: Me | null): void {
    me.value = agent
    timeZone.value = agent?.time_zone || undefined
    applyLocale(resolveLocale(agent?.locale ?? null))
  }

  /** Loads the signed-in agent; a 401 means nobody is signed in. */
  async function fetchMe(): Promise<Me | null> {
    try {
      adopt(await api.get<Me>('/me', { quiet401: true }))
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) adopt(null)
      else throw e
    } finally {
      checked.value = true
    }
    return me.value
  }

  /** Signs in with email and password, then loads /me for the permissions. */
  async function signIn(email: string, password: string): Promise<void> {
    await api.post('/auth/login', { email, password }, { quiet401: true })
    await fetchMe()
  }

  /** Ends the session on the server (best effort) and forgets the agent. */
  async function signOut(): Promise<void> {
    try {
      await api.post('/auth/logout', undefined, { quiet401: true })
    } catch {
      /* the session may already be gone */
    }
    adopt(null)
  }

  /** Called when any request comes back 401: the session ended elsewhere. */
  function expired(): void {
    if (me.value) adopt(null)
  }

  /** Changes the UI language and saves it on the agent's profile. */
  async function setLocale(locale: Locale): Promise<void> {
    clearForcedLocale()
    applyLocale(locale)
    if (!me.value) return
    const updated = await api.patch<Me>('/me', { locale })
    me.value = { ...me.value, ...updated, permissions: me.value.permissions }
  }

  /** Asks for a reset mail; "unavailable" when the server has no such endpoint yet. */
  async function requestPasswordReset(email: string): Promise<ResetOutcome> {
    try {
      await api.post('/auth/password-reset', { email }, { quiet401: true })
      return 'ok'
    } catch (e) {
      if (e instanceof ApiError && e.missing) return 'unavailable'
      throw e
    }
  }

  /** Sets a new password with the token from the mail. */
  async function confirmPasswordReset(token: string, password: string): Promise<ResetOutcome> {
    try {
      await api.post('/auth/password-reset/confirm', { token, password }, { quiet401: true })
      return 'ok'
    } catch (e) {
      if (e instanceof ApiError && e.missing) return 'unavailable'
      throw e
    }
  }

  return { me, checked, signedIn, can, fetchMe, signIn, signOut, expired, setLocale, requestPasswordReset, confirmPasswordReset }
})
