import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { backoffDelay, RealtimeClient, socketUrl, type SocketLike } from '@/realtime/client'
import type { RealtimeFrame } from '@/api/types'
import { conv, stubFetch } from './helpers'

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = []
  readyState = 0
  sent: unknown[] = []
  onopen: SocketLike['onopen'] = null
  onclose: SocketLike['onclose'] = null
  onmessage: SocketLike['onmessage'] = null
  onerror: SocketLike['onerror'] = null
  constructor(public url: string) {
    FakeSocket.all.push(this)
  }
  send(data: string) {
    this.sent.push(JSON.parse(data))
  }
  close() {
    this.readyState = 3
  }
  open() {
    this.readyState = 1
    this.onopen?.(new Event('open'))
  }
  receive(frame: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(frame) }))
  }
  drop() {
    this.readyState = 3
    this.onclose?.(new CloseEvent('close', { code: 1006 }))
  }
}

function last() {
  return FakeSocket.all[FakeSocket.all.length - 1]
}

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter between half and all of it', () => {
    expect(backoffDelay(0, 1000, 30000, () => 0)).toBe(500)
    expect(backoffDelay(0, 1000, 30000, () => 1)).toBe(1000)
    expect(backoffDelay(3, 1000, 30000, () => 1)).toBe(8000)
    expect(backoffDelay(3, 1000, 30000, () => 0)).toBe(4000)
    expect(backoffDelay(10, 1000, 30000, () => 1)).toBe(30000)
    expect(backoffDelay(50, 1000, 30000, () => 0.5)).toBe(22500)
  })
})

describe('socketUrl', () => {
  it('uses wss on https', () => {
    expect(socketUrl('/api/v1/ws', { protocol: 'https:', host: 'desk.example' })).toBe('wss://desk.example/api/v1/ws')
    expect(socketUrl('/api/v1/ws', { protocol: 'http:', host: '127.0.0.1:5173' })).toBe('ws://127.0.0.1:5173/api/v1/ws')
  })
})

describe('RealtimeClient', () => {
  let frames: RealtimeFrame[]
  let connects: boolean[]
  let client: RealtimeClient

  beforeEach(() => {
    vi.useFakeTimers()
    FakeSocket.all = []
    frames = []
    connects = []
    client = new RealtimeClient({
      url: () => 'ws://test/api/v1/ws',
      createSocket: (u) => new FakeSocket(u),
      onFrame: (f) => frames.push(f),
      onConnected: (reconnect) => connects.push(reconnect),
      random: () => 1,
      baseDelayMs: 1000,
      maxDelayMs: 8000,
      probe: async () => true,
    })
  })

  afterEach(() => {
    client.stop()
    vi.useRealTimers()
  })

  it('delivers frames and says it connected for the first time', () => {
    client.start()
    last().open()
    last().receive({ type: 'hello', agent_id: 1, last_event_id: 5 })
    last().receive({ type: 'message.created', conversation_id: 9 })
    expect(connects).toEqual([false])
    expect(frames.map((f) => f.type)).toEqual(['hello', 'message.created'])
    expect(client.state).toBe('open')
  })

  it('reconnects with growing delays and reports the reconnect for a resync', async () => {
    client.start()
    last().open()
    last().receive({ type: 'hello', agent_id: 1 })
    last().drop()
    expect(client.state).toBe('waiting')
    expect(FakeSocket.all).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(999)
    expect(FakeSocket.all).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeSocket.all).toHaveLength(2)
    // This attempt fails too: the next wait is twice as long.
    last().drop()
    await vi.advanceTimersByTimeAsync(1999)
    expect(FakeSocket.all).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeSocket.all).toHaveLength(3)
    last().drop()
    await vi.advanceTimersByTimeAsync(4000)
    expect(FakeSocket.all).toHaveLength(4)
    last().drop()
    await vi.advanceTimersByTimeAsync(8000)
    expect(FakeSocket.all).toHaveLength(5)
    last().drop()
    // Capped at maxDelayMs.
    await vi.advanceTimersByTimeAsync(8000)
    expect(FakeSocket.all).toHaveLength(6)
    last().open()
    expect(connects).toEqual([false, true])
    // A hello resets the backoff.
    last().receive({ type: 'hello', agent_id: 1 })
    expect(client.attempts).toBe(0)
    last().drop()
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeSocket.all).toHaveLength(7)
  })

  it('says again which conversation is viewed after a reconnect', async () => {
    client.start()
    last().open()
    client.view(42)
    expect(last().sent).toEqual([{ type: 'view', conversation_id: 42 }])
    last().drop()
    await vi.advanceTimersByTimeAsync(1000)
    last().open()
    expect(last().sent).toEqual([{ type: 'view', conversation_id: 42 }])
    client.typing(42, true)
    expect(last().sent.at(-1)).toEqual({ type: 'typing', conversation_id: 42, typing: true })
  })

  it('does not send while disconnected', () => {
    client.start()
    expect(client.send({ type: 'view', conversation_id: 1 })).toBe(false)
  })

  it('gives up when the probe says there is no realtime endpoint', async () => {
    const states: string[] = []
    const c = new RealtimeClient({
      url: () => 'ws://test/api/v1/ws',
      createSocket: (u) => new FakeSocket(u),
      onFrame: () => undefined,
      onState: (s) => states.push(s),
      probe: async () => false,
    })
    c.start()
    last().drop()
    await vi.advanceTimersByTimeAsync(60000)
    expect(c.state).toBe('unavailable')
    expect(FakeSocket.all).toHaveLength(1)
    expect(states).toContain('unavailable')
  })

  it('stops reconnecting after stop()', async () => {
    client.start()
    last().open()
    last().drop()
    client.stop()
    await vi.advanceTimersByTimeAsync(60000)
    expect(FakeSocket.all).toHaveLength(1)
    expect(client.state).toBe('stopped')
  })

  it('nudge() reconnects at once while waiting', async () => {
    client.start()
    last().open()
    last().drop()
    client.nudge()
    expect(FakeSocket.all).toHaveLength(2)
  })

  it('stops on close code 4401 and reports the ended session', async () => {
    let ended = 0
    const c = new RealtimeClient({
      url: () => 'ws://test/api/v1/ws',
      createSocket: (u) => new FakeSocket(u),
      onFrame: () => undefined,
      onUnauthenticated: () => ended++,
    })
    c.start()
    last().open()
    last().onclose?.(new CloseEvent('close', { code: 4401 }))
    await vi.advanceTimersByTimeAsync(60000)
    expect(ended).toBe(1)
    expect(c.state).toBe('stopped')
    expect(FakeSocket.all).toHaveLength(1)
  })

  it('pings and reconnects when no pong comes back', async () => {
    const c = new RealtimeClient({
      url: () => 'ws://test/api/v1/ws',
      createSocket: (u) => new FakeSocket(u),
      onFrame: () => undefined,
      pingIntervalMs: 20000,
      pongTimeoutMs: 10000,
      random: () => 1,
    })
    c.start()
    last().open()
    await vi.advanceTimersByTimeAsync(20000)
    expect(last().sent).toEqual([{ type: 'ping' }])
    last().receive({ type: 'pong' })
    await vi.advanceTimersByTimeAsync(20000)
    expect(last().sent).toHaveLength(2)
    // This time nothing answers.
    await vi.advanceTimersByTimeAsync(10000)
    expect(c.state).toBe('waiting')
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeSocket.all).toHaveLength(2)
    c.stop()
  })

  it('ignores malformed frames', () => {
    client.start()
    last().open()
    last().onmessage?.(new MessageEvent('message', { data: 'not json' }))
    last().receive({ nope: true })
    expect(frames).toEqual([])
  })
})

