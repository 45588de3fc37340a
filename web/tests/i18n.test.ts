import { describe, expect, it } from 'vitest'
import { browserLocale, mergeCatalogs, messages } from '@/i18n'

type Tree = { [k: string]: string | Tree }

function flatten(t: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(t)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv)
  }
  return out
}

// Every catalog file, merged the way the app merges them.
const files = import.meta.glob('../src/locales/*/*.json', { eager: true })
const sources = import.meta.glob('../src/**/*.{vue,ts}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>
const vueFiles = Object.entries(sources).filter(([p]) => p.endsWith('.vue'))

describe('message catalogs', () => {
  const he = flatten(messages.he as Tree)
  const en = flatten(messages.en as Tree)

  it('merges every file under src/locales/<locale>/', () => {
    const names = Object.keys(files).map((p) => p.replace(/^.*locales\//, ''))
    expect(names).toEqual(expect.arrayContaining(['he/core.json', 'en/core.json', 'he/admin.json', 'en/admin.json']))
    const merged = mergeCatalogs({ '/x/locales/he/a.json': { default: { a: { x: '1' } } }, '/x/locales/he/b.json': { default: { a: { y: '2' } } } })
    expect(merged.he).toEqual({ a: { x: '1', y: '2' } })
  })

  it('he and en have exactly the same keys', () => {
    const onlyHe = [...he.keys()].filter((k) => !en.has(k))
    const onlyEn = [...en.keys()].filter((k) => !he.has(k))
    expect({ onlyHe, onlyEn }).toEqual({ onlyHe: [], onlyEn: [] })
  })

  it('has no empty messages, and the same placeholders in both languages', () => {
    for (const [k, v] of en) {
      expect(v.trim(), k).not.toBe('')
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
      expect(names(he.get(k) ?? ''), k).toEqual(names(v))
    }
  })

  it('contains every literal key the inbox code uses', () => {
    const missing: string[] = []
    // The settings and contacts screens check their own admin.json keys.
    for (const [path, src] of Object.entries(sources).filter(([p]) => !/\/views\/(settings|contacts)\//.test(p))) {
      for (const m of src.matchAll(/\$?\bt\(\s*'([a-zA-Z][\w.-]*)'/g)) {
        if (!en.has(m[1])) missing.push(`${path}: ${m[1]}`)
      }
    }
    expect(missing).toEqual([])
  })

  it('picks the first supported browser language, Hebrew by default', () => {
    expect(browserLocale(['fr-FR', 'en-US', 'he'])).toBe('en')
    expect(browserLocale(['iw-IL'])).toBe('he')
    expect(browserLocale(['de'])).toBe('he')
  })
})

/** The template block of a single-file component. */
function template(src: string): string {
  const start = src.indexOf('<template>')
  const end = src.lastIndexOf('</template>')
  return start < 0 || end < 0 ? '' : src.slice(start + '<template>'.length, end)
}

// A tag, with quoted attribute values that may contain ">".
const TAG = /<\/?[a-zA-Z][^\s/>]*(?:\s+(?:[^\s"'>=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*\s*\/?>/g

describe('templates', () => {
  it('have no bare text with letters outside i18n calls', () => {
    expect(vueFiles.length).toBeGreaterThan(15)
    const offenders: string[] = []
    for (const [path, src] of vueFiles) {
      const text = template(src)
        .replace(/<!--[\s\S]*?-->/g, ' ')
        .replace(TAG, '\u0000')
        .replace(/\{\{[\s\S]*?\}\}/g, ' ')
      for (const chunk of text.split('\u0000')) {
        if (/\p{L}/u.test(chunk)) offenders.push(`${path}: ${JSON.stringify(chunk.trim())}`)
      }
    }
    expect(offenders).toEqual([])
  })

  it('bind user-visible attributes (aria-label, title, placeholder, alt) instead of hard-coding them', () => {
    const offenders: string[] = []
    for (const [path, src] of vueFiles) {
      for (const m of template(src).matchAll(/(?<![:\w-])(aria-label|aria-description|title|placeholder|alt|label)="([^"]*)"/g)) {
        if (/\p{L}/u.test(m[2])) offenders.push(`${path}: ${m[0]}`)
      }
    }
    expect(offenders).toEqual([])
  })

  it('the scanner catches a hard-coded string', () => {
    const bad = '<template><div><span>{{ $t("a") }}</span> Hello <b :title="x > 1">ok</b></div></template>'
    const text = template(bad).replace(TAG, '\u0000').replace(/\{\{[\s\S]*?\}\}/g, ' ')
    expect(text.split('\u0000').filter((c) => /\p{L}/u.test(c)).map((c) => c.trim())).toEqual(['Hello', 'ok'])
  })
})

describe('styles', () => {
  it('use logical properties only, so RTL mirrors the layout', () => {
    const css = import.meta.glob('../src/**/*.css', { query: '?raw', import: 'default', eager: true }) as Record<string, string>
    const styleBlocks: [string, string][] = [
      ...Object.entries(css),
      ...vueFiles.map(([p, s]): [string, string] => [p, [...s.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].map((m) => m[1]).join('\n')]),
    ]
    const physical = /(?:^|[;{\s])((?:margin|padding|border)-(?:left|right)[\w-]*|(?:left|right)\s*:|float\s*:\s*(?:left|right)|text-align\s*:\s*(?:left|right)|border-(?:top|bottom)-(?:left|right)-radius)/m
    const offenders = styleBlocks.filter(([, s]) => physical.test(s)).map(([p, s]) => `${p}: ${physical.exec(s)?.[1]}`)
    expect(offenders).toEqual([])
  })
})
