// Splits plain text into text and link pieces. Only http(s) URLs become
// links (never javascript:, data: or other schemes), and the link text is
// the URL itself, so what the agent sees is where it goes.
export type Piece = { text: string; href?: string }

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi
const TRAILING = /[.,;:!?)\]}'"»”’]+$/

/** Returns the URL when it is safe to make clickable, else null. */
export function safeHref(raw: string): string | null {
  try {
    const u = new URL(raw)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null
    if (u.username || u.password) return null // user:pass@host hides the real host
    return u.href
  } catch {
    return null
  }
}

export function linkify(text: string): Piece[] {
  const out: Piece[] = []
  let last = 0
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0]
    const trail = TRAILING.exec(url)
    if (trail) url = url.slice(0, -trail[0].length)
    const start = m.index ?? 0
    const href = safeHref(url)
    if (!href) continue
    if (start > last) out.push({ text: text.slice(last, start) })
    out.push({ text: url, href })
    last = start + url.length
  }
  if (last < text.length) out.push({ text: text.slice(last) })
  return out
}

/** Paragraphs of a plain-text body: split on blank lines, keeping single line breaks. */
export function paragraphs(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n+/).map((p) => p.replace(/^\n+|\n+$/g, '')).filter((p) => p.trim() !== '')
}
