import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import MessageThread from '@/components/MessageThread.vue'
import { conv, msg } from './helpers'
import { mountWith } from './mount'

// Messages as the inbound email channel stores them (internal/channel/email).
const messages = [
  msg(1, { body_text: 'Where is my order?', channel_meta: { raw_id: 10, message_id: 'a@x', kind: '' } }),
  msg(2, { body_text: 'I am away until Sunday', channel_meta: { raw_id: 11, kind: 'auto_reply' } }),
  msg(3, { body_text: 'This message could not be read; download the original to see it.', channel_meta: { raw_id: 12, unparseable: true } }),
  msg(4, { kind: 'reply', direction: 'outbound', author_type: 'agent', author_id: 5, body_text: 'Here it is', delivery_status: 'failed',
    channel_meta: { delivery_error: '5.1.1 user unknown' } }),
  msg(5, { kind: 'event', direction: 'internal', author_type: 'system', author_id: null, body_text: 'delivery_failed: dana@example.co.il',
    channel_meta: { event: 'delivery_failed', to: 'dana@example.co.il', diagnostic: '5.1.1 user unknown' } }),
  msg(6, { body_text: 'typed in the API' }),
]

describe('MessageThread (email)', () => {
  afterEach(() => document.body.replaceChildren())

  it('names a sender other than the requester, never as the customer', async () => {
    const thread = [
      msg(1, { author_type: 'contact', author_id: 101, body_text: 'Where is my order?' }),
      msg(2, { author_type: 'contact', author_id: 777, body_text: 'Me too', channel_meta: { from: { name: 'Other Person', email: 'other@x.test' } } }),
    ]
    const { wrapper } = mountWith(MessageThread, { locale: 'en', props: { messages: thread, conversation: conv(1) } })
    await flushPromises()
    const authors = wrapper.findAll('.msg-author').map((a) => a.text())
    expect(authors).toEqual(['Customer 1', 'Other Person <other@x.test>'])
  })

  it('links the original, flags unreadable mail and shows auto-reply and bounce marks (English)', async () => {
    const { wrapper } = mountWith(MessageThread, { locale: 'en', props: { messages, conversation: conv(1) } })
    await flushPromises()
    const items = wrapper.findAll('li.msg')
    expect(items[0].find('a.msg-raw').attributes('href')).toBe('/api/v1/messages/1/raw')
    expect(items[0].find('a.msg-raw').text()).toBe('View original')
    expect(items[0].find('.mail-kind').exists()).toBe(false)
    expect(items[1].find('.mail-kind').text()).toBe('Auto-reply')
    const flag = items[2].find('.mail-unparseable')
    expect(flag.text()).toContain('This message could not be read.')
    expect(flag.find('a').attributes('href')).toBe('/api/v1/messages/3/raw')
    // A bounced reply: the delivery line says so, with the reason.
    expect(items[3].find('[data-delivery="failed"]').text()).toBe('Not delivered')
    expect(items[3].find('[data-delivery="failed"]').attributes('title')).toBe('5.1.1 user unknown')
    expect(items[3].find('[data-test="delivery-error"]').text()).toBe('Not delivered: 5.1.1 user unknown')
    expect(items[4].find('a.msg-raw').exists()).toBe(false)
    expect(wrapper.find('li.event').text()).toContain('Delivery failed to dana@example.co.il: 5.1.1 user unknown')
  })

  it('speaks Hebrew', async () => {
    const { wrapper } = mountWith(MessageThread, { locale: 'he', props: { messages, conversation: conv(1) } })
    await flushPromises()
    expect(wrapper.find('a.msg-raw').text()).toBe('הצגת המקור')
    expect(wrapper.find('.mail-kind').text()).toBe('מענה אוטומטי')
    expect(wrapper.find('li.event').text()).toContain('המסירה אל dana@example.co.il נכשלה')
  })
})
