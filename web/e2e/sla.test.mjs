// Browser end-to-end test of the SLA and automation screens against a real
// Kesher with the demo desk: the At risk view shows SLA badges, and an admin
// builds an automation rule and previews it with a dry run before saving.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { startKesher, newBrowser, ADMIN, ARTIFACTS, eventually, signIn } from './harness.mjs'

let k
before(async () => { k = await startKesher() })
after(async () => { await k?.stop() })



test('the At risk view shows SLA badges; an admin previews an automation rule with a dry run', async () => {
  // A policy that puts every new conversation at risk within seconds: a
  // calendar-time first response target of 10 hours, warned after 0.01% of it.
  const policy = await k.api('POST', '/api/v1/sla-policies', {
    name: `E2E at once ${Date.now()}`, enabled: true, conditions: {}, calendar: 'il',
    targets: { first_response: { minutes: 600, business: false } }, warn_fraction: 0.0001, escalation: [],
  })
  const { data: policies } = await k.api('GET', '/api/v1/sla-policies')
  await k.api('POST', '/api/v1/sla-policies/reorder', { ids: [policy.id, ...policies.filter((p) => p.id !== policy.id).map((p) => p.id)] })
  const subject = `E2E SLA ${Date.now()}`
  const conv = await k.api('POST', '/api/v1/conversations', {
    inbox_id: 1, subject, requester: { email: `e2e-sla-${Date.now()}@example.com`, name: 'Dana E2E' },
    message: { direction: 'inbound', body: 'Where is my refund?' },
  })
  await eventually(async () => (await k.api('GET', `/api/v1/conversations/${conv.id}`)).sla_state === 'at_risk', 'the new conversation to be at risk', 30_000)

  const b = await newBrowser('en-US')
  try {
    const { page } = b
    await signIn(page, k.url)

    // The At risk view lists at-risk and breached conversations, each with a badge.
    await page.locator('nav.sidebar a', { hasText: 'At risk' }).click()
    await page.waitForURL(/\/inbox\/at-risk/)
    const firstBadge = page.locator('ul.list li .sla-badge').first()
    await firstBadge.waitFor({ timeout: 15_000 })
    assert.match(await firstBadge.innerText(), /Breached|overdue \d+|due in \d+/)
    assert.match((await firstBadge.getAttribute('class')) ?? '', /sla-at_risk|sla-breached/)
    const rows = await page.locator('ul.list li').count()
    assert.equal(await page.locator('ul.list li .sla-badge').count(), rows)

    // The new conversation is at risk: its badge says when it is due, with
    // the absolute time as a title, and its SLA panel lists the target.
    await page.goto(`${k.url}/inbox/at-risk/${conv.id}`)
    const badge = page.locator('.pane-head .sla-badge')
    await badge.waitFor({ timeout: 15_000 })
    assert.match(await badge.innerText(), /due in (\d+h )?\d+m/)
    assert.match((await badge.getAttribute('class')) ?? '', /sla-at_risk/)
    assert.match((await badge.getAttribute('title')) ?? '', /^Due /)
    await page.locator('section.sla li', { hasText: 'First response' }).waitFor()
    assert.match(await page.locator('section.sla').innerText(), /Policy: E2E at once/)

    // Settings → Automation rules: a new rule, previewed before it is saved.
    await page.goto(`${k.url}/settings/rules`)
    await page.getByRole('button', { name: 'New rule' }).click()
    const dialog = page.locator('dialog[open]')
    await dialog.getByLabel('Name').fill('E2E tag stale')
    await dialog.getByRole('button', { name: 'Add a condition' }).first().click()
    await dialog.getByLabel('Condition 1: field').selectOption('status')
    await dialog.getByLabel('Condition 1: operator').selectOption('in')
    await dialog.getByLabel('Condition 1: value').selectOption(['new', 'open'])
    await dialog.getByLabel('Action 1: value').fill('e2e-stale')
    await dialog.getByRole('button', { name: 'Preview (dry run)' }).click()
    const count = dialog.locator('[data-testid="dry-run-count"]')
    await count.waitFor({ timeout: 15_000 })
    const m = /^Matches (\d+) of (\d+) conversations scanned \(.+\)$/.exec((await count.innerText()).trim())
    assert.ok(m, `dry run text: ${await count.innerText()}`)
    assert.ok(Number(m[1]) >= 1 && Number(m[1]) <= Number(m[2]), `matched ${m[1]} of ${m[2]}`)
    // The matches link to their conversations; the one just created is open.
    await dialog.locator('.dry a').first().waitFor()
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-rule-dry-run.png') })
    // A dry run changes nothing.
    const after = await k.api('GET', `/api/v1/conversations/${conv.id}`)
    assert.ok(!after.tags.includes('e2e-stale'))

    await dialog.getByRole('button', { name: 'New rule' }).click()
    await page.locator('table.adm-table td', { hasText: 'E2E tag stale' }).waitFor()
    const listed = await k.api('GET', '/api/v1/automation-rules')
    const rules = listed.data ?? listed.items
    const saved = rules.find((r) => r.name === 'E2E tag stale')
    assert.deepEqual(saved?.conditions.all, [{ field: 'status', op: 'in', value: ['new', 'open'] }])
    assert.deepEqual(saved?.actions, [{ type: 'add_tags', value: ['e2e-stale'] }])
    assert.deepEqual(b.errors, [])
  } catch (e) {
    await b.page.screenshot({ path: join(ARTIFACTS, 'e2e-sla-failure.png') }).catch(() => {})
    throw e
  } finally {
    await b.close()
  }
})
