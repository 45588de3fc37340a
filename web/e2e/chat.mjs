// Helpers of the live-chat end-to-end tests (chat.test.mjs), exported so
// later steps (the answer bot) reuse them: a host page on another loopback
// origin embedding /widget.js, the visitor's actions inside the widget's
// shadow root (Playwright's CSS locators pierce open shadow roots), and the
// agent's side in the agent app.
import http from 'node:http'
import { freePort, signIn } from './harness.mjs'

/** The widget's selectors, inside <kesher-chat>'s shadow root. */
export const W = {
  host: 'kesher-chat',
  launcher: 'kesher-chat .launcher',
  panel: 'kesher-chat .panel',
  root: 'kesher-chat .root',
  log: 'kesher-chat ol.log',
  text: 'kesher-chat #kc-text',
  send: 'kesher-chat form.compose .send',
  typing: 'kesher-chat .typing',
}

/**
 * A chat inbox with a widget for pages on allowedOrigin; returns
 * {inbox, token}. Settings extend the widget settings (prechat, greeting, …);
 * inboxSettings the inbox's other settings (e.g. {bot: {enabled, threshold}}).
 */
export async function createChatInbox(k, allowedOrigin, settings = {}, inboxSettings = {}) {
  const token = 'e2e_widget_' + Math.random().toString(36).slice(2, 14)
  const inbox = await k.api('POST', '/api/v1/inboxes', {
    name: `E2E chat ${token.slice(-6)}`, channel: 'chat',
    settings: { widget: { token, allowed_origins: [allowedOrigin], greeting: { he: 'היי! איך אפשר לעזור?', en: 'Hi! How can we help?' }, ...settings }, ...inboxSettings },
  })
  return { inbox, token }
}

/**
 * Serves host pages on http://localhost:<port> (another origin than the
 * desk's 127.0.0.1): GET /?lang=he|en&hostile=1 embeds the widget for
 * widgetToken. Returns {origin, url(lang, hostile), close()}.
 */
export async function startHostPage(deskUrl, getToken) {
  const port = await freePort()
  const hostile = `<style>
  * { all: unset; font-size: 40px !important; color: red !important; display: block; line-height: 3 !important; }
  div, kesher-chat { transform: rotate(3deg) !important; }
  body * { position: static !important; visibility: visible; filter: blur(1px) !important; opacity: .6 !important; }
  button, input, textarea { background: yellow !important; border: 9px dashed lime !important; }
  html { font-size: 5px !important; direction: rtl; }
  style, script, head { display: none !important; }
</style>`
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, `http://localhost:${port}`)
    const lang = u.searchParams.get('lang') || 'en'
    const bad = u.searchParams.get('hostile') === '1'
    res.setHeader('Content-Type', 'text/html; charset=utf-8')
    res.end(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Shop</title>${bad ? hostile : ''}</head>
<body><h1>${lang === 'he' ? 'החנות שלנו' : 'Our shop'}</h1><div><p>Products…</p></div>
<script src="${deskUrl}/widget.js" data-inbox="${getToken()}" data-lang="${lang}" async></script></body></html>`)
  })
  await new Promise((ok) => server.listen(port, 'localhost', ok))
  const origin = `http://localhost:${port}`
  return {
    origin,
    url: (lang = 'en', hostile = false) => `${origin}/?lang=${lang}${hostile ? '&hostile=1' : ''}`,
    close: () => new Promise((ok) => server.close(ok)),
  }
}

/** Opens the host page and the widget's panel; resolves once the composer shows. */
export async function openWidget(page, url) {
  await page.goto(url)
  await page.locator(W.launcher).click()
  await page.locator(W.text).waitFor({ timeout: 15_000 })
}

/** The visitor types and sends text. */
export async function visitorSend(page, text) {
  await page.locator(W.text).fill(text)
  await page.locator(W.send).click()
  await page.locator(W.log).locator('li.msg.me', { hasText: text }).waitFor({ timeout: 10_000 })
}

/** Waits until the widget shows a message from someone else containing text. */
export async function visitorSees(page, text, timeout = 15_000) {
  await page.locator(W.log).locator('li.msg.them', { hasText: text }).waitFor({ timeout })
}

/** The computed style of property for the first element matching selector inside the widget. */
export async function widgetStyle(page, selector, property) {
  return page.locator(selector).first().evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property)
}

/** The agent signs in (in lang) and opens the inbox list: online, so the widget offers live chat. */
export async function agentOnInbox(page, deskUrl, lang = 'en') {
  await signIn(page, deskUrl, undefined, lang)
  await page.goto(`${deskUrl}/inbox/all`)
  await page.waitForSelector('ul.list')
}

/** The agent (signed in) waits for the chat whose subject contains text in the live list, opens it and sees the message. */
export async function agentOpensChat(page, text) {
  const row = page.locator('ul.list li', { hasText: text }).first()
  await row.waitFor({ timeout: 20_000 })
  await row.click()
  await page.locator('ol.thread article', { hasText: text }).first().waitFor({ timeout: 15_000 })
}

/** The agent replies in the open conversation. */
export async function agentReplies(page, text) {
  await page.fill('section.composer textarea', text)
  await page.click('section.composer .btn-primary')
  await page.locator('ol.thread article', { hasText: text }).first().waitFor({ timeout: 10_000 })
}
