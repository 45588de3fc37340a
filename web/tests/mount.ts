// Mounting with the app's plugins: a fresh pinia, the real i18n catalogs
// and an in-memory router.
import { mount, type ComponentMountingOptions } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Component } from 'vue'
import { applyLocale, i18n } from '@/i18n'
import type { Locale } from '@/api/types'

export function setup(locale: Locale = 'en'): { pinia: Pinia; router: ReturnType<typeof createRouter> } {
  const pinia = createPinia()
  setActivePinia(pinia)
  applyLocale(locale)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: { template: '<div />' } },
      { path: '/inbox/:view/:id(\\d+)?', name: 'inbox', component: { template: '<div />' } },
    ],
  })
  return { pinia, router }
}

export function mountWith<C extends Component>(comp: C, opts: ComponentMountingOptions<C> & { locale?: Locale } = {}) {
  const { pinia, router } = setup(opts.locale)
  const wrapper = mount(comp, { ...opts, global: { plugins: [pinia, i18n, router], ...(opts.global ?? {}) } } as ComponentMountingOptions<C>)
  return { wrapper, pinia, router }
}
