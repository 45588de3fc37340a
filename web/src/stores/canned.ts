// Canned responses for the composer's picker. Optional on the server: the
// picker is hidden when GET /api/v1/canned-responses is not there.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { api, ApiError, isUnsupported } from '@/api/client'
import type { CannedResponse, List } from '@/api/types'

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

  function reset(): void {
    items.value = []
    available.value = null
  }

  return { items, available, load, render, reset }
})
