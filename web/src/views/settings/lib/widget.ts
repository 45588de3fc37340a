// The live-chat widget of a chat inbox (settings.widget), as the inbox form
// edits it. See internal/inbox/widget.go and docs/knowledge.md "Live chat".

export type PrechatMode = 'off' | 'optional' | 'required'

export interface WidgetForm {
  /** The public token the embed snippet names; "" asks the server for a new one. */
  token: string
  /** Pages that may embed the widget, one per row ("https://shop.example", "*.example.com"). */
  origins: string[]
  greetingHe: string
  greetingEn: string
  /** "#rrggbb" or "" (the widget's default colour). */
  color: string
  prechatName: PrechatMode
  prechatEmail: PrechatMode
  /** An SLA calendar's name; "" is always open. */
  businessHours: string
  /** The email inbox offline messages go to; "" is the first email inbox. */
  offlineInboxId: number | ''
  /** Show this widget on the public help center. */
  helpCenter: boolean
}

/** Settings keys the widget form owns (kept out of the free-form JSON box). */
export const WIDGET_KEYS = ['widget']

/** Field paths the server may name in a validation problem. */
export const WIDGET_FIELDS = [
  'settings.widget', 'settings.widget.token', 'settings.widget.allowed_origins', 'settings.widget.greeting.he',
  'settings.widget.greeting.en', 'settings.widget.color', 'settings.widget.prechat.name', 'settings.widget.prechat.email',
  'settings.widget.business_hours', 'settings.widget.offline_inbox_id',
]

const MODES: PrechatMode[] = ['off', 'optional', 'required']
const mode = (v: unknown): PrechatMode => (MODES.includes(v as PrechatMode) ? (v as PrechatMode) : 'off')
const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** The form for an inbox's settings (defaults when it has no widget). */
export function widgetForm(settings?: Record<string, unknown> | null): WidgetForm {
  const w = (settings?.widget ?? {}) as Record<string, unknown>
  const g = (w.greeting ?? {}) as Record<string, unknown>
  const p = (w.prechat ?? {}) as Record<string, unknown>
  return {
    token: str(w.token),
    origins: Array.isArray(w.allowed_origins) ? w.allowed_origins.map(String) : [],
    greetingHe: str(g.he),
    greetingEn: str(g.en),
    color: str(w.color),
    prechatName: mode(p.name),
    prechatEmail: mode(p.email),
    businessHours: str(w.business_hours),
    offlineInboxId: typeof w.offline_inbox_id === 'number' && w.offline_inbox_id > 0 ? w.offline_inbox_id : '',
    helpCenter: w.help_center === true,
  }
}

/** A pattern the server accepts: http(s)://host[:port] or a host pattern such as *.example.com. */
const ORIGIN_RE = /^(?:https?:\/\/)?[A-Za-z0-9*?.-]+(?::[0-9*]+)?\/?$/

/**
 * Writes the form into settings.widget (empty rows dropped, greetings only
 * when given); returns the fields of invalid values (empty when all is well).
 */
export function applyWidget(settings: Record<string, unknown>, f: WidgetForm): string[] {
  const bad: string[] = []
  const origins = f.origins.map((o) => o.trim()).filter(Boolean)
  if (origins.some((o) => !ORIGIN_RE.test(o)) || origins.length > 50) bad.push('settings.widget.allowed_origins')
  const color = f.color.trim()
  if (color && !/^#[0-9a-fA-F]{6}$/.test(color)) bad.push('settings.widget.color')
  const greeting: Record<string, string> = {}
  if (f.greetingHe.trim()) greeting.he = f.greetingHe.trim()
  if (f.greetingEn.trim()) greeting.en = f.greetingEn.trim()
  if ((greeting.he ?? '').length > 500) bad.push('settings.widget.greeting.he')
  if ((greeting.en ?? '').length > 500) bad.push('settings.widget.greeting.en')
  settings.widget = {
    token: f.token,
    allowed_origins: origins,
    greeting,
    color: color.toLowerCase(),
    prechat: { name: f.prechatName, email: f.prechatEmail },
    business_hours: f.businessHours,
    offline_inbox_id: f.offlineInboxId === '' ? 0 : f.offlineInboxId,
    help_center: f.helpCenter,
  }
  return bad
}

/** The tag a site puts in its pages to show the widget. */
export function embedSnippet(origin: string, token: string): string {
  return `<script src="${origin}/widget.js" data-inbox="${token}" async></script>`
}
