// Client calls and shapes of the reports API (docs/reports.md): the KPI
// summary, the dashboard's series, ROI and the inbox survey settings. Each
// resolves with the parsed JSON and rejects with ApiError like every other
// call; list answers are accepted as {data: [...]} or a bare array.
import { api, apiUrl } from './client'

/** The filters every report endpoint takes; from/to are dates (YYYY-MM-DD, Asia/Jerusalem), to exclusive. */
export interface ReportFilters {
  from: string
  to: string
  team?: string
  inbox?: string
  channel?: string
  agent?: string
}

/** GET /reports/summary: null means nothing to measure, never 0. Durations in seconds. */
export interface ReportSummary {
  conversations_created: number | null
  conversations_solved: number | null
  first_response_median_seconds: number | null
  first_response_mean_seconds?: number | null
  first_response_p90_seconds?: number | null
  first_response_median_business_seconds: number | null
  resolution_median_seconds: number | null
  fcr_percent: number | null
  reopen_percent: number | null
  csat_percent: number | null
  csat_responses: number | null
  nps: number | null
  nps_responses: number | null
  ces_mean: number | null
  sla_compliance_percent: number | null
  backlog_open: number | null
  complaints: number | null
  /** Chat wait time: first customer message to the first agent reply, chat conversations created in the period (seconds). */
  chat_wait_median_seconds?: number | null
}

/** GET /reports/feedback: one row per source (survey, import, call-center, …) and kind; only the kind's figure is set. */
export interface FeedbackRow {
  source: string
  kind: 'csat' | 'nps' | 'ces'
  responses: number
  csat_percent: number | null
  nps: number | null
  ces_mean: number | null
}

/**
 * Series GET /reports/timeseries knows: volume (created), frt (median first response seconds), csat (%), nps,
 * sla (SLA compliance %: targets met over targets due; null in a bucket where none was due).
 */
export type SeriesMetric = 'volume' | 'frt' | 'csat' | 'nps' | 'sla'

/** One bucket of a time series: its start (RFC 3339, the desk-zone midnight, or a date) and value (null: no data). */
export interface SeriesPoint {
  start: string
  value: number | null
}

/** GET /reports/heatmap: conversations created per weekday (0 = Sunday) and hour (0–23, desk time). */
export interface HeatCell {
  weekday: number
  hour: number
  count: number
}

export interface TagCount {
  tag: string
  count: number
}

/** An example conversation of an emerging topic. */
export interface TrendExample {
  id: number
  subject?: string
}

/** One emerging topic (word, phrase or tag): its count in the period, the baseline mean of the previous 4 periods and the score. */
export interface TrendTopic {
  topic: string
  kind: string
  count: number
  baseline: number
  score: number
  examples: TrendExample[]
}

/** Emerging topics with the statistic named (e.g. a Poisson z-score) and its formula. */
export interface Trends {
  statistic: string
  formula: string
  data: TrendTopic[]
}

/** One agent's productivity in the period (read from the server's breakdown row). */
export interface AgentRow {
  agent_id: number
  name: string
  replies: number
  solved: number
  median_handle_seconds: number | null
  first_response_median_seconds: number | null
  /** CSAT % of the answers given in the period, by the agent assigned when the customer answered; null without answers. */
  csat_percent: number | null
  /** The CSAT answers behind csat_percent. */
  csat_responses: number
}

export const ROI_COSTS = ['salaries', 'training', 'telephony', 'technology', 'other'] as const
export const ROI_REVENUE = ['retained_customers', 'upsell', 'churn_avoided'] as const
export type RoiCostKey = (typeof ROI_COSTS)[number]
export type RoiRevenueKey = (typeof ROI_REVENUE)[number]

/** ROI outputs of a period, computed by the server; amounts in minor units, null where there is no base. */
export interface RoiOutputs {
  /** Compensation granted in the period (credit ledger), added to the costs. */
  compensation_cost_minor: number
  total_cost_minor: number
  revenue_minor: number
  net_minor?: number
  roi_percent: number | null
  conversations_created?: number
  conversations_solved?: number
  cost_per_conversation_minor: number | null
  cost_per_resolution_minor: number | null
}

