// The conversation list in the middle column: one page at a time from
// GET /api/v1/conversations, kept current by realtime events (each changed
// conversation is fetched again and put in its place, or taken out when it
// no longer matches the filters).
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { api, ApiError, isUnsupported } from '@/api/client'
import type { Conversation, ConversationFilters, Page, RealtimeFrame, SortKey } from '@/api/types'
import { compareBySlaDue, compareBySort, DEFAULT_SORT, matchesFilters } from '@/utils/filters'
import { useSessionStore } from './session'

export const PAGE_SIZE = 50
/** Realtime events for the same conversation within this window cost one fetch. */
export const COALESCE_MS = 120

export const useConversationsStore = defineStore('conversations', () => {
  const items = shallowRef<Conversation[]>([])
  const filters = shallowRef<ConversationFilters>({})
  const sort = ref<SortKey>(DEFAULT_SORT)
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const loadingMore = ref(false)
  const error = ref<string | null>(null)
  /** True when the server rejected ?q= (search not deployed yet). */
  const searchUnavailable = ref(false)
  /** True when the server rejected ?sla= (SLA not deployed yet). */
  const slaUnavailable = ref(false)
  /** The conversation open on the right: kept in the list even when it stops matching. */
  const pinnedId = ref<number | null>(null)

  let generation = 0
  const pending = new Set<number>()
  let flushTimer: ReturnType<typeof setTimeout> | null = null

  function query(cursor?: string | null) {
    const f = filters.value
    return {
      status: f.status,
      priority: f.priority,
      assignee: f.assignee,
      team: f.team,
      tag: f.tag,
      inbox: f.inbox,
      channel: f.channel,
      requester: f.requester,
      q: f.q,
      sla: f.sla,
      // The SLA lists come earliest due first: the server's order for ?sla=.
      sort: f.sla ? undefined : sort.value,
      limit: PAGE_SIZE,
      cursor: cursor ?? undefined,
    }
  }

  /** Loads the first page for new filters and sort. */
  async function load(newFilters: ConversationFilters, newSort: SortKey = DEFAULT_SORT): Promise<void> {
    filters.value = newFilters
    sort.value = newSort
    await refresh()
  }

  /** Loads the first page again with the current filters (after a reconnect, for instance). */
  async function refresh(): Promise<void> {
    const gen = ++generation
    loading.value = true
    error.value = null
    searchUnavailable.value = false
    slaUnavailable.value = false
    try {
      const page = await api.get<Page<Conversation>>('/conversations', { query: query() })
      if (gen !== generation) return
      items.value = page.data
      nextCursor.value = page.next_cursor
    } catch (e) {
      if (gen !== generation) return
      if (filters.value.q && isUnsupported(e, 'q')) {
        searchUnavailable.value = true
        items.value = []
        nextCursor.value = null
      } else if (filters.value.sla && isUnsupported(e, 'sla')) {
        slaUnavailable.value = true
        items.value = []
        nextCursor.value = null
      } else {
        error.value = e instanceof ApiError ? e.message : String(e)
      }
    } finally {
      if (gen === generation) loading.value = false
    }
  }

  async function loadMore(): Promise<void> {
    if (!nextCursor.value || loadingMore.value) return
    const gen = generation
    loadingMore.value = true
    try {
      const page = await api.get<Page<Conversation>>('/conversations', { query: query(nextCursor.value) })
      if (gen !== generation) return
      const seen = new Set(items.value.map((c) => c.id))
      items.value = [...items.value, ...page.data.filter((c) => !seen.has(c.id))]
      nextCursor.value = page.next_cursor
    } catch (e) {
      if (gen === generation) error.value = e instanceof ApiError ? e.message : String(e)
    } finally {
      loadingMore.value = false
    }
  }

  function remove(id: number): void {
    if (items.value.some((c) => c.id === id)) items.value = items.value.filter((c) => c.id !== id)
  }

  /**
   * Puts a fresh copy of a conversation in the list: replaced and re-sorted
   * when it still matches, inserted when it newly matches (unless it would
   * sort past the loaded pages), removed when it no longer matches.
   */
  function upsert(conv: Conversation): void {
    const meId = useSessionStore().me?.id ?? null
    const f = filters.value
    const idx = items.value.findIndex((c) => c.id === conv.id)
    const matches = matchesFilters(conv, f, meId)
    if (f.q) {
      // Search results are the server's to choose: only refresh rows already shown.
      if (idx >= 0) items.value = items.value.map((c) => (c.id === conv.id ? conv : c))
      return
    }
    if (!matches && conv.id !== pinnedId.value) {
      if (idx >= 0) remove(conv.id)
      return
    }
    if (!matches && idx < 0) return
    // Frames may arrive twice or out of order: never go back to an older copy.
    if (idx >= 0 && Date.parse(items.value[idx].updated_at) > Date.parse(conv.updated_at)) return
    const rest = idx >= 0 ? items.value.filter((c) => c.id !== conv.id) : items.value
    const cmp = f.sla ? compareBySlaDue : compareBySort(sort.value)
    let at = rest.findIndex((c) => cmp(conv, c) < 0)
    if (at < 0) {
      // It sorts after everything loaded: append only when this is the last page.
      if (nextCursor.value && idx < 0) return
      at = rest.length
    }
    items.value = [...rest.slice(0, at), conv, ...rest.slice(at)]
  }

  async function fetchOne(id: number): Promise<void> {
    try {
      upsert(await api.get<Conversation>(`/conversations/${id}`))
    } catch (e) {
      if (e instanceof ApiError && (e.status === 403 || e.status === 404)) remove(id)
    }
  }

  async function flush(): Promise<void> {
    flushTimer = null
    const ids = [...pending]
    pending.clear()
    await Promise.all(ids.map(fetchOne))
  }

  /**
   * Applies a realtime frame. Frames carry the conversation as it is now, so
   * it is placed at once; a frame without one makes the conversation be
   * fetched again (a burst of them costs one fetch).
   */
  function applyRealtime(frame: RealtimeFrame): Promise<void> | void {
    if (frame.type !== 'conversation.created' && frame.type !== 'conversation.updated' && frame.type !== 'message.created') return
    const id = Number(frame.conversation_id)
    if (!id) return
    const c = frame.conversation
    if (c && typeof c === 'object' && c.id === id) {
      upsert(c)
      return
    }
    pending.add(id)
    if (!flushTimer) {
      return new Promise<void>((resolve) => {
        flushTimer = setTimeout(() => void flush().then(resolve), COALESCE_MS)
      })
    }
  }

  function reset(): void {
    generation++
    items.value = []
    nextCursor.value = null
    pinnedId.value = null
    pending.clear()
    if (flushTimer) clearTimeout(flushTimer)
    flushTimer = null
  }

  return {
    items, filters, sort, nextCursor, loading, loadingMore, error, searchUnavailable, slaUnavailable, pinnedId,
    load, refresh, loadMore, upsert, remove, applyRealtime, reset,
  }
})
