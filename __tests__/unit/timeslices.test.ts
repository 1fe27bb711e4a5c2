// Timeslices and RatioTimeslices budgeting on hand-built histories with known answers, from the
// OpenSLO examples' READMEs (corpus expected.json: openslo-budgeting-method-ddos and
// openslo-low-traffic-timeslices).
import { describe, expect, it } from '@jest/globals'

import type { Slo } from '../../src/config/model.js'
import { isGoodSlice, ratioTimeslicesBudget, sliceRatio, slicesIn, timeslicesBudget, type Slice } from '../../src/engine/timeslices.js'
import { planQueries, timeslicesSli } from '../../src/plan.js'
import { DEFAULT_POLICY } from '../../src/policy/settings.js'

const MINUTE = 60
const WEEK = 7 * 86400

/** `n` one-minute slices with `perMinute` requests at a success ratio. */
const minutes = (n: number, perMinute: number, success: number): Slice[] => Array.from({ length: n }, () => ({ good: perMinute * success, total: perMinute }))

describe('a DDoS against a 95% / 2-week SLO, 1-minute slices (openslo-budgeting-method-ddos)', () => {
  // 24,000 requests a day (16.67 a minute) at 99% success; the attack drops success to 1%.
  const perMinute = 24000 / 1440
  const slicesInWindow = slicesIn(2 * WEEK, MINUTE)
  const history = (attackMinutes: number) => [...minutes(slicesInWindow - attackMinutes, perMinute, 0.99), ...minutes(attackMinutes, perMinute, 0.01)]

  it('has 20,160 slices and a budget of 1,008 bad slices', () => {
    expect(slicesInWindow).toBe(20160)
    expect(timeslicesBudget(history(0), { objective: 0.95, sliceTarget: 0.95 }).allowedBadSlices).toBeCloseTo(1008, 9)
  })

  it('Timeslices: the budget is spent after 1,008 attack minutes, 16h48m', () => {
    expect(timeslicesBudget(history(1007), { objective: 0.95, sliceTarget: 0.95 }).remaining).toBeGreaterThan(0)
    const spent = timeslicesBudget(history(1008), { objective: 0.95, sliceTarget: 0.95 })
    expect(spent).toMatchObject({ slicesInWindow: 20160, badSlices: 1008 })
    expect(spent.remaining).toBeCloseTo(0, 12)
    expect(spent.errorRatio).toBeCloseTo(0.05, 12)
  })

  it('RatioTimeslices: spent after about 823 attack minutes (13h43m; the README rounds to ~13h45m)', () => {
    // (20160 − x) × 0.01 + x × 0.99 = 0.05 × 20160  →  x = 822.86
    expect(ratioTimeslicesBudget(history(822), { objective: 0.95 }).remaining).toBeGreaterThan(0)
    expect(ratioTimeslicesBudget(history(823), { objective: 0.95 }).remaining).toBeLessThan(0)
    expect(ratioTimeslicesBudget(history(0), { objective: 0.95 }).consumed).toBeCloseTo(0.2, 12)
  })
})

describe('low traffic counts as much as high traffic (openslo-low-traffic-timeslices)', () => {
  it('a 99.95% week of minutes allows 5.04 bad minutes (5 min 2.4 s)', () => {
    const week = slicesIn(WEEK, MINUTE)
    expect(week).toBe(10080)
    const b = timeslicesBudget([], { objective: 0.9995, sliceTarget: 0.95, slicesInWindow: week })
    expect(b.allowedBadSlices * MINUTE).toBeCloseTo(302.4, 9)
    expect(b.remaining).toBe(1)
  })

  it('a minute is bad when more than 5% of its requests fail, however few there were', () => {
    expect(isGoodSlice({ good: 95, total: 100 }, 0.95)).toBe(true)
    expect(isGoodSlice({ good: 94, total: 99 }, 0.95)).toBe(false)
    expect(isGoodSlice({ good: 0, total: 1 }, 0.95)).toBe(false)
    // 1 quiet bad minute weighs the same as 1 busy bad minute.
    const quiet = timeslicesBudget([{ good: 0, total: 1 }], { objective: 0.9995, sliceTarget: 0.95, slicesInWindow: 10080 })
    const busy = timeslicesBudget([{ good: 90000, total: 100000 }], { objective: 0.9995, sliceTarget: 0.95, slicesInWindow: 10080 })
    expect(quiet.consumed).toBe(busy.consumed)
    expect(quiet.consumed).toBeCloseTo(1 / 5.04, 12)
  })

  it('minutes without requests or without data are good, and the budget is for the whole week even early in it', () => {
    const slices: (Slice | null)[] = [null, { good: 0, total: 0 }, { good: 10, total: 10 }, { good: 1, total: 10 }]
    expect(slices.map(sliceRatio)).toEqual([null, null, 1, 0.1])
    const b = timeslicesBudget(slices, { objective: 0.9995, sliceTarget: 0.95, slicesInWindow: 10080 })
    expect(b.badSlices).toBe(1)
    expect(b.consumed).toBeCloseTo(1 / 5.04, 12)
    const r = ratioTimeslicesBudget(slices, { objective: 0.9995, slicesInWindow: 10080 })
    expect(r.badSlices).toBeCloseTo(0.9, 12)
  })

  it('refuses a window smaller than the slices given', () => {
    expect(() => timeslicesBudget(minutes(3, 1, 1), { objective: 0.99, sliceTarget: 0.9, slicesInWindow: 2 })).toThrow(/at least the slices given/)
  })
})

