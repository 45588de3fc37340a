// End-to-end harness: starts a real Kesher (the built binary, demo desk on a
// fresh SQLite data dir, a free port on 127.0.0.1) and Debian's Chromium
// through playwright-core. No browser is downloaded.
import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import net from 'node:net'
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'

export const ARTIFACTS = resolve(process.env.KESHER_E2E_ARTIFACTS || join(import.meta.dirname, '..', 'test-results'))
mkdirSync(ARTIFACTS, { recursive: true })

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
export const ADMIN = { email: 'admin@kesher.test', password: 'kesher-demo' }

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = net.createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => ok(port))
    })
    srv.on('error', fail)
  })
}

/** Starts `kesher serve --demo` and resolves once /readyz answers. */
export async function startKesher(extraEnv = {}, extraArgs = []) {
  const bin = process.env.KESHER_BIN || resolve(import.meta.dirname, '..', '..', 'bin', 'kesher')
  if (!existsSync(bin)) throw new Error(`no Kesher binary at ${bin}; run make build`)
  const data = mkdtempSync(join(tmpdir(), 'kesher-e2e-'))
  const port = await freePort()
  const token = 'ksr_e2e_' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2)
  const proc = spawn(bin, ['--data', data, '--log-level', 'warn', 'serve', '--demo', '--addr', `127.0.0.1:${port}`, ...extraArgs], {
    env: { ...process.env, KESHER_BOOTSTRAP_API_TOKEN: token, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  proc.stdout.on('data', (d) => (log += d))
  proc.stderr.on('data', (d) => (log += d))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      const r = await fetch(url + '/readyz')
      if (r.ok) break
    } catch {}
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error('Kesher did not start:\n' + log)
    await new Promise((r) => setTimeout(r, 100))
  }
  const api = async (method, path, body) => {
    const r = await fetch(url + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await r.text()
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`)
    return text ? JSON.parse(text) : null
  }
  return {
    url,
    token,
    api,
    log: () => log,
    async stop() {
      proc.kill('SIGTERM')
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)))
      rmSync(data, { recursive: true, force: true })
    },
  }
}

/** A fresh, isolated browser profile (one per simulated agent). */
export async function newBrowser(locale = 'en-US') {
  const profile = mkdtempSync(join(tmpdir(), 'kesher-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  const page = context.pages()[0] || (await context.newPage())
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  return {
    context,
    page,
    errors,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Resolves with fn's first truthy result, polling until ms have passed (then fails with what). */
export async function eventually(fn, what, ms = 20_000) {
  const end = Date.now() + ms
  let last
  for (;;) {
    try { const v = await fn(); if (v) return v } catch (e) { last = e }
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}${last ? ': ' + last : ''}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Signs in through the sign-in page and waits for the app shell. */
export async function signIn(page, url, who = ADMIN, lang = 'en') {
  await page.goto(`${url}/sign-in?lang=${lang}`)
  await page.fill('#email', who.email)
  await page.fill('#password', who.password)
  await page.click('button[type=submit]')
  await page.waitForSelector('nav.sidebar', { timeout: 15_000 })
}
