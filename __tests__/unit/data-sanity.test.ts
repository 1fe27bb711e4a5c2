// Data-sanity guards of the engine (pure): every shape of data that cannot be a valid SLI is an
// `invalid` reading with a named finding; a series that stopped is found across windows; the
// policy maps invalid data (invalidData, default error) apart from missing data (noData).
// Against a real Prometheus: __tests__/fault/bad-data.test.ts.
import { describe, expect, it } from '@jest/globals'

import type { SliSpec, Slo } from '../../src/config/model.js'
import { evaluateSlo } from '../../src/engine/evaluate.js'
import { FINDING_NAMES, readWindow, type DataFinding, type QueryOutcome } from '../../src/engine/readings.js'
import { planQueries } from '../../src/plan.js'
import { decideSlo } from '../../src/policy/decide.js'
import { DEFAULT_POLICY, type PolicySettings } from '../../src/policy/settings.js'

const ERRORS: SliSpec = { kind: 'events', bad: 'errors', badQuery: 'sum(increase(e[{{.window}}]))', totalQuery: 'sum(increase(t[{{.window}}]))' }
const GOOD: SliSpec = { kind: 'events', bad: 'good', badQuery: 'sum(increase(g[{{.window}}]))', totalQuery: 'sum(increase(t[{{.window}}]))' }
const RATIO: SliSpec = { kind: 'ratio', errorRatioQuery: 'sum(rate(e[{{.window}}])) / sum(rate(t[{{.window}}]))' }

function makeSlo(sli: SliSpec, policy: Partial<PolicySettings> = {}): Slo {
  return {
    service: 'checkout',
    name: 'availability',
    objective: 0.999,
    window: '30d',
    windowSeconds: 30 * 86400,
    sli,
    policy: { ...DEFAULT_POLICY, ...policy },
    source: { file: 'slos.yaml', document: 1, format: 'native', path: 'slos[0]' }
  }
}

function vector(...values: number[]): QueryOutcome {
  const labels = (i: number): Record<string, string> => (values.length > 1 ? { pod: `p${i}` } : {})
  return { ok: true, result: { resultType: 'vector', samples: values.map((value, i) => ({ labels: labels(i), value })), warnings: [] } }
}
const EMPTY = vector()

/** Outcomes for every window of the SLO: `answer(window)` gives [bad, total] or [ratio]. */
function evaluate(slo: Slo, answer: (window: string) => QueryOutcome[]) {
  const plan = planQueries([slo]).slos[0]!
  const outcomes = new Map<string, QueryOutcome>()
  for (const w of plan.windows) {
    const answers = answer(w.window)
    if (w.ratioQuery) outcomes.set(w.ratioQuery, answers[0]!)
    else {
      outcomes.set(w.badQuery!, answers[0]!)
      outcomes.set(w.totalQuery!, answers[1]!)
    }
  }
  return evaluateSlo(plan, outcomes)
}

const W1H = planQueries([makeSlo(ERRORS)]).slos[0]!.windows.find((w) => w.window === '1h')!
const G1H = planQueries([makeSlo(GOOD)]).slos[0]!.windows.find((w) => w.window === '1h')!
const R1H = planQueries([makeSlo(RATIO)]).slos[0]!.windows.find((w) => w.window === '1h')!

function read(sli: SliSpec, answers: QueryOutcome[]) {
  const plan = sli === RATIO ? R1H : sli === GOOD ? G1H : W1H
  const outcomes = new Map<string, QueryOutcome>()
  if (plan.ratioQuery) outcomes.set(plan.ratioQuery, answers[0]!)
  else {
    outcomes.set(plan.badQuery!, answers[0]!)
    outcomes.set(plan.totalQuery!, answers[1]!)
  }
  return readWindow(sli, plan, outcomes)
}

describe('each invalid shape has a named finding', () => {
  it.each<[string, SliSpec, QueryOutcome[], DataFinding]>([
    ['several total series', ERRORS, [vector(1), vector(600, 400)], 'several-series'],
    ['several error series', ERRORS, [vector(1, 2), vector(1000)], 'several-series'],
    ['several ratio series', RATIO, [vector(0.1, 0.2)], 'several-series'],
    ['NaN total', ERRORS, [vector(0), vector(Number.NaN)], 'nan'],
    ['+Inf errors', ERRORS, [vector(Number.POSITIVE_INFINITY), vector(1000)], 'infinite'],
    ['-Inf ratio', RATIO, [vector(Number.NEGATIVE_INFINITY)], 'infinite'],
    ['a negative total (delta() across a reset)', ERRORS, [vector(0), vector(-1080000)], 'negative-count'],
    ['a negative error count', ERRORS, [vector(-1), vector(1000)], 'negative-count'],
    ['good > total', GOOD, [vector(1001), vector(1000)], 'bad-exceeds-total'],
    ['errors > total', ERRORS, [vector(20), vector(10)], 'bad-exceeds-total'],
    ['errors without any traffic', ERRORS, [vector(3), vector(0)], 'bad-exceeds-total'],
    ['an error ratio above 1 (a percentage?)', RATIO, [vector(0.2 * 100)], 'ratio-out-of-range'],
    ['a negative error ratio', RATIO, [vector(-0.002)], 'ratio-out-of-range']
  ])('%s → %s', (_name, sli, answers, finding) => {
    const reading = read(sli, answers)
    expect(reading.status).toBe('invalid')
    expect(reading.finding).toBe(finding)
    expect(reading.errorRatio).toBeNull()
    expect(FINDING_NAMES[finding]).toBeTruthy()
  })

  it('a negative ratio is named as outside [0, 1], not as a negative count', () => {
    expect(read(RATIO, [vector(-0.002)]).problem).toMatch(/-0\.002, outside \[0, 1\]: an error ratio is never negative/)
  })

  it.each<[string, SliSpec, QueryOutcome[]]>([
    ['a valid reading', ERRORS, [vector(1), vector(1000)]],
    ['no traffic', ERRORS, [vector(0), vector(0)]],
    ['no series at all (no data, not invalid)', ERRORS, [EMPTY, EMPTY]],
    ['a failed query', ERRORS, [vector(0), { ok: false, error: 'HTTP 503' }]],
    ['a ratio of NaN (0/0: no traffic)', RATIO, [vector(Number.NaN)]],
    ['ratio bounds 0 and 1', RATIO, [vector(1)]]
  ])('%s has no finding', (_name, sli, answers) => {
    const reading = read(sli, answers)
    expect(reading.finding).toBeUndefined()
    expect(reading.status).not.toBe('invalid')
  })
})