describe('the query plan counts slices in Prometheus, with a subquery at the slice length', () => {
  const events = { kind: 'events' as const, bad: 'good' as const, badQuery: 'sum(increase(ok[{{.window}}]))', totalQuery: 'sum(increase(all[{{.window}}]))' }

  it('Timeslices: bad slices (good ratio below the target) over every slice step of the window', () => {
    expect(timeslicesSli(events, { method: 'Timeslices', sliceSeconds: 60, sliceTarget: 0.95 })).toEqual({
      kind: 'ratio',
      errorRatioQuery:
        'sum_over_time((((sum(increase(ok[1m]))) / (sum(increase(all[1m])))) < bool 0.95)[{{.window}}:1m]) / scalar(count_over_time(vector(1)[{{.budgetWindow}}:1m]))'
    })
    // With an errors query or a ratio, a slice is bad when its error ratio is above 1 - target.
    const errors = timeslicesSli({ ...events, bad: 'errors' }, { method: 'Timeslices', sliceSeconds: 300, sliceTarget: 0.999 })
    expect(errors.kind === 'ratio' && errors.errorRatioQuery).toContain('> bool 0.001)[{{.window}}:5m]')
  })

  it('RatioTimeslices: the sum of the slices\' error ratios, idle slices (NaN) left out, 0 when all were idle', () => {
    expect(timeslicesSli({ kind: 'ratio', errorRatioQuery: 'r[{{.window}}]' }, { method: 'RatioTimeslices', sliceSeconds: 60 })).toEqual({
      kind: 'ratio',
      errorRatioQuery: '(sum_over_time(((r[1m]) >= 0)[{{.window}}:1m]) or (count_over_time(((r[1m]))[{{.window}}:1m]) * 0)) / scalar(count_over_time(vector(1)[{{.budgetWindow}}:1m]))'
    })
  })

  const slo = (extra: Partial<Slo>): Slo => ({
    service: 's',
    name: 'n',
    objective: 0.99,
    window: '7d',
    windowSeconds: 7 * 86400,
    sli: events,
    policy: DEFAULT_POLICY,
    source: { file: 'f.yaml', document: 1, format: 'openslo', path: 'spec.objectives[0]' },
    ...extra
  })

  it('a rolling window counts its own slices; a calendar period reads what has elapsed against the whole period', () => {
    const rolling = planQueries([slo({ budgeting: { method: 'Timeslices', sliceSeconds: 60, sliceTarget: 0.95 } })]).slos[0]
    expect(rolling.windows[0].window).toBe('7d')
    expect(rolling.windows[0].ratioQuery).toMatch(/\[7d:1m\]\) \/ scalar\(count_over_time\(vector\(1\)\[7d:1m\]\)\)$/)
    expect(rolling.windows[1].ratioQuery).toMatch(/\[5m:1m\]\) \/ scalar\(count_over_time\(vector\(1\)\[5m:1m\]\)\)$/)
    expect(rolling.notes).toEqual([expect.stringContaining('Timeslices: 1m slices, good when at least 95% of their events are good')])

    // Thursday 2024-03-14 00:00 UTC: the ISO week in UTC began Monday, 3 days ago.
    const at = Date.parse('2024-03-14T00:00:00Z') / 1000
    const calendar = planQueries([slo({ budgeting: { method: 'Timeslices', sliceSeconds: 60, sliceTarget: 0.95 }, calendar: { unit: 'week', count: 1, timeZone: 'UTC' } })], at).slos[0]
    expect(calendar.slo.window).toBe('calendar week (UTC)')
    expect(calendar.slo.windowSeconds).toBe(7 * 86400)
    expect(calendar.period).toMatchObject({ start: at - 3 * 86400, end: at + 4 * 86400 })
    expect(calendar.windows[0].window).toBe('3d')
    expect(calendar.windows[0].ratioQuery).toMatch(/\[3d:1m\]\) \/ scalar\(count_over_time\(vector\(1\)\[7d:1m\]\)\)$/)
    // Burn windows count their own slices; 3d is also a burn window, read once.
    expect(calendar.windows.map((w) => w.window)).toEqual(['3d', '5m', '30m', '1h', '2h', '6h', '1d'])
  })

  it('an Occurrences calendar SLO reads events since the period began (at least 5m), and says so without an evaluation time', () => {
    const at = Date.parse('2024-03-11T00:02:00Z') / 1000
    const occurrences = planQueries([slo({ calendar: { unit: 'week', count: 1, timeZone: 'UTC' } })], at).slos[0]
    expect(occurrences.windows[0]).toMatchObject({ window: '5m', badQuery: 'sum(increase(ok[5m]))' })
    expect(occurrences.notes).toEqual(['the period began 120s ago: the last 5m are read, the end of the previous period included'])
    const undated = planQueries([slo({ calendar: { unit: 'week', count: 1, timeZone: 'UTC' } })]).slos[0]
    expect(undated.windows[0].window).toBe('7d')
    expect(undated.notes).toEqual(['calendar week (UTC) read as a rolling 7d window: no evaluation time was given to place the period'])
  })
})
