// Loading state for a screen's data: loading, the error as a sentence, and
// whether the server said 403 (the agent may not read it).
import { ref, shallowRef, type Ref } from 'vue'
import { isForbidden, problemMessage } from './forms'

export function useLoad<T>(fn: () => Promise<T>, initial: T) {
  const data = shallowRef(initial) as Ref<T>
  const loading = ref(false)
  const error = ref('')
  const forbidden = ref(false)
  let seq = 0

  async function reload(): Promise<void> {
    const mine = ++seq
    loading.value = true
    error.value = ''
    try {
      const v = await fn()
      if (mine !== seq) return
      data.value = v
      forbidden.value = false
    } catch (e) {
      if (mine !== seq) return
      forbidden.value = isForbidden(e)
      error.value = problemMessage(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  return { data, loading, error, forbidden, reload }
}

/** A cursor-paged list: the first page on reload, the next with more ("Load more"). */
export function usePaged<T>(fetchPage: (cursor: string | null) => Promise<{ data: T[]; next_cursor: string | null }>) {
  const items = shallowRef<T[]>([])
  const next = ref<string | null>(null)
  const loading = ref(false)
  const loadingMore = ref(false)
  const loaded = ref(false)
  const error = ref('')
  const forbidden = ref(false)
  let seq = 0

  async function reload(): Promise<void> {
    const mine = ++seq
    loading.value = true
    error.value = ''
    try {
      const page = await fetchPage(null)
      if (mine !== seq) return
      items.value = page.data
      next.value = page.next_cursor
      forbidden.value = false
      loaded.value = true
    } catch (e) {
      if (mine !== seq) return
      items.value = []
      next.value = null
      forbidden.value = isForbidden(e)
      error.value = problemMessage(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  async function more(): Promise<void> {
    if (!next.value || loadingMore.value) return
    const mine = seq
    loadingMore.value = true
    error.value = ''
    try {
      const page = await fetchPage(next.value)
      if (mine !== seq) return
      items.value = [...items.value, ...page.data]
      next.value = page.next_cursor
    } catch (e) {
      if (mine === seq) error.value = problemMessage(e)
    } finally {
      loadingMore.value = false
    }
  }

  return { items, next, loading, loadingMore, loaded, error, forbidden, reload, more }
}
