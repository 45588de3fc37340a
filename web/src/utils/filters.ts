// Inbox views and filters: the built-in views, the URL query that carries
// extra filters, and a client-side match used to place realtime updates.
import type { Channel, Conversation, ConversationFilters, Priority, SavedView, SortKey, Status, ViewFilters } from '@/api/types'
import { CHANNELS, PRIORITIES, SORTS, STATUSES, UNSOLVED } from '@/api/types'

export const DEFAULT_SORT: SortKey = '-updated_at'
export const FILTER_KEYS = ['status', 'priority', 'assignee', 'team', 'tag', 'inbox', 'channel'] as const
export type FilterKey = (typeof FILTER_KEYS)[number]

/** The built-in view of conversations whose SLA is at risk or breached, earliest due first. */
export const AT_RISK_VIEW = 'at-risk'

/** The filters of a built-in view key (mine, unassigned, open, team-N, status-S), or null. */
export function builtinFilters(key: string): ConversationFilters | null {
  if (key === 'mine') return { assignee: 'me', status: [...UNSOLVED] }
  if (key === 'unassigned') return { assignee: 'none', status: [...UNSOLVED] }
  if (key === 'open') return { status: [...UNSOLVED] }
  if (key === AT_RISK_VIEW) return { sla: 'at_risk' }
  if (key === 'all' || key === 'search') return {}
  let m = /^team-(\d+)$/.exec(key)
  if (m) return { team: m[1], status: [...UNSOLVED] }
  m = /^status-([a-z_]+)$/.exec(key)
  if (m && (STATUSES as readonly string[]).includes(m[1])) return { status: [m[1] as Status] }
  return null
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String).filter(Boolean)
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean)
  if (typeof v === 'number') return [String(v)]
  return []
}

function one(v: unknown): string | undefined {
  const l = list(v)
  return l.length ? l[0] : undefined
}

/** Reads filters from a loose object: a URL query or a saved view's filters. Unknown values are dropped. */
export function parseFilters(src: Record<string, unknown>): ConversationFilters {
  const f: ConversationFilters = {}
  const status = list(src.status ?? src.statuses).filter((s): s is Status => (STATUSES as readonly string[]).includes(s))
  if (status.length) f.status = status
  const priority = list(src.priority ?? src.priorities).filter((s): s is Priority => (PRIORITIES as readonly string[]).includes(s))
  if (priority.length) f.priority = priority
  const assignee = one(src.assignee)
  if (assignee && /^([1-9]\d*|me|none)$/.test(assignee)) f.assignee = assignee
  const team = one(src.team)
  if (team && /^([1-9]\d*|none)$/.test(team)) f.team = team
  const tag = one(src.tag)
  if (tag) f.tag = tag
  const inbox = one(src.inbox)
  if (inbox && /^[1-9]\d*$/.test(inbox)) f.inbox = inbox
  const channel = one(src.channel)
  if (channel && (CHANNELS as readonly string[]).includes(channel)) f.channel = channel as Channel
  const q = one(src.q)
  if (q) f.q = q
  return f
}

/** Filters in the shape a saved view stores (POST/PATCH /api/v1/views): every field, empty for "any". */
export function toViewFilters(f: ConversationFilters): ViewFilters {
  return {
    statuses: f.status ? [...f.status] : [],
    priorities: f.priority ? [...f.priority] : [],
    assignee: f.assignee ?? '',
    team: f.team ?? '',
    tag: f.tag ?? '',
    inbox: f.inbox ? Number(f.inbox) : 0,
    channel: f.channel ?? '',
    q: f.q ?? '',
  }
}

/** A saved view's sort; "" is the API's default order, newest first. */
export function viewSort(v: SavedView | null | undefined): SortKey {
  if (!v) return DEFAULT_SORT
  return v.sort === '' ? '-created_at' : parseSort(v.sort)
}

/** The sort in a query, or the default. */
export function parseSort(v: unknown): SortKey {
  const s = one(v)
  return s && (SORTS as readonly string[]).includes(s) ? (s as SortKey) : DEFAULT_SORT
}

/** The view's filters with the query's on top (a query filter replaces the view's for that key). */
export function effectiveFilters(base: ConversationFilters, overrides: ConversationFilters): ConversationFilters {
  return { ...base, ...overrides }
}

/** The base filters of a view key, including saved views (view-N). */
export function viewFilters(key: string, saved: readonly SavedView[]): ConversationFilters | null {
  const b = builtinFilters(key)
  if (b) return b
  const m = /^view-(\d+)$/.exec(key)
  if (m) {
    const v = saved.find((s) => s.id === Number(m[1]))
    if (v) return parseFilters((v.filters ?? {}) as Record<string, unknown>)
  }
  return null
}

