// The app's routes. Public screens (sign in, password reset) need no
// session; everything else sits in the app shell behind the sign-in guard.
import { createRouter, createWebHistory, type RouteRecordRaw, type Router } from 'vue-router'
import { useSessionStore } from '@/stores/session'
import AppShell from '@/components/AppShell.vue'
import InboxView from '@/views/InboxView.vue'
import SignInView from '@/views/SignInView.vue'
import { adminRoutes } from './admin'

export const routes: RouteRecordRaw[] = [
  { path: '/sign-in', name: 'sign-in', component: SignInView, meta: { public: true } },
  { path: '/forgot-password', name: 'forgot-password', component: () => import('@/views/ForgotPasswordView.vue'), meta: { public: true } },
  { path: '/reset-password', name: 'reset-password', component: () => import('@/views/ResetPasswordView.vue'), meta: { public: true } },
  {
    path: '/',
    component: AppShell,
    children: [
      { path: '', redirect: { name: 'inbox', params: { view: 'mine' } } },
      { path: 'inbox', redirect: { name: 'inbox', params: { view: 'mine' } } },
      { path: 'inbox/:view/:id(\\d+)?', name: 'inbox', component: InboxView },
      // Search results over conversations, contacts and articles (?q=&type=&status=&lang=).
      { path: 'search', name: 'search', component: () => import('@/views/SearchView.vue') },
      { path: 'conversations/:id(\\d+)', redirect: (to) => ({ name: 'inbox', params: { view: 'all', id: to.params.id } }) },
      ...adminRoutes,
    ],
  },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue'), meta: { public: true } },
]

export function createAppRouter(): Router {
  const router = createRouter({ history: createWebHistory(), routes })
  router.beforeEach(async (to) => {
    const session = useSessionStore()
    if (!session.checked) {
      try {
        await session.fetchMe()
      } catch {
        /* the server is unreachable: show the sign-in screen */
      }
    }
    if (to.meta.public) {
      if (to.name === 'sign-in' && session.signedIn) return { path: typeof to.query.redirect === 'string' && to.query.redirect.startsWith('/') ? to.query.redirect : '/' }
      return true
    }
    if (!session.signedIn) return { name: 'sign-in', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
    return true
  })
  return router
}
