// Browser end-to-end tests of the agent web app: Playwright (playwright-core)
// driving Debian's headless Chromium against a real Kesher with the demo desk.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { startKesher, newBrowser, ADMIN, ARTIFACTS, eventually, signIn } from './harness.mjs'

let k
before(async () => { k = await startKesher() })
after(async () => { await k?.stop() })


/** A fresh conversation in the shared queue (no team: every agent sees it). */
async function newConversation(subject, body = 'My order 4411 has not arrived.', extra = {}) {
  const c = await k.api('POST', '/api/v1/conversations', {
    inbox_id: 1, subject, requester: { email: `e2e-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`, name: 'Dana E2E' },
    message: { direction: 'inbound', body, ...extra },
  })
  await k.api('PATCH', `/api/v1/conversations/${c.id}`, { team_id: null })
  return c
}

async function openConversation(page, id) {
  await page.goto(`${k.url}/inbox/all/${id}`)
  await page.waitForSelector('ol.thread article')
}


test('an agent signs in, searches, replies, adds a note, assigns and sets the status', async () => {
  const subject = `E2E late parcel ${Date.now()}`
  const conv = await newConversation(subject)
  const b = await newBrowser('en-US')
  try {
    const { page } = b
    await signIn(page, k.url)
    // Search from the top bar finds the conversation; opening it shows the thread.
    await page.fill('#global-search', subject)
    await page.press('#global-search', 'Enter')
    // The results page: the conversation's hit, its matched words marked.
    await page.waitForSelector('[data-testid="group-conversations"] .snippet mark')
    assert.match(await page.textContent('[data-testid="group-conversations"] .snippet mark'), /parcel|late|E2E/i)
    await page.locator('ul.list li', { hasText: subject }).first().click()
    await page.waitForSelector('ol.thread article')
    assert.match(await page.textContent('ol.thread'), /4411 has not arrived/)

    await page.fill('section.composer textarea', 'Sorry for the delay, checking with the courier.')
    await page.click('section.composer .btn-primary')
    await page.getByText('Sorry for the delay, checking with the courier.').waitFor()

    await page.click('section.composer [role=radio]:nth-of-type(2)')
    await page.fill('section.composer textarea', 'Courier says Tuesday.')
    await page.click('section.composer .btn-primary')
    await page.getByText('Courier says Tuesday.').waitFor()

    await page.selectOption('#prop-assignee', '1')
    await page.selectOption('#prop-status', 'pending')
    await eventually(async () => {
      const c = await k.api('GET', `/api/v1/conversations/${conv.id}`)
      return c.assignee_id === 1 && c.status === 'pending'
    }, 'assignee and status to be saved')
    const thread = (await k.api('GET', `/api/v1/conversations/${conv.id}/messages`)).data
    const reply = thread.find((m) => m.body_text === 'Sorry for the delay, checking with the courier.')
    const note = thread.find((m) => m.body_text === 'Courier says Tuesday.')
    assert.equal(reply?.kind, 'reply')
    assert.equal(reply?.direction, 'outbound')
    assert.equal(note?.kind, 'note')
    assert.deepEqual(b.errors, [])
  } finally {
    await b.close()
  }
})

