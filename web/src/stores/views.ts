// Saved custom views and the per-view counts shown in the sidebar. Both
// endpoints are optional: on a server without them the sidebar shows the
// built-in views without counts.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { api, ApiError, isUnsupported } from '@/api/client'
import type { List, SavedView, SortKey, ViewFilters } from '@/api/types'
import { normalizeCounts } from '@/utils/filters'

/** POST /api/v1/views and PATCH /api/v1/views/{id} bodies (absent fields stay on PATCH). */
export interface ViewInput {
  name: string
  filters?: ViewFilters
  sort?: SortKey | ''
}

export const COUNTS_DEBOUNCE_MS = 1500

export const useViewsStore = defineStore('views', () => {
  const saved = shallowRef<SavedView[]>([])
  /** null until asked; false when the server has no /views. */
  const available = ref<boolean | null>(null)
  const counts = shallowRef<Map<string, number>>(new Map())
  const countsAvailable = ref<boolean | null>(null)
  let countsTimer: ReturnType<typeof setTimeout> | null = null

  async function fetchViews(): Promise<void> {
    if (available.value === false) return
    try {
      const res = await api.get<List<SavedView> | SavedView[]>('/views')
      const list = Array.isArray(res) ? res : res.data ?? []
      saved.value = [...list].sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || a.id - b.id)
      available.value = true
    } catch (e) {
      if (isUnsupported(e) || (e instanceof ApiError && e.status === 403)) available.value = false
      else throw e
    }
  }

  async function fetchCounts(): Promise<void> {
    if (countsAvailable.value === false) return
    try {
      counts.value = normalizeCounts(await api.get<unknown>('/views/counts'))
      countsAvailable.value = true
    } catch (e) {
      if (isUnsupported(e) || (e instanceof ApiError && e.status === 403)) countsAvailable.value = false
      // other failures (network) keep the old counts
    }
  }

  /** Refreshes counts once after a burst of realtime events. */
  function refreshCountsSoon(delay = COUNTS_DEBOUNCE_MS): void {
    if (countsAvailable.value === false) return
    if (countsTimer) clearTimeout(countsTimer)
    countsTimer = setTimeout(() => {
      countsTimer = null
      void fetchCounts()
    }, delay)
  }

  function countFor(key: string): number | undefined {
    return counts.value.get(key)
  }

  async function createView(input: ViewInput): Promise<SavedView> {
    const v = await api.post<SavedView>('/views', input)
    saved.value = [...saved.value, v]
    refreshCountsSoon(0)
    return v
  }

  async function updateView(id: number, input: ViewInput): Promise<SavedView> {
    const v = await api.patch<SavedView>(`/views/${id}`, input)
    saved.value = saved.value.map((s) => (s.id === id ? v : s))
    refreshCountsSoon(0)
    return v
  }

  async function deleteView(id: number): Promise<void> {
    await api.del(`/views/${id}`)
    saved.value = saved.value.filter((s) => s.id !== id)
  }

  function reset(): void {
    if (countsTimer) clearTimeout(countsTimer)
    countsTimer = null
    saved.value = []
    counts.value = new Map()
    available.value = null
    countsAvailable.value = null
  }

  return { saved, available, counts, countsAvailable, fetchViews, fetchCounts, refreshCountsSoon, countFor, createView, updateView, deleteView, reset }
})
