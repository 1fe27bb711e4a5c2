// Evaluates one SLO from its window readings: budget over the SLO window and burn rates.
import type { Slo } from '../config/model.js'
import { burnWindowsFor, type SloPlan } from '../plan.js'
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

export function evaluateSlo(plan: SloPlan, outcomes: ReadonlyMap<string, QueryOutcome>): SloEvaluation {
  const { slo } = plan
  const readings = plan.windows.map((window) => readWindow(slo.sli, window, outcomes))
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