describe('stale series: no series in short windows while a longer one has data', () => {
  const stoppedAnHourAgo = (window: string) => (['5m', '30m', '1h'].includes(window) ? [EMPTY, EMPTY] : [vector(10), vector(100_000)])

  it('marks the empty shorter windows stale (invalid), keeps the others', () => {
    const evaluation = evaluate(makeSlo(ERRORS), stoppedAnHourAgo)
    const byWindow = Object.fromEntries(evaluation.readings.map((r) => [r.window, r]))
    for (const window of ['5m', '30m', '1h']) {
      expect({ window, status: byWindow[window]!.status, finding: byWindow[window]!.finding }).toEqual({ window, status: 'invalid', finding: 'stale-series' })
      expect(byWindow[window]!.problem).toMatch(new RegExp(`^total query returned no series over ${window} but has data over 30d: the series stopped being reported`))
    }
    for (const window of ['30d', '2h', '6h', '1d', '3d']) expect(byWindow[window]!.status).toBe('ok')
    // The budget is still computed (the SLO window has data); the burn rates that need the empty
    // windows are unknown, never 0.
    expect(evaluation.budget).not.toBeNull()
    expect(evaluation.burnRates['5m']).toBeNull()
  })

  it('decides error by default (the recent burn cannot be read), naming the finding', () => {
    const verdict = decideSlo(evaluate(makeSlo(ERRORS), stoppedAnHourAgo))
    expect(verdict.decision).toBe('error')
    expect(verdict.reasons[0]).toMatch(/^cannot evaluate "page: fast burn" \(1h\/5m\): invalid data \(stale series\): total query returned no series over 1h/)
  })

  it('follows invalidData, not noData', () => {
    expect(decideSlo(evaluate(makeSlo(ERRORS, { onInvalidData: 'warn' }), stoppedAnHourAgo)).decision).toBe('warn')
    expect(decideSlo(evaluate(makeSlo(ERRORS, { onNoData: 'warn' }), stoppedAnHourAgo)).decision).toBe('error')
    expect(decideSlo(evaluate(makeSlo(ERRORS, { onInvalidData: 'freeze' }), stoppedAnHourAgo)).decision).toBe('freeze')
  })

  it('for error-ratio SLIs too', () => {
    const evaluation = evaluate(makeSlo(RATIO), (window) => [window === '5m' ? EMPTY : vector(0.0001)])
    const fiveMinutes = evaluation.readings.find((r) => r.window === '5m')!
    expect(fiveMinutes.finding).toBe('stale-series')
    expect(fiveMinutes.problem).toMatch(/^error-ratio query returned no series over 5m but has data over 30d/)
  })

  it('an idle series (reported, zero increase) is no traffic, not stale', () => {
    const evaluation = evaluate(makeSlo(ERRORS), (window) => (['5m', '30m', '1h'].includes(window) ? [EMPTY, vector(0)] : [vector(10), vector(100_000)]))
    expect(evaluation.readings.find((r) => r.window === '5m')!.status).toBe('no-traffic')
    expect(decideSlo(evaluation).decision).toBe('allow')
  })

  it('no series in any window is no data (a misspelt metric), not stale', () => {
    const evaluation = evaluate(makeSlo(ERRORS), () => [EMPTY, EMPTY])
    expect(evaluation.readings.every((r) => r.status === 'no-data' && r.finding === undefined)).toBe(true)
  })

  it('an empty good query over real traffic stays no-data (a wrong label), not stale', () => {
    const evaluation = evaluate(makeSlo(GOOD), (window) => (window === '5m' ? [EMPTY, vector(500)] : [vector(99_990), vector(100_000)]))
    const fiveMinutes = evaluation.readings.find((r) => r.window === '5m')!
    expect(fiveMinutes.status).toBe('no-data')
    expect(fiveMinutes.finding).toBeUndefined()
  })

  it('a failed short window is failed, not stale', () => {
    const evaluation = evaluate(makeSlo(ERRORS), (window) => (window === '5m' ? [EMPTY, { ok: false, error: 'HTTP 503' }] : [vector(1), vector(1000)]))
    expect(evaluation.readings.find((r) => r.window === '5m')!.status).toBe('failed')
  })
})

describe('the policy names the finding in its reasons', () => {
  it('over the SLO window', () => {
    const verdict = decideSlo(evaluate(makeSlo(ERRORS), (window) => (window === '30d' ? [vector(20), vector(10)] : [vector(1), vector(1000)])))
    expect(verdict.decision).toBe('error')
    expect(verdict.reasons[0]).toMatch(/^invalid data \(more bad events than total\) over the 30d SLO window: errors \(20\) exceed total events \(10\)/)
  })
})
