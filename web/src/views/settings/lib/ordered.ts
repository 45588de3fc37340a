// The list half of an ordered settings screen (SLA policies, automation
// rules): move a row up or down (POST {base}/reorder, undone on failure),
// switch it on or off (PATCH {base}/{id}), and delete it after confirming.
import { ref, type Ref } from 'vue'
import { api } from '@/api/client'
import { problemMessage } from './forms'
import { moved } from './sla'

interface Item {
  id: number
  enabled: boolean
}

export function useOrderedList<T extends Item>(list: { data: Ref<T[]>; reload: () => Promise<unknown> }, base: string) {
  const rowError = ref('')
  const orderBusy = ref(false)

  async function move(index: number, delta: number) {
    const before = list.data.value
    const after = moved(before, index, delta)
    if (after.every((x, i) => x.id === before[i]?.id)) return
    rowError.value = ''
    orderBusy.value = true
    list.data.value = after
    try {
      await api.post(`${base}/reorder`, { ids: after.map((x) => x.id) })
    } catch (e) {
      list.data.value = before
      rowError.value = problemMessage(e)
    } finally {
      orderBusy.value = false
    }
  }

  async function toggle(x: T) {
    rowError.value = ''
    try {
      await api.patch(`${base}/${x.id}`, { enabled: !x.enabled })
      await list.reload()
    } catch (e) {
      rowError.value = problemMessage(e)
    }
  }

  const deleting = ref<T | null>(null) as Ref<T | null>
  const deleteError = ref('')
  const deleteBusy = ref(false)
  async function confirmDelete() {
    if (!deleting.value) return
    deleteBusy.value = true
    deleteError.value = ''
    try {
      await api.del(`${base}/${deleting.value.id}`)
      deleting.value = null
      await list.reload()
    } catch (e) {
      deleteError.value = problemMessage(e)
    } finally {
      deleteBusy.value = false
    }
  }

  return { rowError, orderBusy, move, toggle, deleting, deleteError, deleteBusy, confirmDelete }
}