/** The KPIs of GET /reports/roi's movement, in the server's order. */
export const ROI_KPIS = [
  'conversations_created', 'conversations_solved', 'first_response_median_seconds', 'resolution_median_seconds', 'fcr_percent', 'csat_percent',
  'nps', 'sla_compliance_percent', 'backlog_open', 'cost_per_conversation_minor', 'cost_per_resolution_minor', 'roi_percent',
] as const
export type RoiKpiKey = (typeof ROI_KPIS)[number]

/** One KPI of a period next to the previous period of equal length: change = current − previous, change_percent relative to |previous|. */
export interface RoiKpi {
  key: RoiKpiKey
  current: number | null
  previous: number | null
  change: number | null
  change_percent: number | null
}

/** How the key KPIs moved against the previous period of equal length (previous_to = the period's from). */
export interface RoiMovement {
  previous_from: string
  previous_to: string
  previous_stored: boolean
  kpis: RoiKpi[]
}

/** ROI inputs (minor units of currency) and outputs of one period; stored false: nothing entered yet (zero inputs). */
export interface Roi {
  from: string
  to: string
  stored: boolean
  currency: string
  costs: Partial<Record<RoiCostKey, number>>
  revenue: Partial<Record<RoiRevenueKey, number>>
  assumptions: string
  updated_at?: string | null
  outputs: RoiOutputs
  movement?: RoiMovement | null
}

/** PUT /reports/roi body. */
export interface RoiInput {
  currency: string
  costs: Record<RoiCostKey, number>
  revenue: Record<RoiRevenueKey, number>
  assumptions: string
}

/** Survey settings of one inbox. */
export interface SurveySettings {
  inbox_id?: number
  csat_enabled: boolean
  ces_enabled: boolean
  delay_minutes: number
  updated_at?: string | null
}

type Q = Record<string, string | undefined>

function q(f: ReportFilters, extra: Q = {}): Q {
  return { from: f.from, to: f.to, team: f.team, inbox: f.inbox, channel: f.channel, agent: f.agent, ...extra }
}

function listOf<T>(res: { data?: T[] } | T[] | null | undefined): T[] {
  if (Array.isArray(res)) return res
  return res?.data ?? []
}

/** The CSV download address of a report endpoint with the same filters (?format=csv). */
export function csvUrl(path: string, f: ReportFilters, extra: Q = {}): string {
  return apiUrl(path, q(f, { ...extra, format: 'csv' }))
}

export function getSummary(f: ReportFilters, signal?: AbortSignal): Promise<ReportSummary> {
  return api.get<ReportSummary>('/reports/summary', { query: q(f), signal })
}

/** A series; points may come as {points}, {data} or a bare array, each with start (or t, bucket). */
export async function getSeries(f: ReportFilters, metric: SeriesMetric, interval: 'day' | 'week', signal?: AbortSignal): Promise<SeriesPoint[]> {
  const res = await api.get<Record<string, unknown> | unknown[]>('/reports/timeseries', { query: q(f, { metric, interval }), signal })
  const raw = (Array.isArray(res) ? res : (res.points ?? res.data ?? [])) as Record<string, unknown>[]
  return raw.map((p) => ({
    start: String(p.start ?? p.t ?? p.bucket ?? p.date ?? ''),
    value: typeof p.value === 'number' ? p.value : null,
  }))
}

/** The hour-of-week grid as a 7×24 matrix [weekday 0 = Sunday][hour]; accepts {data} or {cells} of cells, or {grid}. */
export async function getHeatmap(f: ReportFilters, signal?: AbortSignal): Promise<number[][]> {
  const res = await api.get<{ data?: HeatCell[]; cells?: HeatCell[]; grid?: number[][] }>('/reports/heatmap', { query: q(f), signal })
  const grid = Array.from({ length: 7 }, () => Array<number>(24).fill(0))
  if (Array.isArray(res.grid)) {
    res.grid.forEach((row, d) => row.forEach((v, h) => d < 7 && h < 24 && (grid[d][h] = Number(v) || 0)))
  }
  for (const c of res.data ?? res.cells ?? []) {
    if (c.weekday >= 0 && c.weekday < 7 && c.hour >= 0 && c.hour < 24) grid[c.weekday][c.hour] = c.count
  }
  return grid
}

