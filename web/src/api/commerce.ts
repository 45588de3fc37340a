// Client calls of the orders, compensation and ledger API (docs/commerce.md).
// Each resolves with the parsed JSON and rejects with ApiError (problem JSON
// with field errors) like every other call.
import { i18n } from '@/i18n'
import { api, idempotencyKey } from './client'
import type {
  AuthorityLimit, CompensationQuote, CompensationRequest, ContactOverview, ExportSettings, GrantInput, GrantResult,
  LatenessSettings, LedgerEntry, MyAuthority, Order, Page, PolicyVersion, RequestStatus, ShopSettings,
} from './types'

/** Customer 360 of a contact. */
export function contactOverview(contactId: number, signal?: AbortSignal): Promise<ContactOverview> {
  return api.get<ContactOverview>(`/contacts/${contactId}/overview`, { signal })
}

/** One order with its events. */
export function getOrder(id: number): Promise<Order> {
  return api.get<Order>(`/orders/${id}`)
}

/** Orders, newest first, one page. */
export function listOrders(query: { contact_id?: number; status?: string; lateness?: string; cursor?: string | null; limit?: number }): Promise<Page<Order>> {
  return api.get<Page<Order>>('/orders', { query })
}

/** The language explanations are written in: the UI's (he or en). */
function explanationLang(): 'he' | 'en' {
  return i18n.global.locale.value === 'he' ? 'he' : 'en'
}

/** What the policy proposes for an order now, explained in the UI's language. */
export function quote(orderId: number): Promise<CompensationQuote> {
  return api.post<CompensationQuote>(`/orders/${orderId}/compensation/quote`, {}, { query: { lang: explanationLang() } })
}

/** Grants compensation: 201 granted, 202 pending approval; the stored explanation is in the UI's language. One Idempotency-Key per click. */
export function grant(input: GrantInput): Promise<GrantResult> {
  return api.post<GrantResult>('/compensation/grants', { lang: explanationLang(), ...input }, { headers: { 'Idempotency-Key': idempotencyKey() } })
}

/** The caller's authority and what is left of it this period. */
export function myAuthority(): Promise<MyAuthority> {
  return api.get<MyAuthority>('/compensation/authority/me')
}

/** Approval requests: the caller's own, or all with compensation:approve. */
export async function listRequests(status?: RequestStatus): Promise<CompensationRequest[]> {
  const res = await api.get<{ data: CompensationRequest[] } | CompensationRequest[]>('/compensation/requests', { query: { status } })
  return Array.isArray(res) ? res : res.data ?? []
}

/** Approves or denies a request; reason is required to deny. */
export function decideRequest(id: number, decision: 'approve' | 'deny', reason: string): Promise<CompensationRequest> {
  return api.post<CompensationRequest>(`/compensation/requests/${id}/${decision}`, { reason })
}

/** The policy in force; the document is under policy (or body, as older drafts named it). */
export async function getPolicy(): Promise<PolicyVersion> {
  const res = await api.get<Record<string, unknown>>('/compensation/policy')
  const doc = 'policy' in res ? res.policy : 'body' in res ? res.body : res
  return { version: Number(res.version ?? 0), policy: typeof doc === 'string' ? JSON.parse(doc) : doc, created_at: res.created_at as string | undefined }
}

/** Saves a new policy version; 400 names the fields by their path in the document. */
export function putPolicy(doc: unknown): Promise<PolicyVersion> {
  return api.put<PolicyVersion>('/compensation/policy', doc)
}

async function listOf<T>(path: string): Promise<T[]> {
  const res = await api.get<{ data: T[] } | T[]>(path)
  return Array.isArray(res) ? res : res.data ?? []
}

export function getAuthorityLimits(): Promise<AuthorityLimit[]> {
  return listOf<AuthorityLimit>('/compensation/authority-limits')
}

export function putAuthorityLimits(rows: AuthorityLimit[]): Promise<AuthorityLimit[]> {
  return api.put<AuthorityLimit[]>('/compensation/authority-limits', rows)
}

export function getLatenessSettings(): Promise<LatenessSettings> {
  return api.get<LatenessSettings>('/commerce/lateness-settings')
}

export function putLatenessSettings(s: LatenessSettings): Promise<LatenessSettings> {
  return api.put<LatenessSettings>('/commerce/lateness-settings', s)
}

export function getShopSettings(): Promise<ShopSettings> {
  return api.get<ShopSettings>('/commerce/shop-settings')
}

/** Sets the secrets given (an absent one stays as it is). */
export function putShopSettings(s: { shopify_secret?: string; woocommerce_secret?: string }): Promise<ShopSettings> {
  return api.put<ShopSettings>('/commerce/shop-settings', s)
}

export function getExportSettings(): Promise<ExportSettings> {
  return api.get<ExportSettings>('/compensation/export-settings')
}

export function putExportSettings(s: { url: string; secret?: string }): Promise<ExportSettings> {
  return api.put<ExportSettings>('/compensation/export-settings', s)
}

/** Ledger entries, filtered by contact, order and period (from/to RFC 3339). */
export function listLedger(query: { contact_id?: number | null; order_id?: number | null; from?: string; to?: string }): Promise<LedgerEntry[]> {
  return api.get<{ data: LedgerEntry[] } | LedgerEntry[]>('/ledger', { query }).then((r) => (Array.isArray(r) ? r : r.data ?? []))
}

/** Reverses an entry with a compensating one; reason required. */
export function reverseEntry(id: number, reason: string): Promise<LedgerEntry> {
  return api.post<LedgerEntry>(`/ledger/${id}/reverse`, { reason }, { headers: { 'Idempotency-Key': idempotencyKey() } })
}