test('a second agent sees the reply appear live and the collision indicator shows the other agent', async () => {
  const conv = await newConversation(`E2E live ${Date.now()}`)
  const agents = (await k.api('GET', '/api/v1/agents')).data
  const other = agents.find((a) => a.role === 'agent' && a.active)
  assert.ok(other, 'the demo desk has agents')
  const a = await newBrowser('en-US')
  const b = await newBrowser('en-US')
  try {
    await signIn(a.page, k.url)
    await signIn(b.page, k.url, { email: other.email, password: ADMIN.password })
    await openConversation(a.page, conv.id)
    await openConversation(b.page, conv.id)
    // Each sees the other viewing.
    await b.page.locator('.presence').getByText('Admin').waitFor({ timeout: 10_000 })
    await a.page.locator('.presence').getByText(other.name).waitFor({ timeout: 10_000 })
    // B starts drafting; A replies; B sees the reply without reloading.
    await b.page.fill('section.composer textarea', 'Duplicate answer')
    await a.page.fill('section.composer textarea', 'Live reply from the admin')
    await a.page.click('section.composer .btn-primary')
    await b.page.getByText('Live reply from the admin').waitFor({ timeout: 10_000 })
    // B then tries to send: the app warns that someone replied meanwhile.
    let warned = false
    b.page.once('dialog', async (d) => { warned = true; await d.dismiss() })
    await b.page.click('section.composer .btn-primary')
    await eventually(async () => warned || (await b.page.locator('dialog[open], [role=dialog], [role=alertdialog]').count()) > 0, 'the collision warning')
    await b.page.screenshot({ path: join(ARTIFACTS, 'collision-warning.png') })
    // Nothing was sent while the warning is open.
    const bodies = (await k.api('GET', `/api/v1/conversations/${conv.id}/messages`)).data.map((m) => m.body_text)
    assert.ok(!bodies.includes('Duplicate answer'), 'the duplicate was sent without confirmation')
    assert.deepEqual([...a.errors, ...b.errors], [])
  } finally {
    await a.close()
    await b.close()
  }
})

test('switching to Hebrew mirrors the layout and changes the labels; screenshots in both languages', async () => {
  const b = await newBrowser('he-IL')
  try {
    const { page } = b
    await signIn(page, k.url, ADMIN, 'he')
    await page.waitForSelector('html[dir=rtl][lang=he]')
    const heSignOut = (await page.locator('.lang-select').evaluate((el) => getComputedStyle(el).direction))
    assert.equal(heSignOut, 'rtl')
    await page.screenshot({ path: join(ARTIFACTS, 'inbox-he.png') })
    const heText = await page.textContent('body')
    await page.selectOption('.lang-select', 'en')
    await page.waitForSelector('html[dir=ltr][lang=en]')
    const enText = await page.textContent('body')
    assert.notEqual(heText, enText)
    assert.match(heText, /[\u0590-\u05FF]/)
    assert.match(enText, /Sign out/)
    await page.screenshot({ path: join(ARTIFACTS, 'inbox-en.png') })
    // The choice is the agent's: it survives a reload.
    await page.reload()
    await page.waitForSelector('html[dir=ltr][lang=en]')
  } finally {
    await b.close()
  }
})

test('an email with a script and an onerror payload renders harmlessly', async () => {
  const html = '<p>Hello</p><script>window.parent.__xss = 1; alert(1)</script>' +
    '<img src="x" onerror="window.parent.__xss = 2; alert(2)"><a href="javascript:alert(3)">click</a>' +
    '<svg onload="alert(4)"></svg><iframe src="javascript:alert(5)"></iframe>'
  const conv = await newConversation(`E2E hostile ${Date.now()}`, '', { html })
  const stored = (await k.api('GET', `/api/v1/conversations/${conv.id}/messages`)).data[0].body_html
  assert.doesNotMatch(stored, /script|onerror|javascript:|onload|<iframe/i)
  const b = await newBrowser('en-US')
  let dialogs = 0
  b.page.on('dialog', async (d) => { dialogs++; await d.dismiss() })
  try {
    await signIn(b.page, k.url)
    await openConversation(b.page, conv.id)
    const frame = b.page.locator('iframe').first()
    await frame.waitFor()
    const sandbox = await frame.getAttribute('sandbox')
    assert.ok(sandbox !== null && !/allow-scripts/.test(sandbox) && !/allow-same-origin/.test(sandbox), `iframe sandbox = ${sandbox}`)
    await new Promise((r) => setTimeout(r, 1000))
    assert.equal(await b.page.evaluate(() => window.__xss), undefined)
    assert.equal(dialogs, 0)
    assert.deepEqual(b.errors, [])
  } finally {
    await b.close()
  }
})