/** Survey figures per source and kind of the answers given in the period (by responded_at). */
export async function getFeedback(f: ReportFilters, signal?: AbortSignal): Promise<FeedbackRow[]> {
  return listOf(await api.get<{ data: FeedbackRow[] }>('/reports/feedback', { query: q(f), signal }))
}

export async function getTags(f: ReportFilters, signal?: AbortSignal): Promise<TagCount[]> {
  return listOf(await api.get<{ data: TagCount[] }>('/reports/tags', { query: q(f), signal }))
}

type Raw = Record<string, unknown>
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/**
 * Emerging topics of the period under the dashboard's filters (team, inbox,
 * channel, agent narrow the period and the baseline alike); topics come as
 * {topics: [{term, baseline_mean, examples: [ids]}]} (or {data: [{topic, baseline}]}).
 */
export async function getTrends(f: ReportFilters, signal?: AbortSignal): Promise<Trends> {
  const res = await api.get<Raw>('/reports/trends', { query: q(f), signal })
  const raw = (res.topics ?? res.data ?? []) as Raw[]
  const data = raw.map((t) => ({
    topic: String(t.term ?? t.topic ?? ''),
    kind: String(t.kind ?? ''),
    count: num(t.count) ?? 0,
    baseline: num(t.baseline_mean) ?? num(t.baseline) ?? 0,
    score: num(t.score) ?? 0,
    examples: ((t.examples ?? []) as (number | TrendExample)[]).map((e) => (typeof e === 'number' ? { id: e } : e)),
  }))
  return { statistic: String(res.statistic ?? ''), formula: String(res.formula ?? ''), data }
}

/** Agents' rows: the server's breakdown ({id, name, replies, conversations_solved, handle_median_seconds, …}). */
export async function getAgents(f: ReportFilters, signal?: AbortSignal): Promise<AgentRow[]> {
  return listOf(await api.get<{ data: Raw[] }>('/reports/agents', { query: q(f), signal })).map((r) => ({
    agent_id: num(r.id) ?? num(r.agent_id) ?? 0,
    name: String(r.name ?? ''),
    replies: num(r.replies) ?? 0,
    solved: num(r.conversations_solved) ?? num(r.solved) ?? 0,
    median_handle_seconds: num(r.handle_median_seconds) ?? num(r.median_handle_seconds),
    first_response_median_seconds: num(r.first_response_median_seconds),
    csat_percent: num(r.csat_percent),
    csat_responses: num(r.csat_responses) ?? 0,
  }))
}

/** The period's ROI inputs and outputs (dates, to exclusive; the endpoint takes only from and to). */
export function getRoi(from: string, to: string): Promise<Roi> {
  return api.get<Roi>('/reports/roi', { query: { from, to } })
}

export function putRoi(from: string, to: string, input: RoiInput): Promise<Roi> {
  return api.put<Roi>('/reports/roi', input, { query: { from, to } })
}

/** The stored ROI periods, newest first ({periods: [...]}). */
export async function getRoiHistory(): Promise<Roi[]> {
  const res = await api.get<{ periods?: Roi[]; data?: Roi[] } | Roi[]>('/reports/roi/history')
  return Array.isArray(res) ? res : res.periods ?? res.data ?? []
}

export function getSurveySettings(inboxId: number): Promise<SurveySettings> {
  return api.get<SurveySettings>(`/inboxes/${inboxId}/survey-settings`)
}

export function putSurveySettings(inboxId: number, s: SurveySettings): Promise<SurveySettings> {
  return api.put<SurveySettings>(`/inboxes/${inboxId}/survey-settings`, { csat_enabled: s.csat_enabled, ces_enabled: s.ces_enabled, delay_minutes: s.delay_minutes })
}
