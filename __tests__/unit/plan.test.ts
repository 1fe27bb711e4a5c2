// The query plan: which PromQL each SLO needs over which windows, rendered from templates, with
// identical queries sent once however many SLOs share them.
import { describe, expect, it } from '@jest/globals'

import type { SliSpec, Slo } from '../../src/config/model.js'
import { BURN_WINDOWS, burnWindowsFor, planQueries, renderWindow, windowsFor } from '../../src/plan.js'
import { DEFAULT_POLICY, type PolicySettings } from '../../src/policy/settings.js'

const EVENTS: SliSpec = {
  kind: 'events',
  bad: 'errors',
  badQuery: 'sum(increase(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))',
  totalQuery: 'sum(increase(http_requests_total{job="checkout"}[{{.window}}]))'
}

function makeSlo(overrides: Partial<Slo> = {}): Slo {
  return {
    service: 'checkout',
    name: 'availability',
    objective: 0.999,
    window: '30d',
    windowSeconds: 30 * 86400,
    sli: EVENTS,
    policy: DEFAULT_POLICY,
    source: { file: 'slos.yaml', document: 1, format: 'native', path: 'slos[0]' },
    ...overrides
  }
}

function withRules(rules: PolicySettings['burnRateRules']): PolicySettings {
  return { ...DEFAULT_POLICY, burnRateRules: rules }
}

describe('renderWindow', () => {
  it('renders Sloth-style {{.window}}', () => {
    expect(renderWindow('rate(x[{{.window}}])', '5m')).toBe('rate(x[5m])')
  })

  it('renders {{ .window }} with spaces, and every occurrence', () => {
    expect(renderWindow('sum(rate(a[{{ .window }}])) / sum(rate(b[{{.window}}])) + c[{{  .window  }}]', '1h')).toBe(
      'sum(rate(a[1h])) / sum(rate(b[1h])) + c[1h]'
    )
  })

  it('leaves text without the placeholder (and other templates) alone', () => {
    expect(renderWindow('up{job="x"}', '1h')).toBe('up{job="x"}')
    expect(renderWindow('x[{{.range}}]', '1h')).toBe('x[{{.range}}]')
  })

  it('renders the same way when called repeatedly (no shared global regex state)', () => {
    for (let i = 0; i < 3; i++) expect(renderWindow('a[{{.window}}] b[{{.window}}]', '6h')).toBe('a[6h] b[6h]')
  })
})

describe('windowsFor', () => {
  it('is the SLO window first, then the SRE workbook burn windows from shortest to longest', () => {
    expect(BURN_WINDOWS).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d'])
    expect(windowsFor(makeSlo())).toEqual(['30d', '5m', '30m', '1h', '2h', '6h', '1d', '3d'])
  })

  it('adds windows used by custom burn-rate rules, canonical and sorted, without duplicates', () => {
    const slo = makeSlo({
      policy: withRules([
        { name: 'weekly', long: '7d', short: '12h', threshold: 0.5, decision: 'warn' },
        // 60m is the 1h window: it must not be queried twice under two names.
        { name: 'dup', long: '60m', short: '300s', threshold: 10, decision: 'freeze' },
        { name: 'tiny', long: '15m', short: '1m', threshold: 20, decision: 'freeze' }
      ])
    })
    expect(windowsFor(slo)).toEqual(['30d', '1m', '5m', '15m', '30m', '1h', '2h', '6h', '12h', '1d', '3d', '7d'])
  })

  it('does not repeat the SLO window when it is also a burn window', () => {
    expect(windowsFor(makeSlo({ window: '3d', windowSeconds: 3 * 86400 }))).toEqual(['3d', '5m', '30m', '1h', '2h', '6h', '1d'])
    expect(windowsFor(makeSlo({ window: '1d', windowSeconds: 86400 }))).toEqual(['1d', '5m', '30m', '1h', '2h', '6h', '3d'])
  })

  it('knows which windows are burn windows, including the SLO window when a rule or the defaults use it', () => {
    expect(burnWindowsFor(makeSlo())).toEqual(BURN_WINDOWS)
    expect(burnWindowsFor(makeSlo({ window: '3d', windowSeconds: 3 * 86400 }))).toEqual(BURN_WINDOWS)
    const weekly = makeSlo({ window: '7d', windowSeconds: 7 * 86400, policy: withRules([{ name: 'w', long: '7d', short: '1d', threshold: 0.5, decision: 'warn' }]) })
    expect(burnWindowsFor(weekly)).toEqual([...BURN_WINDOWS, '7d'])
  })
})

