// Shapes of the Kesher REST API v1 (internal/httpapi/openapi.json is the
// contract). Only the fields the web app reads are typed strictly.

export type Locale = 'he' | 'en'
export type Status = 'new' | 'open' | 'pending' | 'on_hold' | 'solved' | 'closed'
export type Priority = 'low' | 'normal' | 'high' | 'urgent'
export type Channel = 'email' | 'chat' | 'api' | 'phone' | 'messaging'
export type Role = 'admin' | 'supervisor' | 'agent'
export type Availability = 'online' | 'away' | 'offline'

export const STATUSES: readonly Status[] = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed']
export const UNSOLVED: readonly Status[] = ['new', 'open', 'pending', 'on_hold']
export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent']
export const CHANNELS: readonly Channel[] = ['email', 'chat', 'api', 'phone', 'messaging']

export interface Agent {
  id: number
  name: string
  email: string
  role: Role
  team_ids: number[]
  languages: string[]
  /** Tag-like words; automatic assignment prefers agents whose skills cover a conversation's tags. Absent from older servers. */
  skills?: string[]
  capacity: number
  availability: Availability
  locale: Locale
  time_zone: string
  active: boolean
  created_at: string
  updated_at: string
}

export interface Me extends Agent {
  permissions: string[]
  scopes?: string[]
}

export interface RequesterSummary {
  id: number
  name: string
  email: string
}

export interface Conversation {
  id: number
  number: number
  inbox_id: number
  channel: Channel
  subject: string
  status: Status
  priority: Priority
  requester_id: number
  requester?: RequesterSummary
  assignee_id: number | null
  team_id: number | null
  tags: string[]
  ccs: string[]
  custom_fields: Record<string, unknown>
  language: string
  external_id: string | null
  follow_up_of: number | null
  message_count: number
  reopen_count: number
  created_at: string
  updated_at: string
  first_response_at: string | null
  last_customer_message_at: string | null
  last_agent_message_at: string | null
  solved_at: string | null
  closed_at: string | null
  /** The SLA state: '' when no policy applies (absent on older servers). */
  sla_state?: SlaState
  /** The earliest due time of the running SLA targets. */
  sla_due_at?: string | null
  /** The order this conversation is about (the late-delivery conversation, or one an agent linked); absent on older servers. */
  order_id?: number | null
}

/** A conversation's SLA state (conversation.sla_state, and each target's state). */
export type SlaState = '' | 'ok' | 'at_risk' | 'breached' | 'paused' | 'met'
export type SlaTargetName = 'first_response' | 'next_response' | 'resolution'
export const SLA_TARGETS: readonly SlaTargetName[] = ['first_response', 'next_response', 'resolution']

/** One target of GET /api/v1/conversations/{id}/sla. */
export interface SlaTargetStatus {
  target: SlaTargetName
  state: SlaState
  business: boolean
  minutes: number
  started_at: string | null
  /** When it is due; kept once met (when it would have been due) and breached (the breach instant); null while paused. */
  due_at: string | null
  at_risk_at: string | null
  met_at: string | null
  breached_at: string | null
  remaining_minutes: number | null
}

/** GET /api/v1/conversations/{id}/sla. */
export interface ConversationSla {
  policy_id: number | null
  policy_name: string
  state: SlaState
  due_at: string | null
  targets: SlaTargetStatus[]
}

export interface ConversationPatch {
  status?: Status
  priority?: Priority
  assignee_id?: number | null
  team_id?: number | null
  add_tags?: string[]
  remove_tags?: string[]
}

export interface Attachment {
  id: number
  message_id: number | null
  filename: string
  content_type: string
  size: number
  sha256: string
  content_id?: string
  created_at: string
}

export type MessageKind = 'reply' | 'note' | 'event'
export type Direction = 'inbound' | 'outbound' | 'internal'

export interface Message {
  id: number
  conversation_id: number
  direction: Direction
  kind: MessageKind
  author_type: 'agent' | 'contact' | 'bot' | 'system'
  author_id: number | null
  body_text: string
  body_html: string
  channel_meta: Record<string, unknown>
  /** Outbound replies: queued, sent or failed (email; channel_meta.delivery_error says why); "" otherwise. */
  delivery_status: string
  attachments: Attachment[]
  created_at: string
}

