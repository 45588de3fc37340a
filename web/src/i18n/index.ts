// Internationalisation: every catalog file under src/locales/<locale>/*.json
// is merged into one message tree per locale (core.json is this app's,
// admin.json belongs to the settings/contacts screens), and the document's
// lang/dir follow the active locale.
import { createI18n } from 'vue-i18n'
import { ref } from 'vue'
import type { Locale } from '@/api/types'

export const LOCALES: readonly Locale[] = ['he', 'en']
export const DEFAULT_LOCALE: Locale = 'he'

type Tree = { [key: string]: string | Tree }

/** Deep-merges catalog files into one tree per locale; path is "…/locales/<locale>/<name>.json". */
export function mergeCatalogs(files: Record<string, unknown>): Record<Locale, Tree> {
  const out = { he: {}, en: {} } as Record<Locale, Tree>
  for (const [path, mod] of Object.entries(files)) {
    const m = /locales\/([a-z]{2})\/[^/]+\.json$/.exec(path)
    if (!m || !(LOCALES as readonly string[]).includes(m[1])) continue
    const tree = (mod && typeof mod === 'object' && 'default' in mod ? (mod as { default: unknown }).default : mod) as Tree
    deepMerge(out[m[1] as Locale], tree ?? {})
  }
  return out
}

function deepMerge(into: Tree, from: Tree): void {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k]
    if (v && typeof v === 'object' && cur && typeof cur === 'object') deepMerge(cur, v)
    else into[k] = v && typeof v === 'object' ? structuredClone(v) : v
  }
}

export const messages = mergeCatalogs(import.meta.glob('../locales/*/*.json', { eager: true }))

export const i18n = createI18n({
  legacy: false,
  locale: DEFAULT_LOCALE,
  fallbackLocale: 'en',
  messages,
  missingWarn: false,
  fallbackWarn: false,
})

/** The agent's IANA time zone; undefined means the browser's. Dates are shown in it. */
export const timeZone = ref<string | undefined>(undefined)

const FORCED_KEY = 'kesher.lang'

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v)
}

/** The locale ?lang= forces, remembered for the tab once seen. */
export function forcedLocale(search = typeof location !== 'undefined' ? location.search : ''): Locale | null {
  const q = new URLSearchParams(search).get('lang')
  if (isLocale(q)) {
    try {
      sessionStorage.setItem(FORCED_KEY, q)
    } catch {
      /* storage may be disabled */
    }
    return q
  }
  try {
    const s = sessionStorage.getItem(FORCED_KEY)
    if (isLocale(s)) return s
  } catch {
    /* storage may be disabled */
  }
  return null
}

/** Drops a ?lang= override, so the agent's own choice applies again. */
export function clearForcedLocale(): void {
  try {
    sessionStorage.removeItem(FORCED_KEY)
  } catch {
    /* storage may be disabled */
  }
}

/** The first of the browser's languages that the app speaks (iw is old Hebrew). */
export function browserLocale(langs: readonly string[] = typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : []): Locale {
  for (const l of langs) {
    const base = l.toLowerCase().split('-')[0]
    if (base === 'he' || base === 'iw') return 'he'
    if (base === 'en') return 'en'
  }
  return DEFAULT_LOCALE
}

/** Which locale to show: ?lang= first, then the agent's, then the browser's. */
export function resolveLocale(agentLocale?: Locale | null): Locale {
  return forcedLocale() ?? agentLocale ?? browserLocale()
}

/** Switches the UI language and mirrors the document for Hebrew. */
export function applyLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  if (typeof document !== 'undefined') {
    document.documentElement.lang = locale
    document.documentElement.dir = locale === 'he' ? 'rtl' : 'ltr'
    document.title = i18n.global.t('app.name')
  }
}
