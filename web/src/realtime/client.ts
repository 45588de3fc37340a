// One WebSocket per tab to /api/v1/ws (protocol: internal/realtime/doc.go).
// It reconnects with exponential backoff and jitter, tells its owner when a
// reconnect happened (so lists and the open conversation can be fetched
// again), says again which conversation the agent is viewing after every
// reconnect, pings to notice a dead link, and stops on close code 4401 (the
// session ended).
import type { RealtimeFrame } from '@/api/types'

export type RealtimeState = 'idle' | 'connecting' | 'open' | 'waiting' | 'unavailable' | 'stopped'

/** The part of the browser WebSocket the client uses (a fake in tests). */
export interface SocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((ev: Event) => unknown) | null
  onclose: ((ev: CloseEvent) => unknown) | null
  onmessage: ((ev: MessageEvent) => unknown) | null
  onerror: ((ev: Event) => unknown) | null
}

export interface RealtimeOptions {
  url: () => string
  onFrame: (frame: RealtimeFrame) => void
  /** Called on every successful open; reconnect is false only for the first. */
  onConnected?: (reconnect: boolean) => void
  onState?: (state: RealtimeState) => void
  /** Resolves false when the endpoint does not exist (checked after a first failed connect). */
  probe?: () => Promise<boolean>
  /** The server closed with 4401: the session or token ended. No reconnect follows. */
  onUnauthenticated?: () => void
  /** Called after each failed reconnect with the count so far (a refused upgrade looks like any failure). */
  onRetry?: (attempts: number) => void
  /** Send {"type":"ping"} this often; no frame within pongTimeoutMs after it closes the socket. 0 turns it off. */
  pingIntervalMs?: number
  pongTimeoutMs?: number
  createSocket?: (url: string) => SocketLike
  baseDelayMs?: number
  maxDelayMs?: number
  /** A connection open this long counts as healthy: the backoff starts again from the base. */
  stableAfterMs?: number
  random?: () => number
}

const OPEN = 1
/** The close code for an ended session (CloseUnauthenticated on the server). */
export const CLOSE_UNAUTHENTICATED = 4401

/** The wait before reconnect attempt n (0-based): "equal jitter", between half and all of min(max, base·2ⁿ). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30))
  return Math.round(cap / 2 + random() * (cap / 2))
}

/** The WebSocket URL for a path on this page's host: wss on https. */
export function socketUrl(path: string, loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + path
}

type OptionalHooks = 'probe' | 'onConnected' | 'onState' | 'onUnauthenticated' | 'onRetry'

export class RealtimeClient {
  private readonly opts: Required<Omit<RealtimeOptions, OptionalHooks>> & Pick<RealtimeOptions, OptionalHooks>
  private socket: SocketLike | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private attempt = 0
  private everOpened = false
  private openedAt = 0
  private healthy = false
  private viewing: number | null = null
  private pingTimer: ReturnType<typeof setInterval> | null = null
  private pongTimer: ReturnType<typeof setTimeout> | null = null
  state: RealtimeState = 'idle'

  constructor(opts: RealtimeOptions) {
    this.opts = {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      baseDelayMs: 1000,
      maxDelayMs: 30000,
      stableAfterMs: 10000,
      random: Math.random,
      pingIntervalMs: 20000,
      pongTimeoutMs: 10000,
      ...opts,
    }
  }

  /** The number of reconnect attempts since the last healthy connection. */
  get attempts(): number {
    return this.attempt
  }

  start(): void {
    if (this.state !== 'idle' && this.state !== 'stopped') return
    this.connect()
  }

  stop(): void {
    this.clearTimer()
    this.stopHeartbeat()
    this.setState('stopped')
    const s = this.socket
    this.socket = null
    if (s) {
      s.onclose = s.onmessage = s.onerror = s.onopen = null
      try {
        s.close(1000)
      } catch {
        /* already closed */
      }
    }
    this.attempt = 0
    this.everOpened = false
  }

  /** Reconnects now instead of waiting (the browser came back online). */
  nudge(): void {
    if (this.state === 'waiting') {
      this.clearTimer()
      this.connect()
    }
  }