export interface MessageInput {
  kind: 'reply' | 'note'
  body: string
  attachment_ids?: number[]
  status?: Status
}

export interface MessageCreated extends Message {
  conversation: Conversation
}

export interface Contact {
  id: number
  name: string
  emails: string[]
  phones: string[]
  language: string
  time_zone: string
  tier: string
  organization_id: number | null
  external_ids: Record<string, string>
  custom_attributes: Record<string, unknown>
  created_at: string
  updated_at: string
}

export interface Organization {
  id: number
  name: string
  domains: string[]
  external_id: string | null
  custom_attributes: Record<string, unknown>
  created_at: string
  updated_at: string
}

export interface Team {
  id: number
  name: string
  description: string
  agent_ids: number[]
}

export interface Inbox {
  id: number
  name: string
  channel: Channel
  address: string
  team_id: number | null
  enabled: boolean
}

export interface Tag {
  id: number
  name: string
  color: string
}

export interface Page<T> {
  data: T[]
  next_cursor: string | null
}

export interface List<T> {
  data: T[]
}

/** Filters a conversation list is narrowed by; the same names as the query parameters. */
export interface ConversationFilters {
  status?: Status[]
  priority?: Priority[]
  assignee?: string // an agent id, "me" or "none"
  team?: string // a team id or "none"
  tag?: string
  inbox?: string
  channel?: Channel
  requester?: string
  q?: string
  /** at_risk: at risk or breached, earliest due first; breached: breached only. */
  sla?: 'at_risk' | 'breached'
}

export type SortKey = '-created_at' | 'created_at' | '-updated_at' | 'updated_at'
export const SORTS: readonly SortKey[] = ['-updated_at', 'updated_at', '-created_at', 'created_at']

/** Filters as a saved view stores them (ConversationFilters in the API). */
export interface ViewFilters {
  statuses?: Status[] | null
  priorities?: Priority[] | null
  assignee?: string
  team?: string
  tag?: string
  inbox?: number
  channel?: Channel | ''
  q?: string
}

/** A saved custom view (GET /api/v1/views): one agent's named list. */
export interface SavedView {
  id: number
  agent_id?: number
  name: string
  filters: ViewFilters
  /** "" means the API default, -created_at. */
  sort: SortKey | ''
  position?: number
  created_at?: string
  updated_at?: string
}

export interface CannedResponse {
  id: number
  title: string
  body: string
  /** he, en or "" for any language. */
  language: string
  shortcut: string
  team_id: number | null
  /** Macro actions applied with the response (POST /conversations/{id}/macros); absent or [] for a plain response. */
  actions?: MacroAction[]
}

/** What a macro may change (the automation action shape). */
export type MacroActionType = 'set_status' | 'set_priority' | 'set_team' | 'assign' | 'add_tags' | 'remove_tags'
export const MACRO_ACTION_TYPES: readonly MacroActionType[] = ['set_status', 'set_priority', 'set_team', 'assign', 'add_tags', 'remove_tags']

/** One macro action: value is a status or priority, a team or agent id (null clears), or a list of tag names. */
export interface MacroAction {
  type: MacroActionType
  value: string | number | string[] | null
}

/** POST /conversations/{id}/macros answers the changed conversation and the filled-in body. */
export interface MacroResult {
  conversation: Conversation
  body: string
}

/** Notification kinds the web app translates. */
export type NotificationKind = 'sla.warning' | 'sla.breached' | 'rule.notify' | 'assigned'

/** One notification of the signed-in agent (GET /notifications). */
export interface AppNotification {
  id: number
  agent_id: number
  kind: NotificationKind | string
  conversation_id: number | null
  data: Record<string, unknown>
  read_at: string | null
  created_at: string
}

export interface NotificationList {
  data: AppNotification[]
  unread_count: number
}

/** Delivery of an outbound reply. */
export type DeliveryStatus = '' | 'queued' | 'sent' | 'failed'

