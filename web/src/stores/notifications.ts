// The signed-in agent's notifications (the bell): loaded after sign-in,
// kept up to date by the realtime socket's "notification" frames, and
// fetched again after a reconnect. Optional on the server: the bell is
// hidden when GET /api/v1/notifications is not there.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { api, isUnsupported } from '@/api/client'
import type { AppNotification, NotificationList } from '@/api/types'

/** How many notifications the bell lists. */
export const NOTIFICATION_LIMIT = 30

export const useNotificationsStore = defineStore('notifications', () => {
  const items = shallowRef<AppNotification[]>([])
  const unreadCount = ref(0)
  /** null until the first load; false on a server without notifications. */
  const available = ref<boolean | null>(null)
  const error = ref(false)
  const unread = computed(() => items.value.filter((n) => !n.read_at))

  async function load(): Promise<void> {
    try {
      const res = await api.get<NotificationList>('/notifications', { query: { limit: NOTIFICATION_LIMIT } })
      items.value = res.data ?? []
      unreadCount.value = res.unread_count ?? 0
      available.value = true
      error.value = false
    } catch (e) {
      if (isUnsupported(e)) available.value = false
      else error.value = true
    }
  }

  /** A notification pushed by the server: newest first, counted unread. */
  function push(n: AppNotification): void {
    if (items.value.some((x) => x.id === n.id)) return
    items.value = [n, ...items.value].slice(0, NOTIFICATION_LIMIT)
    if (!n.read_at) unreadCount.value++
    available.value = true
  }

  function markLocally(ids: Set<number> | null): void {
    const now = new Date().toISOString()
    let changed = 0
    items.value = items.value.map((n) => {
      if (n.read_at || (ids && !ids.has(n.id))) return n
      changed++
      return { ...n, read_at: now }
    })
    unreadCount.value = ids ? Math.max(0, unreadCount.value - changed) : 0
  }

  /** Marks some notifications read; the bell shows it at once. */
  async function markRead(ids: number[]): Promise<void> {
    if (!ids.length) return
    await api.post('/notifications/read', { ids })
    markLocally(new Set(ids))
  }

  async function markAllRead(): Promise<void> {
    await api.post('/notifications/read', { all: true })
    markLocally(null)
  }

  function reset(): void {
    items.value = []
    unreadCount.value = 0
    available.value = null
    error.value = false
  }

  return { items, unread, unreadCount, available, error, load, push, markRead, markAllRead, reset }
})
