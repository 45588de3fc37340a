// Shapes and pure helpers of the business hours (calendars), SLA policies
// and automation rules screens (internal/httpapi/openapi.json is the
// contract; the rule fields and operators mirror internal/automation).
import type { Channel, Priority, Status } from '@/api/types'

// --- calendars

/** One open interval of a day, "HH:MM" to "HH:MM" in the calendar's zone. */
export interface Interval {
  start: string
  end: string
}

/** A holiday or override: closed all day when open is empty. */
export interface Day {
  date: string
  name: string
  open: Interval[]
}

/** Seven lists of open intervals, Sunday first. */
export type Week = Interval[][]

export interface Calendar {
  id: number
  name: string
  time_zone: string
  week: Week
  holidays: Day[]
  overrides: Day[]
  include_holidays: '' | 'il'
  builtin: boolean
  created_at?: string
  updated_at?: string
}

/** Sunday = 0 … Saturday = 6, the order of Calendar.week. */
export const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const

/** A week with no open hours. */
export function emptyWeek(): Week {
  return WEEKDAYS.map(() => [])
}

/** Sunday to Thursday 09:00–17:00, the usual Israeli working week. */
export function defaultWeek(): Week {
  return WEEKDAYS.map((d) => (d <= 4 ? [{ start: '09:00', end: '17:00' }] : []))
}

/** A deep copy of a week, always seven days (missing days closed). */
export function cloneWeek(w: Week | null | undefined): Week {
  return WEEKDAYS.map((d) => (w?.[d] ?? []).map((iv) => ({ start: iv.start, end: iv.end })))
}

/** The week with one more interval on day: after the day's last one (one hour), or 09:00–17:00. */
export function addInterval(w: Week, day: number): Week {
  const out = cloneWeek(w)
  const list = out[day]
  const last = list[list.length - 1]
  if (!last) list.push({ start: '09:00', end: '17:00' })
  else {
    const startMin = Math.min(toMinutes(last.end) ?? 0, 23 * 60)
    list.push({ start: fromMinutes(startMin), end: fromMinutes(Math.min(startMin + 60, 24 * 60 - 1)) })
  }
  return out
}

/** The week without interval i of day. */
export function removeInterval(w: Week, day: number, i: number): Week {
  const out = cloneWeek(w)
  out[day].splice(i, 1)
  return out
}

/** The week with day's intervals copied to each of the other days in targets. */
export function copyDay(w: Week, day: number, targets: readonly number[]): Week {
  const out = cloneWeek(w)
  for (const d of targets) if (d !== day) out[d] = out[day].map((iv) => ({ ...iv }))
  return out
}

/** Minutes since midnight of "HH:MM" (24:00 allowed), or null. */
export function toMinutes(hhmm: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm)
  if (!m) return null
  const h = Number(m[1])
  const min = Number(m[2])
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return null
  return h * 60 + min
}

/** "HH:MM" of minutes since midnight. */
export function fromMinutes(n: number): string {
  return `${String(Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`
}

/** Error codes of the intervals, keyed like the API's field paths ("week[1][0]"): invalid, order, overlap. */
export function checkIntervals(list: readonly Interval[], path: string): Record<string, 'invalid' | 'order' | 'overlap'> {
  const out: Record<string, 'invalid' | 'order' | 'overlap'> = {}
  const spans: { i: number; s: number; e: number }[] = []
  list.forEach((iv, i) => {
    const s = toMinutes(iv.start)
    const e = toMinutes(iv.end)
    if (s === null || e === null) out[`${path}[${i}]`] = 'invalid'
    else if (e <= s) out[`${path}[${i}]`] = 'order'
    else spans.push({ i, s, e })
  })
  spans.sort((a, b) => a.s - b.s)
  for (let k = 1; k < spans.length; k++) {
    if (spans[k].s < spans[k - 1].e) out[`${path}[${spans[k].i}]`] = 'overlap'
  }
  return out
}

/** Every interval error of a week, keyed "week[d][i]". */
export function checkWeek(w: Week): Record<string, 'invalid' | 'order' | 'overlap'> {
  return Object.assign({}, ...WEEKDAYS.map((d) => checkIntervals(w[d] ?? [], `week[${d}]`)))
}

/** Whole minutes as hours and minutes, for a target's inputs. */
export function splitMinutes(total: number): { hours: number; minutes: number } {
  const n = Math.max(0, Math.round(total || 0))
  return { hours: Math.floor(n / 60), minutes: n % 60 }
}

/** Hours and minutes as whole minutes (empty or negative inputs count as 0). */
export function joinMinutes(hours: number | string, minutes: number | string): number {
  const h = Math.max(0, Math.floor(Number(hours) || 0))
  const m = Math.max(0, Math.floor(Number(minutes) || 0))
  return h * 60 + m
}

// --- SLA policies

export interface SlaTarget {
  minutes: number
  business: boolean
}

