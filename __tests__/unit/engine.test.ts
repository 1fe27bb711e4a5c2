// The engine: error-budget arithmetic (PRODUCT.md "The math"), window readings from query answers
// (every odd shape named, never turned into a number), and the evaluation of one SLO.
//
// Conventions in the hand-computed cases below:
//   error ratio r = bad / total over a window (request-weighted: counter increases over the window)
//   budget fraction = 1 - objective            (0.001 for 99.9%)
//   consumed = r / (1 - objective)             remaining = 1 - consumed  (never clamped)
//   burn rate over w = r_w / (1 - objective)
//   budget in minutes of full outage = (1 - objective) × window in minutes
import { describe, expect, it } from '@jest/globals'

import type { SliSpec, Slo } from '../../src/config/model.js'
import { evaluateSlo, isUsable } from '../../src/engine/evaluate.js'
import { budgetFraction, budgetOver, burnRate, errorRatioFromEvents } from '../../src/engine/math.js'
import { readWindow, type QueryOutcome, type WindowReading } from '../../src/engine/readings.js'
import { planQueries, type WindowPlan } from '../../src/plan.js'
import type { Sample } from '../../src/prometheus/response.js'
import { DEFAULT_POLICY } from '../../src/policy/settings.js'

const DAY = 86400
const MONTH = 30 * DAY

const ERRORS_SLI: SliSpec = {
  kind: 'events',
  bad: 'errors',
  badQuery: 'sum(increase(http_requests_total{code=~"5.."}[{{.window}}]))',
  totalQuery: 'sum(increase(http_requests_total[{{.window}}]))'
}
const GOOD_SLI: SliSpec = {
  kind: 'events',
  bad: 'good',
  badQuery: 'sum(increase(http_request_duration_seconds_bucket{le="0.3"}[{{.window}}]))',
  totalQuery: 'sum(increase(http_request_duration_seconds_count[{{.window}}]))'
}
const RATIO_SLI: SliSpec = { kind: 'ratio', errorRatioQuery: 'sum(rate(errors[{{.window}}])) / sum(rate(requests[{{.window}}]))' }

function makeSlo(overrides: Partial<Slo> = {}): Slo {
  return {
    service: 'checkout',
    name: 'availability',
    objective: 0.999,
    window: '30d',
    windowSeconds: MONTH,
    sli: ERRORS_SLI,
    policy: DEFAULT_POLICY,
    source: { file: 'slos.yaml', document: 1, format: 'native', path: 'slos[0]' },
    ...overrides
  }
}

/** A vector answer: one sample per value (several values = several series). */
function vector(...values: number[]): QueryOutcome {
  return {
    ok: true,
    result: { resultType: 'vector', samples: values.map((value, i): Sample => ({ labels: values.length > 1 ? { instance: `pod-${i}` } : {}, value })), warnings: [] }
  }
}
const EMPTY = vector()
function failedWith(error: string): QueryOutcome {
  return { ok: false, error }
}

function windowPlan(sli: SliSpec, window = '1h', seconds = 3600): WindowPlan {
  return planQueries([makeSlo({ sli })]).slos[0].windows.find((w) => w.window === window) ?? { window, seconds }
}
const W1H = windowPlan(ERRORS_SLI)
const G1H = windowPlan(GOOD_SLI)
const R1H = windowPlan(RATIO_SLI)

function readEvents(plan: WindowPlan, bad: QueryOutcome | undefined, total: QueryOutcome | undefined, sli: SliSpec = ERRORS_SLI): WindowReading {
  const outcomes = new Map<string, QueryOutcome>()
  if (bad) outcomes.set(plan.badQuery!, bad)
  if (total) outcomes.set(plan.totalQuery!, total)
  return readWindow(sli, plan, outcomes)
}
const readErrors = (bad: QueryOutcome | undefined, total: QueryOutcome | undefined) => readEvents(W1H, bad, total, ERRORS_SLI)
const readGood = (good: QueryOutcome | undefined, total: QueryOutcome | undefined) => readEvents(G1H, good, total, GOOD_SLI)
function readRatio(answer: QueryOutcome | undefined): WindowReading {
  const outcomes = new Map<string, QueryOutcome>()
  if (answer) outcomes.set(R1H.ratioQuery!, answer)
  return readWindow(RATIO_SLI, R1H, outcomes)
}

