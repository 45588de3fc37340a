/// <reference types="vite/client" />
import 'vue-router'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session (sign-in, password reset). */
    public?: boolean
  }
}

export {}