/** A frame from GET /api/v1/ws (server → client); see internal/realtime/doc.go. */
export type RealtimeFrame =
  | { type: 'hello'; agent_id: number; name?: string; last_event_id?: number; typing_ttl_ms?: number }
  | { type: 'conversation.created'; conversation_id: number; conversation?: Conversation; [k: string]: unknown }
  | { type: 'conversation.updated'; conversation_id: number; conversation?: Conversation; changes?: string[]; [k: string]: unknown }
  | {
      type: 'message.created'
      conversation_id: number
      conversation?: Conversation
      message_id?: number
      kind?: string
      direction?: string
      author_type?: string
      [k: string]: unknown
    }
  | {
      type: 'message.updated'
      conversation_id: number
      conversation?: Conversation
      message_id: number
      delivery_status: DeliveryStatus
      delivery_error?: string
      [k: string]: unknown
    }
  | { type: 'presence'; conversation_id: number; agents: PresenceAgent[]; visitor_typing?: boolean }
  | { type: 'notification'; notification: AppNotification }
  | { type: 'pong' }
  | { type: 'error'; code: string; message?: string; conversation_id?: number }

/** The event frames that change a conversation. */
export type EventFrame = Extract<RealtimeFrame, { type: 'conversation.created' | 'conversation.updated' | 'message.created' }>

export interface PresenceAgent {
  agent_id: number
  name: string
  typing: boolean
}

// --- Orders and promises (docs/commerce.md). Money is always an integer of
// minor units (agorot, cents) with its ISO 4217 currency; never a float.

export type OrderStatus = 'placed' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'returned'
export const ORDER_STATUSES: readonly OrderStatus[] = ['placed', 'paid', 'shipped', 'delivered', 'cancelled', 'returned']
/** The late-delivery detector's verdict on an order. */
export type Lateness = 'on_time' | 'at_risk' | 'late'
export const LATENESS: readonly Lateness[] = ['on_time', 'at_risk', 'late']
export type Remedy = 'store_credit' | 'coupon' | 'shipping_refund' | 'partial_refund'
export const REMEDIES: readonly Remedy[] = ['store_credit', 'coupon', 'shipping_refund', 'partial_refund']
export type LimitPeriod = 'day' | 'week' | 'month'
export const LIMIT_PERIODS: readonly LimitPeriod[] = ['day', 'week', 'month']

export interface OrderItem {
  sku: string
  name: string
  quantity: number
  price_minor: number
}

/** An order (GET /api/v1/orders/{id}); times RFC 3339 UTC. */
export interface Order {
  id: number
  external_id: string
  source: string
  number: string
  contact_id: number
  contact?: RequesterSummary
  status: OrderStatus
  currency: string
  total_minor: number
  shipping_minor: number
  items: OrderItem[]
  channel: 'web' | 'phone' | 'store'
  placed_at: string
  promised_from: string | null
  promised_by: string | null
  shipped_at: string | null
  delivered_at: string | null
  carrier: string
  tracking_number: string
  carrier_status: string
  carrier_eta: string | null
  lateness: Lateness
  /** In the lateness unit (business or calendar days). */
  days_late: number
  late_since: string | null
  conversation_id: number | null
  created_at: string
  updated_at: string
}

/** A sum of money in one currency. */
export interface MoneyTotal {
  currency: string
  amount_minor: number
}

/** One step of a quote's reasoning: the policy rule and what it decided. */
export interface QuoteStep {
  rule: string
  text: string
}

/** POST /api/v1/orders/{id}/compensation/quote: what the policy proposes for an order. */
export interface CompensationQuote {
  order_id: number
  eligible: boolean
  remedy: Remedy | ''
  amount_minor: number
  currency: string
  days_late: number
  policy_version: number
  rule: string
  explanation: string
  steps: QuoteStep[]
}

/** What a ledger entry and an approval request both say about one grant. */
export interface GrantFields {
  id: number
  contact_id: number
  contact?: RequesterSummary
  order_id: number | null
  conversation_id: number | null
  remedy: Remedy | string
  amount_minor: number
  currency: string
  goodwill: boolean
  reason: string
  policy_version: number | null
  policy_rule: string
  explanation: string
  created_at: string
}