  /** Sends a frame when connected; returns whether it went out. */
  send(frame: Record<string, unknown>): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false
    this.socket.send(JSON.stringify(frame))
    return true
  }

  /** Tells the server which conversation this tab shows (null for none); repeated after each reconnect. */
  view(conversationId: number | null): void {
    this.viewing = conversationId
    this.send({ type: 'view', conversation_id: conversationId })
  }

  typing(conversationId: number, typing: boolean): void {
    this.send({ type: 'typing', conversation_id: conversationId, typing })
  }

  private setState(s: RealtimeState): void {
    if (this.state === s) return
    this.state = s
    this.opts.onState?.(s)
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  private startHeartbeat(s: SocketLike): void {
    this.stopHeartbeat()
    if (!this.opts.pingIntervalMs) return
    this.pingTimer = setInterval(() => {
      if (this.socket !== s || this.pongTimer) return
      this.send({ type: 'ping' })
      this.pongTimer = setTimeout(() => {
        // No answer: the link is dead even if the browser has not noticed.
        this.pongTimer = null
        if (this.socket === s) {
          try {
            s.close(4000, 'ping timeout')
          } catch {
            /* ignore */
          }
          s.onclose?.(new CloseEvent('close', { code: 4000 }))
        }
      }, this.opts.pongTimeoutMs)
    }, this.opts.pingIntervalMs)
  }

  private stopHeartbeat(): void {
    if (this.pingTimer) clearInterval(this.pingTimer)
    if (this.pongTimer) clearTimeout(this.pongTimer)
    this.pingTimer = null
    this.pongTimer = null
  }

  private connect(): void {
    this.setState('connecting')
    let s: SocketLike
    try {
      s = this.opts.createSocket(this.opts.url())
    } catch {
      this.scheduleReconnect()
      return
    }
    this.socket = s
    this.healthy = false
    s.onopen = () => {
      if (this.socket !== s) return
      const reconnect = this.everOpened
      this.everOpened = true
      this.openedAt = Date.now()
      this.setState('open')
      this.startHeartbeat(s)
      if (this.viewing !== null) this.send({ type: 'view', conversation_id: this.viewing })
      this.opts.onConnected?.(reconnect)
    }
    s.onmessage = (ev: MessageEvent) => {
      if (this.socket !== s) return
      // Any frame proves the link is alive.
      if (this.pongTimer) clearTimeout(this.pongTimer)
      this.pongTimer = null
      let frame: RealtimeFrame
      try {
        frame = JSON.parse(String(ev.data)) as RealtimeFrame
      } catch {
        return
      }
      if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string') return
      if (frame.type === 'pong') return
      if (frame.type === 'hello') {
        this.healthy = true
        this.attempt = 0
      }
      this.opts.onFrame(frame)
    }
    s.onerror = () => {
      /* a close event follows */
    }
    s.onclose = (ev: CloseEvent) => {
      if (this.socket !== s) return
      this.socket = null
      this.stopHeartbeat()
      if (ev?.code === CLOSE_UNAUTHENTICATED) {
        this.setState('stopped')
        this.opts.onUnauthenticated?.()
        return
      }
      if (this.healthy || (this.openedAt && Date.now() - this.openedAt >= this.opts.stableAfterMs)) this.attempt = 0
      this.openedAt = 0
      if (!this.everOpened && this.attempt === 0 && this.opts.probe) {
        // The first connect failed: is there a realtime endpoint at all?
        this.setState('waiting')
        this.opts.probe().then(
          (exists) => {
            if (this.state !== 'waiting') return
            if (exists) this.scheduleReconnect()
            else this.setState('unavailable')
          },
          () => {
            if (this.state === 'waiting') this.scheduleReconnect()
          },
        )
        return
      }
      this.scheduleReconnect()
    }
  }

  private scheduleReconnect(): void {
    this.clearTimer()
    const delay = backoffDelay(this.attempt, this.opts.baseDelayMs, this.opts.maxDelayMs, this.opts.random)
    this.attempt++
    if (this.attempt > 1) this.opts.onRetry?.(this.attempt - 1)
    this.setState('waiting')
    this.timer = setTimeout(() => {
      this.timer = null
      this.connect()
    }, delay)
  }
}
