// The one search (GET /api/v1/search, docs/knowledge.md): hits over
// conversations, messages, contacts and knowledge-base articles.
import { api } from './client'

export type SearchType = 'conversation' | 'message' | 'contact' | 'article'

export interface SearchHit {
  type: SearchType
  id: number
  conversation_id?: number
  /** Plain text (never HTML). */
  title: string
  /** Server-escaped HTML whose only tags are <mark>…</mark> around matched words. */
  snippet: string
  language?: string
  time: string
  score: number
  confidence: number
}

export interface SearchResult {
  hits: SearchHit[]
  total: number
  total_is_lower_bound: boolean
}

export interface SearchParams {
  q: string
  type?: string
  lang?: string
  status?: string
  inbox_id?: string
  team_id?: string
  from?: string
  to?: string
  limit?: number
}

export function search(p: SearchParams): Promise<SearchResult> {
  const query: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== '') query[k] = v
  return api.get<SearchResult>('/search', { query })
}

/**
 * The snippet as HTML for v-html: the server escapes everything but <mark>
 * and </mark>; any other "<" (a server without escaping, a proxy rewriting
 * the body) is escaped here, so no other tag can be rendered.
 */
export function safeSnippet(s: string): string {
  return s.replace(/<(?!\/?mark>)/g, '&lt;')
}
