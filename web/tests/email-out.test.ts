import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import MessageThread from '@/components/MessageThread.vue'
import AckFields from '@/views/settings/ui/AckFields.vue'
import { useThreadStore } from '@/stores/thread'
import { ackForm, applyAck } from '@/views/settings/lib/ack'
import type { Message } from '@/api/types'
import { conv, msg, stubFetch } from './helpers'
import { mountWith } from './mount'

const out = (id: number, over: Partial<Message> = {}) =>
  msg(id, { direction: 'outbound', author_type: 'agent', author_id: 5, body_text: `Reply ${id}`, ...over })

const thread = [
  msg(1, { body_text: 'Where is my order?' }),
  out(2, { delivery_status: 'queued' }),
  out(3, { delivery_status: 'sent', channel_meta: { message_id: 'kesher.1.3.ab@kesher.test' } }),
  out(4, { delivery_status: 'failed', channel_meta: { delivery_error: '550 5.1.1 mailbox unavailable' } }),
  out(5, { author_type: 'system', author_id: null, delivery_status: 'sent', channel_meta: { automatic: true, auto: 'ack' } }),
  msg(6, { kind: 'note', direction: 'internal', author_type: 'agent', author_id: 5, body_text: 'note' }),
]

function statuses(wrapper: ReturnType<typeof mountWith>['wrapper']) {
  return wrapper.findAll('li.msg').map((li) => {
    const d = li.find('[data-delivery]')
    return d.exists() ? `${d.attributes('data-delivery')}:${d.text()}` : ''
  })
}

describe('delivery status of outbound email', () => {
  afterEach(() => document.body.replaceChildren())

  it('shows queued, sent and failed with the reason (English)', async () => {
    const { wrapper } = mountWith(MessageThread, { locale: 'en', props: { messages: thread, conversation: conv(1) } })
    await flushPromises()
    expect(statuses(wrapper)).toEqual(['', 'queued:Sending…', 'sent:Sent', 'failed:Not delivered', 'sent:Sent', ''])
    const failed = wrapper.find('[data-delivery="failed"]')
    expect(failed.attributes('title')).toBe('550 5.1.1 mailbox unavailable')
    expect(failed.classes()).toContain('delivery-failed')
    expect(wrapper.find('[data-test="delivery-error"]').text()).toBe('Not delivered: 550 5.1.1 mailbox unavailable')
    expect(wrapper.find('[data-delivery="sent"]').attributes('title')).toBeUndefined()
    expect(wrapper.findAll('.msg-auto').map((b) => b.text())).toEqual(['Automatic acknowledgement'])
  })

  it('speaks Hebrew', async () => {
    const { wrapper } = mountWith(MessageThread, { locale: 'he', props: { messages: thread, conversation: conv(1) } })
    await flushPromises()
    expect(statuses(wrapper)).toEqual(['', 'queued:בשליחה…', 'sent:נשלח', 'failed:לא נמסר', 'sent:נשלח', ''])
    expect(wrapper.find('[data-test="delivery-error"]').text()).toBe('לא נמסר: 550 5.1.1 mailbox unavailable')
  })

  it('shows no email status outside email conversations', async () => {
    const { wrapper } = mountWith(MessageThread, { locale: 'en', props: { messages: thread, conversation: conv(1, { channel: 'chat' }) } })
    await flushPromises()
    expect(wrapper.find('[data-delivery]').exists()).toBe(false)
    expect(wrapper.find('[data-test="delivery-error"]').exists()).toBe(false)
  })
})

describe('message.updated frames', () => {
  beforeEach(() => {
    stubFetch({
      'GET /api/v1/conversations/1': conv(1),
      'GET /api/v1/conversations/1/messages': { data: [msg(1), out(2, { delivery_status: 'queued' })] },
    })
  })

  it('change the status of the message shown in place', async () => {
    mountWith(MessageThread, { props: { messages: [], conversation: conv(1) } })
    const store = useThreadStore()
    await store.open(1)
    store.applyRealtime({ type: 'message.updated', conversation_id: 1, message_id: 2, delivery_status: 'failed', delivery_error: '550 no such user' })
    expect(store.messages.map((m) => [m.id, m.delivery_status, m.channel_meta.delivery_error])).toEqual([
      [1, '', undefined],
      [2, 'failed', '550 no such user'],
    ])
    // Another conversation's frame changes nothing.
    store.applyRealtime({ type: 'message.updated', conversation_id: 9, message_id: 2, delivery_status: 'sent' })
    expect(store.messages[1].delivery_status).toBe('failed')
    store.applyRealtime({ type: 'message.updated', conversation_id: 1, message_id: 2, delivery_status: 'sent' })
    expect(store.messages[1].delivery_status).toBe('sent')
    expect(store.messages[1].channel_meta.delivery_error).toBeUndefined()
  })
})

describe('acknowledgement settings', () => {
  it('round-trips the inbox settings', () => {
    const f = ackForm({ ack: { enabled: true, templates: { he: { subject: 'קיבלנו', body: 'שלום {{contact.first_name}}' } } }, automatic_limit_per_hour: 3 })
    expect(f).toEqual({ enabled: true, templates: { he: { subject: 'קיבלנו', body: 'שלום {{contact.first_name}}' }, en: { subject: '', body: '' } }, limit: '3' })
    const s: Record<string, unknown> = {}
    expect(applyAck(s, f)).toBeNull()
    expect(s).toEqual({ ack: { enabled: true, templates: { he: { subject: 'קיבלנו', body: 'שלום {{contact.first_name}}' } } }, automatic_limit_per_hour: 3 })
    expect(applyAck({}, { ...f, limit: '2.5' })).toBe('limit')
    const none: Record<string, unknown> = {}
    applyAck(none, ackForm())
    expect(none).toEqual({})
  })

  it('edits the templates', async () => {
    const { wrapper } = mountWith(AckFields, { locale: 'en', props: { prefix: 'p', errors: {}, modelValue: ackForm() } })
    expect(wrapper.find('[data-test="ack-he-subject"]').exists()).toBe(false)
    await wrapper.find('[data-test="ack-enabled"]').setValue(true)
    const model = (wrapper.emitted('update:modelValue')?.at(-1)?.[0] ?? wrapper.props('modelValue')) as ReturnType<typeof ackForm>
    expect(model.enabled).toBe(true)
  })
})

describe('automatic outbound mail is labelled by its kind', () => {
  afterEach(() => document.body.replaceChildren())

  it('tells an acknowledgement from a proactive late-delivery notice, in Hebrew too', async () => {
    const messages = [
      msg(1, { direction: 'outbound', author_type: 'system', channel_meta: { automatic: true, auto: 'ack' }, body_text: 'ack' }),
      msg(2, { direction: 'outbound', author_type: 'system', channel_meta: { automatic: true, auto: 'late_notice', order_id: 7 }, body_text: 'late' }),
    ]
    const en = mountWith(MessageThread, { locale: 'en', props: { messages, conversation: conv(1) } })
    await flushPromises()
    expect(en.wrapper.findAll('.msg-auto').map((b) => b.text())).toEqual(['Automatic acknowledgement', 'Proactive late-delivery notice'])
    en.wrapper.unmount()
    const he = mountWith(MessageThread, { locale: 'he', props: { messages, conversation: conv(1) } })
    await flushPromises()
    expect(he.wrapper.findAll('.msg-auto').map((b) => b.text())).toEqual(['אישור קבלה אוטומטי', 'הודעה יזומה על עיכוב במשלוח'])
  })
})
