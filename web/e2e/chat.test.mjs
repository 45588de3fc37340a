// Live chat end to end: a visitor on a shop page (another loopback origin)
// embedding /widget.js, and an agent signed in to the agent app, in two
// browser contexts. English and Hebrew (RTL), a hostile host stylesheet,
// and the widget's size budget.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { startKesher, newBrowser, ARTIFACTS, signIn } from './harness.mjs'
import { W, createChatInbox, startHostPage, openWidget, visitorSend, visitorSees, widgetStyle, agentOpensChat, agentReplies, agentOnInbox } from './chat.mjs'

let k, host, widget
before(async () => {
  k = await startKesher()
  host = await startHostPage(k.url, () => widget.token)
  widget = await createChatInbox(k, host.origin)
})
after(async () => {
  await host?.close()
  await k?.stop()
})

test('/widget.js is served and under 50 KB gzipped', async () => {
  const r = await fetch(k.url + '/widget.js')
  assert.equal(r.status, 200)
  assert.match(r.headers.get('content-type'), /javascript/)
  const gz = gzipSync(Buffer.from(await r.arrayBuffer()), { level: 9 }).length
  assert.ok(gz < 50_000, `widget.js is ${gz} bytes gzipped`)
})

test('with no agent online the widget offers the leave-a-message form', async () => {
  const visitor = await newBrowser('en-US')
  try {
    // This test runs before any agent of this desk signs in, so no agent is
    // online: no waiting for closed agent sockets to go (polling the session
    // endpoint for that spent its per-IP limit, 30 a minute, and failed).
    const r = await fetch(k.url + '/widget/v1/sessions', { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: host.origin },
      body: JSON.stringify({ inbox: widget.token }) })
    assert.equal(r.status, 200)
    assert.equal((await r.json()).online, false)
    await visitor.page.goto(host.url('en'))
    await visitor.page.locator(W.launcher).click()
    const form = visitor.page.locator('kesher-chat form.offline')
    await form.waitFor()
    await visitor.page.fill('kesher-chat #kc-oemail', 'offline-visitor@example.com')
    await visitor.page.fill('kesher-chat #kc-omsg', 'Please call me back tomorrow')
    await form.locator('button[type=submit]').click()
    await visitor.page.locator('kesher-chat .panel', { hasText: 'We will answer by email' }).waitFor()
    const convs = (await k.api('GET', '/api/v1/conversations?limit=50')).data
    const c = convs.find((x) => x.subject === 'Please call me back tomorrow')
    assert.ok(c, 'the offline message opened a conversation')
    assert.equal(c.channel, 'email')
  } finally {
    await visitor.close()
  }
})

for (const lang of ['en', 'he']) {
  test(`a visitor chats with an agent live (${lang})`, async () => {
    const agent = await newBrowser(lang === 'he' ? 'he-IL' : 'en-US')
    const visitor = await newBrowser(lang === 'he' ? 'he-IL' : 'en-US')
    try {
      // The agent is online first (the widget offers live chat only then).
      await agentOnInbox(agent.page, k.url, lang)

      await openWidget(visitor.page, host.url(lang))
      assert.equal(await widgetStyle(visitor.page, W.root, 'direction'), lang === 'he' ? 'rtl' : 'ltr')
      const greeting = lang === 'he' ? 'היי! איך אפשר לעזור?' : 'Hi! How can we help?'
      await visitor.page.locator(W.log, { hasText: greeting }).waitFor()
      const question = (lang === 'he' ? 'איפה ההזמנה שלי? ' : 'Where is my order? ') + Date.now()
      await visitorSend(visitor.page, question)

      // The agent sees the new chat appear live, opens it, sees the visitor typing, replies.
      await agentOpensChat(agent.page, question)
      // A further visitor message shows in the open thread live.
      const more = (lang === 'he' ? 'מספר הזמנה 4411' : 'Order number 4411') + ' ' + Date.now()
      await visitorSend(visitor.page, more)
      await agent.page.locator('ol.thread article', { hasText: more }).waitFor({ timeout: 15_000 })
      assert.ok(await agent.page.locator('ul.list li', { hasText: question }).locator('.channel-chat').count() === 1, 'chat channel icon')
      await visitor.page.locator(W.text).pressSequentially('ok', { delay: 30 })
      await agent.page.locator('.visitor-typing').waitFor({ timeout: 10_000 })
      await agent.page.locator('section.composer textarea').pressSequentially('…', { delay: 30 })
      await visitor.page.locator(W.typing).filter({ hasText: lang === 'he' ? 'מקלידים' : 'is typing' }).waitFor({ timeout: 10_000 })
      const answer = (lang === 'he' ? 'ההזמנה יצאה היום.' : 'Your order ships today.') + ' ' + Date.now()
      await agentReplies(agent.page, answer)
      await visitorSees(visitor.page, answer)
      await visitor.page.screenshot({ path: join(ARTIFACTS, `chat-visitor-${lang}.png`) })
      await agent.page.screenshot({ path: join(ARTIFACTS, `chat-agent-${lang}.png`) })

      // The identity persists: a reload resumes the same conversation with its history.
      await visitor.page.reload()
      await visitor.page.locator(W.launcher).click()
      await visitorSees(visitor.page, answer)
      const convs = (await k.api('GET', `/api/v1/conversations?inbox=${widget.inbox.id}&limit=50`)).data
      assert.equal(convs.filter((c) => c.subject.startsWith(question.slice(0, 20))).length, 1)
      assert.deepEqual(visitor.errors, [])
      assert.deepEqual(agent.errors, [])
    } finally {
      await visitor.close()
      await agent.close()
    }
  })
}

test('the widget renders correctly on a page with hostile CSS', async () => {
  const agent = await newBrowser('en-US')
  const visitor = await newBrowser('en-US')
  try {
    await signIn(agent.page, k.url)
    await openWidget(visitor.page, host.url('en', true))
    const page = visitor.page
    const hostStyle = await page.locator(W.host).evaluate((el) => {
      const s = getComputedStyle(el)
      return { position: s.position, transform: s.transform, filter: s.filter, opacity: s.opacity }
    })
    assert.deepEqual(hostStyle, { position: 'fixed', transform: 'none', filter: 'none', opacity: '1' })
    assert.equal(await widgetStyle(page, W.root, 'font-size'), '14px')
    assert.equal(await widgetStyle(page, W.root, 'color'), 'rgb(31, 41, 55)')
    assert.equal(await widgetStyle(page, W.panel, 'display'), 'flex')
    assert.equal(await widgetStyle(page, W.panel, 'width'), '360px')
    assert.equal(await widgetStyle(page, W.text, 'font-size'), '14px')
    assert.equal(await widgetStyle(page, W.send, 'background-color'), 'rgb(11, 95, 255)')
    assert.equal(await widgetStyle(page, W.launcher, 'border-radius'), '50%')
    // The panel sits inside the viewport, at the bottom corner.
    const box = await page.locator(W.panel).boundingBox()
    const vp = page.viewportSize()
    assert.ok(box && box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width && box.y + box.height <= vp.height, JSON.stringify(box))
    await visitorSend(page, 'Hostile page question ' + Date.now())
    await page.screenshot({ path: join(ARTIFACTS, 'chat-hostile-css.png') })
    assert.deepEqual(visitor.errors, [])
  } finally {
    await visitor.close()
    await agent.close()
  }
})
