// Turns query answers into readings of one window. Every odd shape (no series, several series,
// NaN, ±Inf, negative counts, good > total, a ratio outside [0, 1], a failed query) becomes a
// named status with a sentence saying what was wrong and where; none is silently turned into a
// number. Data that cannot be a valid SLI is `invalid` with a named `finding` (see DataFinding),
// which the policy maps to a decision (`invalidData`, default error: never allow). Findings that
// need several windows (a series that stopped: `stale-series`) are added by evaluate.ts.
import type { SliSpec } from '../config/model.js'
import type { WindowPlan } from '../plan.js'
import type { InstantResult } from '../prometheus/response.js'
import { errorRatioFromEvents } from './math.js'

export type QueryOutcome = { ok: true; result: InstantResult } | { ok: false; error: string }

export type WindowStatus =
  /** Events were counted: errorRatio is set. */
  | 'ok'
  /** Series exist but no events happened: no burn, no ratio. */
  | 'no-traffic'
  /** The total (or ratio) query returned no series at all. */
  | 'no-data'
  /** The answer had a shape that cannot be a valid SLI (named in `problem`). */
  | 'invalid'
  /** The query itself failed (network, HTTP, PromQL error). */
  | 'failed'

/**
 * Why data is invalid (status `invalid`). A counter reset inside the window is not one:
 * increase() and rate() count across resets (see README, "Reliability: faults and bad input").
 */
export type DataFinding =
  /** A query returned several series where one was expected (a missing sum(...)). */
  | 'several-series'
  /** NaN where a count is expected. */
  | 'nan'
  /** +Inf or -Inf (a division by zero). */
  | 'infinite'
  /** A negative count: counters never decrease (a gauge, delta() or a subtraction). */
  | 'negative-count'
  /** More errors (or good events) than total events. */
  | 'bad-exceeds-total'
  /** An error ratio below 0 or above 1. */
  | 'ratio-out-of-range'
  /** No series in a short window while a longer one has data: the series stopped being reported. */
  | 'stale-series'

/** Short names of the findings, as the reports show them. */
export const FINDING_NAMES: Record<DataFinding, string> = {
  'several-series': 'several series',
  nan: 'NaN',
  infinite: 'infinite value',
  'negative-count': 'negative count',
  'bad-exceeds-total': 'more bad events than total',
  'ratio-out-of-range': 'SLI outside [0, 1]',
  'stale-series': 'stale series'
}

export interface WindowReading {
  window: string
  seconds: number
  status: WindowStatus
  /** What made the data invalid (set exactly when status is `invalid`). */
  finding?: DataFinding
  errorRatio: number | null
  /** The numbers as the queries returned them (events, or per-second rates for rate() queries). */
  bad: number | null
  total: number | null
  /** What was wrong, or a note worth reading (e.g. errors query empty, counted as 0). */
  problem?: string
  notes: string[]
  warnings: string[]
}

/** Relative slack for good ≤ total: separate float sums may differ in the last bits. */
const EVENT_COUNT_TOLERANCE = 1e-9

type Single =
  | { kind: 'value'; value: number }
  | { kind: 'problem'; status: WindowStatus; finding?: DataFinding; message: string }
  | { kind: 'empty' }

function single(outcome: QueryOutcome | undefined, label: string, query: string): Single {
  if (!outcome) return { kind: 'problem', status: 'failed', message: `${label} query was not run: ${query}` }
  if (!outcome.ok) return { kind: 'problem', status: 'failed', message: `${label} query failed: ${outcome.error} — query: ${query}` }
  const samples = outcome.result.samples
  if (samples.length === 0) return { kind: 'empty' }
  if (samples.length > 1) {
    const example = JSON.stringify(samples[0].labels)
    return {
      kind: 'problem',
      status: 'invalid',
      finding: 'several-series',
      message: `${label} query returned ${samples.length} series where one was expected (e.g. ${example}); aggregate it with sum(...) — query: ${query}`
    }
  }
  const value = samples[0].value
  if (Number.isNaN(value)) return { kind: 'problem', status: 'invalid', finding: 'nan', message: `${label} query returned NaN — query: ${query}` }
  if (!Number.isFinite(value)) {
    return { kind: 'problem', status: 'invalid', finding: 'infinite', message: `${label} query returned ${value > 0 ? '+Inf' : '-Inf'} (a division by zero?) — query: ${query}` }
  }
  if (value < 0) {
    if (label === 'error-ratio') {
      return { kind: 'problem', status: 'invalid', finding: 'ratio-out-of-range', message: `${label} query returned ${value}, outside [0, 1]: an error ratio is never negative — query: ${query}` }
    }
    return {
      kind: 'problem',
      status: 'invalid',
      finding: 'negative-count',
      message: `${label} query returned a negative count (${value}); counters never decrease: is it a gauge, delta() or a difference? — query: ${query}`
    }
  }
  return { kind: 'value', value }
}

