// Evaluates one SLO from its window readings: budget over the SLO window and burn rates.
import type { Slo } from '../config/model.js'
import { burnWindowsFor, type SloPlan, type WindowPlan } from '../plan.js'
import { budgetOver, burnRate, type Budget } from './math.js'
import { readWindow, type QueryOutcome, type WindowReading } from './readings.js'

export interface SloEvaluation {
  slo: Slo
  /** Reading over the SLO window. */
  sloWindow: WindowReading
  /** null when the SLO window could not be read (see sloWindow.problem). */
  budget: Budget | null
  /** Error ratio over the SLO window; null when unknown or with no events. */
  errorRatio: number | null
  /**
   * Burn rate per burn window (shortest first): 0 with no events, null when the window could
   * not be read. Includes the SLO window when it is also a burn window (e.g. a 3d SLO).
   */
  burnRates: Record<string, number | null>
  readings: WindowReading[]
}

/** A window is usable when it was read, with or without traffic. */
export function isUsable(reading: WindowReading): boolean {
  return reading.status === 'ok' || reading.status === 'no-traffic'
}

function burnOf(reading: WindowReading, objective: number): number | null {
  if (reading.status === 'no-traffic') return 0
  if (reading.status !== 'ok' || reading.errorRatio === null) return null
  return burnRate(reading.errorRatio, objective)
}

/** Whether a query answered with no series at all (not failed, not zero). */
function answeredEmpty(outcomes: ReadonlyMap<string, QueryOutcome>, query: string | undefined): boolean {
  const outcome = query === undefined ? undefined : outcomes.get(query)
  return outcome?.ok === true && outcome.result.samples.length === 0
}

/**
 * A series that stopped being reported: the total (or error-ratio) query has no series over a
 * window although a longer window has data. Ranges nest (the longer window holds every sample
 * of the shorter one), so real data cannot do this unless the series ended: a target gone or no
 * longer scraped, or a metric or label renamed. It is not zero traffic (an idle series is still
 * reported and increases by 0, which reads as `no-traffic`). Such windows are `invalid`
 * (`stale-series`) instead of `no-data`: a burn rate that cannot be read is never read as 0.
 */
export function markStaleWindows(readings: WindowReading[], windows: readonly WindowPlan[], outcomes: ReadonlyMap<string, QueryOutcome>): WindowReading[] {
  const withData = readings.filter(isUsable)
  if (withData.length === 0) return readings
  const longest = withData.reduce((a, b) => (b.seconds > a.seconds ? b : a))
  return readings.map((reading, i) => {
    const plan = windows[i]
    const query = plan.totalQuery ?? plan.ratioQuery
    if (reading.status !== 'no-data' || reading.seconds >= longest.seconds || !answeredEmpty(outcomes, query)) return reading
    const why = plan.totalQuery
      ? 'the series stopped being reported (a target down or no longer scraped, or a metric or label renamed)'
      : 'a series it divides stopped being reported, or has none in that window (errors counted only after the first one: write (sum(rate(errors[…])) or vector(0)) / …)'
    return {
      ...reading,
      status: 'invalid',
      finding: 'stale-series',
      problem: `${plan.totalQuery ? 'total' : 'error-ratio'} query returned no series over ${reading.window} but has data over ${longest.window}: ${why}, so the recent burn rate cannot be read — query: ${query}`
    }
  })
}

export function evaluateSlo(plan: SloPlan, outcomes: ReadonlyMap<string, QueryOutcome>): SloEvaluation {
  const { slo } = plan
  const readings = markStaleWindows(
    plan.windows.map((window) => readWindow(slo.sli, window, outcomes)),
    plan.windows,
    outcomes
  )
  const sloWindow = readings[0]
  let budget: Budget | null = null
  if (sloWindow.status === 'ok') budget = budgetOver(sloWindow.errorRatio!, slo.objective, slo.windowSeconds)
  else if (sloWindow.status === 'no-traffic') budget = budgetOver(0, slo.objective, slo.windowSeconds)
  const burnRates: Record<string, number | null> = {}
  const byWindow = new Map(readings.map((reading) => [reading.window, reading]))
  for (const window of burnWindowsFor(slo)) {
    const reading = byWindow.get(window)
    burnRates[window] = reading ? burnOf(reading, slo.objective) : null
  }
  return { slo, sloWindow, budget, errorRatio: sloWindow.status === 'ok' ? sloWindow.errorRatio : null, burnRates, readings }
}
