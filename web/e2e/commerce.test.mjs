// End-to-end test of orders and promises against a real Kesher (demo desk)
// with an SMTP sink on loopback for its outbound mail and its own SMTP
// receiver for the customer's reply: an order whose promised date has
// passed is found late, gets one conversation and a proactive email; the
// customer's reply threads into it; an agent sees the compensation quote
// and its explanation in the web app and grants it within their limit;
// the credit ledger and the customer 360 show it; scanning again creates
// nothing new.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { startKesher, newBrowser, ARTIFACTS, eventually, freePort } from './harness.mjs'
import { startSmtpSink, sendMail } from './smtp-sink.mjs'

let k
let sink
let smtpPort


before(async () => {
  sink = await startSmtpSink()
  smtpPort = await freePort()
  k = await startKesher({}, ['--smtp-addr', `127.0.0.1:${smtpPort}`])
})
after(async () => {
  await k?.stop()
  await sink?.close()
})


/** The date n days before today in Asia/Jerusalem, as YYYY-MM-DD. */
function jerusalemDate(daysAgo) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jerusalem' }).format(new Date(Date.now() - daysAgo * 86_400_000))
}

test('a late order is noticed, the customer told by email, the reply threaded, and an agent grants the quoted compensation', async () => {
  // The desk's email inbox sends through the sink; late-delivery notices go
  // out from it, and lateness is counted in calendar days (4 days late →
  // the default policy's 3–5 day tier: 10% of the total as store credit).
  const { data: inboxes } = await k.api('GET', '/api/v1/inboxes')
  const box = inboxes.find((b) => b.channel === 'email' && b.enabled)
  assert.ok(box, 'the demo desk has an email inbox')
  await k.api('PATCH', `/api/v1/inboxes/${box.id}`, {
    settings: { ...box.settings, smtp: { host: '127.0.0.1', port: sink.port, tls: 'none' } },
  })
  await k.api('PUT', '/api/v1/commerce/lateness-settings', {
    enabled: true, calendar: 'il', unit: 'calendar_days', notice_inbox_id: box.id, scan_interval_minutes: 15, notify: true,
  })

  // An order promised four days ago, not delivered: the shop's API upsert.
  const stamp = Date.now()
  const customer = `late-${stamp}@example.com`
  const order = await k.api('POST', '/api/v1/orders', {
    external_id: `E2E-${stamp}`, number: `E2E${stamp % 100000}`, status: 'shipped', currency: 'ILS',
    total_minor: 40000, shipping_minor: 2500, placed_at: new Date(Date.now() - 10 * 86_400_000).toISOString(),
    promised_by: jerusalemDate(4), carrier: 'Israel Post', tracking_number: `RR${stamp}IL`,
    items: [{ sku: 'LAMP-1', name: 'מנורת שולחן', quantity: 1, price_minor: 37500 }],
    customer: { email: customer, name: 'דנה לוי' },
  })
  // The scheduled scan (the same evaluation runs at once on the order's
  // update event; whichever comes first) marks it late with one conversation.
  await k.api('POST', '/api/v1/commerce/lateness-scan')
  const late = await eventually(async () => {
    const o = await k.api('GET', `/api/v1/orders/${order.id}`)
    return o.lateness === 'late' && o.conversation_id ? o : null
  }, 'the order to be marked late with a conversation')
  assert.equal(late.days_late, 4)
  const convId = late.conversation_id

  // The proactive notice reaches the customer through the sink.
  const notice = await sink.waitFor((m) => m.to.includes(customer))
  const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(notice.text)?.[1]
  assert.ok(messageId, 'the notice has a Message-ID')
  assert.match(notice.text, new RegExp(`\\[#${convId}\\]`), 'the notice carries the conversation tag')

  // The customer replies by email (In-Reply-To only): it joins the same conversation.
  await sendMail(smtpPort, customer, box.address, [
    `From: =?UTF-8?B?${Buffer.from('דנה לוי').toString('base64')}?= <${customer}>`,
    `To: ${box.address}`,
    'Subject: =?UTF-8?B?' + Buffer.from('תשובה: ההזמנה שלי').toString('base64') + '?=',
    `Message-ID: <reply-${stamp}@example.com>`,
    `In-Reply-To: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'עדיין מחכה לחבילה, מה אפשר לעשות?',
  ].join('\r\n'))
  await eventually(async () => {
    const { data: msgs } = await k.api('GET', `/api/v1/conversations/${convId}/messages`)
    return msgs.some((m) => m.direction === 'inbound' && (m.body_text || '').includes('עדיין מחכה לחבילה'))
  }, 'the reply to thread into the late-delivery conversation')

  // An agent (role agent, ₪150 per order) is assigned the conversation.
  const { data: agents } = await k.api('GET', '/api/v1/agents?limit=100')
  const agent = agents.find((a) => a.role === 'agent' && a.email === 'yossi.mizrahi@kesher.test') ?? agents.find((a) => a.role === 'agent')
  await k.api('PATCH', `/api/v1/conversations/${convId}`, { assignee_id: agent.id })

  const b = await newBrowser('he-IL')
  try {
    const { page } = b
    await page.goto(`${k.url}/sign-in?lang=he`)
    await page.fill('#email', agent.email)
    await page.fill('#password', 'kesher-demo')
    await page.click('button[type=submit]')
    await page.waitForSelector('nav.sidebar', { timeout: 15_000 })
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl')

    await page.goto(`${k.url}/inbox/mine/${convId}`)
    // The quote and its explanation: 10% of ₪400.00 = ₪40.00 store credit.
    // The side panel's customer tab holds the customer 360 and the
    // compensation for the conversation's order.
    await page.locator('#tab-customer').click()
    const amount = page.getByTestId('quote-amount')
    await amount.waitFor({ timeout: 20_000 })
    assert.match(await amount.innerText(), /40\.00/)
    const explanation = await page.getByTestId('quote-explanation').innerText()
    assert.match(explanation, /10%/)
    assert.match(explanation, /400\.00/)
    await page.screenshot({ path: join(ARTIFACTS, 'commerce-quote.png'), fullPage: true })

    await page.getByTestId('grant-button').click()
    await page.getByTestId('grant-result').waitFor({ timeout: 10_000 })

    // The ledger has exactly one entry for the order, by this agent.
    const ledger = await eventually(async () => {
      const { data } = await k.api('GET', `/api/v1/ledger?order_id=${order.id}`)
      return data.length ? data : null
    }, 'the ledger entry')
    assert.equal(ledger.length, 1)
    assert.equal(ledger[0].amount_minor, 4000)
    assert.equal(ledger[0].remedy, 'store_credit')
    assert.equal(ledger[0].granted_by, agent.id)

    // The customer 360 beside the thread shows the credit and the late order.
    await page.reload()
    await page.locator('#tab-customer').click()
    const credits = page.getByTestId('c360-credits')
    await credits.waitFor({ timeout: 15_000 })
    assert.match(await credits.innerText(), /40\.00/)
    const orderRow = page.getByTestId('c360-order').filter({ hasText: late.number })
    assert.match(await orderRow.getByTestId('c360-order-lateness').innerText(), /4/)
    await page.screenshot({ path: join(ARTIFACTS, 'commerce-granted.png'), fullPage: true })
    assert.deepEqual(b.errors, [])
  } finally {
    await b.close()
  }

  // Scanning again creates nothing new: no conversation, no notice.
  const again = await k.api('POST', '/api/v1/commerce/lateness-scan')
  assert.equal(again.conversations_opened, 0)
  assert.equal(again.notices, 0)
  const { data: convs } = await k.api('GET', `/api/v1/conversations?requester=${late.contact_id}&status=new,open,pending,on_hold,solved,closed`)
  assert.equal(convs.filter((c) => c.order_id === order.id).length, 1)
  const sent = sink.messages.filter((m) => m.to.includes(customer))
  assert.equal(sent.length, 1, 'one notice for the order')
})
