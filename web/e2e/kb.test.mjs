// End-to-end test of the knowledge base against a real Kesher (demo desk):
// an admin edits a Hebrew article in the web app (live preview, save as a
// new version, the diff), the public help center shows the change right to
// left on a phone-sized screen, and a visitor's "helpful" vote counts.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { startKesher, newBrowser, ARTIFACTS, eventually, signIn } from './harness.mjs'

let k
before(async () => { k = await startKesher() })
after(async () => { await k?.stop() })

test('an admin edits an article; the help center shows it in Hebrew, RTL; a vote counts', async () => {
  const { data } = await k.api('GET', '/api/v1/kb/articles?lang=he&status=published&visibility=public&q=' + encodeURIComponent('זמני משלוח'))
  const art = data.find((a) => a.title === 'זמני משלוח')
  assert.ok(art, 'the demo has the Hebrew shipping-times article')
  const stamp = `איסוף עצמי בתל אביב ${Date.now()}`

  const b = await newBrowser('he-IL')
  try {
    const { page } = b
    await signIn(page, k.url, undefined, 'he')
    await page.click('[data-testid="nav-kb"]')
    await page.locator('[data-testid="kb-row"]', { hasText: 'זמני משלוח' }).first().waitFor()
    await page.goto(`${k.url}/kb/articles/${art.id}`)
    await page.waitForSelector('[data-testid="kb-body"]')
    await page.fill('[data-testid="kb-body"]', `${art.body_markdown}\n\n**${stamp}**\n\n<script>alert(1)</script>`)
    await eventually(async () => (await page.innerHTML('[data-testid="kb-preview"]')).includes(`<strong>${stamp}</strong>`), 'the preview')
    assert.doesNotMatch(await page.innerHTML('[data-testid="kb-preview"]'), /<script/)
    await page.click('[data-testid="kb-save"]')
    await page.waitForSelector('[data-testid="kb-flash"]')
    assert.equal((await k.api('GET', `/api/v1/kb/articles/${art.id}`)).version, art.version + 1)
    await page.click('[data-testid="kb-diff"]')
    await page.waitForSelector('[data-testid="kb-diff-view"] [data-op="insert"]')
    assert.match(await page.textContent('[data-testid="kb-diff-view"]'), new RegExp(stamp))
    await page.screenshot({ path: join(ARTIFACTS, 'kb-editor.png'), fullPage: true })
    assert.deepEqual(b.errors, [])
  } finally {
    await b.close()
  }

  const v = await newBrowser('he-IL')
  try {
    const { page } = v
    await page.setViewportSize({ width: 390, height: 844 })
    const res = await page.goto(`${k.url}/help`)
    assert.equal(res.status(), 200)
    assert.equal(new URL(page.url()).pathname, '/help/he')
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl')
    await page.click(`a[href^="/help/he/a/${art.id}-"]`)
    assert.match(await page.textContent('article'), new RegExp(stamp))
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('article')).direction), 'rtl')
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no horizontal scrolling on a phone')
    await page.screenshot({ path: join(ARTIFACTS, 'help-center-article-he.png'), fullPage: true })
    await page.click('form.vote button[value="yes"]')
    await page.waitForURL(/voted=1/)
    await eventually(async () => (await k.api('GET', `/api/v1/kb/articles/${art.id}`)).helpful_yes === art.helpful_yes + 1, 'the vote')
  } finally {
    await v.close()
  }
})

test('the help center carries the demo chat widget: a visitor chats, the bot takes the question, agents get it', async () => {
  const agent = await newBrowser('he-IL')
  const visitor = await newBrowser('he-IL')
  try {
    // An agent with the app open makes the widget online.
    await signIn(agent.page, k.url, undefined, 'he')
    const page = visitor.page
    const csp = []
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()) })
    await page.goto(`${k.url}/help/he`)
    const tag = await page.locator('script[src="/widget.js"]').getAttribute('data-inbox')
    assert.match(tag ?? '', /^[A-Z2-7]{26}$/, 'the page embeds the chat inbox widget')
    await page.locator('kesher-chat .launcher').click()
    await eventually(async () => (await page.locator('kesher-chat .panel').innerText()).includes('היי!'), 'the Hebrew greeting')
    const start = page.locator('kesher-chat button', { hasText: 'התחלת שיחה' })
    if (await start.count()) await start.click()
    const question = `כמה זמן לוקח משלוח לאילת ${Date.now()}?`
    await page.fill('kesher-chat #kc-text', question)
    await page.locator('kesher-chat form.compose .send').click()
    await page.locator('kesher-chat ol.log', { hasText: question }).waitFor()
    // The conversation is in the website chat inbox, and the bot acted on it (an offer or a handover note).
    const conv = await eventually(async () => (await k.api('GET', '/api/v1/conversations?limit=20')).data.find((c) => c.subject === question), 'the chat conversation')
    assert.equal(conv.channel, 'chat')
    await eventually(async () => (await k.api('GET', `/api/v1/conversations/${conv.id}/messages`)).data.some((m) => m.author_type === 'bot'), 'the bot to act')
    assert.deepEqual(csp, [], 'no CSP violations')
    assert.deepEqual(visitor.errors, [])
  } finally {
    await visitor.close()
    await agent.close()
  }
})