export interface SlaConditions {
  priorities: Priority[]
  inbox_ids: number[]
  channels: Channel[]
  contact_tiers: string[]
  organization_ids: number[]
  tags: string[]
}

export type EscalationType = 'notify' | 'raise_priority' | 'set_team' | 'assign_supervisor'
export const ESCALATION_TYPES: readonly EscalationType[] = ['notify', 'raise_priority', 'set_team', 'assign_supervisor']

export interface Escalation {
  type: EscalationType
  value?: string | number | null
}

export interface SlaPolicy {
  id: number
  name: string
  enabled: boolean
  position: number
  conditions: SlaConditions
  calendar: string
  targets: { first_response: SlaTarget; next_response: SlaTarget; resolution: SlaTarget }
  warn_fraction: number
  escalation: Escalation[]
  created_at?: string
  updated_at?: string
}

/** The ids in a new order: item at index moved by delta (−1 up, +1 down); unchanged at the ends. */
export function moved<T extends { id: number }>(items: readonly T[], index: number, delta: number): T[] {
  const to = index + delta
  if (index < 0 || index >= items.length || to < 0 || to >= items.length) return [...items]
  const out = [...items]
  const [it] = out.splice(index, 1)
  out.splice(to, 0, it)
  return out
}

// --- automation rules

export type Trigger = 'conversation.created' | 'message.received' | 'conversation.updated' | 'time'
export const TRIGGERS: readonly Trigger[] = ['conversation.created', 'message.received', 'conversation.updated', 'time']

export type RuleField =
  | 'status' | 'priority' | 'channel' | 'contact_tier' | 'language'
  | 'inbox_id' | 'team_id' | 'assignee_id'
  | 'tags'
  | 'subject' | 'message_text'
  | 'inside_business_hours'
  | 'message_count'
export const RULE_FIELDS: readonly RuleField[] = [
  'status', 'priority', 'channel', 'inbox_id', 'team_id', 'assignee_id', 'tags', 'subject', 'message_text',
  'contact_tier', 'language', 'inside_business_hours', 'message_count',
]

export type FieldKind = 'word' | 'id' | 'tags' | 'text' | 'bool' | 'number'
export const FIELD_KIND: Record<RuleField, FieldKind> = {
  status: 'word', priority: 'word', channel: 'word', contact_tier: 'word', language: 'word',
  inbox_id: 'id', team_id: 'id', assignee_id: 'id',
  tags: 'tags',
  subject: 'text', message_text: 'text',
  inside_business_hours: 'bool',
  message_count: 'number',
}

export type Operator = 'is' | 'is_not' | 'in' | 'not_in' | 'contains' | 'not_contains' | 'is_set' | 'is_not_set' | 'greater' | 'less'

const KIND_OPS: Record<FieldKind, Operator[]> = {
  word: ['is', 'is_not', 'in', 'not_in', 'is_set', 'is_not_set'],
  id: ['is', 'is_not', 'in', 'not_in', 'is_set', 'is_not_set'],
  tags: ['contains', 'not_contains', 'in', 'not_in', 'is_set', 'is_not_set'],
  text: ['is', 'is_not', 'contains', 'not_contains', 'is_set', 'is_not_set'],
  bool: ['is', 'is_not'],
  number: ['is', 'is_not', 'greater', 'less'],
}

/** The operators a field takes (priority also compares by rank: greater, less). */
export function operatorsFor(field: RuleField): Operator[] {
  const ops = [...KIND_OPS[FIELD_KIND[field]]]
  if (field === 'priority') ops.push('greater', 'less')
  return ops
}

/** What a condition's value input looks like for a field and operator. */
export type ValueInput =
  | 'none' | 'status' | 'statuses' | 'priority' | 'priorities' | 'channel' | 'channels'
  | 'team' | 'teams' | 'agent' | 'agents' | 'inbox' | 'inboxes'
  | 'tag' | 'tags' | 'text' | 'words' | 'number' | 'bool'

export function valueInput(field: RuleField, op: Operator): ValueInput {
  if (op === 'is_set' || op === 'is_not_set') return 'none'
  const list = op === 'in' || op === 'not_in'
  switch (field) {
    case 'status':
      return list ? 'statuses' : 'status'
    case 'priority':
      return list ? 'priorities' : 'priority'
    case 'channel':
      return list ? 'channels' : 'channel'
    case 'team_id':
      return list ? 'teams' : 'team'
    case 'assignee_id':
      return list ? 'agents' : 'agent'
    case 'inbox_id':
      return list ? 'inboxes' : 'inbox'
    case 'tags':
      return list ? 'tags' : 'tag'
    case 'contact_tier':
    case 'language':
      return list ? 'words' : 'text'
    case 'inside_business_hours':
      return 'bool'
    case 'message_count':
      return 'number'
    default:
      return 'text'
  }
}

