// Replays the policy at every step of a backtest. Pure: the answers each query had at each step
// go through the very engine and policy `check --at <step>` uses (evaluateSlo, decideGate), so
// a step's decision is the decision the gate would have made at that instant.
import { sloId } from '../config/model.js'
import { evaluateSlo } from '../engine/evaluate.js'
import type { QueryOutcome } from '../engine/readings.js'
import type { QueryPlan } from '../plan.js'
import { decideGate } from '../policy/decide.js'
import type { Decision } from '../policy/settings.js'

export interface SloStep {
  decision: Decision
  /** Short names of what decided (see SloVerdict.causes). */
  causes: string[]
  /** The first reason, as check would show it. */
  reason: string
  budgetRemaining: number | null
  burnRates: Record<string, number | null>
}

export interface BacktestStep {
  /** Unix seconds. */
  time: number
  decision: Decision
  reasons: string[]
  /** One per SLO, in the plan's order. */
  slos: SloStep[]
}

/** The answers of every query at step `index`. */
export function outcomesAt(outcomes: ReadonlyMap<string, readonly QueryOutcome[]>, index: number): Map<string, QueryOutcome> {
  const at = new Map<string, QueryOutcome>()
  for (const [query, list] of outcomes) {
    const outcome = list[index]
    if (outcome) at.set(query, outcome)
  }
  return at
}

export function replayStep(plan: QueryPlan, time: number, outcomes: ReadonlyMap<string, QueryOutcome>): BacktestStep {
  const verdict = decideGate(plan.slos.map((slo) => evaluateSlo(slo, outcomes)))
  return {
    time,
    decision: verdict.decision,
    reasons: verdict.reasons,
    slos: verdict.slos.map(({ evaluation, verdict: slo }) => ({
      decision: slo.decision,
      causes: slo.causes,
      reason: slo.reasons[0] ?? '',
      budgetRemaining: evaluation.budget?.remaining ?? null,
      burnRates: evaluation.burnRates
    }))
  }
}

/** Every step's decision, from the per-step answers of the plan's queries. */
export function replay(plan: QueryPlan, times: readonly number[], outcomes: ReadonlyMap<string, readonly QueryOutcome[]>): BacktestStep[] {
  return times.map((time, index) => replayStep(plan, time, outcomesAt(outcomes, index)))
}

/** "service/name" of each SLO of the plan, in order. */
export function planSloIds(plan: QueryPlan): string[] {
  return plan.slos.map((s) => sloId(s.slo))
}
