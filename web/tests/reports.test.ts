// The KPI dashboard, ROI panel and inbox survey settings against a stubbed
// API: tiles and their changes ("—" for null), an endpoint's failure shown
// in its block only, the heatmap grid, CSV links carrying the filters, the
// ROI form's exact money parsing, survey settings saving, and Hebrew RTL
// (chart.js is replaced by a recorder of the options it is given).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { i18n, applyLocale } from '@/i18n'
import type { Locale } from '@/api/types'
import type { ReportSummary } from '@/api/reports'
import { useSessionStore } from '@/stores/session'
import ReportsView from '@/views/reports/ReportsView.vue'
import SurveySettingsCard from '@/views/settings/ui/SurveySettingsCard.vue'
import InboxesSettings from '@/views/settings/InboxesSettings.vue'
import { change, customPeriod, formatDuration, formatPercent, presetPeriod, previousPeriod } from '@/utils/reports'
import { me, stubFetch, type Handler } from './helpers'
import { setup } from './mount'
import { navShown } from './shell'

const charts = vi.hoisted(() => [] as { type: string; options: Record<string, any>; data: Record<string, any> }[])
vi.mock('chart.js', () => {
  class Chart {
    static register() {}
    constructor(_el: unknown, cfg: { type: string; options: Record<string, unknown>; data: Record<string, unknown> }) {
      charts.push(cfg)
    }
    destroy() {}
  }
  const el = {}
  return { Chart, BarController: el, BarElement: el, CategoryScale: el, Legend: el, LinearScale: el, LineController: el, LineElement: el, PointElement: el, Tooltip: el }
})

const mounted: VueWrapper[] = []
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount()
  document.body.innerHTML = ''
  charts.length = 0
  vi.unstubAllGlobals()
  applyLocale('en')
})

