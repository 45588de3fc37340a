// Unsent composer text, kept per conversation in localStorage so it
// survives switching conversations and reloading the tab.
export interface Draft {
  body: string
  mode: 'reply' | 'note'
  savedAt: number
}

const PREFIX = 'kesher.draft.'
/** Drafts untouched this long are dropped. */
export const DRAFT_TTL_MS = 30 * 24 * 3600 * 1000

function key(conversationId: number): string {
  return PREFIX + conversationId
}

export function loadDraft(conversationId: number): Draft | null {
  try {
    const raw = localStorage.getItem(key(conversationId))
    if (!raw) return null
    const d = JSON.parse(raw) as Draft
    if (typeof d.body !== 'string') return null
    if (Date.now() - (d.savedAt || 0) > DRAFT_TTL_MS) {
      localStorage.removeItem(key(conversationId))
      return null
    }
    return { body: d.body, mode: d.mode === 'note' ? 'note' : 'reply', savedAt: d.savedAt }
  } catch {
    return null
  }
}

/** Saves the draft, or removes it when the body is empty. */
export function saveDraft(conversationId: number, body: string, mode: 'reply' | 'note'): void {
  try {
    if (!body.trim()) localStorage.removeItem(key(conversationId))
    else localStorage.setItem(key(conversationId), JSON.stringify({ body, mode, savedAt: Date.now() } satisfies Draft))
  } catch {
    /* storage full or disabled: the draft lives only in memory */
  }
}

export function clearDraft(conversationId: number): void {
  try {
    localStorage.removeItem(key(conversationId))
  } catch {
    /* ignore */
  }
}
