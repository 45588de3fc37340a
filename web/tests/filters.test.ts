import { describe, expect, it } from 'vitest'
import { builtinFilters, compareBySort, matchesFilters, normalizeCounts, parseFilters, toViewFilters, viewFilters, viewSort } from '@/utils/filters'
import type { SavedView } from '@/api/types'
import { linkify, paragraphs, safeHref } from '@/utils/linkify'
import { conv } from './helpers'

describe('views and filters', () => {
  it('defines the built-in views', () => {
    expect(builtinFilters('mine')).toEqual({ assignee: 'me', status: ['new', 'open', 'pending', 'on_hold'] })
    expect(builtinFilters('unassigned')?.assignee).toBe('none')
    expect(builtinFilters('team-3')).toMatchObject({ team: '3' })
    expect(builtinFilters('status-on_hold')).toEqual({ status: ['on_hold'] })
    expect(builtinFilters('status-bogus')).toBeNull()
    expect(builtinFilters('view-1')).toBeNull()
  })

  it('reads saved views and query filters, dropping junk', () => {
    const saved = [
      { id: 4, name: 'VIP', sort: '', filters: { statuses: ['open', 'nope'], priorities: [], assignee: 'x', team: '', tag: 'vip', inbox: 0, channel: '', q: '' } },
    ] as unknown as SavedView[]
    expect(viewFilters('view-4', saved)).toEqual({ status: ['open'], tag: 'vip' })
    expect(viewSort(saved[0])).toBe('-created_at')
    expect(viewSort({ ...saved[0], sort: 'updated_at' })).toBe('updated_at')
    expect(viewFilters('view-5', saved)).toBeNull()
    expect(parseFilters({ status: 'open,pending', priority: 'urgent', team: 'none', inbox: '2', channel: 'fax' })).toEqual({
      status: ['open', 'pending'], priority: ['urgent'], team: 'none', inbox: '2',
    })
  })

  it('matches conversations against filters for realtime placement', () => {
    const c = conv(1, { status: 'open', assignee_id: 7, team_id: 2, tags: ['vip'] })
    expect(matchesFilters(c, { assignee: 'me', status: ['open'] }, 7)).toBe(true)
    expect(matchesFilters(c, { assignee: 'me' }, 8)).toBe(false)
    expect(matchesFilters(c, { assignee: 'none' }, 7)).toBe(false)
    expect(matchesFilters(c, { team: '2', tag: 'vip' }, 7)).toBe(true)
    expect(matchesFilters(c, { team: 'none' }, 7)).toBe(false)
    expect(matchesFilters(c, { channel: 'chat' }, 7)).toBe(false)
  })

  it('sorts by the chosen key', () => {
    const a = conv(1, { updated_at: '2026-01-02T00:00:00Z' })
    const b = conv(2, { updated_at: '2026-01-01T00:00:00Z' })
    expect([b, a].sort(compareBySort('-updated_at')).map((c) => c.id)).toEqual([1, 2])
    expect([a, b].sort(compareBySort('updated_at')).map((c) => c.id)).toEqual([2, 1])
  })

  it('writes filters in the saved-view shape, every field present', () => {
    expect(toViewFilters({ status: ['open'], assignee: 'me', inbox: '3' })).toEqual({
      statuses: ['open'], priorities: [], assignee: 'me', team: '', tag: '', inbox: 3, channel: '', q: '',
    })
  })

  it('reads the API counts', () => {
    const counts = normalizeCounts({
      mine: 0, unassigned: 8, open: 75,
      statuses: { closed: 1847, new: 8, on_hold: 23, open: 24, pending: 20, solved: 78 },
      teams: { '1': 18, '2': 24 }, views: { '9': 4 },
    })
    expect(counts.get('mine')).toBe(0)
    expect(counts.get('open')).toBe(75)
    expect(counts.get('status-on_hold')).toBe(23)
    expect(counts.get('team-2')).toBe(24)
    expect(counts.get('view-9')).toBe(4)
    expect(counts.has('statuses')).toBe(false)
  })

  it('normalizes the shapes a counts response may take', () => {
    expect([...normalizeCounts({ data: { mine: 3, unassigned: 1, all_open: 9, 'team:2': 4, 'status:pending': 2, 'view:7': 5 } })]).toEqual([
      ['mine', 3], ['unassigned', 1], ['open', 9], ['team-2', 4], ['status-pending', 2], ['view-7', 5],
    ])
    expect([...normalizeCounts({ data: [{ view: 'mine', count: 2 }, { id: 3, count: 8 }] })]).toEqual([['mine', 2], ['view-3', 8]])
    expect([...normalizeCounts({ mine: { count: 1 } })]).toEqual([['mine', 1]])
  })
})

describe('plain-text links', () => {
  it('links only http(s) and never hides credentials', () => {
    expect(safeHref('https://a.example/x')).toBe('https://a.example/x')
    expect(safeHref('javascript:alert(1)')).toBeNull()
    expect(safeHref('https://bank.example@evil.example/')).toBeNull()
    expect(linkify('go to https://a.example/x, then stop.')).toEqual([
      { text: 'go to ' }, { text: 'https://a.example/x', href: 'https://a.example/x' }, { text: ', then stop.' },
    ])
  })

  it('splits paragraphs on blank lines', () => {
    expect(paragraphs('a\nb\n\n\nc\r\n\r\nd')).toEqual(['a\nb', 'c', 'd'])
  })
})