const tid = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`)

function summary(over: Partial<ReportSummary> = {}): ReportSummary {
  return {
    conversations_created: 120, conversations_solved: 90, first_response_median_seconds: 5400, first_response_median_business_seconds: 1800,
    resolution_median_seconds: 86400, fcr_percent: 62.5, reopen_percent: 4, csat_percent: 87.25, csat_responses: 40, nps: null, nps_responses: 0,
    ces_mean: null, sla_compliance_percent: 95, backlog_open: 14, complaints: 3, chat_wait_median_seconds: 90, ...over,
  }
}

// The current period is 2026-11-01..07 (to = 08 exclusive); the previous one 2026-10-25..31.
const QUERY = '/reports?period=custom&from=2026-11-01&to=2026-11-07&team=2&channel=email'
const PREV = summary({ conversations_created: 100, first_response_median_seconds: 6000, csat_percent: 85, fcr_percent: null, complaints: 0, chat_wait_median_seconds: 120 })

/** The ROI movement of the stubbed period: created 120 vs 100, FRT 5400 vs 6000 s, CSAT 87.25 vs 85, NPS none, cost per conversation ₪418.33 vs ₪400.00, ROI 79.28 vs 80 %. */
const MOVEMENT = {
  previous_from: '2026-10-24T22:00:00Z', previous_to: '2026-10-31T22:00:00Z', previous_stored: true,
  kpis: [
    { key: 'conversations_created', current: 120, previous: 100, change: 20, change_percent: 20 },
    { key: 'first_response_median_seconds', current: 5400, previous: 6000, change: -600, change_percent: -10 },
    { key: 'csat_percent', current: 87.25, previous: 85, change: 2.25, change_percent: 2.65 },
    { key: 'nps', current: null, previous: null, change: null, change_percent: null },
    { key: 'backlog_open', current: 14, previous: 0, change: 14, change_percent: null },
    { key: 'cost_per_conversation_minor', current: 41833, previous: 40000, change: 1833, change_percent: 4.58 },
    { key: 'roi_percent', current: 79.28, previous: 80, change: -0.72, change_percent: -0.9 },
  ],
}

const routesAgent = () => ({ key: '3', id: 3, name: 'Avi', conversations_created: 60, conversations_solved: 55, replies: 210, first_response_median_seconds: 300, handle_median_seconds: 720, fcr_percent: 70, csat_percent: 80, csat_responses: 5 })

function routes(over: Record<string, Handler | object> = {}): Record<string, Handler | object> {
  return {
    'GET /api/v1/reports/summary': (url: URL) => ({ body: url.searchParams.get('from') === '2026-11-01' ? summary() : PREV }),
    // Every series answers 3 then null, but SLA compliance 95 % (4 targets due) then null (none due).
    'GET /api/v1/reports/timeseries': (url: URL) => ({
      body: {
        metric: url.searchParams.get('metric'), interval: 'day',
        data: [{ start: '2026-11-01T00:00:00+02:00', value: url.searchParams.get('metric') === 'sla' ? 95 : 3, count: 4 }, { start: '2026-11-01T22:00:00Z', value: null, count: 0 }],
      },
    }),
    'GET /api/v1/reports/heatmap': { data: [{ weekday: 0, hour: 9, count: 10 }, { weekday: 0, hour: 10, count: 5 }, { weekday: 3, hour: 14, count: 1 }] },
    'GET /api/v1/reports/tags': { data: [{ tag: 'shipping', count: 12 }, { tag: 'refund', count: 4 }] },
    'GET /api/v1/reports/trends': {
      from: '2026-10-31T22:00:00Z', to: '2026-11-07T22:00:00Z', statistic: 'Poisson z-score', formula: '(count - mean) / sqrt(mean)', threshold: 3, min_count: 5,
      topics: [{ kind: 'phrase', term: 'late delivery', count: 14, baseline_mean: 3.25, baseline: [3, 4, 2, 4], score: 6.1, examples: [31, 32] }],
    },
    'GET /api/v1/reports/agents': { data: [routesAgent()] },
    'GET /api/v1/reports/roi': {
      from: '2026-10-31T22:00:00Z', to: '2026-11-07T22:00:00Z', stored: true, currency: 'ILS', costs: { salaries: 5000000, training: 0, telephony: 0, technology: 0, other: 0 },
      revenue: { retained_customers: 0, upsell: 9000000, churn_avoided: 0 }, assumptions: 'Retention value from last year.', updated_by: 1, updated_at: '2026-11-08T10:00:00Z',
      outputs: { compensation_cost_minor: 20000, total_cost_minor: 5020000, revenue_minor: 9000000, net_minor: 3980000, roi_percent: 79.28, conversations_created: 120, conversations_solved: 90, cost_per_conversation_minor: 41833, cost_per_resolution_minor: 55778 },
      movement: MOVEMENT,
    },
    'GET /api/v1/reports/feedback': {
      data: [
        { source: 'call-center', kind: 'csat', responses: 2, csat_percent: 50, nps: null, ces_mean: null },
        { source: 'call-center', kind: 'nps', responses: 3, csat_percent: null, nps: 33.33, ces_mean: null },
        { source: 'survey', kind: 'ces', responses: 2, csat_percent: null, nps: null, ces_mean: 4 },
        { source: 'survey', kind: 'csat', responses: 40, csat_percent: 87.25, nps: null, ces_mean: null },
      ],
    },
    'GET /api/v1/reports/roi/history': { periods: [{ from: '2026-09-30T21:00:00Z', to: '2026-10-31T22:00:00Z', stored: true, currency: 'ILS', costs: {}, revenue: {}, assumptions: '', outputs: { roi_percent: 12.5, cost_per_conversation_minor: 3000, cost_per_resolution_minor: 4000 } }] },
    'GET /api/v1/agents': { data: [] },
    'GET /api/v1/teams': { data: [{ id: 2, name: 'Support' }] },
    'GET /api/v1/inboxes': { data: [] },
    'GET /api/v1/tags': { data: [] },
    ...over,
  }
}

async function mountDash(opts: { locale?: Locale; permissions?: string[]; query?: string; routes?: Record<string, Handler | object> } = {}) {
  const stub = stubFetch(routes(opts.routes))
  const { pinia, router } = setup(opts.locale)
  router.addRoute({ path: '/reports', name: 'reports', component: ReportsView })
  useSessionStore().me = me({ permissions: opts.permissions ?? ['reports:read'] })
  await router.push(opts.query ?? QUERY)
  const w = mount(ReportsView, { global: { plugins: [pinia, i18n, router] } }) as unknown as VueWrapper
  mounted.push(w)
  await flushPromises()
  return { w, router, ...stub }
}

describe('report periods and formats', () => {
  it('computes presets, custom periods and the previous equal period', () => {
    applyLocale('en')
    expect(presetPeriod(7, new Date('2026-11-29T23:30:00Z'))).toEqual({ from: '2026-11-24', to: '2026-12-01' }) // already Nov 30 in Jerusalem
    expect(customPeriod('2026-11-01', '2026-11-07')).toEqual({ from: '2026-11-01', to: '2026-11-08' })
    expect(customPeriod('2026-11-07', '2026-11-01')).toBeNull()
    expect(previousPeriod({ from: '2026-11-01', to: '2026-11-08' })).toEqual({ from: '2026-10-25', to: '2026-11-01' })
    expect(formatDuration(5400)).toBe('1h 30m')
    expect(formatDuration(40)).toBe('40s')
    expect(formatDuration(null)).toBe('—')
    expect(formatPercent(87.25)).toBe('87.3%')
    expect(formatPercent(0)).toBe('0.0%')
    expect(change('count', 120, 0, 'up')).toBeNull()
    expect(change('duration', 5400, 6000, 'down')).toEqual({ delta: -10, unit: 'percent', direction: 'down', tone: 'good' })
  })
})

describe('reports dashboard', () => {
  it('shows each KPI with its change against the previous period, and "—" for null', async () => {
    const { w, calls } = await mountDash()
    const summaries = calls.filter((c) => c.url.pathname === '/api/v1/reports/summary').map((c) => Object.fromEntries(c.url.searchParams))
    expect(summaries).toEqual([
      { from: '2026-11-01', to: '2026-11-08', team: '2', channel: 'email' },
      { from: '2026-10-25', to: '2026-11-01', team: '2', channel: 'email' },
    ])
    expect(tid(w, 'kpi-created-value').text()).toBe('120')
    expect(tid(w, 'kpi-created-change').text()).toContain('▲ 20.0%')
    expect(tid(w, 'kpi-created-change').find('.visually-hidden').text()).toBe('Up 20.0%') // the arrow is read as a word
    expect(tid(w, 'kpi-frt-value').text()).toBe('1h 30m')
    expect(tid(w, 'kpi-frt').text()).toContain('Business hours: 30m')
    expect(tid(w, 'kpi-frt-change').text()).toContain('▼ 10.0%')
    expect(tid(w, 'kpi-frt-change').attributes('data-tone')).toBe('good')
    expect(tid(w, 'kpi-frt-change').text()).toContain('better')
    expect(tid(w, 'kpi-csat-value').text()).toBe('87.3%')
    expect(tid(w, 'kpi-csat').text()).toContain('40 responses')
    expect(tid(w, 'kpi-csat-change').text()).toContain('▲ 2.3 pts')
    expect(tid(w, 'kpi-resolution-value').text()).toBe('24h 00m')
    expect(tid(w, 'kpi-sla-value').text()).toBe('95.0%')
    // Nothing to measure: a dash, never 0; and no change when the previous value is null or 0.
    expect(tid(w, 'kpi-nps-value').text()).toBe('—')
    expect(tid(w, 'kpi-ces-value').text()).toBe('—')
    expect(tid(w, 'kpi-fcr-value').text()).toBe('62.5%')
    expect(tid(w, 'kpi-fcr-change').text()).toContain('—')
    expect(tid(w, 'kpi-complaints-change').text()).toContain('—')
    // Chat wait: 90 s against 120 s → 2m, 25 % shorter, better.
    expect(tid(w, 'kpi-chatWait-value').text()).toBe('2m')
    expect(tid(w, 'kpi-chatWait').text()).toContain('Chat wait time (median)')
    expect(tid(w, 'kpi-chatWait-change').text()).toContain('▼ 25.0%')
    expect(tid(w, 'kpi-chatWait-change').attributes('data-tone')).toBe('good')
    expect(w.findAll('[data-testid^="kpi-"][data-testid$="-value"]')).toHaveLength(13)
  })

  it('shows a failed endpoint as an error in its block while the rest render', async () => {
    const { w } = await mountDash({
      routes: {
        'GET /api/v1/reports/summary': () => ({ status: 500, body: { title: 'Internal error', status: 500, detail: 'report failed' } }),
        'GET /api/v1/reports/trends': () => ({ status: 503, body: { title: 'Unavailable', status: 503 } }),
      },
    })
    expect(tid(w, 'summary-error').text()).toContain('The server failed (HTTP 500)')
    expect(tid(w, 'kpi-created').exists()).toBe(false)
    expect(tid(w, 'trends-error').exists()).toBe(true)
    expect(w.findAll('[data-testid="heat-cell"]')).toHaveLength(168)
    expect(w.findAll('[data-testid="agent-row"]')).toHaveLength(1)
    expect(tid(w, 'chart-volume').exists()).toBe(true)
  })

  it('renders the heatmap as 7×24 cells, Sunday first, with intensity by count', async () => {
    const { w } = await mountDash()
    const cells = w.findAll('[data-testid="heat-cell"]')
    expect(cells).toHaveLength(168)
    expect(w.findAll('[data-testid="heatmap"] tbody tr')).toHaveLength(7)
    expect(w.find('[data-testid="heatmap"] tbody tr th').text()).toBe('Sun')
    const level = (d: number, h: number) => Number(w.find(`[data-testid="heat-cell"][data-day="${d}"][data-hour="${h}"]`).attributes('data-level'))
    expect([level(0, 9), level(0, 10), level(3, 14), level(6, 23)]).toEqual([4, 2, 1, 0])
    expect(cells[9].text()).toBe('10')
    expect(cells[9].attributes('data-day')).toBe('0')
  })

  it('lists trends with example links, agents, and charts each series', async () => {
    const unassigned = { key: '0', id: 0, name: '', conversations_created: 0, conversations_solved: 0, replies: 0, first_response_median_seconds: null, handle_median_seconds: null, fcr_percent: null, csat_percent: 100, csat_responses: 1 }
    const { w, calls } = await mountDash({ routes: { 'GET /api/v1/reports/agents': { data: [routesAgent(), unassigned] } } })
    const rows = w.findAll('[data-testid="trend-row"]')
    expect(rows).toHaveLength(1)
    expect(rows[0].text()).toContain('late delivery')
    expect(rows[0].findAll('td').map((c) => c.text()).slice(1, 4)).toEqual(['14', '3.3', '6.1'])
    expect(tid(w, 'trends-statistic').text()).toContain('Statistic: Poisson z-score')
    expect(w.findAll('[data-testid="trend-example"]').map((a) => [a.attributes('href'), a.text()])).toEqual([['/inbox/all/31', '#31'], ['/inbox/all/32', '#32']])
    // Trends follow the dashboard's filters.
    const tr = calls.find((c) => c.url.pathname === '/api/v1/reports/trends')!
    expect(Object.fromEntries(tr.url.searchParams)).toEqual({ from: '2026-11-01', to: '2026-11-08', team: '2', channel: 'email' })
    // The agent table: CSAT % and its number of answers; answers without an agent as "Unassigned".
    const agents = w.findAll('[data-testid="agent-row"]')
    expect(agents.map((r) => r.findAll('td').map((c) => c.text()))).toEqual([
      ['Avi', '210', '55', '12m', '80.0%', '5'],
      ['Unassigned', '0', '0', '—', '100.0%', '1'],
    ])
    const metrics = calls.filter((c) => c.url.pathname === '/api/v1/reports/timeseries').map((c) => c.url.searchParams.get('metric'))
    expect(metrics.sort()).toEqual(['csat', 'frt', 'nps', 'sla', 'volume'])
    for (const k of ['volume', 'frt', 'csat', 'nps', 'sla']) expect(w.find(`canvas[data-testid="chart-${k}"]`).exists()).toBe(true)
    expect(charts).toHaveLength(5)
    const volume = charts.find((c) => c.data.datasets[0].label === 'Volume')!
    expect(volume.data.datasets[0].data).toEqual([3, null])
    // Buckets are labelled by their desk-zone date, whatever offset the instant is written in.
    expect(volume.data.labels).toEqual(['1 Nov', '2 Nov'])
    expect(volume.options.scales.x.reverse).toBe(false)
    // SLA compliance over time: the sla series, a gap where no target was due.
    const sla = charts.find((c) => c.data.datasets[0].label === 'SLA compliance')!
    expect(sla.type).toBe('line')
    expect(sla.data.datasets[0].data).toEqual([95, null])
    expect(sla.data.labels).toEqual(['1 Nov', '2 Nov'])
  })

  it('gives every block an Export CSV link with the same filters', async () => {
    const { w } = await mountDash()
    const links = w.findAll('a[data-testid^="csv-"]')
    expect(links.map((a) => a.attributes('data-testid')).sort()).toEqual(
      ['csv-agents', 'csv-bot', 'csv-chart-csat', 'csv-chart-frt', 'csv-chart-nps', 'csv-chart-sla', 'csv-chart-volume', 'csv-feedback', 'csv-heatmap', 'csv-roi-kpis', 'csv-summary', 'csv-tags', 'csv-trends'],
    )
    // The trends endpoint has no CSV: the link carries the rows shown.
    const trendsCsv = tid(w, 'csv-trends').attributes('href')!
    expect(trendsCsv.startsWith('data:text/csv;charset=utf-8,')).toBe(true)
    expect(decodeURIComponent(trendsCsv.slice(trendsCsv.indexOf(',') + 1))).toBe('\ufefftopic,kind,count,baseline,score,examples\r\nlate delivery,phrase,14,3.25,6.1,31 32\r\n')
    expect(tid(w, 'csv-trends').attributes('download')).toBe('trends.csv')
    // Trends, the ROI movement and the bot block (BotStatsBlock) write their rows themselves.
    for (const a of links.filter((l) => !['csv-trends', 'csv-roi-kpis', 'csv-bot'].includes(l.attributes('data-testid')!))) {
      const u = new URL(a.attributes('href')!, 'http://localhost')
      expect(a.attributes('download')).toBeDefined()
      expect(Object.fromEntries(u.searchParams)).toMatchObject({ from: '2026-11-01', to: '2026-11-08', team: '2', channel: 'email', format: 'csv' })
    }
    const vol = new URL(tid(w, 'csv-chart-volume').attributes('href')!, 'http://localhost')
    expect(vol.pathname).toBe('/api/v1/reports/timeseries')
    expect(vol.searchParams.get('metric')).toBe('volume')
    const slaCsv = new URL(tid(w, 'csv-chart-sla').attributes('href')!, 'http://localhost')
    expect([slaCsv.pathname, slaCsv.searchParams.get('metric')]).toEqual(['/api/v1/reports/timeseries', 'sla'])
    expect(vol.searchParams.get('interval')).toBe('day')
    expect(new URL(tid(w, 'csv-feedback').attributes('href')!, 'http://localhost').pathname).toBe('/api/v1/reports/feedback')
  })

  it('shows feedback by source: answers, CSAT, NPS and CES per source', async () => {
    const { w, calls } = await mountDash()
    const rows = w.findAll('[data-testid="feedback-row"]')
    expect(rows.map((r) => r.attributes('data-source'))).toEqual(['call-center', 'survey'])
    const cells = (i: number) => ['responses', 'csat', 'nps', 'ces'].map((k) => rows[i].find(`[data-testid="feedback-${k}"]`).text())
    // call-center: 2 CSAT + 3 NPS answers; no CES → "—".
    expect(rows[0].find('th').text()).toBe('call-center')
    expect(cells(0)).toEqual(['5', '50.0%2 responses', '+333 responses', '—'])
    expect(rows[1].find('th').text()).toBe('Our surveys')
    expect(cells(1)).toEqual(['42', '87.3%40 responses', '—', '4.02 responses'])
    const fb = calls.find((c) => c.url.pathname === '/api/v1/reports/feedback')!
    expect(Object.fromEntries(fb.url.searchParams)).toEqual({ from: '2026-11-01', to: '2026-11-08', team: '2', channel: 'email' })
  })

  it('writes its own CSV cells so that a spreadsheet never runs them as formulas', async () => {
    const { w } = await mountDash({
      routes: {
        'GET /api/v1/reports/trends': { statistic: 'poisson_z', formula: 'z', topics: [{ kind: 'tag', term: '=HYPERLINK("http://evil","x")', count: 6, baseline_mean: 1, score: 5, examples: [] }, { kind: 'tag', term: '@sum', count: 5, baseline_mean: 1, score: 4, examples: [] }] },
      },
    })
    const href = tid(w, 'csv-trends').attributes('href')!
    const text = decodeURIComponent(href.slice(href.indexOf(',') + 1))
    expect(text).toBe('\ufefftopic,kind,count,baseline,score,examples\r\n"\'=HYPERLINK(""http://evil"",""x"")",tag,6,1,5,\r\n\'@sum,tag,5,1,4,\r\n')
  })

  it('puts the filters in the URL and loads again when they change', async () => {
    const { w, router, calls } = await mountDash({ query: '/reports' })
    expect(router.currentRoute.value.query).toEqual({})
    calls.length = 0
    await tid(w, 'filter-period').setValue('custom')
    await tid(w, 'filter-from').setValue('2026-11-10')
    await tid(w, 'filter-to').setValue('2026-11-01')
    await tid(w, 'filter-apply').trigger('submit')
    expect(tid(w, 'filter-error').text()).toBe('The end date is before the start date.')
    await tid(w, 'filter-to').setValue('2026-11-20')
    await tid(w, 'filter-team').setValue('2')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ period: 'custom', from: '2026-11-10', to: '2026-11-20', team: '2' })
    const s = calls.find((c) => c.url.pathname === '/api/v1/reports/summary')
    expect(Object.fromEntries(s!.url.searchParams)).toEqual({ from: '2026-11-10', to: '2026-11-21', team: '2' })
  })

  it('is mirrored in Hebrew: RTL charts, Sunday-first Hebrew days, Hebrew durations', async () => {
    const { w } = await mountDash({ locale: 'he' })
    expect(document.documentElement.dir).toBe('rtl')
    expect(tid(w, 'kpi-frt-value').text()).toBe('1 ש׳ 30 ד׳')
    expect(tid(w, 'kpi-nps-value').text()).toBe('—')
    expect(w.find('[data-testid="heatmap"] tbody tr th').text()).toBe('א׳')
    expect(tid(w, 'csv-summary').text()).toBe('ייצוא CSV')
    expect(charts.length).toBe(5)
    for (const c of charts) {
      expect(c.options.scales.x.reverse).toBe(true)
      expect(c.options.scales.y.position).toBe('right')
      expect(c.options.plugins.legend.rtl).toBe(true)
      expect(c.options.plugins.tooltip.rtl).toBe(true)
      expect(c.options.locale).toBe('he-IL')
    }
  })

  it('says once that reports:read is needed, and asks for nothing', async () => {
    const { w, calls } = await mountDash({ permissions: ['conversations:read'] })
    expect(tid(w, 'reports-forbidden').text()).toContain('reports:read')
    expect(calls.filter((c) => c.url.pathname.startsWith('/api/v1/reports'))).toEqual([])
    expect(tid(w, 'kpi-created').exists()).toBe(false)
  })

  it('shows the reports link in the top bar only with reports:read', async () => {
    for (const [perms, want] of [[['reports:read'], true], [['conversations:read'], false]] as const) {
      stubFetch(routes())
      expect(await navShown('nav-reports', perms), perms.join()).toBe(want)
    }
  })
})

describe('ROI panel', () => {
  it('shows the outputs and history', async () => {
    const { w } = await mountDash()
    expect(tid(w, 'roi-percent').text()).toBe('79.3%')
    expect(tid(w, 'roi-cost-per-conversation').text()).toBe('₪418.33')
    expect(tid(w, 'roi-cost-per-resolution').text()).toBe('₪557.78')
    expect(tid(w, 'roi-compensation').text()).toBe('₪200.00')
    expect(tid(w, 'roi-total-cost').text()).toBe('₪50,200.00')
    expect(tid(w, 'roi-revenue').text()).toBe('₪90,000.00')
    expect(tid(w, 'roi-empty').exists()).toBe(false)
    const hist = w.findAll('[data-testid="roi-history-row"]')
    expect(hist.map((r) => r.findAll('td').map((c) => c.text()))).toEqual([['1 Oct 2026 – 31 Oct 2026', '12.5%', '₪30.00', '₪40.00']])
    expect(tid(w, 'roi-edit').exists()).toBe(false) // no roi:write
  })

  it('shows how each KPI moved against the previous period, with arrows and a CSV', async () => {
    const { w } = await mountDash()
    expect(tid(w, 'roi-movement-previous').text()).toBe('Compared with the previous period of equal length: 25 Oct 2026 – 31 Oct 2026.')
    const rows = w.findAll('[data-testid="roi-kpi"]')
    const row = (key: string) => rows.find((r) => r.attributes('data-key') === key)!
    const text = (key: string) => ['current', 'previous', 'change'].map((c) => row(key).find(`[data-testid="roi-kpi-${c}"]`).text())
    expect(rows).toHaveLength(7)
    expect(text('conversations_created')).toEqual(['120', '100', '▲ +20 (+20.0%)Up +20 (+20.0%)'])
    expect(row('conversations_created').attributes('data-tone')).toBe('neutral')
    expect(text('first_response_median_seconds')).toEqual(['1h 30m', '1h 40m', '▼ −10m (−10.0%)Down −10m (−10.0%)better'])
    expect(row('first_response_median_seconds').attributes('data-tone')).toBe('good')
    expect(text('csat_percent')[2]).toBe('▲ +2.3 pts (+2.7%)Up +2.3 pts (+2.7%)better')
    expect(text('nps')).toEqual(['—', '—', '—'])
    // A previous 0: the absolute change only, never a division by zero.
    expect(text('backlog_open')).toEqual(['14', '0', '▲ +14Up +14worse'])
    expect(text('cost_per_conversation_minor')).toEqual(['₪418.33', '₪400.00', '▲ +₪18.33 (+4.6%)Up +₪18.33 (+4.6%)worse'])
    expect(text('roi_percent')[2]).toBe('▼ −0.7 pts (−0.9%)Down −0.7 pts (−0.9%)worse')
    const href = tid(w, 'csv-roi-kpis').attributes('href')!
    expect(decodeURIComponent(href.slice(href.indexOf(',') + 1)).split('\r\n').slice(0, 4)).toEqual([
      '\ufeffkpi,current,previous,change,change_percent', 'conversations_created,120,100,20,20', 'first_response_median_seconds,5400,6000,-600,-10', 'csat_percent,87.25,85,2.25,2.65',
    ])
  })

  it('shows the KPI movement in Hebrew, right to left', async () => {
    const { w } = await mountDash({ locale: 'he' })
    const row = w.findAll('[data-testid="roi-kpi"]').find((r) => r.attributes('data-key') === 'first_response_median_seconds')!
    expect(row.find('th').text()).toBe('מענה ראשון (חציון)')
    expect(row.find('[data-testid="roi-kpi-change"]').text()).toContain('שיפור')
    expect(row.find('[data-testid="roi-kpi-change"] bdi').attributes('dir')).toBe('ltr')
    expect(document.documentElement.dir).toBe('rtl')
  })

  it('parses amounts exactly into minor units and rejects a third decimal', async () => {
    let put: unknown = null
    const { w, calls } = await mountDash({
      permissions: ['reports:read', 'roi:write'],
      routes: {
        'PUT /api/v1/reports/roi': (_u: URL, init: RequestInit) => (
          (put = JSON.parse(String(init.body))),
          { body: { ...(put as object), from: '2026-11-01', to: '2026-11-08', stored: true, outputs: { compensation_cost_minor: 0, total_cost_minor: 124684, revenue_minor: 9000000, roi_percent: 10, cost_per_conversation_minor: 100, cost_per_resolution_minor: 200 } } }
        ),
      },
    })
    await tid(w, 'roi-edit').trigger('click')
    expect((tid(w, 'roi-input-salaries').element as HTMLInputElement).value).toBe('50000.00')
    await tid(w, 'roi-input-salaries').setValue('1234.50')
    await tid(w, 'roi-input-training').setValue('12.345')
    await tid(w, 'roi-form').trigger('submit')
    await flushPromises()
    expect(put).toBeNull()
    expect(tid(w, 'roi-form').text()).toContain('Enter an amount like 1234.50')
    await tid(w, 'roi-input-training').setValue('12.34')
    await tid(w, 'roi-form').trigger('submit')
    await flushPromises()
    expect(put).toEqual({
      currency: 'ILS',
      costs: { salaries: 123450, training: 1234, telephony: 0, technology: 0, other: 0 },
      revenue: { retained_customers: 0, upsell: 9000000, churn_avoided: 0 },
      assumptions: 'Retention value from last year.',
    })
    const req = calls.find((c) => c.method === 'PUT')!
    expect(Object.fromEntries(req.url.searchParams)).toEqual({ from: '2026-11-01', to: '2026-11-08' })
    expect(tid(w, 'roi-percent').text()).toBe('10.0%')
  })
})

describe('inbox survey settings', () => {
  it('loads and saves CSAT, CES and the delay', async () => {
    let saved: unknown = null
    stubFetch({
      'GET /api/v1/inboxes/4/survey-settings': { inbox_id: 4, csat_enabled: false, ces_enabled: true, delay_minutes: 60 },
      'PUT /api/v1/inboxes/4/survey-settings': (_u: URL, init: RequestInit) => ((saved = JSON.parse(String(init.body))), { body: { inbox_id: 4, ...(saved as object) } }),
    })
    const { pinia, router } = setup()
    useSessionStore().me = me({ permissions: ['inboxes:read', 'surveys:write'] })
    const w = mount(SurveySettingsCard, { props: { inboxId: 4 }, global: { plugins: [pinia, i18n, router] } })
    mounted.push(w as unknown as VueWrapper)
    await flushPromises()
    expect((tid(w as unknown as VueWrapper, 'survey-ces').element as HTMLInputElement).checked).toBe(true)
    await w.find('[data-testid="survey-csat"]').setValue(true)
    await w.find('[data-testid="survey-delay"]').setValue('99999')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(saved).toBeNull()
    expect(w.text()).toContain('Enter whole minutes from 0 to 10080.')
    await w.find('[data-testid="survey-delay"]').setValue('30')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(saved).toEqual({ csat_enabled: true, ces_enabled: true, delay_minutes: 30 })
    expect(w.find('[data-testid="survey-saved"]').exists()).toBe(true)
  })

  it('is read-only without surveys:write', async () => {
    stubFetch({ 'GET /api/v1/inboxes/4/survey-settings': { csat_enabled: true, ces_enabled: false, delay_minutes: 15 } })
    const { pinia, router } = setup('he')
    useSessionStore().me = me({ permissions: ['inboxes:read'] })
    const w = mount(SurveySettingsCard, { props: { inboxId: 4 }, global: { plugins: [pinia, i18n, router] } })
    mounted.push(w as unknown as VueWrapper)
    await flushPromises()
    expect(w.find('[data-testid="survey-csat"]').attributes('disabled')).toBeDefined()
    expect(w.find('[data-testid="survey-save"]').exists()).toBe(false)
    expect(w.text()).toContain('סקרי שביעות רצון')
  })

  it('is a card in the inbox edit dialog, hidden on a server without the endpoint', async () => {
    for (const [route, want] of [[{ inbox_id: 4, csat_enabled: true, ces_enabled: false, delay_minutes: 60 }, true], [() => ({ status: 404, body: { title: 'Not found', status: 404 } }), false]] as const) {
      stubFetch({
        'GET /api/v1/inboxes': { data: [{ id: 4, name: 'Support mail', channel: 'chat', address: '', team_id: null, enabled: true, settings: {} }] },
        'GET /api/v1/inboxes/4/survey-settings': route,
      })
      const { pinia, router } = setup()
      useSessionStore().me = me({ permissions: ['inboxes:read', 'inboxes:write', 'surveys:write'] })
      const w = mount(InboxesSettings, { attachTo: document.body, global: { plugins: [pinia, i18n, router] } })
      await flushPromises()
      await w.findAll('button').find((b) => b.text() === 'Edit')!.trigger('click')
      await flushPromises()
      expect(document.body.querySelector('[data-testid="survey-settings"]') !== null).toBe(want)
      if (want) expect((document.body.querySelector('[data-testid="survey-csat"]') as HTMLInputElement).checked).toBe(true)
      w.unmount()
      document.body.innerHTML = ''
    }
  })
})
