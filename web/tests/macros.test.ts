// Macros: the actions editor of the canned-response settings, and the
// composer's picker and /shortcut applying a macro.
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import MacroActionsEditor from '@/views/settings/ui/MacroActionsEditor.vue'
import Composer from '@/components/Composer.vue'
import type { MacroAction } from '@/api/types'
import { useDirectoryStore } from '@/stores/directory'
import { firstIncompleteAction, parseTags } from '@/views/settings/lib/macros'
import { conv, stubFetch } from './helpers'
import { mountWith } from './mount'

function editor(actions: MacroAction[], locale: 'he' | 'en' = 'en') {
  const m = mountWith(MacroActionsEditor, { props: { modelValue: actions }, locale })
  const dir = useDirectoryStore()
  dir.teams = [{ id: 5, name: 'Billing' } as never, { id: 3, name: 'Accounts' } as never]
  dir.agents = [{ id: 7, name: 'Noa', active: true } as never, { id: 8, name: 'Avi', active: false } as never]
  const emitted = () => m.wrapper.emitted('update:modelValue')?.map((e) => e[0] as MacroAction[]) ?? []
  // v-model: feed each emitted list back as the parent would.
  const sync = async () => {
    const all = emitted()
    if (all.length) await m.wrapper.setProps({ modelValue: all[all.length - 1] })
  }
  return { ...m, emitted, sync }
}

describe('MacroActionsEditor', () => {
  beforeEach(() => stubFetch({}))

  it('adds rows, changes types with a fitting value control, and removes rows', async () => {
    const { wrapper, emitted, sync } = editor([])
    expect(wrapper.find('.macro-none').exists()).toBe(true)
    await wrapper.find('[data-test="macro-add"]').trigger('click')
    await sync()
    expect(emitted().at(-1)).toEqual([{ type: 'add_tags', value: [] }])
    const rows = () => wrapper.findAll('[data-test="macro-row"]')
    expect(rows()).toHaveLength(1)
    const tags = rows()[0].find('input')
    await tags.setValue('Billing,  vip , Billing')
    await tags.trigger('change')
    await sync()
    expect(emitted().at(-1)).toEqual([{ type: 'add_tags', value: ['Billing', 'vip'] }])

    // Set status: a select of the statuses a macro may set (no "closed").
    await rows()[0].find('select.macro-type').setValue('set_status')
    await sync()
    expect(emitted().at(-1)).toEqual([{ type: 'set_status', value: 'pending' }])
    const statuses = rows()[0].findAll('select.macro-value option').map((o) => o.attributes('value'))
    expect(statuses).toEqual(['new', 'open', 'pending', 'on_hold', 'solved'])
    await rows()[0].find('select.macro-value').setValue('solved')
    await sync()
    expect(emitted().at(-1)).toEqual([{ type: 'set_status', value: 'solved' }])

    // A second row: team (sorted by name, "no team" clears), then agent.
    await wrapper.find('[data-test="macro-add"]').trigger('click')
    await sync()
    await rows()[1].find('select.macro-type').setValue('set_team')
    await sync()
    expect(emitted().at(-1)?.[1]).toEqual({ type: 'set_team', value: 3 })
    expect(rows()[1].findAll('select.macro-value option').map((o) => o.text())).toEqual(['No team', 'Accounts', 'Billing'])
    await rows()[1].find('select.macro-value').setValue('')
    await sync()
    expect(emitted().at(-1)?.[1]).toEqual({ type: 'set_team', value: null })
    await rows()[1].find('select.macro-type').setValue('assign')
    await sync()
    expect(emitted().at(-1)?.[1]).toEqual({ type: 'assign', value: 7 })
    // Only active agents are offered.
    expect(rows()[1].findAll('select.macro-value option').map((o) => o.text())).toEqual(['Nobody (unassign)', 'Noa'])
    await rows()[1].find('select.macro-type').setValue('set_priority')
    await sync()
    expect(emitted().at(-1)?.[1]).toEqual({ type: 'set_priority', value: 'high' })

    // Remove the first row.
    await rows()[0].find('button').trigger('click')
    await sync()
    expect(emitted().at(-1)).toEqual([{ type: 'set_priority', value: 'high' }])
    expect(rows()).toHaveLength(1)
    expect(rows()[0].find('button').attributes('aria-label')).toBe('Remove action 1')
  })

  it('shows stored actions and the error, in Hebrew', async () => {
    const { wrapper } = mountWith(MacroActionsEditor, {
      props: { modelValue: [{ type: 'remove_tags', value: ['vip', 'late'] }], error: 'פעולה 1 צריכה לפחות תגית אחת.' },
      locale: 'he',
    })
    expect((wrapper.find('input').element as HTMLInputElement).value).toBe('vip, late')
    const type = wrapper.find('select.macro-type').element as HTMLSelectElement
    expect(type.value).toBe('remove_tags')
    expect(type.options[type.selectedIndex].text).toBe('הסרת תגיות')
    expect(wrapper.find('legend').text()).toBe('פעולות המאקרו')
    expect(wrapper.find('[role="alert"]').text()).toBe('פעולה 1 צריכה לפחות תגית אחת.')
  })

  it('parses tags and finds incomplete actions', () => {
    expect(parseTags(' a, b,,a ,c ')).toEqual(['a', 'b', 'c'])
    expect(firstIncompleteAction([{ type: 'set_status', value: 'open' }, { type: 'add_tags', value: [] }])).toBe(1)
    expect(firstIncompleteAction([{ type: 'remove_tags', value: ['x'] }])).toBe(-1)
  })
})

