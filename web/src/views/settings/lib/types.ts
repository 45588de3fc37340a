// Shapes the settings and contacts screens read beyond src/api/types.ts
// (internal/httpapi/openapi.json is the contract).
import type { Inbox, MacroAction, Tag, Team } from '@/api/types'

export type TlsMode = 'none' | 'starttls' | 'tls'
export const TLS_MODES: readonly TlsMode[] = ['none', 'starttls', 'tls']

/** An email inbox's settings.smtp or settings.imap; password is write-only. */
export interface MailServer {
  host: string
  port?: number | null
  tls?: TlsMode | ''
  username?: string
  password?: string
  password_set?: boolean
  folder?: string
  /** IMAP only: what the poller does with a fetched mail: seen (default), flag, none or move:<folder>. */
  processed?: string
}

/** What the IMAP poller does with a mail once it is in Kesher. */
export type ProcessedMode = 'seen' | 'flag' | 'move' | 'none'
export const PROCESSED_MODES: readonly ProcessedMode[] = ['seen', 'flag', 'move', 'none']

export interface InboxFull extends Inbox {
  settings: Record<string, unknown> & { smtp?: MailServer | null; imap?: MailServer | null }
  created_at?: string
  updated_at?: string
}

export interface ServerCheck {
  ok: boolean
  error: string
}

export interface ConnectionReport {
  smtp: ServerCheck | null
  imap: ServerCheck | null
}

export interface ApiToken {
  id: number
  agent_id: number
  name: string
  prefix: string
  scopes: string[]
  created_at: string
  last_used_at: string | null
  expires_at: string | null
}

export interface TokenCreated extends ApiToken {
  token: string
}

export type CannedLanguage = 'he' | 'en' | ''

export interface Canned {
  id: number
  title: string
  body: string
  language: CannedLanguage
  shortcut: string
  team_id: number | null
  /** Macro actions; absent from older servers. */
  actions?: MacroAction[]
  created_by: number | null
  created_at: string
  updated_at: string
}

/** How a team's new conversations get an agent (team.assignment_mode). */
export type AssignmentMode = 'manual' | 'round_robin' | 'load_balanced'
export const ASSIGNMENT_MODES: readonly AssignmentMode[] = ['manual', 'round_robin', 'load_balanced']

export interface TeamFull extends Team {
  /** Absent from older servers; treated as manual. */
  assignment_mode?: AssignmentMode
  created_at?: string
  updated_at?: string
}

export interface TagFull extends Tag {
  created_at?: string
}

/** The placeholders a canned response body may use. */
export const CANNED_PLACEHOLDERS: readonly string[] = [
  '{{contact.name}}',
  '{{contact.first_name}}',
  '{{contact.email}}',
  '{{conversation.number}}',
  '{{conversation.subject}}',
  '{{team.name}}',
  '{{agent.name}}',
  '{{agent.first_name}}',
]

/** Every permission, in the order /me lists them. */
export const PERMISSIONS: readonly string[] = [
  'conversations:read', 'conversations:write', 'contacts:read', 'contacts:write', 'agents:read', 'agents:write',
  'teams:read', 'teams:write', 'inboxes:read', 'inboxes:write', 'tags:read', 'tags:write', 'audit:read', 'tokens:write',
  'canned:read', 'canned:write',
]

/** One search result offered by SearchPicker. */
export interface PickItem {
  id: number
  label: string
  detail?: string
}

/** A key/value row of KeyValueEditor. */
export interface KeyValue {
  key: string
  value: string
}

/** The editable form of a MailServer; port as typed. */
export interface MailForm {
  enabled: boolean
  host: string
  port: string
  tls: TlsMode
  username: string
  password: string
  clearPassword: boolean
  folder: string
  processed: ProcessedMode
  moveTo: string
}
