import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const backend = 'http://127.0.0.1:18300'

// The agent web app. `npm run build` writes dist/, which the Go binary embeds
// (web/embed.go). public/.keep is copied to dist/.keep, the one file git
// tracks there, so emptying dist on every build keeps the tree clean.
export default defineConfig({
  plugins: [vue()],
  define: {
    // Composition API only: drop vue-i18n's legacy API and Vue's Options API.
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'true',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  resolve: {
    alias: { '@': new URL('./src', import.meta.url).pathname },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: backend, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The budget is 300 kB gzipped for the inbox's first load; this warns on raw size.
    chunkSizeWarningLimit: 600,
  },
})
