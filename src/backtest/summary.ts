// What a backtest adds up to: time spent in each decision, each freeze (start, end, cause) and
// how often the gate toggled. Pure. Each step stands for the time until the next step, so a
// step's decision counts for one step length.
import type { Decision } from '../policy/settings.js'
import type { BacktestStep } from './replay.js'

export interface Period {
  /** Unix seconds of the first step in the period. */
  start: number
  /** The first step after it with another decision; null when it lasts to the last step. */
  end: number | null
  steps: number
  /** steps × step length. */
  seconds: number
  /** What caused it, each once, in the order they first appeared. */
  causes: string[]
  /** The main reason at its first step. */
  reason: string
}

export interface DecisionStats {
  /** Steps per decision. */
  steps: Record<Decision, number>
  /** Time per decision (steps × step length), in seconds. */
  seconds: Record<Decision, number>
  freezes: Period[]
  /** How often the decision switched into or out of freeze from one step to the next. */
  toggles: number
  /** How often the decision changed at all from one step to the next. */
  changes: number
}

const DECISIONS: Decision[] = ['allow', 'warn', 'freeze', 'error']

function counts(): Record<Decision, number> {
  return Object.fromEntries(DECISIONS.map((d) => [d, 0])) as Record<Decision, number>
}

export function statsOf(
  decisions: readonly Decision[],
  times: readonly number[],
  step: number,
  causesAt: (index: number) => string[],
  reasonAt: (index: number) => string
): DecisionStats {
  const steps = counts()
  const freezes: Array<Period & { seen: Set<string> }> = []
  let toggles = 0
  let changes = 0
  let current: (Period & { seen: Set<string> }) | undefined
  decisions.forEach((decision, i) => {
    steps[decision]++
    if (i > 0 && decision !== decisions[i - 1]) {
      changes++
      if ((decision === 'freeze') !== (decisions[i - 1] === 'freeze')) toggles++
    }
    if (decision === 'freeze') {
      if (!current) {
        current = { start: times[i], end: null, steps: 0, seconds: 0, causes: [], reason: reasonAt(i), seen: new Set() }
        freezes.push(current)
      }
      current.steps++
      current.seconds += step
      for (const cause of causesAt(i)) {
        if (!current.seen.has(cause)) {
          current.seen.add(cause)
          current.causes.push(cause)
        }
      }
    } else if (current) {
      current.end = times[i]
      current = undefined
    }
  })
  const seconds = counts()
  for (const decision of DECISIONS) seconds[decision] = steps[decision] * step
  return { steps, seconds, freezes: freezes.map(({ seen: _seen, ...period }) => period), toggles, changes }
}

/** Stats of the overall decision: a freeze's causes are "<SLO>: <cause>" of every frozen SLO. */
export function overallStats(steps: readonly BacktestStep[], ids: readonly string[], step: number): DecisionStats {
  return statsOf(
    steps.map((s) => s.decision),
    steps.map((s) => s.time),
    step,
    (i) => steps[i].slos.flatMap((slo, j) => (slo.decision === 'freeze' ? slo.causes.map((cause) => `${ids[j]}: ${cause}`) : [])),
    (i) => steps[i].reasons[0] ?? ''
  )
}

/** Stats of one SLO (index `j` in each step). */
export function sloStats(steps: readonly BacktestStep[], j: number, step: number): DecisionStats {
  return statsOf(
    steps.map((s) => s.slos[j].decision),
    steps.map((s) => s.time),
    step,
    (i) => steps[i].slos[j].causes,
    (i) => steps[i].slos[j].reason
  )
}
