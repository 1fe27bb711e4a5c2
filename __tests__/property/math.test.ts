// Properties of the error-budget math (PRODUCT.md "The math"), checked with fast-check over the
// engine's real code path (query answers → readings → evaluation → decision), and the one that
// depends on the server checked against the real Prometheus of the global setup:
//   - the remaining budget never grows when errors grow (and the decision never gets better);
//   - windows are additive: errors and totals over adjacent windows add up, and the combined
//     error ratio is the request-weighted mean of the two (not the mean of the ratios);
//   - the burn rate over the SLO window is the budget consumed; remaining = 1 - consumed, unclamped.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'

import type { SliSpec, Slo } from '../../src/config/model.js'
import { evaluateSlo, type SloEvaluation } from '../../src/engine/evaluate.js'
import { budgetFraction, budgetOver, burnRate, errorRatioFromEvents } from '../../src/engine/math.js'
import type { QueryOutcome } from '../../src/engine/readings.js'
import { planQueries } from '../../src/plan.js'
import { decideSlo } from '../../src/policy/decide.js'
import { DEFAULT_POLICY, type Decision } from '../../src/policy/settings.js'
import { MINUTE, DAY, FINE_DURATION } from '../../scripts/lib/history.mjs'
import { scalarQuery, testPrometheus } from '../harness/prometheus.js'

const RUNS = Number(process.env.EBG_FUZZ_RUNS ?? 300)
const SEVERITY: Record<Decision, number> = { allow: 0, warn: 1, freeze: 2, error: 3 }

const ERRORS_SLI: SliSpec = { kind: 'events', bad: 'errors', badQuery: 'sum(increase(e[{{.window}}]))', totalQuery: 'sum(increase(t[{{.window}}]))' }
const GOOD_SLI: SliSpec = { kind: 'events', bad: 'good', badQuery: 'sum(increase(g[{{.window}}]))', totalQuery: 'sum(increase(t[{{.window}}]))' }

/** Objectives as people write them: 50% to 99.999%, at most 3 decimals of a percent. */
const objective = fc.integer({ min: 50_000, max: 99_999 }).map((thousandths) => Number((thousandths / 100_000).toPrecision(12)))
/** Event counts as increase() returns them: whole or fractional (extrapolated), up to 1e12. */
const count = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true }))
const positive = fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 1e-3, max: 1e12, noNaN: true, noDefaultInfinity: true }))

function makeSlo(obj: number, sli: SliSpec = ERRORS_SLI, window = '30d', windowSeconds = 30 * DAY): Slo {
  return {
    service: 'svc',
    name: 'slo',
    objective: obj,
    window,
    windowSeconds,
    sli,
    policy: DEFAULT_POLICY,
    source: { file: 'slos.yaml', document: 1, format: 'native', path: 'slos[0]' }
  }
}

function vector(value: number): QueryOutcome {
  return { ok: true, result: { resultType: 'vector', samples: [{ labels: {}, value }], warnings: [] } }
}

/** Evaluates an SLO whose every window answers (bad, total) as `counts(window)` gives. */
function evaluate(slo: Slo, counts: (window: string) => [number, number]): SloEvaluation {
  const plan = planQueries([slo]).slos[0]!
  const outcomes = new Map<string, QueryOutcome>()
  for (const w of plan.windows) {
    const [bad, total] = counts(w.window)
    outcomes.set(w.badQuery!, vector(bad))
    outcomes.set(w.totalQuery!, vector(total))
  }
  return evaluateSlo(plan, outcomes)
}