function findingOf(finding: DataFinding | undefined): { finding?: DataFinding } {
  return finding ? { finding } : {}
}

function warningsOf(...outcomes: (QueryOutcome | undefined)[]): string[] {
  return outcomes.flatMap((o) => (o?.ok ? o.result.warnings : []))
}

export function readWindow(sli: SliSpec, plan: WindowPlan, outcomes: ReadonlyMap<string, QueryOutcome>): WindowReading {
  const base = { window: plan.window, seconds: plan.seconds, notes: [] as string[] }
  if (sli.kind === 'ratio') {
    const outcome = outcomes.get(plan.ratioQuery!)
    const warnings = warningsOf(outcome)
    const answer = outcome?.ok && outcome.result.samples.length === 1 && Number.isNaN(outcome.result.samples[0].value)
      ? ({ kind: 'nan' } as const)
      : single(outcome, 'error-ratio', plan.ratioQuery!)
    if (answer.kind === 'nan') {
      // 0/0: the ratio of two zero rates. No events in the window, so nothing burned.
      return { ...base, status: 'no-traffic', errorRatio: null, bad: null, total: null, notes: [`no events in ${plan.window} (the error-ratio query returned NaN, i.e. 0/0)`], warnings }
    }
    if (answer.kind === 'empty') {
      return { ...base, status: 'no-data', errorRatio: null, bad: null, total: null, problem: `error-ratio query returned no series over ${plan.window}: check the metric and label names — query: ${plan.ratioQuery}`, warnings }
    }
    if (answer.kind === 'problem') return { ...base, status: answer.status, ...findingOf(answer.finding), errorRatio: null, bad: null, total: null, problem: answer.message, warnings }
    if (answer.value > 1) {
      return {
        ...base,
        status: 'invalid',
        finding: 'ratio-out-of-range',
        errorRatio: null,
        bad: null,
        total: null,
        problem: `error-ratio query returned ${answer.value}, outside [0, 1]: is it a percentage, or errors over good instead of over total? — query: ${plan.ratioQuery}`,
        warnings
      }
    }
    return { ...base, status: 'ok', errorRatio: answer.value, bad: null, total: null, warnings }
  }

  const badLabel = sli.bad === 'errors' ? 'errors' : 'good-events'
  const badOutcome = outcomes.get(plan.badQuery!)
  const totalOutcome = outcomes.get(plan.totalQuery!)
  const warnings = warningsOf(badOutcome, totalOutcome)
  const total = single(totalOutcome, 'total', plan.totalQuery!)
  const bad = single(badOutcome, badLabel, plan.badQuery!)
  const failed = (status: WindowStatus, problem: string, finding?: DataFinding): WindowReading => ({
    ...base,
    status,
    ...findingOf(finding),
    errorRatio: null,
    bad: null,
    total: null,
    problem,
    warnings
  })

  if (total.kind === 'problem') return failed(total.status, total.message, total.finding)
  if (bad.kind === 'problem') return failed(bad.status, bad.message, bad.finding)
  if (total.kind === 'empty') {
    return failed('no-data', `total query returned no series over ${plan.window}: the metric does not exist or its labels match nothing (check names and labels) — query: ${plan.totalQuery}`)
  }
  let badValue: number
  if (bad.kind === 'empty') {
    if (sli.bad === 'good' && total.value > 0) {
      // An empty good-events query over real traffic is far likelier a misspelt label than
      // 100% failures: reading it as "all bad" would freeze on a typo, as "0" would hide it.
      return failed('no-data', `good-events query returned no series while the total query counted ${total.value} over ${plan.window}: check the good query's labels (e.g. the le bucket) — query: ${plan.badQuery}`)
    }
    // Error series often appear only after the first error (e.g. code="500"): none yet is 0.
    badValue = 0
    base.notes.push(`${badLabel} query returned no series over ${plan.window}; counted as 0 ${sli.bad === 'errors' ? 'errors' : 'good events (no traffic)'}`)
  } else badValue = bad.value

  if (badValue > total.value * (1 + EVENT_COUNT_TOLERANCE)) {
    return failed(
      'invalid',
      `${badLabel} (${badValue}) exceed total events (${total.value}) over ${plan.window}: the ${badLabel} query must count a subset of the total query's events — queries: ${plan.badQuery} / ${plan.totalQuery}`,
      'bad-exceeds-total'
    )
  }
  badValue = Math.min(badValue, total.value)
  if (total.value === 0) {
    return { ...base, status: 'no-traffic', errorRatio: null, bad: badValue, total: 0, notes: [...base.notes, `no events in ${plan.window}`], warnings }
  }
  return { ...base, status: 'ok', errorRatio: errorRatioFromEvents(badValue, total.value, sli.bad), bad: badValue, total: total.value, warnings }
}
