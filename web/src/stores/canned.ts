// Canned responses for the composer's picker. Optional on the server: the
// picker is hidden when GET /api/v1/canned-responses is not there.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { api, ApiError, isUnsupported } from '@/api/client'
import type { CannedResponse, List, MacroResult } from '@/api/types'
import { useConversationsStore } from './conversations'
import { useThreadStore } from './thread'

export const useCannedStore = defineStore('canned', () => {
  const items = shallowRef<CannedResponse[]>([])
  const available = ref<boolean | null>(null)
  let loading: Promise<void> | null = null

  function load(): Promise<void> {
    if (available.value !== null) return Promise.resolve()
    loading ??= (async () => {
      try {
        const res = await api.get<List<CannedResponse> | CannedResponse[]>('/canned-responses')
        items.value = Array.isArray(res) ? res : res.data ?? []
        available.value = true
      } catch (e) {
        if (isUnsupported(e) || (e instanceof ApiError && e.status === 403)) available.value = false
      } finally {
        loading = null
      }
    })()
    return loading
  }

  /** The response's body with the conversation's placeholders filled in. */
  async function render(id: number, conversationId: number): Promise<string> {
    const res = await api.get<{ body: string }>(`/canned-responses/${id}/render`, { query: { conversation_id: conversationId } })
    return res.body ?? ''
  }

  /**
   * Applies a macro (a response with actions) to a conversation: the server
   * changes the conversation as the agent and answers the filled-in body.
   * The list and the open thread take the changed conversation at once.
   */
  async function applyMacro(id: number, conversationId: number): Promise<string> {
    const res = await api.post<MacroResult>(`/conversations/${conversationId}/macros`, { canned_id: id })
    if (res.conversation) {
      useConversationsStore().upsert(res.conversation)
      useThreadStore().applyRealtime({ type: 'conversation.updated', conversation_id: conversationId, conversation: res.conversation })
    }
    return res.body ?? ''
  }

  /** The response whose shortcut is exactly s (case-insensitive), if any. */
  function byShortcut(s: string): CannedResponse | undefined {
    const k = s.toLowerCase()
    return k ? items.value.find((c) => c.shortcut && c.shortcut.toLowerCase() === k) : undefined
  }

  function reset(): void {
    items.value = []
    available.value = null
  }

  return { items, available, load, render, applyMacro, byShortcut, reset }
})
