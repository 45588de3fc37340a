// End-to-end test of the CSAT loop against a real Kesher (demo desk) with an
// SMTP sink on loopback: an agent solves a conversation in the web app →
// the CSAT email reaches the sink → following its link and answering 5 →
// the dashboard's CSAT shows it.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { startKesher, newBrowser, ADMIN, ARTIFACTS, eventually, signIn } from './harness.mjs'
import { startSmtpSink, mailText } from './smtp-sink.mjs'

let k
let sink

before(async () => {
  sink = await startSmtpSink()
  k = await startKesher()
})
after(async () => {
  await k?.stop()
  await sink?.close()
})



test('solving a conversation sends a CSAT email; answering 5 through its link shows in the dashboard', async () => {
  // The desk's email inbox sends through the sink, with CSAT on and no delay.
  const { data: inboxes } = await k.api('GET', '/api/v1/inboxes')
  const box = inboxes.find((b) => b.channel === 'email' && b.enabled)
  await k.api('PATCH', `/api/v1/inboxes/${box.id}`, {
    settings: { ...box.settings, smtp: { host: '127.0.0.1', port: sink.port, tls: 'none' } },
  })
  await k.api('PUT', `/api/v1/inboxes/${box.id}/survey-settings`, { csat_enabled: true, ces_enabled: false, delay_minutes: 0 })

  // CSAT answers counted by the report before (a wide period up to tomorrow).
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
  const summary = () => k.api('GET', `/api/v1/reports/summary?from=2026-01-01&to=${tomorrow}`)
  const before = (await summary()).csat_responses ?? 0

  // A customer's question, answered by an agent through the API.
  const stamp = Date.now()
  const customer = `csat-${stamp}@example.com`
  const conv = await k.api('POST', '/api/v1/conversations', {
    inbox_id: box.id, subject: `CSAT E2E ${stamp}`, requester: { email: customer, name: 'Dana CSAT' },
    message: { direction: 'inbound', body: 'Where is my refund?' },
  })
  await k.api('POST', `/api/v1/conversations/${conv.id}/messages`, { body: 'Your refund was sent today.' })

  const b = await newBrowser('en-US')
  try {
    const { page } = b
    await signIn(page, k.url)
    // Solve it in the web app.
    await page.goto(`${k.url}/inbox/all/${conv.id}`)
    const status = page.getByLabel('Status', { exact: true })
    await status.waitFor({ timeout: 15_000 })
    await status.selectOption('solved')
    await eventually(async () => (await k.api('GET', `/api/v1/conversations/${conv.id}`)).status === 'solved', 'the conversation to be solved')

    // The CSAT email reaches the customer with a signed link.
    const mail = await sink.waitFor((m) => m.to.includes(customer) && /\/s\//.test(mailText(m.raw)), 30_000)
    const link = new URL(/https?:\/\/[^\s"<>]+\/s\/[A-Za-z0-9_-]+/.exec(mailText(mail.raw))[0])
    const survey = `${k.url}${link.pathname}`

    // The customer answers 5 on the public page (no session, plain form).
    const visitor = await newBrowser('en-US')
    const p2 = visitor.page
    await p2.goto(survey)
    await p2.locator('input[name=score][value="5"]').check()
    await p2.locator('form button[type=submit]').first().click()
    await p2.waitForLoadState('domcontentloaded')
    await p2.screenshot({ path: join(ARTIFACTS, 'csat-thanks.png'), fullPage: true })
    await visitor.close()
    const { data: responses } = await k.api('GET', `/api/v1/survey-responses?kind=csat`)
    const mine = responses.find((r) => r.conversation_id === conv.id)
    assert.equal(mine?.score, 5)

    // The report counts it, and the dashboard's CSAT tile shows the figure.
    await eventually(async () => (await summary()).csat_responses === before + 1, 'the report to count the answer')
    await page.goto(`${k.url}/reports`)
    const tile = page.getByTestId('kpi-csat-value')
    await tile.waitFor({ timeout: 20_000 })
    await eventually(async () => /\d/.test(await tile.innerText()), 'the CSAT tile to show a value')
    // The agent table carries CSAT per agent (the agent assigned when the customer answered, or "Unassigned"),
    // and SLA compliance is a chart over time.
    await eventually(async () => (await page.getByTestId('agent-csat').allInnerTexts()).some((x) => /\d/.test(x)), 'an agent row to show a CSAT %')
    assert.match(await page.getByTestId('csv-chart-sla').getAttribute('href'), /\/reports\/timeseries\?.*metric=sla/)
    // Feedback by source: the row of our own surveys shows a CSAT %; the chat wait tile is there.
    const ours = page.locator('[data-testid="feedback-row"][data-source="survey"]')
    await ours.waitFor({ timeout: 20_000 })
    assert.match(await ours.getByTestId('feedback-csat').innerText(), /\d.*%/)
    await page.getByTestId('kpi-chatWait-value').waitFor()
    // ROI: how each of the 12 key KPIs moved against the previous period, with its CSV.
    await page.locator('[data-testid="roi-kpi"]').first().waitFor({ timeout: 20_000 })
    assert.equal(await page.locator('[data-testid="roi-kpi"]').count(), 12)
    assert.match(await page.locator('[data-testid="roi-kpi"][data-key="csat_percent"] [data-testid="roi-kpi-current"]').innerText(), /\d.*%/)
    assert.ok((await page.getByTestId('csv-roi-kpis').getAttribute('href')).startsWith('data:text/csv'))
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true })
    await page.getByTestId('roi-panel').screenshot({ path: join(ARTIFACTS, 'roi-panel.png') })
    assert.deepEqual(b.errors, [])
  } finally {
    await b.close()
  }
})
