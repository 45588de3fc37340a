// One settings document edited in a form (GET then PUT of the whole
// document): the value, a load error, field errors placed by useFormErrors,
// "Saved." after a save, and the busy flag.
import { ref, type Ref } from 'vue'
import { i18n } from '@/i18n'
import { problemMessage, useFormErrors } from './forms'

export function useSettingsDoc<T>(get: () => Promise<T>, fields: readonly string[]) {
  const doc = ref(null) as Ref<T | null>
  const loadError = ref('')
  const errs = useFormErrors(fields)
  const flash = ref('')
  const busy = ref(false)

  async function load(): Promise<void> {
    loadError.value = ''
    try {
      doc.value = await get()
    } catch (e) {
      loadError.value = problemMessage(e)
    }
  }

  /** Sends put() and adopts what the server answers; false when it refused (errors placed). */
  async function save(put: () => Promise<T>): Promise<boolean> {
    errs.clear()
    flash.value = ''
    busy.value = true
    try {
      doc.value = await put()
      flash.value = i18n.global.t('admin.common.saved')
      return true
    } catch (e) {
      errs.apply(e)
      return false
    } finally {
      busy.value = false
    }
  }

  return { doc, loadError, errs, flash, busy, load, save }
}