/** Evaluates an events SLO from [bad, total] per window; unlisted windows get `fallback`. */
function evaluateEvents(slo: Slo, counts: Record<string, [number, number] | QueryOutcome[]>, fallback: [number, number] = [0, 1000]) {
  const plan = planQueries([slo]).slos[0]
  const outcomes = new Map<string, QueryOutcome>()
  for (const w of plan.windows) {
    const given = counts[w.window] ?? fallback
    const [bad, total] = typeof given[0] === 'number' ? [vector(given[0] as number), vector(given[1] as number)] : (given as QueryOutcome[])
    outcomes.set(w.badQuery!, bad)
    outcomes.set(w.totalQuery!, total)
  }
  return evaluateSlo(plan, outcomes)
}

describe('math', () => {
  it('the budget fraction is 1 - objective, exact for decimal objectives', () => {
    expect(budgetFraction(0.999)).toBe(0.001)
    expect(budgetFraction(0.9999)).toBe(0.0001)
    expect(budgetFraction(0.99)).toBe(0.01)
    expect(budgetFraction(0.9)).toBe(0.1)
    // 99.9 / 100 is 0.9990000000000001 in floating point: still a budget of 0.1%.
    expect(budgetFraction(99.9 / 100)).toBe(0.001)
    expect(budgetFraction(99.99 / 100)).toBe(0.0001)
  })

  it('budget in minutes of full outage: 99.9% over 30d is 43.2 min', () => {
    // 0.001 × 30 × 24 × 60 = 0.001 × 43200 = 43.2
    expect(budgetOver(0, 0.999, MONTH).totalMinutes).toBeCloseTo(43.2, 10)
    // 99.99% over 30d: 0.0001 × 43200 = 4.32 min
    expect(budgetOver(0, 0.9999, MONTH).totalMinutes).toBeCloseTo(4.32, 10)
    // 99% over 30d: 0.01 × 43200 = 432 min
    expect(budgetOver(0, 0.99, MONTH).totalMinutes).toBeCloseTo(432, 10)
    // 90% over 30d: 0.1 × 43200 = 4320 min (3 days)
    expect(budgetOver(0, 0.9, MONTH).totalMinutes).toBeCloseTo(4320, 10)
    // 99.9% over 28d: 0.001 × 40320 = 40.32 min
    expect(budgetOver(0, 0.999, 28 * DAY).totalMinutes).toBeCloseTo(40.32, 10)
    // 99.5% over 7d: 0.005 × 10080 = 50.4 min
    expect(budgetOver(0, 0.995, 7 * DAY).totalMinutes).toBeCloseTo(50.4, 10)
  })

  it('an untouched budget: consumed 0, remaining 1, all minutes left', () => {
    expect(budgetOver(0, 0.999, MONTH)).toEqual({ consumed: 0, remaining: 1, totalMinutes: expect.closeTo(43.2, 10), remainingMinutes: expect.closeTo(43.2, 10) })
  })

  it('99.9% over 30d: 0.5 error ratio for 2h plus 0.0001 baseline overspends the budget (not clamped)', () => {
    // 720h window, uniform traffic. r = (2h × 0.5 + 718h × 0.0001) / 720h
    //   = (1 + 0.0718) / 720 = 1.0718 / 720 = 0.00148861…
    // consumed = 0.00148861… / 0.001 = 1.48861…;  remaining = 1 - 1.48861… = -0.48861…
    // remaining minutes = -0.48861… × 43.2 = -21.108 min
    const r = (2 * 0.5 + 718 * 0.0001) / 720
    expect(r).toBeCloseTo(0.0014886111, 10)
    const budget = budgetOver(r, 0.999, MONTH)
    expect(budget.consumed).toBeCloseTo(1.4886111111, 9)
    expect(budget.remaining).toBeCloseTo(-0.4886111111, 9)
    expect(budget.remainingMinutes).toBeCloseTo(-21.108, 9)
    expect(budget.totalMinutes).toBeCloseTo(43.2, 10)
  })

  it('99.99%: r = 0.00005 consumes half the budget', () => {
    // 0.00005 / 0.0001 = 0.5 consumed, 0.5 remaining = 2.16 min of 4.32
    const budget = budgetOver(0.00005, 0.9999, MONTH)
    expect(budget.consumed).toBeCloseTo(0.5, 10)
    expect(budget.remaining).toBeCloseTo(0.5, 10)
    expect(budget.remainingMinutes).toBeCloseTo(2.16, 9)
  })

  it('90%: r = 0.05 consumes half the budget; r = 0.3 overspends it threefold', () => {
    // 0.05 / 0.1 = 0.5;   0.3 / 0.1 = 3 consumed, remaining -2 (= -8640 min)
    expect(budgetOver(0.05, 0.9, MONTH).remaining).toBeCloseTo(0.5, 10)
    const over = budgetOver(0.3, 0.9, MONTH)
    expect(over.consumed).toBeCloseTo(3, 10)
    expect(over.remaining).toBeCloseTo(-2, 10)
    expect(over.remainingMinutes).toBeCloseTo(-8640, 6)
  })

  it('99%: r = 0.0025 consumes a quarter; r = 0.02 leaves -1 (twice the budget spent)', () => {
    // 0.0025 / 0.01 = 0.25 consumed → 0.75 remaining = 324 min of 432
    const quarter = budgetOver(0.0025, 0.99, MONTH)
    expect(quarter.consumed).toBeCloseTo(0.25, 10)
    expect(quarter.remainingMinutes).toBeCloseTo(324, 8)
    // 0.02 / 0.01 = 2 consumed → -1 remaining
    expect(budgetOver(0.02, 0.99, MONTH).remaining).toBeCloseTo(-1, 10)
  })

  it('an error ratio of exactly 1 - objective spends exactly the whole budget (remaining 0, not 1e-16)', () => {
    expect(budgetOver(0.001, 0.999, MONTH).remaining).toBe(0)
    expect(budgetOver(0.01, 0.99, MONTH).remaining).toBe(0)
    expect(budgetOver(0.0001, 0.9999, MONTH).remaining).toBe(0)
    expect(budgetOver(0.001, 99.9 / 100, MONTH).remaining).toBe(0)
  })

  it('burn rate is the error ratio over the budget fraction', () => {
    // 99.9%: r = 0.0144 → 14.4x (2% of a 30d budget in 1h: 0.02 × 720h / 1h = 14.4)
    expect(burnRate(0.0144, 0.999)).toBeCloseTo(14.4, 10)
    // 99.9%: r = 0.006 → 6x;  r = 0.001 → 1x (spent exactly at the window's end)
    expect(burnRate(0.006, 0.999)).toBeCloseTo(6, 10)
    expect(burnRate(0.001, 0.999)).toBeCloseTo(1, 12)
    // 99%: r = 0.0144 → 1.44x;  99.99%: r = 0.0144 → 144x;  90%: r = 0.5 → 5x
    expect(burnRate(0.0144, 0.99)).toBeCloseTo(1.44, 10)
    expect(burnRate(0.0144, 0.9999)).toBeCloseTo(144, 8)
    expect(burnRate(0.5, 0.9)).toBeCloseTo(5, 10)
    expect(burnRate(0, 0.999)).toBe(0)
  })

  it('error ratio from events: errors / total, or (total - good) / total', () => {
    expect(errorRatioFromEvents(5, 1000, 'errors')).toBeCloseTo(0.005, 15)
    expect(errorRatioFromEvents(990, 1000, 'good')).toBeCloseTo(0.01, 15)
    expect(errorRatioFromEvents(1000, 1000, 'good')).toBe(0)
    expect(errorRatioFromEvents(0, 1000, 'good')).toBe(1)
  })
})

