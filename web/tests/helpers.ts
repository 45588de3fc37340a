// Test helpers: a fetch stub answering by method and path, and fixtures.
import { vi } from 'vitest'
import type { Conversation, Me, Message } from '@/api/types'

export type Handler = (url: URL, init: RequestInit) => { status?: number; body?: unknown } | undefined

/** Replaces fetch; routes is a map of "METHOD /path" (no query) to a handler or a fixed body. */
export function stubFetch(routes: Record<string, Handler | object>) {
  const calls: { method: string; url: URL; body?: unknown }[] = []
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://localhost')
    const method = (init.method ?? 'GET').toUpperCase()
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : init.body
    calls.push({ method, url, body })
    const route = routes[`${method} ${url.pathname}`]
    const res = typeof route === 'function' ? (route as Handler)(url, init) : route !== undefined ? { body: route } : { status: 404, body: { type: 'https://kesher.dev/problems/not-found', title: 'Not found', status: 404 } }
    const status = res?.status ?? 200
    if (status === 204) return new Response(null, { status })
    return new Response(JSON.stringify(res?.body ?? {}), { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' } })
  })
  vi.stubGlobal('fetch', fn)
  return { fn, calls }
}

export function me(over: Partial<Me> = {}): Me {
  return {
    id: 1, name: 'Dana Levi', email: 'dana@example.test', role: 'agent', team_ids: [1], languages: ['he'], capacity: 20,
    availability: 'online', locale: 'he', time_zone: 'Asia/Jerusalem', active: true,
    created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
    permissions: ['conversations:read', 'conversations:write'], ...over,
  }
}

export function conv(id: number, over: Partial<Conversation> = {}): Conversation {
  const t = new Date(Date.UTC(2026, 0, 1, 0, id)).toISOString()
  return {
    id, number: id, inbox_id: 1, channel: 'email', subject: `Subject ${id}`, status: 'open', priority: 'normal',
    requester_id: 100 + id, requester: { id: 100 + id, name: `Customer ${id}`, email: `c${id}@example.test` },
    assignee_id: null, team_id: 1, tags: [], ccs: [], custom_fields: {}, language: 'en', external_id: null, follow_up_of: null,
    message_count: 1, reopen_count: 0, created_at: t, updated_at: t, first_response_at: null, last_customer_message_at: t,
    last_agent_message_at: null, solved_at: null, closed_at: null, ...over,
  }
}

export function msg(id: number, over: Partial<Message> = {}): Message {
  return {
    id, conversation_id: 1, direction: 'inbound', kind: 'reply', author_type: 'contact', author_id: 101, body_text: `Body ${id}`,
    body_html: '', channel_meta: {}, delivery_status: '', attachments: [], created_at: '2026-01-01T10:00:00Z', ...over,
  }
}