describe('realtime store', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    FakeSocket.all = []
  })
  afterEach(() => vi.useRealTimers())

  it('resyncs list, counts and the open conversation after a reconnect, and tracks presence', async () => {
    const { createPinia, setActivePinia } = await import('pinia')
    const { useRealtimeStore } = await import('@/stores/realtime')
    const { useConversationsStore } = await import('@/stores/conversations')
    const { useViewsStore } = await import('@/stores/views')
    const { useThreadStore } = await import('@/stores/thread')
    const { useSessionStore } = await import('@/stores/session')
    setActivePinia(createPinia())
    stubFetch({ 'GET /api/v1/conversations/5': conv(5) })
    useSessionStore().me = { id: 1 } as never
    const rt = useRealtimeStore()
    const refresh = vi.spyOn(useConversationsStore(), 'refresh').mockResolvedValue()
    const counts = vi.spyOn(useViewsStore(), 'fetchCounts').mockResolvedValue()
    const thread = vi.spyOn(useThreadStore(), 'refresh').mockResolvedValue()
    const soon = vi.spyOn(useViewsStore(), 'refreshCountsSoon')
    rt.start({ createSocket: (u) => new FakeSocket(u), random: () => 0 })
    last().open()
    expect(refresh).not.toHaveBeenCalled()
    last().receive({ type: 'presence', conversation_id: 5, agents: [{ agent_id: 1, name: 'Me', typing: false }, { agent_id: 2, name: 'Noa', typing: true }] })
    expect(rt.viewers(5)).toEqual([{ agent_id: 2, name: 'Noa', typing: true }])
    last().receive({ type: 'conversation.updated', conversation_id: 5 })
    expect(soon).toHaveBeenCalled()
    last().drop()
    await vi.advanceTimersByTimeAsync(1000)
    last().open()
    expect(refresh).toHaveBeenCalledTimes(1)
    expect(counts).toHaveBeenCalledTimes(1)
    expect(thread).toHaveBeenCalledTimes(1)
    rt.stop()
  })

  it('throttles typing signals and sends "stopped" after a pause', async () => {
    const { createPinia, setActivePinia } = await import('pinia')
    const { useRealtimeStore, TYPING_IDLE_MS } = await import('@/stores/realtime')
    setActivePinia(createPinia())
    const rt = useRealtimeStore()
    rt.start({ createSocket: (u) => new FakeSocket(u) })
    last().open()
    rt.typing(3, true)
    rt.typing(3, true)
    rt.typing(3, true)
    expect(last().sent).toEqual([{ type: 'typing', conversation_id: 3, typing: true }])
    await vi.advanceTimersByTimeAsync(TYPING_IDLE_MS)
    expect(last().sent.at(-1)).toEqual({ type: 'typing', conversation_id: 3, typing: false })
    rt.stop()
  })
})