/** errors ≤ total pairs: [smaller errors, larger errors, total]. */
const errorPair = fc.tuple(positive, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map(([total, a, b]) => {
  const [low, high] = a <= b ? [a, b] : [b, a]
  return [low * total, high * total, total] as const
})

describe('the remaining budget is monotone (non-increasing) in errors', () => {
  it('errors SLIs: more errors over the SLO window never leave more budget', () => {
    fc.assert(
      fc.property(objective, errorPair, (obj, [fewer, more, total]) => {
        const a = evaluate(makeSlo(obj), () => [fewer, total]).budget!
        const b = evaluate(makeSlo(obj), () => [more, total]).budget!
        expect(b.remaining).toBeLessThanOrEqual(a.remaining)
        expect(b.consumed).toBeGreaterThanOrEqual(a.consumed)
      }),
      { numRuns: RUNS }
    )
  })

  it('good-events SLIs: fewer good events (more errors) never leave more budget', () => {
    fc.assert(
      fc.property(objective, errorPair, (obj, [fewerGood, moreGood, total]) => {
        const moreErrors = evaluate(makeSlo(obj, GOOD_SLI), () => [fewerGood, total]).budget!
        const fewerErrors = evaluate(makeSlo(obj, GOOD_SLI), () => [moreGood, total]).budget!
        expect(moreErrors.remaining).toBeLessThanOrEqual(fewerErrors.remaining)
      }),
      { numRuns: RUNS }
    )
  })

  it('and the decision never gets better with more errors in every window', () => {
    fc.assert(
      fc.property(objective, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 1e9 }), (obj, a, b, total) => {
        const [low, high] = a <= b ? [a, b] : [b, a]
        const better = decideSlo(evaluate(makeSlo(obj), () => [low * total, total])).decision
        const worse = decideSlo(evaluate(makeSlo(obj), () => [high * total, total])).decision
        expect(SEVERITY[worse]).toBeGreaterThanOrEqual(SEVERITY[better])
      }),
      { numRuns: RUNS }
    )
  })

  it('remaining = 1 - consumed, consumed = error ratio / (1 - objective), never clamped', () => {
    fc.assert(
      fc.property(objective, count, positive, (obj, errors, total) => {
        fc.pre(errors <= total)
        const evaluation = evaluate(makeSlo(obj), () => [errors, total])
        const budget = evaluation.budget!
        const ratio = errors / total
        expect(evaluation.errorRatio).toBe(ratio)
        expect(budget.consumed).toBeCloseTo(ratio / (1 - obj), 6)
        expect(budget.remaining).toBe(1 - budget.consumed)
        // Overspent is negative, not 0.
        if (ratio > 1 - obj) expect(budget.remaining).toBeLessThan(0)
      }),
      { numRuns: RUNS }
    )
  })
})

describe('windows are additive', () => {
  it('errors and totals of adjacent windows add up; the combined ratio is the request-weighted mean', () => {
    fc.assert(
      fc.property(errorPair, errorPair, ([errorsA, , totalA], [errorsB, , totalB]) => {
        const ratioA = errorRatioFromEvents(errorsA, totalA, 'errors')
        const ratioB = errorRatioFromEvents(errorsB, totalB, 'errors')
        const combined = errorRatioFromEvents(errorsA + errorsB, totalA + totalB, 'errors')
        const weighted = (totalA * ratioA + totalB * ratioB) / (totalA + totalB)
        expect(Math.abs(combined - weighted)).toBeLessThanOrEqual(1e-12 * Math.max(1, weighted))
        // Between the two, as a weighted mean is.
        expect(combined).toBeGreaterThanOrEqual(Math.min(ratioA, ratioB) - 1e-15)
        expect(combined).toBeLessThanOrEqual(Math.max(ratioA, ratioB) + 1e-15)
      }),
      { numRuns: RUNS }
    )
  })

  it('so do burn rates: the burn over both windows is the traffic-weighted mean of the two burns', () => {
    fc.assert(
      fc.property(objective, errorPair, errorPair, (obj, [errorsA, , totalA], [errorsB, , totalB]) => {
        const burnA = burnRate(errorsA / totalA, obj)
        const burnB = burnRate(errorsB / totalB, obj)
        const burnBoth = burnRate((errorsA + errorsB) / (totalA + totalB), obj)
        const weighted = (totalA * burnA + totalB * burnB) / (totalA + totalB)
        expect(Math.abs(burnBoth - weighted)).toBeLessThanOrEqual(1e-9 * Math.max(1, weighted))
      }),
      { numRuns: RUNS }
    )
  })
})

