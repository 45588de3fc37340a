// The notification bell: count, list by kind, mark read, live updates.
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import NotificationBell from '@/components/NotificationBell.vue'
import type { AppNotification } from '@/api/types'
import { useNotificationsStore } from '@/stores/notifications'
import { useRealtimeStore } from '@/stores/realtime'
import { stubFetch } from './helpers'
import { mountWith } from './mount'

/** A WebSocket stand-in the realtime client drives. */
class FakeSocket {
  readyState = 0
  onopen: ((ev: Event) => unknown) | null = null
  onclose: ((ev: CloseEvent) => unknown) | null = null
  onmessage: ((ev: MessageEvent) => unknown) | null = null
  onerror: ((ev: Event) => unknown) | null = null
  send() {}
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
}

function note(id: number, over: Partial<AppNotification> = {}): AppNotification {
  return { id, agent_id: 1, kind: 'assigned', conversation_id: 10 + id, data: {}, read_at: null, created_at: '2026-01-01T10:00:00Z', ...over }
}

describe('NotificationBell', () => {
  let posted: unknown[]
  beforeEach(() => {
    posted = []
    stubFetch({
      'GET /api/v1/notifications': {
        data: [
          note(3, { kind: 'sla.breached', data: { target: 'first_response', due_at: '2026-01-01T09:00:00Z' } }),
          note(2, { kind: 'rule.notify', data: { rule_name: 'VIP customers' } }),
          note(1, { kind: 'assigned', data: { by: 'agent', by_name: 'Avi', number: 42, subject: 'Refund' }, read_at: '2026-01-01T11:00:00Z' }),
        ],
        unread_count: 2,
      },
      'POST /api/v1/notifications/read': (_u, init) => {
        posted.push(JSON.parse(String(init.body)))
        return { status: 204 }
      },
    })
  })

  it('shows the unread count and lists notifications translated by kind', async () => {
    const { wrapper } = mountWith(NotificationBell, { attachTo: document.body })
    await flushPromises()
    expect(wrapper.find('[data-test="bell-count"]').text()).toBe('2')
    expect(wrapper.find('button').attributes('aria-label')).toBe('Notifications, 2 unread')
    await wrapper.find('button').trigger('click')
    await flushPromises()
    const items = wrapper.findAll('[data-test="notification"]')
    expect(items).toHaveLength(3)
    expect(items[0].text()).toContain('SLA breached: first response was due')
    expect(items[1].text()).toContain('The rule “VIP customers” asks you to look at a conversation')
    expect(items[2].text()).toContain('Assigned to you by Avi')
    expect(items[2].text()).toContain('Conversation #42 · Refund')
    expect(items[0].find('a').attributes('href')).toBe('/inbox/all/13')
    // Read ones have no "mark read" button.
    expect(items[2].find('[data-test="mark-read"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('marks one and all read', async () => {
    const { wrapper } = mountWith(NotificationBell)
    await flushPromises()
    await wrapper.find('button').trigger('click')
    await flushPromises()
    await wrapper.findAll('[data-test="mark-read"]')[0].trigger('click')
    await flushPromises()
    expect(posted).toEqual([{ ids: [3] }])
    expect(wrapper.find('[data-test="bell-count"]').text()).toBe('1')
    await wrapper.find('[data-test="mark-all"]').trigger('click')
    await flushPromises()
    expect(posted).toEqual([{ ids: [3] }, { all: true }])
    expect(wrapper.find('[data-test="bell-count"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-test="mark-read"]')).toHaveLength(0)
    expect((wrapper.find('[data-test="mark-all"]').element as HTMLButtonElement).disabled).toBe(true)
  })

  it('opening a notification marks it read', async () => {
    const { wrapper, router } = mountWith(NotificationBell)
    await flushPromises()
    await wrapper.find('button').trigger('click')
    await flushPromises()
    await wrapper.findAll('[data-test="notification"]')[1].find('a').trigger('click')
    await flushPromises()
    expect(posted).toEqual([{ ids: [2] }])
    expect(router.currentRoute.value.fullPath).toBe('/inbox/all/12')
  })

  it('takes live notifications from the realtime socket', async () => {
    const { wrapper } = mountWith(NotificationBell, { locale: 'he' })
    await flushPromises()
    const sockets: FakeSocket[] = []
    const realtime = useRealtimeStore()
    realtime.start({ createSocket: () => { const s = new FakeSocket(); sockets.push(s); return s }, pingIntervalMs: 0 })
    const ws = sockets[0]
    ws.open()
    ws.receive({ type: 'hello', agent_id: 1 })
    const live = note(4, { kind: 'sla.warning', data: { target: 'resolution', due_at: '2026-01-01T12:00:00Z' } })
    ws.receive({ type: 'notification', notification: live })
    ws.receive({ type: 'notification', notification: live }) // the same one twice counts once
    await flushPromises()
    expect(wrapper.find('[data-test="bell-count"]').text()).toBe('3')
    expect(wrapper.find('button').attributes('aria-label')).toBe('התראות, 3 שלא נקראו')
    expect(useNotificationsStore().items[0].id).toBe(4)
    realtime.stop()
    // Open without reloading from the stub (it would drop the live one): show the list.
    stubFetch({ 'GET /api/v1/notifications': { data: [live], unread_count: 1 } })
    await wrapper.find('button').trigger('click')
    await flushPromises()
    const items = wrapper.findAll('[data-test="notification"]')
    expect(items).toHaveLength(1)
    expect(items[0].text()).toContain('SLA בסיכון: פתרון עד')
    expect(items[0].text()).toContain('פנייה #14')
  })

  it('is hidden on a server without notifications', async () => {
    stubFetch({})
    const { wrapper } = mountWith(NotificationBell)
    await flushPromises()
    expect(wrapper.find('button').exists()).toBe(false)
  })
})