describe('request-weighted error ratios', () => {
  // One hour = twelve 5-minute slices. Eleven busy slices: 1000 requests, no errors each. One
  // quiet slice: 10 requests, 5 errors.
  //   request-weighted r = 5 / (11 × 1000 + 10) = 5 / 11010 = 0.00045413…  → burn 0.454x
  //   mean of the twelve 5m ratios = (11 × 0 + 0.5) / 12 = 0.0416666…       → burn 41.7x
  // A mean of short ratios would freeze (≥ 14.4) on five errors at night.
  const slices = [...Array.from({ length: 11 }, () => ({ errors: 0, total: 1000 })), { errors: 5, total: 10 }]
  const errors = slices.reduce((sum, s) => sum + s.errors, 0)
  const total = slices.reduce((sum, s) => sum + s.total, 0)
  const weighted = errors / total
  const averaged = slices.reduce((sum, s) => sum + s.errors / s.total, 0) / slices.length

  it('differs from the mean of short-window ratios when traffic is uneven', () => {
    expect(weighted).toBeCloseTo(5 / 11010, 15)
    expect(averaged).toBeCloseTo(0.5 / 12, 15)
    expect(averaged / weighted).toBeGreaterThan(90)
  })

  it('is what the engine uses: errors and total are summed over the window, then divided', () => {
    const evaluation = evaluateEvents(makeSlo(), { '1h': [errors, total] })
    const hour = evaluation.readings.find((r) => r.window === '1h')!
    expect(hour.errorRatio).toBeCloseTo(0.00045413260672116, 15)
    expect(evaluation.burnRates['1h']).toBeCloseTo(0.45413260672116, 10)
    expect(evaluation.burnRates['1h']).not.toBeCloseTo(averaged / 0.001, 1)
  })

  it('over the SLO window too: the budget follows events, not slices', () => {
    // 30d: 29 days of 1,000,000 requests with 100 errors each, 1 day of 1000 requests with 500 errors.
    // weighted r = (29 × 100 + 500) / (29 × 1e6 + 1000) = 3400 / 29001000 = 0.000117237…
    //   consumed = 0.117237…, remaining = 0.882762…
    // mean of daily ratios = (29 × 0.0001 + 0.5) / 30 = 0.016763… → consumed 16.76 (a false freeze)
    const evaluation = evaluateEvents(makeSlo(), { '30d': [29 * 100 + 500, 29 * 1e6 + 1000] })
    expect(evaluation.errorRatio).toBeCloseTo(3400 / 29001000, 15)
    expect(evaluation.budget!.consumed).toBeCloseTo(0.11723733664356402, 10)
    expect(evaluation.budget!.remaining).toBeCloseTo(0.882762663356436, 10)
  })
})

