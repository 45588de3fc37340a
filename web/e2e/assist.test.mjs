// End-to-end test of the answer bot and agent assist against a real Kesher
// (demo desk): a chat inbox with the bot on; a customer's question the
// knowledge base cannot answer (the demo's articles share too few of its
// words, so no hit reaches the threshold) is handed over at once
// with the bot's internal note and counted in the bot's stats; the agent
// opens the conversation in Hebrew, opens the suggestions tab, and inserts
// the matching canned response into the reply box with one click.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { startKesher, newBrowser, signIn, ARTIFACTS, eventually } from './harness.mjs'

let k
before(async () => {
  k = await startKesher()
})
after(async () => {
  await k?.stop()
})

test('the bot hands over a question it cannot answer; the agent inserts a suggested canned response', async () => {
  const stamp = Date.now()
  const chat = await k.api('POST', '/api/v1/inboxes', {
    name: `צ'אט ${stamp}`, channel: 'chat', settings: { bot: { enabled: true, threshold: 0.5, max_articles: 3, handover_team_id: null } },
  })
  const canned = await k.api('POST', '/api/v1/canned-responses', {
    title: `החזר כספי ${stamp}`, body: 'שלום {{contact.first_name}}, ההחזר הכספי יגיע תוך 14 יום.', language: 'he',
  })
  const conv = await k.api('POST', '/api/v1/conversations', {
    inbox_id: chat.id, subject: 'החזר כספי', language: 'he', requester: { name: 'רות כהן', email: `ruth-${stamp}@example.com` },
    message: { direction: 'inbound', body: 'ביטלתי את המנוי החודשי לקפה ועדיין לא זיכו אותי' },
  })

  // No demo article shares enough of the message's words to reach the threshold: the bot hands over at once.
  const note = await eventually(async () => {
    const { data } = await k.api('GET', `/api/v1/conversations/${conv.id}/messages`)
    return data.find((m) => m.kind === 'note' && m.author_type === 'bot')
  }, 'the bot handover note')
  assert.match(note.body_text, /לא נמצא מאמר מתאים מספיק/)
  assert.match(note.body_text, /לקוח: ביטלתי את המנוי החודשי לקפה ועדיין לא זיכו אותי/)
  const today = new Date().toISOString().slice(0, 10)
  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)
  const stats = await k.api('GET', `/api/v1/bot/stats?from=${today}&to=${tomorrow}&inbox_id=${chat.id}`)
  assert.equal(stats.total.taken, 1)
  assert.equal(stats.total.handed_over, 1)
  assert.equal(stats.total.handover_by_reason.low_confidence, 1)
  assert.equal(stats.total.handover_rate, 100)

  const b = await newBrowser('he-IL')
  try {
    const { page, errors } = b
    await signIn(page, k.url, undefined, 'he')
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl')
    await page.goto(`${k.url}/inbox/all/${conv.id}`)
    await page.locator('#tab-suggestions').click()
    const item = page.getByTestId('sugg-canned').filter({ hasText: canned.title })
    await item.waitFor({ timeout: 20_000 })
    await item.getByTestId('insert-canned').click()
    const box = page.locator('section.composer textarea')
    await eventually(async () => (await box.inputValue()).includes('שלום רות, ההחזר הכספי יגיע תוך 14 יום.'), 'the canned response in the reply box')
    await page.screenshot({ path: join(ARTIFACTS, 'assist-suggestions.png'), fullPage: true })
    assert.deepEqual(errors, [])
  } finally {
    await b.close()
  }
})
