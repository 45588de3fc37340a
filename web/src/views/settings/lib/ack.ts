// The acknowledgement auto-reply of an email inbox (settings.ack) and the
// limit of automatic mail per address (settings.automatic_limit_per_hour),
// as the inbox form edits them. See internal/channel/email/outbound.

export const ACK_LANGS = ['he', 'en'] as const
export type AckLang = (typeof ACK_LANGS)[number]

export interface AckForm {
  enabled: boolean
  templates: Record<AckLang, { subject: string; body: string }>
  /** "" keeps the server default (5). */
  limit: string
}

/** Settings keys the ack form owns (kept out of the free-form JSON box). */
export const ACK_KEYS = ['ack', 'automatic_limit_per_hour']

/** Field paths the server may name in a validation problem. */
export const ACK_FIELDS = [
  'settings.ack',
  'settings.ack.enabled',
  'settings.automatic_limit_per_hour',
  ...ACK_LANGS.flatMap((l) => [`settings.ack.templates.${l}`, `settings.ack.templates.${l}.subject`, `settings.ack.templates.${l}.body`]),
]

function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

/** The form for an inbox's settings (empty when it has none). */
export function ackForm(settings?: Record<string, unknown> | null): AckForm {
  const ack = (settings?.ack ?? {}) as Record<string, unknown>
  const ts = (ack.templates ?? {}) as Record<string, Record<string, unknown> | undefined>
  const limit = settings?.automatic_limit_per_hour
  return {
    enabled: ack.enabled === true,
    templates: {
      he: { subject: str(ts.he?.subject), body: str(ts.he?.body) },
      en: { subject: str(ts.en?.subject), body: str(ts.en?.body) },
    },
    limit: typeof limit === 'number' ? String(limit) : '',
  }
}

/** Writes the form into settings; returns the error key of an invalid limit, or null. */
export function applyAck(settings: Record<string, unknown>, f: AckForm): string | null {
  const templates: Record<string, { subject: string; body: string }> = {}
  for (const l of ACK_LANGS) {
    const t = { subject: f.templates[l].subject.trim(), body: f.templates[l].body.trim() }
    if (t.subject || t.body) templates[l] = t
  }
  if (f.enabled || Object.keys(templates).length) settings.ack = { enabled: f.enabled, templates }
  const raw = f.limit.trim()
  if (!raw) return null
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0 || n > 100) return 'limit'
  settings.automatic_limit_per_hour = n
  return null
}
