// A small fetch wrapper for /api/v1: JSON in and out, cookies for the
// session, RFC 9457 problem documents turned into ApiError.

export interface FieldError {
  field: string
  code: string
  message: string
}

/** An API failure: the HTTP status and, when the server sent one, its problem document. */
export class ApiError extends Error {
  readonly status: number
  readonly type: string
  readonly detail: string
  readonly errors: FieldError[]
  readonly retryAfter: number | null

  constructor(status: number, problem: Partial<{ type: string; title: string; detail: string; errors: FieldError[] }>, retryAfter: number | null = null) {
    super(problem.detail || problem.title || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.type = problem.type ?? ''
    this.detail = problem.detail ?? ''
    this.errors = problem.errors ?? []
    this.retryAfter = retryAfter
  }

  /** True when the endpoint does not exist on this server (a feature not deployed yet). */
  get missing(): boolean {
    return this.status === 404 || this.status === 405 || this.status === 501
  }
}

/** True when err says the endpoint is not there (404) or the parameter is unknown (400 unknown_parameter). */
export function isUnsupported(err: unknown, param?: string): boolean {
  if (!(err instanceof ApiError)) return false
  if (err.missing) return true
  return err.status === 400 && err.errors.some((e) => e.code === 'unknown_parameter' && (!param || e.field === param))
}

type Query = Record<string, string | number | boolean | null | undefined | readonly string[]>

/** Builds "/api/v1" + path + query string, skipping empty values and joining arrays with commas. */
export function apiUrl(path: string, query?: Query): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) {
      if (v.length) qs.set(k, v.join(','))
    } else {
      qs.set(k, String(v))
    }
  }
  const s = qs.toString()
  return '/api/v1' + path + (s ? '?' + s : '')
}

type UnauthorizedHandler = () => void
let onUnauthorized: UnauthorizedHandler | null = null

/** Registers what happens when a request comes back 401 (the session ended). */
export function setUnauthorizedHandler(fn: UnauthorizedHandler | null): void {
  onUnauthorized = fn
}

/** Reports an ended session from outside a request (the realtime socket closed with 4401). */
export function notifyUnauthorized(): void {
  onUnauthorized?.()
}

export interface RequestOptions {
  query?: Query
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Do not call the 401 handler (for the initial /me check and sign-in). */
  quiet401?: boolean
}

/** Sends one request; resolves with the parsed JSON (or undefined for 204) and rejects with ApiError. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers }
  let body: BodyInit | undefined
  if (opts.body instanceof FormData) {
    body = opts.body
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  let res: Response
  try {
    res = await fetch(apiUrl(path, opts.query), { method, headers, body, credentials: 'same-origin', signal: opts.signal })
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e
    throw new ApiError(0, { type: 'network', detail: String(e) })
  }
  if (res.status === 204) return undefined as T
  const type = res.headers.get('Content-Type') ?? ''
  const data: unknown = type.includes('json') ? await res.json().catch(() => ({})) : {}
  if (!res.ok) {
    if (res.status === 401 && !opts.quiet401 && onUnauthorized) onUnauthorized()
    const ra = Number(res.headers.get('Retry-After'))
    throw new ApiError(res.status, (data ?? {}) as Record<string, never>, Number.isFinite(ra) && ra > 0 ? ra : null)
  }
  return data as T
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, body }),
  del: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
}

/** A random Idempotency-Key, so a retried POST is executed once. */
export function idempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID()
  return Date.now().toString(36) + Math.random().toString(36).slice(2)
}

/** The URL of an attachment's bytes; inline shows raster images in place. */
export function attachmentUrl(id: number, inline = false): string {
  return apiUrl(`/attachments/${id}`, inline ? { inline: '1' } : undefined)
}