describe('readWindow: events SLIs', () => {
  it('reads errors / total', () => {
    const reading = readErrors(vector(5), vector(1000))
    expect(reading).toEqual({ window: '1h', seconds: 3600, status: 'ok', errorRatio: 0.005, bad: 5, total: 1000, notes: [], warnings: [] })
    expect(reading.problem).toBeUndefined()
    expect(isUsable(reading)).toBe(true)
  })

  it('reads (total - good) / total for good-events SLIs', () => {
    const reading = readGood(vector(990), vector(1000))
    expect(reading.status).toBe('ok')
    expect(reading.errorRatio).toBeCloseTo(0.01, 15)
    expect(reading.bad).toBe(990)
    expect(reading.total).toBe(1000)
  })

  it('handles fractional counter increases (extrapolated increase())', () => {
    const reading = readErrors(vector(2.5), vector(1000.25))
    expect(reading.status).toBe('ok')
    expect(reading.errorRatio).toBeCloseTo(2.5 / 1000.25, 15)
  })

  it('zero traffic is no-traffic: no ratio, no burn, not a problem', () => {
    const reading = readErrors(vector(0), vector(0))
    expect(reading.status).toBe('no-traffic')
    expect(reading.errorRatio).toBeNull()
    expect(reading.total).toBe(0)
    expect(reading.problem).toBeUndefined()
    expect(reading.notes.join(' ')).toMatch(/no events in 1h/)
    expect(isUsable(reading)).toBe(true)
  })

  it('zero traffic with no error series yet is no-traffic too', () => {
    const reading = readErrors(EMPTY, vector(0))
    expect(reading.status).toBe('no-traffic')
    expect(reading.errorRatio).toBeNull()
  })

  it('an empty errors query over real traffic counts 0 errors, with a note', () => {
    // Error series (code="500") often exist only after the first error.
    const reading = readErrors(EMPTY, vector(1000))
    expect(reading.status).toBe('ok')
    expect(reading.errorRatio).toBe(0)
    expect(reading.bad).toBe(0)
    expect(reading.notes).toHaveLength(1)
    expect(reading.notes[0]).toMatch(/errors query returned no series over 1h; counted as 0 errors/)
  })

  it('an empty good query over real traffic is no-data (a typo, not 100% failures), naming the query', () => {
    const reading = readGood(EMPTY, vector(1000))
    expect(reading.status).toBe('no-data')
    expect(reading.errorRatio).toBeNull()
    expect(reading.problem).toContain(G1H.badQuery!)
    expect(reading.problem).toMatch(/good-events query returned no series/)
    expect(reading.problem).toContain('1000')
    expect(isUsable(reading)).toBe(false)
  })

  it('an empty good query without traffic is no-traffic, and the note names the good query', () => {
    const reading = readGood(EMPTY, vector(0))
    expect(reading.status).toBe('no-traffic')
    expect(reading.notes.join(' ')).toMatch(/good-events query returned no series/)
    expect(reading.notes.join(' ')).not.toMatch(/errors query/)
  })

  it('an empty total query is no-data naming the total query', () => {
    for (const bad of [vector(5), EMPTY]) {
      const reading = readErrors(bad, EMPTY)
      expect(reading.status).toBe('no-data')
      expect(reading.errorRatio).toBeNull()
      expect(reading.problem).toMatch(/total query returned no series over 1h/)
      expect(reading.problem).toContain(W1H.totalQuery!)
    }
  })

  it.each([
    ['total', () => readErrors(vector(1), vector(600, 400)), () => W1H.totalQuery!],
    ['errors', () => readErrors(vector(1, 2, 3), vector(1000)), () => W1H.badQuery!],
    ['good-events', () => readGood(vector(500, 490), vector(1000)), () => G1H.badQuery!]
  ])('several %s series are invalid and the problem says to sum them', (label, read, query) => {
    const reading = read()
    expect(reading.status).toBe('invalid')
    expect(reading.errorRatio).toBeNull()
    expect(reading.problem).toMatch(new RegExp(`^${label} query returned \\d series where one was expected`))
    expect(reading.problem).toContain('sum(')
    expect(reading.problem).toContain('pod-0')
    expect(reading.problem).toContain(query())
  })

  it.each([
    ['NaN', Number.NaN, /NaN/],
    ['+Inf', Number.POSITIVE_INFINITY, /\+Inf/],
    ['-Inf', Number.NEGATIVE_INFINITY, /-Inf/],
    ['a negative value', -3, /negative count \(-3\)/]
  ])('%s in the total query is invalid, named, with the query', (_name, value, pattern) => {
    const reading = readErrors(vector(0), vector(value))
    expect(reading.status).toBe('invalid')
    expect(reading.errorRatio).toBeNull()
    expect(reading.bad).toBeNull()
    expect(reading.total).toBeNull()
    expect(reading.problem).toMatch(pattern)
    expect(reading.problem).toMatch(/^total query/)
    expect(reading.problem).toContain(W1H.totalQuery!)
  })

  it.each([
    ['NaN', Number.NaN, /NaN/],
    ['+Inf', Number.POSITIVE_INFINITY, /\+Inf/],
    ['-Inf', Number.NEGATIVE_INFINITY, /-Inf/],
    ['a negative value', -0.5, /negative count \(-0.5\)/]
  ])('%s in the errors query is invalid, named, with the query', (_name, value, pattern) => {
    const reading = readErrors(vector(value), vector(1000))
    expect(reading.status).toBe('invalid')
    expect(reading.errorRatio).toBeNull()
    expect(reading.problem).toMatch(pattern)
    expect(reading.problem).toMatch(/^errors query/)
    expect(reading.problem).toContain(W1H.badQuery!)
  })

  it('good > total is invalid and names both queries', () => {
    const reading = readGood(vector(1001), vector(1000))
    expect(reading.status).toBe('invalid')
    expect(reading.errorRatio).toBeNull()
    expect(reading.problem).toMatch(/good-events \(1001\) exceed total events \(1000\) over 1h/)
    expect(reading.problem).toContain(G1H.badQuery!)
    expect(reading.problem).toContain(G1H.totalQuery!)
  })

  it('errors > total is invalid and names both queries', () => {
    const reading = readErrors(vector(20), vector(10))
    expect(reading.status).toBe('invalid')
    expect(reading.problem).toMatch(/errors \(20\) exceed total events \(10\)/)
    expect(reading.problem).toContain(W1H.badQuery!)
    expect(reading.problem).toContain(W1H.totalQuery!)
  })

  it('errors with no traffic at all is invalid, not no-traffic', () => {
    expect(readErrors(vector(3), vector(0)).status).toBe('invalid')
  })

  it('tolerates last-bit float differences between good and total sums', () => {
    const reading = readGood(vector(1000 * (1 + 1e-12)), vector(1000))
    expect(reading.status).toBe('ok')
    expect(reading.errorRatio).toBe(0)
    const errors = readErrors(vector(1000 * (1 + 1e-12)), vector(1000))
    expect(errors.status).toBe('ok')
    expect(errors.errorRatio).toBe(1)
  })

  it('a failed total query is failed, with the error text and the query', () => {
    const reading = readErrors(vector(1), failedWith('HTTP 503 Service Unavailable'))
    expect(reading.status).toBe('failed')
    expect(reading.errorRatio).toBeNull()
    expect(reading.problem).toContain('HTTP 503 Service Unavailable')
    expect(reading.problem).toMatch(/^total query failed/)
    expect(reading.problem).toContain(W1H.totalQuery!)
    expect(isUsable(reading)).toBe(false)
  })

  it('a failed errors query is failed, even when the total is fine', () => {
    const reading = readErrors(failedWith('bad_data: parse error at char 12'), vector(1000))
    expect(reading.status).toBe('failed')
    expect(reading.problem).toContain('parse error at char 12')
    expect(reading.problem).toContain(W1H.badQuery!)
  })

  it('a failure wins over an empty answer (the failure is the cause to report)', () => {
    expect(readErrors(failedWith('timeout'), EMPTY).status).toBe('failed')
  })

  it('a query that was never run is failed, not no-data', () => {
    const reading = readErrors(vector(1), undefined)
    expect(reading.status).toBe('failed')
    expect(reading.problem).toMatch(/not run/)
    expect(reading.problem).toContain(W1H.totalQuery!)
  })

  it('keeps the server warnings of both queries', () => {
    const withWarning = (value: number, warning: string): QueryOutcome => ({
      ok: true,
      result: { resultType: 'vector', samples: [{ labels: {}, value }], warnings: [warning] }
    })
    const reading = readErrors(withWarning(1, 'partial response'), withWarning(100, 'metric might not be a counter'))
    expect(reading.status).toBe('ok')
    expect(reading.warnings).toEqual(['partial response', 'metric might not be a counter'])
  })

  it('reads scalar answers too', () => {
    const scalar = (value: number): QueryOutcome => ({ ok: true, result: { resultType: 'scalar', samples: [{ labels: {}, value }], warnings: [] } })
    expect(readErrors(scalar(1), scalar(100)).errorRatio).toBeCloseTo(0.01, 15)
  })
})

