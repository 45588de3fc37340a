// Form plumbing for the settings and contacts screens: problem documents
// turned into messages in the UI language, field errors placed beside the
// field they name (problem.errors[].field), focus on the first invalid field.
import { computed, nextTick, reactive, ref } from 'vue'
import { ApiError, type FieldError } from '@/api/client'
import { i18n } from '@/i18n'

function t(key: string, named: Record<string, unknown> = {}): string {
  return i18n.global.t(key, named)
}

/** The permission a 403 names ("… lacks agents:write"), if any. */
export function missingPermission(err: unknown): string | null {
  if (!(err instanceof ApiError) || err.status !== 403) return null
  return /lacks ([a-z]+:[a-z]+)/.exec(err.detail)?.[1] ?? null
}

/** One sentence for an API failure, in the UI language. */
export function problemMessage(err: unknown): string {
  if (!(err instanceof ApiError)) return t('admin.errors.generic')
  switch (err.status) {
    case 0:
      return t('admin.errors.network')
    case 403: {
      if (err.type.endsWith('/csrf')) return t('admin.errors.csrf')
      const perm = missingPermission(err)
      return perm ? t('admin.errors.forbiddenPerm', { perm }) : t('admin.errors.forbidden')
    }
    case 404:
      return t('admin.errors.notFound')
    case 409:
      return t('admin.errors.conflict')
    case 413:
      return t('admin.errors.tooLarge')
    case 429:
      return t('admin.errors.rateLimited')
    case 400:
    case 422:
      return t('admin.errors.invalid')
    default:
      return t('admin.errors.server', { status: err.status })
  }
}

/** True for a 403: the caller's role or token does not allow it. */
export function isForbidden(err: unknown): boolean {
  return err instanceof ApiError && err.status === 403
}

/**
 * The form field a server error belongs to: the dotted path itself when the
 * form has it, else the path with its last index or segment dropped
 * ("emails[1]" → "emails", "external_ids.crm" → "external_ids").
 */
export function resolveField(field: string, known: readonly string[]): string | null {
  let f = field
  while (f) {
    if (known.includes(f)) return f
    const stripped = f.replace(/\[\d+\]$/, '')
    if (stripped !== f) {
      f = stripped
      continue
    }
    const dot = f.lastIndexOf('.')
    if (dot < 0) return null
    f = f.slice(0, dot)
  }
  return null
}

/** A field error in the UI language; rest is what the path adds to the field ("[1]", ".crm"). */
export function fieldMessage(e: FieldError, rest = ''): string {
  const key = `admin.fieldErrors.${e.code}`
  const base = i18n.global.te(key) ? t(key) : e.message
  const idx = /^\[(\d+)\]/.exec(rest)
  if (idx) return t('admin.fieldErrors.item', { n: Number(idx[1]) + 1, message: base })
  const sub = /^\.(.+)$/.exec(rest)
  if (sub) return t('admin.fieldErrors.named', { name: sub[1], message: base })
  return base
}

/**
 * Errors of one form: errors[field] beside each field, general above the
 * form. known lists the fields the form shows, as the API names them.
 */
export function useFormErrors(known: readonly string[]) {
  const errors = reactive<Record<string, string>>({})
  const general = ref('')

  function clear(): void {
    for (const k of Object.keys(errors)) delete errors[k]
    general.value = ''
  }

  function set(field: string, message: string): void {
    errors[field] = message
  }

  /** Places an API error: field errors beside their fields, the rest in general. */
  function apply(err: unknown): void {
    clear()
    if (err instanceof ApiError && err.errors.length) {
      const unplaced: string[] = []
      for (const fe of err.errors) {
        const k = resolveField(fe.field, known)
        const msg = fieldMessage(fe, k ? fe.field.slice(k.length) : '')
        if (k) errors[k] = errors[k] ? `${errors[k]} ${msg}` : msg
        else unplaced.push(fe.field && fe.field !== 'body' ? t('admin.fieldErrors.named', { name: fe.field, message: msg }) : msg)
      }
      general.value = unplaced.length ? [problemMessage(err), ...unplaced].join(' ') : t('admin.errors.checkFields')
    } else {
      general.value = problemMessage(err)
    }
  }

  /** After client-side checks: a summary when any field has an error. */
  function summarize(): boolean {
    const bad = Object.keys(errors).length > 0
    general.value = bad ? t('admin.errors.checkFields') : ''
    return bad
  }

  const invalid = computed(() => Object.keys(errors).length > 0)

  return { errors, general, clear, set, apply, summarize, invalid }
}

export type FormErrors = ReturnType<typeof useFormErrors>

/** Moves focus to the first field marked aria-invalid inside root. */
export async function focusFirstInvalid(root: HTMLElement | null | undefined): Promise<void> {
  await nextTick()
  const el = root?.querySelector<HTMLElement>('[aria-invalid="true"]')
  if (!el) return
  const target = el.matches('input, select, textarea, button') ? el : el.querySelector<HTMLElement>('input, select, textarea, button') ?? el
  target.focus()
}

/** A stable element id for a field of a form: prefix + the API path made id-safe. */
export function fieldId(prefix: string, field: string): string {
  return `${prefix}-${field.replace(/[^A-Za-z0-9_-]+/g, '-')}`
}

/** Non-empty trimmed lines. */
export function lines(s: string): string[] {
  return s
    .split(/\r?\n/)
    .map((x) => x.trim())
    .filter(Boolean)
}

/** Items separated by commas, spaces or new lines. */
export function words(s: string): string[] {
  return s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean)
}

/** The IANA time zones the browser knows, for a datalist; empty when it can't list them. */
export function timeZones(): string[] {
  try {
    const f = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf
    return f ? f('timeZone') : []
  } catch {
    return []
  }
}

/** Copies text to the clipboard; false when the browser refuses. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    return false
  }
}
