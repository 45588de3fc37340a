// Agent assist and the answer bot in the web app: the suggestions panel
// (one click inserts an article link or a canned response into the reply
// box), the bot's report block and the inbox form's bot settings.
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { defineComponent, h, ref, type PropType } from 'vue'
import SuggestionsPanel from '@/components/SuggestionsPanel.vue'
import Composer from '@/components/Composer.vue'
import BotStatsBlock from '@/views/reports/BotStatsBlock.vue'
import { articleLinkText, type Suggestions } from '@/api/assist'
import type { Conversation } from '@/api/types'
import { applyBot, botForm } from '@/views/settings/lib/bot'
import { conv, stubFetch } from './helpers'
import { mountWith } from './mount'

const suggestions: Suggestions = {
  articles: [
    { id: 3, title: 'מדיניות החזרות', snippet: 'אפשר להחזיר תוך 14 יום', url: '/help/he/a/3', language: 'he', internal: false },
    { id: 9, title: 'נוהל זיכויים (פנימי)', snippet: 'רק באישור ראש צוות', url: '', language: 'he', internal: true },
  ],
  canned: [{ id: 7, title: 'החזר כספי', snippet: 'שלום {{contact.first_name}}, ההחזר…', shortcut: 'refund' }],
}

/** The conversation pane's wiring: the panel's events go to the composer's insertion. */
const Pane = defineComponent({
  props: { conversation: { type: Object as PropType<Conversation>, required: true } },
  setup(props) {
    const composer = ref<InstanceType<typeof Composer> | null>(null)
    return () =>
      h('div', [
        h(Composer, { ref: composer, conversation: props.conversation }),
        h(SuggestionsPanel, {
          conversation: props.conversation,
          onInsertText: (t: string) => composer.value?.insertText(t),
          onInsertCanned: (id: number) => composer.value?.insertCanned(id),
        }),
      ])
  },
})

describe('SuggestionsPanel', () => {
  beforeEach(() => localStorage.clear())

  it('lists articles and canned responses in Hebrew, right to left, and inserts them into the reply with one click', async () => {
    const { calls } = stubFetch({
      'GET /api/v1/conversations/1/suggestions': suggestions,
      'GET /api/v1/canned-responses': { data: [{ id: 7, title: 'החזר כספי', body: 'x', language: 'he', shortcut: 'refund', team_id: null, actions: [] }] },
      'GET /api/v1/canned-responses/7/render': { body: 'שלום רות, ההחזר יגיע תוך 14 יום.' },
    })
    const { wrapper } = mountWith(Pane, { props: { conversation: conv(1, { language: 'he' }) }, locale: 'he' })
    await flushPromises()
    expect(document.documentElement.dir).toBe('rtl')
    const panel = wrapper.find('[data-testid="suggestions"]')
    expect(panel.findAll('[data-testid="sugg-article"]').map((a) => a.find('.sugg-title').text())).toEqual(['מדיניות החזרות', 'נוהל זיכויים (פנימי)פנימי'])
    // The internal article is for reading: no insert button.
    expect(panel.findAll('[data-testid="insert-article"]')).toHaveLength(1)
    expect(panel.find('[data-testid="insert-article"]').text()).toBe('הוספת קישור')
    expect(panel.find('[data-testid="insert-article"]').attributes('aria-label')).toBe('הוספת קישור ל„מדיניות החזרות” לתשובה')

    const box = () => (wrapper.find('textarea').element as HTMLTextAreaElement).value
    await panel.find('[data-testid="insert-article"]').trigger('click')
    expect(box()).toBe(`מדיניות החזרות: ${location.origin}/help/he/a/3`)

    await panel.find('[data-testid="insert-canned"]').trigger('click')
    await flushPromises()
    expect(box()).toContain('שלום רות, ההחזר יגיע תוך 14 יום.')
    const render = calls.find((c) => c.url.pathname === '/api/v1/canned-responses/7/render')
    expect(render?.url.searchParams.get('conversation_id')).toBe('1')
  })

  it('shows empty lists, a failure, and reloads when the customer writes again', async () => {
    let n = 0
    stubFetch({
      'GET /api/v1/conversations/2/suggestions': () => (++n === 1 ? { body: { articles: [], canned: [] } } : { status: 500, body: { title: 'boom' } }),
    })
    const { wrapper } = mountWith(SuggestionsPanel, { props: { conversation: conv(2) } })
    await flushPromises()
    expect(wrapper.text()).toContain('No matching articles.')
    expect(wrapper.text()).toContain('No matching canned responses.')
    await wrapper.setProps({ conversation: conv(2, { last_customer_message_at: '2026-02-01T00:00:00Z' }) })
    await flushPromises()
    expect(n).toBe(2)
    expect(wrapper.text()).toContain('Suggestions could not be loaded.')
  })

  it('makes article links absolute', () => {
    expect(articleLinkText({ title: 'Returns', url: '/help/en/a/4' }, 'https://desk.example')).toBe('Returns: https://desk.example/help/en/a/4')
    expect(articleLinkText({ title: 'Returns', url: 'https://help.example/help/en/a/4' }, 'https://desk.example')).toBe('Returns: https://help.example/help/en/a/4')
  })
})

