// The answer bot end to end (issue 6's acceptance), two browser contexts: a
// visitor on a shop page asks the widget a question the knowledge base
// answers, gets the article, says it did not help and asks for an agent;
// the agent, already in the app, sees the chat live with the bot's exchange
// and the handover note, and replies; the visitor sees the reply. In English
// and in Hebrew (RTL inside the widget's shadow root). Then the "yes, solved"
// path: solved by the bot, counted as one deflection.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { startKesher, newBrowser, ARTIFACTS, eventually, signIn } from './harness.mjs'
import { W, createChatInbox, startHostPage, openWidget, visitorSend, visitorSees, widgetStyle, agentOpensChat, agentReplies, agentOnInbox } from './chat.mjs'

// The article pair (he/en, published, public) and what the visitor says.
const CASES = {
  he: {
    title: 'החזרת מוצרים',
    body: 'איך מבצעים החזרה של מוצר? ממלאים את טופס ההחזרה באזור האישי ושולחים את המוצר באריזה המקורית תוך 14 יום.',
    question: 'איך מבצעים החזרה של מוצר?',
    agent: 'אני רוצה לדבר עם נציג',
    reply: 'שלום, אני אעזור לך עם ההחזרה.',
    note: 'הלקוח השיב שהמאמרים לא פתרו את השאלה',
  },
  en: {
    title: 'Return policy',
    body: 'How do I return a product? Fill in the return form in your account and send the product in its original box within 14 days.',
    question: 'How do I return a product?',
    agent: 'I want to talk to an agent',
    reply: 'Hello, I will help you with the return.',
    note: 'the customer said the articles did not solve it',
  },
}

let k, host, widget
const articles = {}
before(async () => {
  k = await startKesher()
  host = await startHostPage(k.url, () => widget.token)
  widget = await createChatInbox(k, host.origin, {}, { bot: { enabled: true, threshold: 0.7, max_articles: 3 } })
  const he = await k.api('POST', '/api/v1/kb/articles', { language: 'he', title: CASES.he.title, body_markdown: CASES.he.body,
    status: 'published', visibility: 'public' })
  const en = await k.api('POST', '/api/v1/kb/articles', { language: 'en', title: CASES.en.title, body_markdown: CASES.en.body,
    status: 'published', visibility: 'public', translation_of: he.id })
  Object.assign(articles, { he, en })
})
after(async () => {
  await host?.close()
  await k?.stop()
})

/** The bot's message in the widget whose card links article a. */
function botCard(page, a) {
  return page.locator(W.log).locator('li.msg.bot', { has: page.locator(`a.article[href*="/help/${a.language}/a/${a.id}"]`) })
}

for (const lang of ['en', 'he']) {
  test(`the bot answers, the visitor asks for an agent, the agent replies live (${lang})`, async () => {
    const c = CASES[lang]
    const agent = await newBrowser(lang === 'he' ? 'he-IL' : 'en-US')
    const visitor = await newBrowser(lang === 'he' ? 'he-IL' : 'en-US')
    try {
      await agentOnInbox(agent.page, k.url, lang)

      const vp = visitor.page
      await openWidget(vp, host.url(lang))
      assert.equal(await widgetStyle(vp, W.root, 'direction'), lang === 'he' ? 'rtl' : 'ltr')
      assert.equal(await widgetStyle(vp, W.log, 'direction'), lang === 'he' ? 'rtl' : 'ltr')
      await visitorSend(vp, c.question)

      // The bot offers the article (a link to the help center), asking whether it solved it.
      const card = botCard(vp, articles[lang])
      await card.waitFor({ timeout: 15_000 })
      assert.equal(await card.locator('a.article b').first().textContent(), c.title)
      await card.locator('button.no').click()
      await visitorSend(vp, c.agent)

      // The agent sees the chat live (no reload): the question, the bot's answer with the article, the
      // visitor's answer and the handover note; replies; the visitor sees the reply.
      await agentOpensChat(agent.page, c.question)
      const thread = agent.page.locator('ol.thread')
      await thread.locator('article', { hasText: c.title }).first().waitFor({ timeout: 15_000 })
      await thread.locator('article', { hasText: c.agent }).first().waitFor({ timeout: 15_000 })
      await thread.locator('article', { hasText: c.note }).first().waitFor({ timeout: 15_000 })
      assert.equal(await agent.page.evaluate(() => performance.getEntriesByType('navigation').length), 1)
      await agentReplies(agent.page, c.reply)
      await visitorSees(vp, c.reply)
      assert.equal(await widgetStyle(vp, `${W.log} li.msg.them.agent`, 'direction'), lang === 'he' ? 'rtl' : 'ltr')
      await vp.screenshot({ path: join(ARTIFACTS, `bot-visitor-${lang}.png`) })

      // A reload resumes the chat: the article is still there, the answered question is not asked again.
      await vp.reload()
      await vp.locator(W.launcher).click()
      await visitorSees(vp, c.reply)
      await botCard(vp, articles[lang]).waitFor()
      assert.equal(await botCard(vp, articles[lang]).locator('button').count(), 0, 'no yes/no buttons on a decided offer')
      await agent.page.screenshot({ path: join(ARTIFACTS, `bot-agent-${lang}.png`) })
      assert.deepEqual(visitor.errors, [])
      assert.deepEqual(agent.errors, [])
    } finally {
      await visitor.close()
      await agent.close()
    }
  })
}

/** The bot's figures for the widget's inbox over the day around now (total of GET /api/v1/bot/stats). */
async function botStats() {
  const day = 86_400_000
  const q = new URLSearchParams({ from: new Date(Date.now() - day).toISOString(), to: new Date(Date.now() + day).toISOString(),
    inbox_id: String(widget.inbox.id) })
  return (await k.api('GET', '/api/v1/bot/stats?' + q)).total
}

test('"yes, solved" closes the chat by the bot and counts one deflection', async () => {
  const before = await botStats()
  const agent = await newBrowser('en-US')
  const visitor = await newBrowser('en-US')
  try {
    await signIn(agent.page, k.url) // the widget offers chat only while an agent is online
    await openWidget(visitor.page, host.url('en'))
    await visitorSend(visitor.page, CASES.en.question)
    const card = botCard(visitor.page, articles.en)
    await card.waitFor({ timeout: 15_000 })
    await card.locator('button.yes').click()
    const conv = await eventually(async () => {
      const { data } = await k.api('GET', `/api/v1/conversations?inbox=${widget.inbox.id}&limit=50`)
      return data.find((x) => x.status === 'solved')
    }, 'the conversation to be solved by the bot')
    assert.equal(conv.subject, CASES.en.question)
    const after = await botStats()
    assert.equal(after.deflected, before.deflected + 1)
    assert.equal(after.taken, before.taken + 1)
    assert.equal(after.handed_over, before.handed_over)
    assert.equal(before.handed_over, 2, 'the two chats handed over above')
    assert.equal(after.deflection_rate, 33.3)
    assert.deepEqual(visitor.errors, [])
  } finally {
    await visitor.close()
    await agent.close()
  }
})