/** Whether a conversation belongs in a list with these filters (q is left to the server: unknown → true). */
export function matchesFilters(c: Conversation, f: ConversationFilters, meId: number | null): boolean {
  if (f.status && !f.status.includes(c.status)) return false
  if (f.priority && !f.priority.includes(c.priority)) return false
  if (f.assignee) {
    if (f.assignee === 'none' && c.assignee_id !== null) return false
    if (f.assignee === 'me' && c.assignee_id !== meId) return false
    if (/^\d+$/.test(f.assignee) && c.assignee_id !== Number(f.assignee)) return false
  }
  if (f.team) {
    if (f.team === 'none' && c.team_id !== null) return false
    if (f.team !== 'none' && c.team_id !== Number(f.team)) return false
  }
  if (f.tag && !c.tags.includes(f.tag)) return false
  if (f.inbox && c.inbox_id !== Number(f.inbox)) return false
  if (f.channel && c.channel !== f.channel) return false
  if (f.requester && c.requester_id !== Number(f.requester)) return false
  if (f.sla) {
    if (!(UNSOLVED as readonly string[]).includes(c.status)) return false
    const st = c.sla_state ?? ''
    if (f.sla === 'breached' ? st !== 'breached' : st !== 'at_risk' && st !== 'breached') return false
  }
  return true
}

/** Orders conversations by SLA due time, earliest first (no due time last; ties by id, oldest first). */
export function compareBySlaDue(a: Conversation, b: Conversation): number {
  const da = a.sla_due_at ? Date.parse(a.sla_due_at) : Infinity
  const db = b.sla_due_at ? Date.parse(b.sla_due_at) : Infinity
  if (da !== db) return da < db ? -1 : 1
  return a.id - b.id
}

/** Orders two conversations by a sort key (ties broken by id, newest first). */
export function compareBySort(sort: SortKey): (a: Conversation, b: Conversation) => number {
  const field = sort.replace('-', '') as 'created_at' | 'updated_at'
  const dir = sort.startsWith('-') ? -1 : 1
  return (a, b) => {
    const d = Date.parse(a[field]) - Date.parse(b[field])
    if (d !== 0) return d * dir
    return (a.id - b.id) * dir
  }
}

/** Turns the many shapes a counts response may take into a map keyed like our view keys. */
export function normalizeCounts(raw: unknown): Map<string, number> {
  const out = new Map<string, number>()
  const body = raw && typeof raw === 'object' && 'data' in raw ? (raw as { data: unknown }).data : raw
  const put = (k: unknown, v: unknown) => {
    const n = typeof v === 'number' ? v : v && typeof v === 'object' && 'count' in v ? Number((v as { count: unknown }).count) : NaN
    if (k === undefined || k === null || !Number.isFinite(n)) return
    out.set(normalizeViewKey(String(k)), n)
  }
  // The API's shape: {mine, unassigned, open, statuses: {s: n}, teams: {id: n}, views: {id: n}}.
  const groups: Record<string, string> = { statuses: 'status', teams: 'team', views: 'view', sla: 'sla' }
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const [g, prefix] of Object.entries(groups)) {
      const sub = (body as Record<string, unknown>)[g]
      if (sub && typeof sub === 'object' && !Array.isArray(sub)) {
        for (const [k, v] of Object.entries(sub)) put(`${prefix}-${k}`, v)
      }
    }
  }
  if (Array.isArray(body)) {
    for (const e of body) {
      if (!e || typeof e !== 'object') continue
      const r = e as Record<string, unknown>
      put(r.key ?? r.view ?? (r.id !== undefined ? `view-${r.id}` : undefined), r)
    }
  } else if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) if (!(k in groups)) put(k, v)
  }
  return out
}

/** "team:3", "team_3" → "team-3"; "all_open" → "open"; a bare number → "view-N". */
export function normalizeViewKey(k: string): string {
  const s = k.trim().toLowerCase()
  if (/^\d+$/.test(s)) return `view-${s}`
  if (s === 'all_open' || s === 'all-open' || s === 'unsolved') return 'open'
  if (s === 'at_risk' || s === 'sla_at_risk' || s === 'sla-at_risk' || s === 'sla:at_risk') return AT_RISK_VIEW
  const m = /^(team|status|view)[:_-](.+)$/.exec(s)
  if (m) return `${m[1]}-${m[2]}`
  return s
}