describe('BotStatsBlock', () => {
  it('shows the rates per inbox and the total for the period and inbox filter', async () => {
    const row = (id: number, name: string, taken: number, deflected: number, no: number, requested: number, low: number) => ({
      inbox_id: id, inbox_name: name, taken, deflected, handed_over: no + requested + low,
      handover_by_reason: { no, requested, low_confidence: low },
      deflection_rate: Math.round((1000 * deflected) / taken) / 10, handover_rate: Math.round((1000 * (no + requested + low)) / taken) / 10,
    })
    const { calls } = stubFetch({
      'GET /api/v1/bot/stats': { from: '', to: '', inboxes: [row(1, 'Chat', 6, 2, 1, 1, 1), row(2, 'Mail', 2, 1, 0, 0, 1)], total: row(0, '', 8, 3, 1, 1, 2) },
    })
    const { wrapper } = mountWith(BotStatsBlock, { props: { filters: { from: '2026-01-01', to: '2026-02-01', inbox: '1' } } })
    await flushPromises()
    expect(calls[0].url.search).toBe('?from=2026-01-01&to=2026-02-01&inbox_id=1')
    const rows = wrapper.findAll('[data-testid="bot-row"]')
    expect(rows.map((r) => r.find('td').text())).toEqual(['Chat', 'Mail', 'All inboxes'])
    expect(rows.map((r) => r.find('[data-testid="bot-deflection"]').text())).toEqual(['33.3%', '50.0%', '37.5%'])
    expect(rows.map((r) => r.find('[data-testid="bot-handover"]').text())).toEqual(['50.0%', '50.0%', '50.0%'])
    expect(rows[0].text()).toContain('“No”: 1 · asked for a person: 1 · no good match: 1')
  })
})

describe('bot settings form', () => {
  it('reads and writes settings.bot, rejecting a threshold outside 0..1', () => {
    const f = botForm({ bot: { enabled: true, threshold: 0.7, max_articles: 2, handover_team_id: 5 } })
    expect(f).toEqual({ enabled: true, threshold: '0.7', maxArticles: 2, teamId: 5 })
    const s: Record<string, unknown> = {}
    expect(applyBot(s, f)).toBeNull()
    expect(s.bot).toEqual({ enabled: true, threshold: 0.7, max_articles: 2, handover_team_id: 5 })
    expect(botForm(null)).toEqual({ enabled: false, threshold: '0.5', maxArticles: 3, teamId: '' })
    expect(applyBot({}, { ...f, threshold: '1.5' })).toBe('settings.bot.threshold')
    expect(applyBot({}, { ...f, threshold: '' })).toBe('settings.bot.threshold')
    // A disabled bot at the defaults writes nothing.
    const none: Record<string, unknown> = {}
    expect(applyBot(none, botForm(null))).toBeNull()
    expect(none).toEqual({})
  })
})
