// The open conversation: its properties and its thread (messages, notes and
// timeline events), with the writes made from the conversation screen.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { api, ApiError, idempotencyKey } from '@/api/client'
import type { Conversation, ConversationPatch, List, Message, MessageCreated, MessageInput, RealtimeFrame } from '@/api/types'
import { useConversationsStore } from './conversations'

export type LoadError = 'not_found' | 'forbidden' | 'failed' | null

export const useThreadStore = defineStore('thread', () => {
  const conversation = shallowRef<Conversation | null>(null)
  const messages = shallowRef<Message[]>([])
  const loading = ref(false)
  const loadError = ref<LoadError>(null)
  let currentId: number | null = null
  let gen = 0
  let refreshTimer: ReturnType<typeof setTimeout> | null = null

  function lastId(): number {
    const m = messages.value
    return m.length ? m[m.length - 1].id : 0
  }

  function setConversation(c: Conversation): void {
    if (c.id !== currentId) return
    conversation.value = c
    useConversationsStore().upsert(c)
  }

  async function open(id: number): Promise<void> {
    const g = ++gen
    currentId = id
    loading.value = true
    loadError.value = null
    conversation.value = null
    messages.value = []
    try {
      const [c, m] = await Promise.all([
        api.get<Conversation>(`/conversations/${id}`),
        api.get<List<Message>>(`/conversations/${id}/messages`, { query: { limit: 500 } }),
      ])
      if (g !== gen) return
      conversation.value = c
      messages.value = m.data
    } catch (e) {
      if (g !== gen) return
      loadError.value = e instanceof ApiError && e.status === 404 ? 'not_found' : e instanceof ApiError && e.status === 403 ? 'forbidden' : 'failed'
    } finally {
      if (g === gen) loading.value = false
    }
  }

  function close(): void {
    gen++
    currentId = null
    conversation.value = null
    messages.value = []
    loadError.value = null
  }

  /** Appends messages newer than the last one shown. */
  async function loadNewMessages(): Promise<Message[]> {
    const id = currentId
    if (!id) return []
    const res = await api.get<List<Message>>(`/conversations/${id}/messages`, { query: { after: lastId(), limit: 500 } })
    if (id !== currentId) return []
    const known = new Set(messages.value.map((m) => m.id))
    const fresh = res.data.filter((m) => !known.has(m.id))
    if (fresh.length) messages.value = [...messages.value, ...fresh].sort((a, b) => a.id - b.id)
    return fresh
  }

  /** Fetches the conversation and new messages again (after a realtime event or a reconnect). */
  async function refresh(): Promise<void> {
    const id = currentId
    if (!id) return
    try {
      const c = await api.get<Conversation>(`/conversations/${id}`)
      setConversation(c)
      await loadNewMessages()
    } catch (e) {
      if (e instanceof ApiError && (e.status === 403 || e.status === 404)) loadError.value = e.status === 404 ? 'not_found' : 'forbidden'
    }
  }

  /** Follows a realtime frame about the open conversation: its new state, then the messages after the last one shown. */
  function applyRealtime(frame: RealtimeFrame): void {
    if (frame.type === 'message.updated') {
      applyDelivery(frame)
      return
    }
    if (frame.type !== 'conversation.updated' && frame.type !== 'message.created') return
    if (Number(frame.conversation_id) !== currentId) return
    const c = frame.conversation
    const fresh = c && typeof c === 'object' && c.id === currentId
    if (fresh && conversation.value && Date.parse(c.updated_at) >= Date.parse(conversation.value.updated_at)) conversation.value = c
    if (refreshTimer) clearTimeout(refreshTimer)
    refreshTimer = setTimeout(() => {
      refreshTimer = null
      void (fresh ? loadNewMessages().catch(() => []) : refresh())
    }, 100)
  }

  /** An outbound email was sent or failed: the message shown changes its delivery status in place. */
  function applyDelivery(frame: Extract<RealtimeFrame, { type: 'message.updated' }>): void {
    if (Number(frame.conversation_id) !== currentId) return
    const i = messages.value.findIndex((m) => m.id === frame.message_id)
    if (i < 0) return
    const cur = messages.value[i]
    const meta = { ...(cur.channel_meta ?? {}) }
    if (frame.delivery_error) meta.delivery_error = frame.delivery_error
    else delete meta.delivery_error
    const next = messages.value.slice()
    next[i] = { ...cur, delivery_status: frame.delivery_status, channel_meta: meta }
    messages.value = next
  }

  async function update(patch: ConversationPatch): Promise<void> {
    const id = currentId
    if (!id) return
    const c = await api.patch<Conversation>(`/conversations/${id}`, patch)
    setConversation(c)
    await loadNewMessages()
  }

  async function send(input: MessageInput): Promise<Message> {
    const id = currentId
    if (!id) throw new Error('no conversation open')
    const created = await api.post<MessageCreated>(`/conversations/${id}/messages`, input, { headers: { 'Idempotency-Key': idempotencyKey() } })
    const { conversation: conv, ...msg } = created
    if (id === currentId) {
      if (!messages.value.some((m) => m.id === msg.id)) messages.value = [...messages.value, msg]
      if (conv.id === id) setConversation(conv)
      await loadNewMessages()
    }
    return msg
  }

  /** Public replies by other agents after message afterId: a collision the composer warns about. */
  function repliesByOthersSince(afterId: number, meId: number | null): Message[] {
    return messages.value.filter((m) => m.id > afterId && m.kind === 'reply' && m.direction === 'outbound' && m.author_type === 'agent' && m.author_id !== meId)
  }

  return { conversation, messages, loading, loadError, open, close, refresh, loadNewMessages, applyRealtime, update, send, repliesByOthersSince, lastId }
})