describe('planQueries', () => {
  it('plans bad and total queries per window, rendered with that window, SLO window first', () => {
    const plan = planQueries([makeSlo()])
    expect(plan.slos).toHaveLength(1)
    const windows = plan.slos[0].windows
    expect(windows.map((w) => w.window)).toEqual(['30d', '5m', '30m', '1h', '2h', '6h', '1d', '3d'])
    expect(windows.map((w) => w.seconds)).toEqual([2592000, 300, 1800, 3600, 7200, 21600, 86400, 259200])
    expect(windows[0]).toEqual({
      window: '30d',
      seconds: 2592000,
      badQuery: 'sum(increase(http_requests_total{job="checkout",code=~"5.."}[30d]))',
      totalQuery: 'sum(increase(http_requests_total{job="checkout"}[30d]))'
    })
    expect(windows[1].badQuery).toBe('sum(increase(http_requests_total{job="checkout",code=~"5.."}[5m]))')
    expect(windows[1].totalQuery).toBe('sum(increase(http_requests_total{job="checkout"}[5m]))')
    for (const w of windows) {
      expect(w.ratioQuery).toBeUndefined()
      expect(w.badQuery).not.toContain('{{')
      expect(w.totalQuery).not.toContain('{{')
    }
    // 8 windows × (bad + total)
    expect(plan.queries).toHaveLength(16)
  })

  it('plans one error-ratio query per window for ratio SLIs', () => {
    const slo = makeSlo({ sli: { kind: 'ratio', errorRatioQuery: 'sum(rate(err[{{ .window }}])) / sum(rate(all[{{ .window }}]))' } })
    const plan = planQueries([slo])
    expect(plan.slos[0].windows[0]).toEqual({ window: '30d', seconds: 2592000, ratioQuery: 'sum(rate(err[30d])) / sum(rate(all[30d]))' })
    expect(plan.slos[0].windows.every((w) => w.badQuery === undefined && w.totalQuery === undefined)).toBe(true)
    expect(plan.queries).toHaveLength(8)
    expect(plan.queries).toContain('sum(rate(err[3d])) / sum(rate(all[3d]))')
  })

  it('sends identical queries once across SLOs', () => {
    // Two SLOs sharing the total query (different error definitions) and a third identical one.
    const a = makeSlo({ name: 'a' })
    const b = makeSlo({ name: 'b', objective: 0.99, sli: { ...EVENTS, badQuery: 'sum(increase(http_requests_total{job="checkout",code="503"}[{{ .window }}]))' } })
    const c = makeSlo({ name: 'c', service: 'other' })
    const plan = planQueries([a, b, c])
    expect(plan.slos.map((s) => s.slo.name)).toEqual(['a', 'b', 'c'])
    // a and c are identical: 16 queries; b adds its 8 bad queries, its total queries are shared.
    expect(plan.queries).toHaveLength(24)
    expect(new Set(plan.queries).size).toBe(plan.queries.length)
    // The SLO plans still carry their own copies of the shared texts.
    expect(plan.slos[1].windows[2].totalQuery).toBe(plan.slos[0].windows[2].totalQuery)
  })

  it('dedupes "{{.window}}" and "{{ .window }}" spellings of the same query', () => {
    const a = makeSlo({ name: 'a' })
    const b = makeSlo({ name: 'b', sli: { ...EVENTS, totalQuery: 'sum(increase(http_requests_total{job="checkout"}[{{ .window }}]))' } })
    expect(planQueries([a, b]).queries).toHaveLength(16)
  })

  it('plans the windows of custom rules, with 60m and 1h as one window', () => {
    const slo = makeSlo({ policy: withRules([{ name: 'x', long: '60m', short: '90s', threshold: 10, decision: 'freeze' }]) })
    const plan = planQueries([slo])
    const windows = plan.slos[0].windows.map((w) => w.window)
    expect(windows).toEqual(['30d', '1m30s', '5m', '30m', '1h', '2h', '6h', '1d', '3d'])
    expect(plan.queries).toContain('sum(increase(http_requests_total{job="checkout"}[1m30s]))')
    expect(plan.queries.some((q) => q.includes('[60m]'))).toBe(false)
  })

  it('plans nothing for no SLOs', () => {
    expect(planQueries([])).toEqual({ slos: [], queries: [] })
  })
})
