// A step on one item that asks for a reason first (deny or approve a
// compensation request, reverse a ledger entry): the item, the reason
// typed, its error beside the field, busy and the outcome sentence.
import { ref, type Ref } from 'vue'
import { useFormErrors } from '@/views/settings/lib/forms'

export function useReasonAction<T>() {
  const target = ref(null) as Ref<T | null>
  const reason = ref('')
  const busy = ref(false)
  const errs = useFormErrors(['reason'])
  const flash = ref('')

  function open(item: T): void {
    target.value = item
    reason.value = ''
    errs.clear()
    flash.value = ''
  }

  /**
   * Runs act on the item with the trimmed reason; required is the message
   * shown when the reason is required and empty (nothing is sent then).
   * act resolves with the sentence to show; a refusal is placed in errs.
   */
  async function run(required: string | null, act: (item: T, reason: string) => Promise<string>): Promise<void> {
    const item = target.value
    if (item === null) return
    errs.clear()
    const r = reason.value.trim()
    if (required && !r) {
      errs.set('reason', required)
      errs.summarize()
      return
    }
    busy.value = true
    try {
      flash.value = await act(item, r)
      target.value = null
    } catch (e) {
      errs.apply(e)
    } finally {
      busy.value = false
    }
  }

  return { target, reason, busy, errs, flash, open, run }
}

export type ReasonAction<T> = ReturnType<typeof useReasonAction<T>>
