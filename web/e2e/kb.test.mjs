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