/** A sensible starting value for an input, so a new row is valid as soon as it can be. */
export function defaultValue(input: ValueInput): unknown {
  switch (input) {
    case 'none':
      return undefined
    case 'status':
      return 'open'
    case 'priority':
      return 'high'
    case 'channel':
      return 'email'
    case 'bool':
      return true
    case 'number':
      return 1
    case 'team':
    case 'agent':
    case 'inbox':
      return null
    case 'text':
    case 'tag':
      return ''
    default:
      return []
  }
}

export interface Condition {
  field: RuleField
  op: Operator
  value?: unknown
}

/** A condition for field with its first operator and a default value. */
export function newCondition(field: RuleField = 'status'): Condition {
  const op = operatorsFor(field)[0]
  return { field, op, value: defaultValue(valueInput(field, op)) }
}

/** The condition after its field changed: the operator kept when the new field takes it, the value reset when its input changes. */
export function withField(c: Condition, field: RuleField): Condition {
  const ops = operatorsFor(field)
  const op = ops.includes(c.op) ? c.op : ops[0]
  return withOp({ field, op: c.op, value: c.value }, op, valueInput(c.field, c.op))
}

/** The condition after its operator changed; the value is kept while the input stays the same. */
export function withOp(c: Condition, op: Operator, previous: ValueInput = valueInput(c.field, c.op)): Condition {
  const next = valueInput(c.field, op)
  return { field: c.field, op, value: next === previous ? c.value : defaultValue(next) }
}

export type ActionType =
  | 'set_status' | 'set_priority' | 'set_team' | 'assign' | 'add_tags' | 'remove_tags'
  | 'add_note' | 'send_canned' | 'notify' | 'webhook' | 'close'
export const ACTION_TYPES: readonly ActionType[] = [
  'set_status', 'set_priority', 'set_team', 'assign', 'add_tags', 'remove_tags', 'add_note', 'send_canned', 'notify', 'webhook', 'close',
]

export interface Action {
  type: ActionType
  value?: unknown
}

/** A sensible starting value of an action. */
export function defaultActionValue(type: ActionType): unknown {
  switch (type) {
    case 'set_status':
      return 'pending'
    case 'set_priority':
      return 'high'
    case 'set_team':
    case 'assign':
    case 'send_canned':
      return null
    case 'add_tags':
    case 'remove_tags':
      return []
    case 'notify':
      return 'assignee'
    case 'close':
      return undefined
    default:
      return ''
  }
}

export interface TimeCondition {
  field: 'status_for'
  status: Status
  minutes: number
  business: boolean
}

export interface Rule {
  id: number
  name: string
  enabled: boolean
  position: number
  trigger: Trigger
  time: TimeCondition | null
  conditions: { all: Condition[]; any: Condition[] }
  actions: Action[]
  created_at?: string
  updated_at?: string
}

/** POST /api/v1/automation-rules/dry-run. */
export interface DryRunResult {
  /** The conversation statuses scanned: new, open, pending, on_hold for an event rule; a time rule's status. */
  statuses: Status[]
  scanned: number
  matched: number
  conversations: { id: number; subject: string; status: Status; priority: Priority; requester_name: string }[]
}

/** The rule as the API takes it: values of the shape each field wants, nothing for is_set. */
export function ruleBody(r: Omit<Rule, 'id' | 'position'> & { id?: number; position?: number }) {
  const cond = (c: Condition) => (valueInput(c.field, c.op) === 'none' ? { field: c.field, op: c.op } : { field: c.field, op: c.op, value: c.value })
  const act = (a: Action) => (a.type === 'close' ? { type: a.type } : { type: a.type, value: a.value })
  return {
    name: r.name.trim(),
    enabled: r.enabled,
    trigger: r.trigger,
    time: r.trigger === 'time' ? r.time : null,
    conditions: { all: r.conditions.all.map(cond), any: r.conditions.any.map(cond) },
    actions: r.actions.map(act),
  }
}

/** The offset of zone from UTC at instant ms, in ms (positive east of Greenwich). */
export function zoneOffset(ms: number, zone: string): number {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  })
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]))
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second))
  return asUtc - Math.floor(ms / 1000) * 1000
}

/** The instant of a wall-clock "YYYY-MM-DDTHH:MM" in zone (a datetime-local value), or null. */
export function zonedToInstant(local: string, zone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local)
  if (!m) return null
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]))
  try {
    // Twice: the offset at the first guess may differ across a DST change.
    let t = wall - zoneOffset(wall, zone)
    t = wall - zoneOffset(t, zone)
    return new Date(t)
  } catch {
    return null
  }
}

/** An instant as a datetime-local value ("YYYY-MM-DDTHH:MM") on the wall clock of zone. */
export function instantToZoned(ms: number, zone: string): string {
  const d = new Date(ms + zoneOffset(ms, zone))
  return d.toISOString().slice(0, 16)
}
