import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { COALESCE_MS, useConversationsStore } from '@/stores/conversations'
import { useSessionStore } from '@/stores/session'
import type { Conversation } from '@/api/types'
import { conv, me, stubFetch } from './helpers'

function ids(list: Conversation[]) {
  return list.map((c) => c.id)
}

describe('conversations list store', () => {
  let server: Map<number, Conversation>

  beforeEach(() => {
    setActivePinia(createPinia())
    useSessionStore().me = me({ id: 7 })
    server = new Map([3, 2, 1].map((id) => [id, conv(id, { assignee_id: 7 })]))
    stubFetch({
      'GET /api/v1/conversations': (url) => {
        expect(url.searchParams.get('assignee')).toBe('me')
        expect(url.searchParams.get('status')).toBe('new,open,pending,on_hold')
        expect(url.searchParams.get('sort')).toBe('-updated_at')
        return { body: { data: [...server.values()].sort((a, b) => b.id - a.id), next_cursor: null } }
      },
      ...Object.fromEntries(
        [1, 2, 3, 4, 5].map((id) => [
          `GET /api/v1/conversations/${id}`,
          () => (server.has(id) ? { body: server.get(id) } : { status: 404, body: {} }),
        ]),
      ),
    })
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  async function loaded() {
    const s = useConversationsStore()
    await s.load({ assignee: 'me', status: ['new', 'open', 'pending', 'on_hold'] }, '-updated_at')
    return s
  }

  it('loads the first page with the filters as query parameters', async () => {
    const s = await loaded()
    expect(ids(s.items)).toEqual([3, 2, 1])
    expect(s.loading).toBe(false)
  })

  it('inserts a new matching conversation from a realtime event in sort order', async () => {
    vi.useFakeTimers()
    const s = await loaded()
    server.set(4, conv(4, { assignee_id: 7, updated_at: '2026-02-01T00:00:00Z' }))
    const done = s.applyRealtime({ type: 'conversation.created', conversation_id: 4 })
    await vi.advanceTimersByTimeAsync(COALESCE_MS)
    await done
    expect(ids(s.items)).toEqual([4, 3, 2, 1])
  })

  it('ignores a new conversation that does not match the view', async () => {
    vi.useFakeTimers()
    const s = await loaded()
    server.set(5, conv(5, { assignee_id: 99 }))
    const done = s.applyRealtime({ type: 'conversation.created', conversation_id: 5 })
    await vi.advanceTimersByTimeAsync(COALESCE_MS)
    await done
    expect(ids(s.items)).toEqual([3, 2, 1])
  })

  it('moves an updated conversation to the top and removes one that stopped matching', async () => {
    vi.useFakeTimers()
    const s = await loaded()
    server.set(1, conv(1, { assignee_id: 7, updated_at: '2026-03-01T00:00:00Z', message_count: 2 }))
    server.set(2, conv(2, { assignee_id: 7, status: 'solved' }))
    const done = s.applyRealtime({ type: 'message.created', conversation_id: 1 })
    s.applyRealtime({ type: 'conversation.updated', conversation_id: 2, changes: ['status'] })
    await vi.advanceTimersByTimeAsync(COALESCE_MS)
    await done
    expect(ids(s.items)).toEqual([1, 3])
    expect(s.items[0].message_count).toBe(2)
  })

  it('keeps the open conversation in the list even when it stops matching', async () => {
    vi.useFakeTimers()
    const s = await loaded()
    s.pinnedId = 2
    server.set(2, conv(2, { assignee_id: 8 }))
    const done = s.applyRealtime({ type: 'conversation.updated', conversation_id: 2 })
    await vi.advanceTimersByTimeAsync(COALESCE_MS)
    await done
    expect(ids(s.items)).toEqual([3, 2, 1])
    expect(s.items[1].assignee_id).toBe(8)
  })

  it('coalesces a burst of events for one conversation into one fetch', async () => {
    vi.useFakeTimers()
    const s = await loaded()
    const fetchMock = vi.mocked(fetch)
    const before = fetchMock.mock.calls.length
    const done = s.applyRealtime({ type: 'message.created', conversation_id: 3 })
    s.applyRealtime({ type: 'conversation.updated', conversation_id: 3 })
    s.applyRealtime({ type: 'message.created', conversation_id: 3 })
    await vi.advanceTimersByTimeAsync(COALESCE_MS)
    await done
    expect(fetchMock.mock.calls.length - before).toBe(1)
  })

  it('drops a conversation the agent can no longer see', async () => {
    vi.useFakeTimers()
    const s = await loaded()
    server.delete(3)
    const done = s.applyRealtime({ type: 'conversation.updated', conversation_id: 3 })
    await vi.advanceTimersByTimeAsync(COALESCE_MS)
    await done
    expect(ids(s.items)).toEqual([2, 1])
  })

  it('places the conversation a frame carries without fetching it', async () => {
    const s = await loaded()
    const fetchMock = vi.mocked(fetch)
    const before = fetchMock.mock.calls.length
    s.applyRealtime({ type: 'conversation.updated', conversation_id: 1, conversation: conv(1, { assignee_id: 7, updated_at: '2026-05-01T00:00:00Z', priority: 'urgent' }) })
    expect(ids(s.items)).toEqual([1, 3, 2])
    expect(s.items[0].priority).toBe('urgent')
    // A late, older copy of the same conversation is ignored.
    s.applyRealtime({ type: 'message.created', conversation_id: 1, conversation: conv(1, { assignee_id: 7, updated_at: '2026-04-01T00:00:00Z' }) })
    expect(s.items[0].priority).toBe('urgent')
    expect(fetchMock.mock.calls.length).toBe(before)
  })

  it('does not append a newly matching conversation past an unloaded page', async () => {
    const s = await loaded()
    s.nextCursor = 'more'
    s.upsert(conv(0, { assignee_id: 7, updated_at: '2025-01-01T00:00:00Z' }))
    expect(ids(s.items)).toEqual([3, 2, 1])
  })

  it('reports a server without search as searchUnavailable', async () => {
    stubFetch({
      'GET /api/v1/conversations': () => ({
        status: 400,
        body: { title: 'Invalid input', status: 400, errors: [{ field: 'q', code: 'unknown_parameter', message: 'unknown' }] },
      }),
    })
    const s = useConversationsStore()
    await s.load({ q: 'refund' })
    expect(s.searchUnavailable).toBe(true)
    expect(s.error).toBeNull()
  })
})