/** One credit ledger entry (append-only; a reversal is a new entry with reverses_id). */
export interface LedgerEntry extends GrantFields {
  coupon_code: string
  /** True when the entry has a coupon code the caller may not see (they cannot grant compensation). */
  coupon_code_hidden?: boolean
  granted_by: number | null
  approval_request_id: number | null
  approved_by: number | null
  reverses_id: number | null
  /** The entry that reversed this one, when the server says so. */
  reversed_by?: number | null
}

export type RequestStatus = 'pending' | 'approved' | 'denied' | 'cancelled'

/** A request to grant compensation above the requester's authority. */
export interface CompensationRequest extends GrantFields {
  order?: { id: number; number: string } | null
  requested_by: number
  requester?: { id: number; name: string }
  status: RequestStatus
  decided_by: number | null
  decided_at: string | null
  decision_reason: string
  ledger_entry_id: number | null
}

/** POST /api/v1/compensation/grants body. */
export interface GrantInput {
  order_id: number | null
  contact_id: number
  conversation_id: number | null
  remedy: Remedy
  amount_minor: number
  goodwill: boolean
  reason?: string
  /** Language of the stored explanation (he or en). */
  lang?: 'he' | 'en'
}

/** 201 granted within authority, 202 sent for approval. */
export type GrantResult = { status: 'granted'; entry: LedgerEntry } | { status: 'pending_approval'; request: CompensationRequest }

/** One row of the authority limits table (role × remedy; remedy "*" is all remedies together). */
export interface AuthorityLimit {
  role: Role
  remedy: Remedy | '*'
  per_order_minor: number
  per_period_minor: number
  period: LimitPeriod
}

/** One of the caller's limits with what is used and left of it in the current period (ILS minor units). */
export interface MyAuthorityLimit extends AuthorityLimit {
  period_start: string
  used_minor: number
  left_minor: number
}

/** GET /api/v1/compensation/authority/me: the caller's limits (none and unlimited for an admin without limits). */
export interface MyAuthority {
  agent_id: number
  role: Role
  unlimited: boolean
  limits: MyAuthorityLimit[]
  /** The caller's own pending approval requests (they do not use the limits). */
  pending_requests: number
  pending_minor: number
}

/** A survey answer of the contact (CSAT 1–5, NPS 0–10). */
export interface SurveyAnswer {
  score: number
  comment?: string
  conversation_id?: number | null
  answered_at: string
}

/** A conversation of the contact as the overview lists it. */
export interface OverviewConversation {
  id: number
  subject: string
  status: Status
  channel: Channel
  order_id: number | null
  created_at: string
}

/** GET /api/v1/contacts/{id}/overview: customer 360. */
export interface ContactOverview {
  contact: Contact
  orders: Order[]
  credits: { entries: LedgerEntry[]; totals: MoneyTotal[] }
  conversations: OverviewConversation[]
  satisfaction: { csat: SurveyAnswer[]; nps: SurveyAnswer[] }
  /** Historical: per currency, the sum of totals of orders neither cancelled nor returned. */
  lifetime_value: { historical: MoneyTotal[]; orders_count: number }
  open_issues: { open_conversations: number; pending_compensation_requests: number; late_orders: number }
}

/** GET/PUT /api/v1/commerce/lateness-settings. */
export interface LatenessSettings {
  enabled: boolean
  calendar: string
  unit: 'business_days' | 'calendar_days'
  notice_inbox_id: number | null
  scan_interval_minutes: number
  notify: boolean
}

/** GET /api/v1/commerce/shop-settings (secrets are write-only). */
export interface ShopSettings {
  shopify_secret_set: boolean
  woocommerce_secret_set: boolean
}

/** GET /api/v1/compensation/export-settings (the secret is write-only). */
export interface ExportSettings {
  url: string
  secret_set?: boolean
}

/** GET /api/v1/compensation/policy: the policy in force and its version. */
export interface PolicyVersion {
  version: number
  policy: unknown
  created_at?: string
}
