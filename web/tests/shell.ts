// The app shell's top bar for a set of permissions: whether a link shows.
import { flushPromises, mount } from '@vue/test-utils'
import { i18n } from '@/i18n'
import { adminRoutes } from '@/router/admin'
import { useRealtimeStore } from '@/stores/realtime'
import { useSessionStore } from '@/stores/session'
import AppShell from '@/components/AppShell.vue'
import { me } from './helpers'
import { setup } from './mount'

/** Mounts the shell (with every admin route) for perms and reports whether [data-testid=testid] is shown. Stub fetch first. */
export async function navShown(testid: string, perms: readonly string[]): Promise<boolean> {
  const { pinia, router } = setup()
  for (const r of adminRoutes) router.addRoute({ ...r, path: '/' + r.path } as typeof r)
  const rt = useRealtimeStore()
  rt.start = () => undefined
  rt.stop = () => undefined
  useSessionStore().me = me({ permissions: [...perms] })
  const w = mount(AppShell, { global: { plugins: [pinia, i18n, router], stubs: { RouterView: true, NotificationBell: true } } })
  await flushPromises()
  const shown = w.find(`[data-testid="${testid}"]`).exists()
  w.unmount()
  return shown
}
