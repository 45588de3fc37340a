import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import Composer from '@/components/Composer.vue'
import { useThreadStore } from '@/stores/thread'
import { useSessionStore } from '@/stores/session'
import { loadDraft } from '@/utils/drafts'
import { conv, me, msg, stubFetch } from './helpers'
import { mountWith } from './mount'

describe('Composer', () => {
  beforeEach(() => {
    localStorage.clear()
    stubFetch({})
  })

  it('keeps a draft per conversation', async () => {
    const { wrapper } = mountWith(Composer, { props: { conversation: conv(1) } })
    const box = wrapper.find('textarea')
    await box.setValue('Draft for one')
    expect(loadDraft(1)?.body).toBe('Draft for one')

    await wrapper.setProps({ conversation: conv(2) })
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('')
    await wrapper.find('textarea').setValue('Draft for two')
    await wrapper.findAll('button[role="radio"]')[1].trigger('click')
    expect(loadDraft(2)).toMatchObject({ body: 'Draft for two', mode: 'note' })

    await wrapper.setProps({ conversation: conv(1) })
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('Draft for one')
    expect(wrapper.find('textarea').attributes('dir')).toBe('auto')

    // A fresh mount (a reload) gets the draft back too.
    const again = mountWith(Composer, { props: { conversation: conv(2) } })
    expect((again.wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('Draft for two')
    expect(again.wrapper.find('.composer').classes()).toContain('composer-note')
  })

  it('sends with Ctrl+Enter and clears the draft', async () => {
    const posted: unknown[] = []
    stubFetch({
      'POST /api/v1/conversations/1/messages': (_u, init) => {
        posted.push(JSON.parse(String(init.body)))
        return { status: 201, body: { ...msg(10, { kind: 'reply', direction: 'outbound', author_type: 'agent', author_id: 1 }), conversation: conv(1) } }
      },
      'GET /api/v1/conversations/1': conv(1),
      'GET /api/v1/conversations/1/messages': { data: [] },
    })
    const { wrapper } = mountWith(Composer, { props: { conversation: conv(1) } })
    useSessionStore().me = me({ id: 1 })
    await useThreadStore().open(1)
    await wrapper.find('textarea').setValue('Hello there')
    await wrapper.find('textarea').trigger('keydown', { key: 'Enter', ctrlKey: true })
    await flushPromises()
    expect(posted).toEqual([{ kind: 'reply', body: 'Hello there' }])
    expect(loadDraft(1)).toBeNull()
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('')
  })

  it('asks before sending when another agent replied meanwhile', async () => {
    let thread = [msg(1)]
    const posted: unknown[] = []
    stubFetch({
      'GET /api/v1/conversations/1': conv(1),
      'GET /api/v1/conversations/1/messages': (u) => ({ body: { data: thread.filter((m) => m.id > Number(u.searchParams.get('after') ?? 0)) } }),
      'POST /api/v1/conversations/1/messages': (_u, init) => {
        posted.push(JSON.parse(String(init.body)))
        return { status: 201, body: { ...msg(3, { direction: 'outbound', author_type: 'agent', author_id: 1 }), conversation: conv(1) } }
      },
    })
    const { wrapper } = mountWith(Composer, { props: { conversation: conv(1) }, attachTo: document.body })
    useSessionStore().me = me({ id: 1 })
    await useThreadStore().open(1)
    await wrapper.find('textarea').trigger('focus')
    await wrapper.find('textarea').setValue('My answer')
    thread = [...thread, msg(2, { direction: 'outbound', author_type: 'agent', author_id: 9, body_text: 'Other answer' })]
    await wrapper.find('.btn-primary').trigger('click')
    await flushPromises()
    expect(posted).toHaveLength(0)
    const dialog = document.querySelector('dialog')
    expect(dialog).not.toBeNull()
    expect(dialog?.textContent).toContain('Someone else replied')
    ;(dialog?.querySelector('.btn-primary') as HTMLButtonElement).click()
    await flushPromises()
    expect(posted).toEqual([{ kind: 'reply', body: 'My answer' }])
    wrapper.unmount()
  })
})