describe('readWindow: error-ratio SLIs', () => {
  it('reads the ratio as is', () => {
    const reading = readRatio(vector(0.002))
    expect(reading.status).toBe('ok')
    expect(reading.errorRatio).toBe(0.002)
    expect(reading.bad).toBeNull()
    expect(reading.total).toBeNull()
  })

  it('accepts the bounds 0 and 1', () => {
    expect(readRatio(vector(0)).errorRatio).toBe(0)
    expect(readRatio(vector(1)).errorRatio).toBe(1)
  })

  it('NaN is 0/0: no traffic, no burn', () => {
    const reading = readRatio(vector(Number.NaN))
    expect(reading.status).toBe('no-traffic')
    expect(reading.errorRatio).toBeNull()
    expect(reading.problem).toBeUndefined()
    expect(reading.notes.join(' ')).toMatch(/NaN/)
  })

  it('a ratio above 1 is invalid, naming the query', () => {
    const reading = readRatio(vector(1.5))
    expect(reading.status).toBe('invalid')
    expect(reading.errorRatio).toBeNull()
    expect(reading.problem).toMatch(/1\.5, outside \[0, 1\]/)
    expect(reading.problem).toContain(R1H.ratioQuery!)
  })

  it.each([
    ['a negative ratio', vector(-0.1), 'invalid', /negative/],
    ['+Inf', vector(Number.POSITIVE_INFINITY), 'invalid', /\+Inf/],
    ['-Inf', vector(Number.NEGATIVE_INFINITY), 'invalid', /-Inf/],
    ['several series', vector(0.1, 0.2), 'invalid', /2 series where one was expected.*sum\(/],
    ['several series, one NaN', vector(Number.NaN, 0.2), 'invalid', /2 series/],
    ['no series', EMPTY, 'no-data', /error-ratio query returned no series over 1h/],
    ['a failure', failedWith('HTTP 400: bad_data'), 'failed', /error-ratio query failed: HTTP 400: bad_data/],
    ['a query never run', undefined, 'failed', /not run/]
  ])('%s is named, with the query', (_name, answer, status, pattern) => {
    const reading = readRatio(answer)
    expect(reading.status).toBe(status)
    expect(reading.errorRatio).toBeNull()
    expect(reading.problem).toMatch(pattern)
    expect(reading.problem).toContain(R1H.ratioQuery!)
    expect(isUsable(reading)).toBe(false)
  })
})

describe('evaluateSlo', () => {
  it('computes the hand-worked 30d budget from event counts', () => {
    // 10,000 requests/h over 720h = 7,200,000. Errors: 2h × 10,000 × 0.5 = 10,000 during the
    // incident + 718h × 10,000 × 0.0001 = 718 baseline → 10,718.
    // r = 10718 / 7.2e6 = 0.00148861…, consumed = 1.48861…, remaining = -0.48861…
    const evaluation = evaluateEvents(makeSlo(), { '30d': [10718, 7_200_000] })
    expect(evaluation.sloWindow.status).toBe('ok')
    expect(evaluation.errorRatio).toBeCloseTo(0.00148861111111, 13)
    expect(evaluation.budget!.consumed).toBeCloseTo(1.4886111111, 9)
    expect(evaluation.budget!.remaining).toBeCloseTo(-0.4886111111, 9)
    expect(evaluation.budget!.totalMinutes).toBeCloseTo(43.2, 10)
    expect(evaluation.budget!.remainingMinutes).toBeCloseTo(-21.108, 8)
  })

  it('reports burn rates for every burn window, shortest first, request-weighted', () => {
    // 99.9%: 5m 72/5000 = 0.0144 → 14.4x; 1h 300/20000 = 0.015 → 15x; 3d 0 errors → 0x
    const evaluation = evaluateEvents(makeSlo(), { '5m': [72, 5000], '1h': [300, 20000], '3d': [0, 1e6] })
    expect(Object.keys(evaluation.burnRates)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d'])
    expect(evaluation.burnRates['5m']).toBeCloseTo(14.4, 10)
    expect(evaluation.burnRates['1h']).toBeCloseTo(15, 10)
    expect(evaluation.burnRates['3d']).toBe(0)
    expect(evaluation.readings.map((r) => r.window)).toEqual(['30d', '5m', '30m', '1h', '2h', '6h', '1d', '3d'])
  })

  it('burn rates depend on the objective', () => {
    // r = 0.0144 over 1h: 1.44x at 99%, 144x at 99.99%, 0.144x at 90%
    const counts = { '1h': [144, 10000] as [number, number] }
    expect(evaluateEvents(makeSlo({ objective: 0.99 }), counts).burnRates['1h']).toBeCloseTo(1.44, 10)
    expect(evaluateEvents(makeSlo({ objective: 0.9999 }), counts).burnRates['1h']).toBeCloseTo(144, 8)
    expect(evaluateEvents(makeSlo({ objective: 0.9 }), counts).burnRates['1h']).toBeCloseTo(0.144, 10)
  })

  it('a window without traffic burns nothing (0, not null)', () => {
    const evaluation = evaluateEvents(makeSlo(), { '5m': [0, 0] })
    expect(evaluation.burnRates['5m']).toBe(0)
  })

  it('a window that could not be read has a null burn rate', () => {
    const evaluation = evaluateEvents(makeSlo(), { '5m': [vector(1), failedWith('timeout')], '6h': [vector(1), EMPTY] })
    expect(evaluation.burnRates['5m']).toBeNull()
    expect(evaluation.burnRates['6h']).toBeNull()
    expect(evaluation.burnRates['1h']).toBe(0)
  })

  it('an SLO window without traffic leaves the whole budget and no error ratio', () => {
    const evaluation = evaluateEvents(makeSlo(), { '30d': [0, 0] })
    expect(evaluation.sloWindow.status).toBe('no-traffic')
    expect(evaluation.errorRatio).toBeNull()
    expect(evaluation.budget!.consumed).toBe(0)
    expect(evaluation.budget!.remaining).toBe(1)
  })

  it('an SLO window that could not be read has no budget (null, never a full one)', () => {
    for (const answer of [[vector(0), EMPTY], [vector(0), failedWith('connection refused')], [vector(0), vector(Number.NaN)]]) {
      const evaluation = evaluateEvents(makeSlo(), { '30d': answer })
      expect(evaluation.budget).toBeNull()
      expect(evaluation.errorRatio).toBeNull()
      // the other windows are still read
      expect(evaluation.burnRates['1h']).toBe(0)
    }
  })

  it('includes the SLO window among the burn rates when it is also a burn window (a 3d SLO)', () => {
    // 3d SLO at 99.9%: 3d r = 500 / 1e6 = 0.0005 → 0.5x burn = 0.5 consumed
    const slo = makeSlo({ window: '3d', windowSeconds: 3 * DAY })
    const evaluation = evaluateEvents(slo, { '3d': [500, 1e6] })
    expect(evaluation.readings.map((r) => r.window)).toEqual(['3d', '5m', '30m', '1h', '2h', '6h', '1d'])
    expect(evaluation.burnRates['3d']).toBeCloseTo(0.5, 10)
    expect(evaluation.budget!.consumed).toBeCloseTo(0.5, 10)
    expect(Object.keys(evaluation.burnRates)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d'])
  })

  it('does not add the SLO window to the burn rates otherwise', () => {
    expect(evaluateEvents(makeSlo(), {}).burnRates).not.toHaveProperty('30d')
  })

  it('evaluates ratio SLIs from their one query', () => {
    const slo = makeSlo({ sli: RATIO_SLI, objective: 0.99 })
    const plan = planQueries([slo]).slos[0]
    const outcomes = new Map<string, QueryOutcome>()
    for (const w of plan.windows) outcomes.set(w.ratioQuery!, w.window === '30d' ? vector(0.005) : w.window === '5m' ? vector(Number.NaN) : vector(0.02))
    const evaluation = evaluateSlo(plan, outcomes)
    // 30d: 0.005 / 0.01 = 0.5 consumed;  1h: 0.02 / 0.01 = 2x;  5m: NaN = no traffic = 0x
    expect(evaluation.budget!.consumed).toBeCloseTo(0.5, 10)
    expect(evaluation.burnRates['1h']).toBeCloseTo(2, 10)
    expect(evaluation.burnRates['5m']).toBe(0)
  })

  it('evaluates good-events SLIs: 99% latency SLO, 98% fast → twice the budget spent', () => {
    // r = (1000 - 980) / 1000 = 0.02; consumed 0.02 / 0.01 = 2; remaining -1
    const evaluation = evaluateEvents(makeSlo({ sli: GOOD_SLI, objective: 0.99 }), { '30d': [980, 1000] }, [1000, 1000])
    expect(evaluation.budget!.consumed).toBeCloseTo(2, 10)
    expect(evaluation.budget!.remaining).toBeCloseTo(-1, 10)
    expect(evaluation.burnRates['1h']).toBe(0)
  })
})
