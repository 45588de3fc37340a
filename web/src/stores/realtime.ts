// Wires the tab's realtime connection to the stores: list, counts and the
// open conversation follow server events; after a reconnect they are fetched
// again; presence frames tell who else views or types. Without a realtime
// endpoint on the server, the same data is polled instead.
import { defineStore } from 'pinia'
import { api, notifyUnauthorized } from '@/api/client'
import { ref, shallowRef } from 'vue'
import type { PresenceAgent, RealtimeFrame } from '@/api/types'
import { RealtimeClient, socketUrl, type RealtimeOptions, type RealtimeState } from '@/realtime/client'
import { useConversationsStore } from './conversations'
import { useThreadStore } from './thread'
import { useViewsStore } from './views'
import { useSessionStore } from './session'
import { useNotificationsStore } from './notifications'

export const POLL_MS = 30000
export const TYPING_THROTTLE_MS = 3000
export const TYPING_IDLE_MS = 5000

export const useRealtimeStore = defineStore('realtime', () => {
  const state = ref<RealtimeState>('idle')
  /** Agents viewing each conversation, as the server last said (the signed-in agent left out). */
  const presence = shallowRef<Map<number, PresenceAgent[]>>(new Map())
  /** Conversations whose chat visitor is typing (presence frames' visitor_typing). */
  const visitorTyping = shallowRef<Set<number>>(new Set())
  let client: RealtimeClient | null = null
  /** The conversation this tab shows; kept here too, since it may be set before the socket exists. */
  let viewing: number | null = null
  let pollTimer: ReturnType<typeof setInterval> | null = null
  let typingSentAt = 0
  let typingFor: number | null = null
  let typingIdle: ReturnType<typeof setTimeout> | null = null

  function handleFrame(frame: RealtimeFrame): void {
    if (frame.type === 'presence') {
      const me = useSessionStore().me?.id
      const next = new Map(presence.value)
      next.set(Number(frame.conversation_id), (frame.agents ?? []).filter((a) => a.agent_id !== me))
      presence.value = next
      const id = Number(frame.conversation_id)
      if (Boolean(frame.visitor_typing) !== visitorTyping.value.has(id)) {
        const v = new Set(visitorTyping.value)
        if (frame.visitor_typing) v.add(id)
        else v.delete(id)
        visitorTyping.value = v
      }
      return
    }
    if (frame.type === 'hello') return
    if (frame.type === 'notification') {
      if (frame.notification) useNotificationsStore().push(frame.notification)
      return
    }
    void useConversationsStore().applyRealtime(frame)
    useThreadStore().applyRealtime(frame)
    useViewsStore().refreshCountsSoon()
  }

  /** Fetches what may have changed while disconnected. */
  function resync(): void {
    void useConversationsStore().refresh()
    void useViewsStore().fetchCounts()
    void useThreadStore().refresh()
    const notifications = useNotificationsStore()
    if (notifications.available) void notifications.load()
  }

  function startPolling(): void {
    if (pollTimer) return
    pollTimer = setInterval(resync, POLL_MS)
  }

  function onOnline(): void {
    client?.nudge()
  }

  function start(extra: Partial<RealtimeOptions> = {}): void {
    if (client) return
    client = new RealtimeClient({
      url: () => socketUrl('/api/v1/ws'),
      onFrame: handleFrame,
      onConnected: (reconnect) => {
        if (reconnect) resync()
      },
      onState: (s) => {
        state.value = s
        if (s === 'unavailable') startPolling()
      },
      probe: async () => {
        const res = await fetch('/api/v1/ws', { credentials: 'same-origin' })
        return res.status !== 404
      },
      onUnauthenticated: () => notifyUnauthorized(),
      // A refused upgrade (signed out elsewhere) looks like any failure: ask /me now and then;
      // its 401 takes the tab to the sign-in page.
      onRetry: (n) => {
        if (n % 3 === 0) void api.get('/me').catch(() => undefined)
      },
      ...extra,
    })
    if (viewing !== null) client.view(viewing)
    client.start()
    if (typeof window !== 'undefined') window.addEventListener('online', onOnline)
  }

  function stop(): void {
    client?.stop()
    client = null
    if (pollTimer) clearInterval(pollTimer)
    pollTimer = null
    presence.value = new Map()
    state.value = 'idle'
    if (typeof window !== 'undefined') window.removeEventListener('online', onOnline)
  }

  function view(conversationId: number | null): void {
    if (conversationId === null && typingFor !== null) typing(typingFor, false)
    viewing = conversationId
    client?.view(conversationId)
  }

  /** Says the agent types in a conversation: at most once per throttle window, and "stopped" after a pause. */
  function typing(conversationId: number, on: boolean): void {
    if (!client) return
    const now = Date.now()
    if (typingIdle) clearTimeout(typingIdle)
    typingIdle = null
    if (on) {
      if (typingFor !== conversationId || now - typingSentAt >= TYPING_THROTTLE_MS) {
        client.typing(conversationId, true)
        typingSentAt = now
        typingFor = conversationId
      }
      typingIdle = setTimeout(() => typing(conversationId, false), TYPING_IDLE_MS)
    } else if (typingFor === conversationId) {
      client.typing(conversationId, false)
      typingFor = null
      typingSentAt = 0
    }
  }

  function viewers(conversationId: number): PresenceAgent[] {
    return presence.value.get(conversationId) ?? []
  }

  function isVisitorTyping(conversationId: number): boolean {
    return visitorTyping.value.has(conversationId)
  }

  return { state, presence, visitorTyping, start, stop, view, typing, viewers, isVisitorTyping, resync, handleFrame }
})
