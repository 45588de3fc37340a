// Benchmark (not a test): how long the inbox takes to render a page of
// conversations after the list response has arrived, in real headless
// Chromium. Run with `npm run bench:render` after `make build`.
import { startKesher, newBrowser, ADMIN } from './harness.mjs'

const runs = Number(process.env.RUNS || 15)
const k = await startKesher()
const b = await newBrowser('en-US')
const { page } = b
await page.addInitScript(() => {
  // Time the moment the list holds all its rows.
  const obs = new MutationObserver(() => {
    const n = document.querySelectorAll('ul.list li').length
    if (n >= 50 && !window.__rendered) window.__rendered = { at: performance.now(), rows: n }
  })
  document.addEventListener('DOMContentLoaded', () => obs.observe(document.body, { childList: true, subtree: true }))
})
await page.goto(`${k.url}/sign-in?lang=en`)
await page.fill('#email', ADMIN.email)
await page.fill('#password', ADMIN.password)
await page.click('button[type=submit]')
await page.waitForSelector('nav.sidebar')
const samples = []
for (let i = 0; i < runs; i++) {
  await page.goto(`${k.url}/inbox/all`)
  await page.waitForFunction(() => window.__rendered, null, { timeout: 15_000 })
  const r = await page.evaluate(() => {
    const res = performance.getEntriesByType('resource').filter((e) => /\/api\/v1\/conversations\?/.test(e.name))
    return { rendered: window.__rendered.at, rows: window.__rendered.rows, responseEnd: res.length ? res[res.length - 1].responseEnd : NaN }
  })
  samples.push(r.rendered - r.responseEnd)
}
samples.sort((a, b) => a - b)
const pct = (p) => samples[Math.min(samples.length - 1, Math.floor(samples.length * p))]
console.log(`inbox render after data (${runs} loads, page of 50): p50 ${pct(0.5).toFixed(1)} ms, p90 ${pct(0.9).toFixed(1)} ms, max ${samples[samples.length - 1].toFixed(1)} ms`)
await b.close()
await k.stop()