describe('burn rates are consistent with the budget', () => {
  it('the burn rate over the SLO window is the share of the budget consumed', () => {
    fc.assert(
      fc.property(objective, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 60, max: 400 * DAY }), (obj, ratio, seconds) => {
        expect(burnRate(ratio, obj)).toBe(budgetOver(ratio, obj, seconds).consumed)
      }),
      { numRuns: RUNS }
    )
  })

  it('through the engine: a 3d SLO reports the same number as its 3d burn rate and its budget consumed', () => {
    fc.assert(
      fc.property(objective, errorPair, (obj, [errors, , total]) => {
        const evaluation = evaluate(makeSlo(obj, ERRORS_SLI, '3d', 3 * DAY), () => [errors, total])
        expect(evaluation.burnRates['3d']).toBe(evaluation.budget!.consumed)
      }),
      { numRuns: RUNS }
    )
  })

  it('a burn of 1 for the whole window spends exactly the whole budget; the minutes scale with the window', () => {
    fc.assert(
      fc.property(objective, fc.integer({ min: 1, max: 400 }).map((days) => days * DAY), (obj, seconds) => {
        const budget = budgetOver(budgetFraction(obj), obj, seconds)
        expect(budget.consumed).toBeCloseTo(1, 12)
        expect(budget.remaining).toBeCloseTo(0, 12)
        expect(budget.totalMinutes).toBeCloseTo((budgetFraction(obj) * seconds) / 60, 9)
      }),
      { numRuns: RUNS }
    )
  })
})

describe('windows are additive in a real Prometheus (increase() over the generated history)', () => {
  // In the last 2 days the history has a sample every minute, on whole minutes: a window whose
  // both ends are sample times is read without extrapolation (Prometheus 2.x selects [t - w, t]
  // inclusive), so increase() over [t - a - b, t] is exactly the sum over [t - b, t] and
  // [t - a - b, t - b]. The services cover a steady rate, a rate change (fast-burn at END-1h)
  // and traffic stopping (idle-recently at END-2h).
  const { end } = testPrometheus()
  const services = ['healthy', 'fast-burn', 'slow-burn', 'idle-recently']
  const minutes = FINE_DURATION / MINUTE
  const split = fc
    .record({
      service: fc.constantFrom(...services),
      endsAgo: fc.integer({ min: 0, max: minutes - 4 }),
      a: fc.integer({ min: 1, max: minutes }),
      b: fc.integer({ min: 1, max: minutes })
    })
    .filter(({ endsAgo, a, b }) => endsAgo + a + b <= minutes)

  const increase = (service: string, code: string | null, rangeMinutes: number, at: number) =>
    scalarQuery(`sum(increase(http_requests_total{service="${service}"${code ? `,code="${code}"` : ''}}[${rangeMinutes}m]))`, at)

  it('errors and totals add up, and the engine reads the combined window as the weighted mean', async () => {
    await fc.assert(
      fc.asyncProperty(split, async ({ service, endsAgo, a, b }) => {
        const t = end - endsAgo * MINUTE
        const [errorsAll, totalAll, errorsRecent, totalRecent, errorsEarlier, totalEarlier] = await Promise.all([
          increase(service, '500', a + b, t),
          increase(service, null, a + b, t),
          increase(service, '500', b, t),
          increase(service, null, b, t),
          increase(service, '500', a, t - b * MINUTE),
          increase(service, null, a, t - b * MINUTE)
        ])
        expect(errorsAll).toBeCloseTo(errorsRecent + errorsEarlier, 6)
        expect(totalAll).toBeCloseTo(totalRecent + totalEarlier, 6)
        if (totalRecent > 0 && totalEarlier > 0) {
          const weighted = (totalRecent * (errorsRecent / totalRecent) + totalEarlier * (errorsEarlier / totalEarlier)) / (totalRecent + totalEarlier)
          expect(errorRatioFromEvents(errorsAll, totalAll, 'errors')).toBeCloseTo(weighted, 12)
        }
      }),
      { numRuns: 25 }
    )
  })
})
