// Client calls and shapes of agent assist and the answer bot's figures
// (docs/knowledge.md "Answer bot" and "Agent assist").
import { api } from './client'
import type { ReportFilters } from './reports'

/** A suggested article; url is the public help-center page, "" for an internal-only article. */
export interface SuggestedArticle {
  id: number
  title: string
  snippet: string
  url: string
  language: string
  internal: boolean
}

/** A suggested canned response (insert it through the canned render endpoint). */
export interface SuggestedCanned {
  id: number
  title: string
  snippet: string
  shortcut: string
}

export interface Suggestions {
  articles: SuggestedArticle[]
  canned: SuggestedCanned[]
}

/** GET /conversations/{id}/suggestions: best first. */
export function getSuggestions(conversationId: number): Promise<Suggestions> {
  return api.get<Suggestions>(`/conversations/${conversationId}/suggestions`)
}

/** One inbox's bot figures (inbox_id 0 in the total); rates are percents with one decimal. */
export interface BotInboxStats {
  inbox_id: number
  inbox_name: string
  taken: number
  deflected: number
  handed_over: number
  handover_by_reason: { no: number; requested: number; low_confidence: number }
  deflection_rate: number
  handover_rate: number
}

export interface BotStats {
  from: string
  to: string
  inboxes: BotInboxStats[]
  total: BotInboxStats
}

/** GET /bot/stats for the report filters' period and inbox. */
export function getBotStats(f: Pick<ReportFilters, 'from' | 'to' | 'inbox'>): Promise<BotStats> {
  return api.get<BotStats>('/bot/stats', { query: { from: f.from, to: f.to, inbox_id: f.inbox } })
}

/** The text an article suggestion inserts into a reply: its title and absolute help-center link. */
export function articleLinkText(a: Pick<SuggestedArticle, 'title' | 'url'>, origin = typeof location !== 'undefined' ? location.origin : ''): string {
  const url = a.url.startsWith('/') ? origin + a.url : a.url
  return `${a.title}: ${url}`
}
