// The answer bot of a chat or email inbox (settings.bot), as the inbox form
// edits it. See internal/bot and docs/knowledge.md "Answer bot".

export interface BotForm {
  enabled: boolean
  /** The least search confidence of an article offered, 0..1, as typed. */
  threshold: string
  maxArticles: number
  /** The team a handed-over conversation goes to; "" keeps its team. */
  teamId: number | ''
}

/** Settings keys the bot form owns (kept out of the free-form JSON box). */
export const BOT_KEYS = ['bot']

/** Field paths the server may name in a validation problem. */
export const BOT_FIELDS = ['settings.bot', 'settings.bot.enabled', 'settings.bot.threshold', 'settings.bot.max_articles', 'settings.bot.handover_team_id']

/** Channels the bot runs in. */
export const BOT_CHANNELS = ['chat', 'email']

/** The form for an inbox's settings (defaults when it has none). */
export function botForm(settings?: Record<string, unknown> | null): BotForm {
  const b = (settings?.bot ?? {}) as Record<string, unknown>
  return {
    enabled: b.enabled === true,
    threshold: typeof b.threshold === 'number' ? String(b.threshold) : '0.5',
    maxArticles: typeof b.max_articles === 'number' ? b.max_articles : 3,
    teamId: typeof b.handover_team_id === 'number' ? b.handover_team_id : '',
  }
}

/**
 * Writes the form into settings (nothing for a disabled bot left at the
 * defaults, so inboxes without a bot carry no bot settings); returns the
 * field of an invalid value, or null.
 */
export function applyBot(settings: Record<string, unknown>, f: BotForm): string | null {
  const d = botForm()
  if (!f.enabled && String(f.threshold).trim() === d.threshold && f.maxArticles === d.maxArticles && f.teamId === d.teamId) return null
  const th = Number(String(f.threshold).trim())
  if (String(f.threshold).trim() === '' || !Number.isFinite(th) || th < 0 || th > 1) return 'settings.bot.threshold'
  settings.bot = { enabled: f.enabled, threshold: th, max_articles: f.maxArticles, handover_team_id: f.teamId === '' ? null : f.teamId }
  return null
}
