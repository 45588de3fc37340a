import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { i18n, applyLocale, resolveLocale } from './i18n'
import { createAppRouter } from './router'
import { setUnauthorizedHandler } from './api/client'
import { useSessionStore } from './stores/session'
import './styles.css'

applyLocale(resolveLocale())

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
const router = createAppRouter()
app.use(router)

// A 401 on any request means the session ended: back to the sign-in screen.
setUnauthorizedHandler(() => {
  const session = useSessionStore(pinia)
  session.expired()
  const current = router.currentRoute.value
  if (!current.meta.public) void router.replace({ name: 'sign-in', query: { redirect: current.fullPath } })
})

app.mount('#app')
