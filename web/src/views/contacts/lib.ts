// Shared by the contacts and organizations screens: organization names by
// id (cached for the tab), search helpers for the pickers, and the contact
// form's conversion to and from the API shape.
import { api } from '@/api/client'
import type { Contact, Organization, Page } from '@/api/types'
import type { KeyValue, PickItem } from '@/views/settings/lib/types'
import { lines } from '@/views/settings/lib/forms'

const orgCache = new Map<number, Promise<Organization | null>>()

/** An organization by id, fetched once per tab; null when it can't be read. */
export function organization(id: number): Promise<Organization | null> {
  let p = orgCache.get(id)
  if (!p) {
    p = api.get<Organization>(`/organizations/${id}`).catch(() => {
      orgCache.delete(id)
      return null
    })
    orgCache.set(id, p)
  }
  return p
}

/** Puts a fresh copy in the cache after a create or an edit. */
export function rememberOrganization(o: Organization): void {
  orgCache.set(o.id, Promise.resolve(o))
}

/** A contact's name, else its first email or phone, else #id. */
export function contactLabel(c: Pick<Contact, 'id' | 'name' | 'emails' | 'phones'>): string {
  return c.name || c.emails[0] || c.phones[0] || `#${c.id}`
}

export function contactDetail(c: Contact): string {
  return [...c.emails, ...c.phones].slice(0, 3).join(' · ') || `#${c.id}`
}

export async function searchContacts(q: string): Promise<PickItem[]> {
  const page = await api.get<Page<Contact>>('/contacts', { query: { q, limit: 20 } })
  return page.data.map((c) => ({ id: c.id, label: contactLabel(c), detail: `#${c.id} · ${contactDetail(c)}` }))
}

export async function searchOrganizations(q: string): Promise<PickItem[]> {
  const page = await api.get<Page<Organization>>('/organizations', { query: { q, limit: 20 } })
  return page.data.map((o) => {
    rememberOrganization(o)
    return { id: o.id, label: o.name, detail: o.domains.join(', ') }
  })
}

/** The editable form of a contact. */
export interface ContactForm {
  name: string
  emails: string
  phones: string
  language: string
  time_zone: string
  tier: string
  organization: { id: number; name: string } | null
  external_ids: KeyValue[]
  custom_attributes: KeyValue[]
}

export const CONTACT_FIELDS = ['name', 'emails', 'phones', 'language', 'time_zone', 'tier', 'organization_id', 'external_ids', 'custom_attributes'] as const

export function emptyContactForm(): ContactForm {
  return { name: '', emails: '', phones: '', language: '', time_zone: '', tier: '', organization: null, external_ids: [], custom_attributes: [] }
}

/** A custom attribute's value as text: strings as they are, anything else as JSON. */
export function attrText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v)
}

export function contactForm(c: Contact, org: Organization | null): ContactForm {
  return {
    name: c.name,
    emails: c.emails.join('\n'),
    phones: c.phones.join('\n'),
    language: c.language,
    time_zone: c.time_zone,
    tier: c.tier,
    organization: c.organization_id ? { id: c.organization_id, name: org?.name ?? `#${c.organization_id}` } : null,
    external_ids: Object.entries(c.external_ids ?? {}).map(([key, value]) => ({ key, value })),
    custom_attributes: Object.entries(c.custom_attributes ?? {}).map(([key, value]) => ({ key, value: attrText(value) })),
  }
}

/**
 * The attribute rows as an object. A value that was not a string before
 * (a number, true, a list) is read back as JSON when it parses.
 */
export function attrsObject(rows: KeyValue[], before: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const r of rows) {
    const k = r.key.trim()
    if (!k) continue
    let v: unknown = r.value
    if (k in before && typeof before[k] !== 'string') {
      try {
        v = JSON.parse(r.value)
      } catch {
        v = r.value
      }
    }
    out[k] = v
  }
  return out
}

export function pairsObject(rows: KeyValue[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const r of rows) if (r.key.trim()) out[r.key.trim()] = r.value.trim()
  return out
}

/** The POST body of a new contact. */
export function contactInput(f: ContactForm): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: f.name.trim(),
    emails: lines(f.emails),
    phones: lines(f.phones),
    external_ids: pairsObject(f.external_ids),
    custom_attributes: attrsObject(f.custom_attributes),
  }
  if (f.language.trim()) body.language = f.language.trim()
  if (f.time_zone.trim()) body.time_zone = f.time_zone.trim()
  if (f.tier.trim()) body.tier = f.tier.trim()
  if (f.organization) body.organization_id = f.organization.id
  return body
}

/** The PATCH body for an edited contact: custom attributes merge, so removed keys are sent as null. */
export function contactPatch(f: ContactForm, before: Contact): Record<string, unknown> {
  const attrs = attrsObject(f.custom_attributes, before.custom_attributes)
  for (const k of Object.keys(before.custom_attributes ?? {})) if (!(k in attrs)) attrs[k] = null
  return {
    name: f.name.trim(),
    emails: lines(f.emails),
    phones: lines(f.phones),
    language: f.language.trim() || null,
    time_zone: f.time_zone.trim() || null,
    tier: f.tier.trim() || null,
    organization_id: f.organization ? f.organization.id : null,
    external_ids: pairsObject(f.external_ids),
    custom_attributes: attrs,
  }
}

/** The editable form of an organization. */
export interface OrganizationForm {
  name: string
  domains: string
  external_id: string
  custom_attributes: KeyValue[]
}

export const ORGANIZATION_FIELDS = ['name', 'domains', 'external_id', 'custom_attributes'] as const

export function organizationForm(o?: Organization): OrganizationForm {
  return {
    name: o?.name ?? '',
    domains: (o?.domains ?? []).join('\n'),
    external_id: o?.external_id ?? '',
    custom_attributes: Object.entries(o?.custom_attributes ?? {}).map(([key, value]) => ({ key, value: attrText(value) })),
  }
}

/** The body of a create (before undefined) or of an edit (before the organization). */
export function organizationBody(f: OrganizationForm, before?: Organization): Record<string, unknown> {
  const attrs = attrsObject(f.custom_attributes, before?.custom_attributes)
  if (before) for (const k of Object.keys(before.custom_attributes ?? {})) if (!(k in attrs)) attrs[k] = null
  return {
    name: f.name.trim(),
    domains: f.domains
      .split(/[\s,]+/)
      .map((d) => d.trim().toLowerCase())
      .filter(Boolean),
    external_id: f.external_id.trim() || null,
    custom_attributes: attrs,
  }
}
