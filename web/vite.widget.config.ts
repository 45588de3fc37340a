import { defineConfig } from 'vite'

// The live-chat widget, /widget.js: one self-contained IIFE (no Vue), written
// into dist/ next to the agent app (run after the app's build, which empties
// dist/) and embedded in the binary with it. Budget: 50 KB gzipped
// (web/widget_test.go and e2e/chat.test.mjs check it).
export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2020',
    lib: {
      entry: new URL('./widget/src/main.ts', import.meta.url).pathname,
      formats: ['iife'],
      name: 'KesherChatWidget',
      fileName: () => 'widget.js',
    },
  },
})