describe('Composer macros', () => {
  let macroCalls: unknown[]
  let renders: number
  beforeEach(() => {
    localStorage.clear()
    macroCalls = []
    renders = 0
    stubFetch({
      'GET /api/v1/canned-responses': {
        data: [
          { id: 1, title: 'Thanks', body: 'Thanks!', language: '', shortcut: 'thx', team_id: null, actions: [] },
          { id: 2, title: 'Refund done', body: 'Refunded', language: '', shortcut: 'refund', team_id: null, actions: [{ type: 'set_status', value: 'solved' }] },
        ],
      },
      'GET /api/v1/canned-responses/1/render': () => {
        renders++
        return { body: { body: 'Thanks, Customer 1!' } }
      },
      'POST /api/v1/conversations/1/macros': (_u, init) => {
        macroCalls.push(JSON.parse(String(init.body)))
        return { body: { conversation: conv(1, { status: 'solved' }), body: 'Your refund is on its way, Customer 1.' } }
      },
    })
  })

  it('marks macros in the picker and applies them when picked', async () => {
    const { wrapper } = mountWith(Composer, { props: { conversation: conv(1) } })
    await flushPromises()
    await wrapper.find('.canned button').trigger('click')
    await flushPromises()
    const items = wrapper.findAll('.canned-item')
    expect(items.map((i) => i.find('[data-test="macro-mark"]').exists())).toEqual([true, false])
    expect(items[0].text()).toContain('Refund done')
    expect(items[0].find('[data-test="macro-mark"]').text()).toBe('macro')
    await items[0].trigger('click')
    await flushPromises()
    expect(macroCalls).toEqual([{ canned_id: 2 }])
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('Your refund is on its way, Customer 1.')
    expect(renders).toBe(0)
  })

  it('expands /shortcut typed in the reply box', async () => {
    const { wrapper } = mountWith(Composer, { props: { conversation: conv(1) }, attachTo: document.body })
    await flushPromises()
    const box = wrapper.find('textarea')
    await box.setValue('Hello /thx')
    ;(box.element as HTMLTextAreaElement).setSelectionRange(10, 10)
    await box.trigger('keydown', { key: ' ' })
    await flushPromises()
    expect((box.element as HTMLTextAreaElement).value).toBe('Hello Thanks, Customer 1!')
    await box.setValue('/refund')
    ;(box.element as HTMLTextAreaElement).setSelectionRange(7, 7)
    await box.trigger('keydown', { key: 'Tab' })
    await flushPromises()
    expect(macroCalls).toEqual([{ canned_id: 2 }])
    expect((box.element as HTMLTextAreaElement).value).toBe('Your refund is on its way, Customer 1.')
    // An unknown shortcut is just text.
    await box.setValue('/nope')
    ;(box.element as HTMLTextAreaElement).setSelectionRange(5, 5)
    await box.trigger('keydown', { key: ' ' })
    await flushPromises()
    expect((box.element as HTMLTextAreaElement).value).toBe('/nope')
    wrapper.unmount()
  })
})
