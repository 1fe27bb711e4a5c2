// Applies the error-budget policy to evaluated SLOs. Pure: evaluations in, decisions and the
// reasons for them (in plain words) out.
import { sloId } from '../config/model.js'
import { formatDuration, parseDuration } from '../duration.js'
import { isUsable, type SloEvaluation } from '../engine/evaluate.js'
import { FINDING_NAMES, type WindowReading } from '../engine/readings.js'
import { worstDecision, type Decision } from './settings.js'

export interface SloVerdict {
  decision: Decision
  reasons: string[]
  /**
   * Short, stable names of what decided (one per decisive reason, same order): "error budget
   * exhausted", a burn-rate rule's name, "no data"... Numbers are left out, so that the causes of
   * a period (e.g. a freeze in a backtest) can be told apart and counted.
   */
  causes: string[]
}

export interface GateVerdict {
  decision: Decision
  reasons: string[]
  slos: { evaluation: SloEvaluation; verdict: SloVerdict }[]
}

export function formatPercent(fraction: number): string {
  const percent = fraction * 100
  const digits = Math.abs(percent) >= 10 || percent === 0 ? 1 : Math.abs(percent) >= 1 ? 2 : 3
  return `${percent.toFixed(digits)}%`
}

export function formatBurn(burn: number): string {
  return `${burn >= 100 ? burn.toFixed(0) : burn >= 10 ? burn.toFixed(1) : burn.toFixed(2)}x`
}

export function formatMinutes(minutes: number): string {
  return `${minutes.toFixed(Math.abs(minutes) >= 100 ? 0 : 1)} min`
}

/**
 * Relative slack for comparing with thresholds. Burn rates and budgets are float divisions: an
 * error ratio of exactly 1.44% at 99.9% computes as a burn of 14.399999999999999, and 900 errors
 * in 1e6 at 99.9% leave 0.10000000000000009 of the budget. A value that equals a threshold in
 * decimal arithmetic must count as reaching it ("≥ 14.4", "remaining ≤ 0", "not below 25%").
 */
const SLACK = 1e-9

function tolerance(threshold: number): number {
  return SLACK * Math.max(1, Math.abs(threshold))
}

/** value ≥ threshold, up to float noise. */
export function reaches(value: number, threshold: number): boolean {
  return value >= threshold - tolerance(threshold)
}

/** value ≤ threshold, up to float noise. */
export function atMost(value: number, threshold: number): boolean {
  return value <= threshold + tolerance(threshold)
}

function readingFor(evaluation: SloEvaluation, window: string): WindowReading | undefined {
  const canonical = formatDuration(parseDuration(window)!)
  return evaluation.readings.find((reading) => reading.window === canonical)
}

function unreadable(reading: WindowReading | undefined, window: string): string {
  return reading?.problem ?? `no reading for the ${window} window`
}

/** What a window that cannot be judged decides: invalid data and missing data are mapped apart. */
function onUnreadable(reading: WindowReading | undefined, policy: SloEvaluation['slo']['policy']): Decision {
  return reading?.status === 'invalid' ? policy.onInvalidData : policy.onNoData
}

/** "invalid data (stale series)", "query failed", "no data". */
function describeStatus(reading: WindowReading | undefined): string {
  if (reading?.status === 'failed') return 'query failed'
  if (reading?.status === 'invalid') return `invalid data${reading.finding ? ` (${FINDING_NAMES[reading.finding]})` : ''}`
  return 'no data'
}

export function decideSlo(evaluation: SloEvaluation): SloVerdict {
  const { slo, budget } = evaluation
  const policy = slo.policy
  const triggered: { decision: Decision; reason: string; cause: string; aboutBudget?: true }[] = []

  if (!isUsable(evaluation.sloWindow) || budget === null) {
    triggered.push({
      decision: onUnreadable(evaluation.sloWindow, policy),
      reason: `${describeStatus(evaluation.sloWindow)} over the ${slo.window} SLO window: ${unreadable(evaluation.sloWindow, slo.window)}`,
      cause: `${describeStatus(evaluation.sloWindow)} over the ${slo.window} SLO window`
    })
  } else {
    const budgetText = `${formatPercent(budget.consumed)} of the ${slo.window} error budget consumed, ${formatPercent(budget.remaining)} left (${formatMinutes(budget.remainingMinutes)} of ${formatMinutes(budget.totalMinutes)} of full outage)`
    if (evaluation.sloWindow.status === 'no-traffic') {
      triggered.push({ decision: 'allow', reason: `no events in the ${slo.window} SLO window: nothing has burned the budget`, cause: 'no events' })
    }
    if (atMost(budget.remaining, policy.freezeWhenBudgetRemainingAtMost)) {
      triggered.push({ decision: 'freeze', reason: `error budget exhausted: ${budgetText}`, cause: 'error budget exhausted', aboutBudget: true })
    } else if (!reaches(budget.remaining, policy.warnWhenBudgetRemainingBelow)) {
      triggered.push({ decision: 'warn', reason: `error budget low: ${budgetText} (warns below ${formatPercent(policy.warnWhenBudgetRemainingBelow)})`, cause: 'error budget low', aboutBudget: true })
    }
    triggered.push({ decision: 'allow', reason: budgetText, cause: 'within budget', aboutBudget: true })
  }

  for (const rule of policy.burnRateRules) {
    const long = readingFor(evaluation, rule.long)
    const short = readingFor(evaluation, rule.short)
    // A window that was read (even without traffic) has a burn rate; anything else cannot be
    // judged and decides per onNoData: an unknown burn is never read as 0.
    const burnOf = (reading: WindowReading | undefined) => (reading && isUsable(reading) ? evaluation.burnRates[reading.window] ?? null : null)
    const longBurn = burnOf(long)
    const shortBurn = burnOf(short)
    if (longBurn === null || shortBurn === null) {
      const [reading, window] = longBurn === null ? [long, rule.long] : [short, rule.short]
      const what = reading?.status === 'invalid' ? `${describeStatus(reading)}: ` : ''
      triggered.push({
        decision: onUnreadable(reading, policy),
        reason: `cannot evaluate "${rule.name}" (${rule.long}/${rule.short}): ${what}${unreadable(reading, window)}`,
        cause: `${describeStatus(reading)}: ${rule.name}`
      })
      continue
    }
    if (reaches(longBurn, rule.threshold) && reaches(shortBurn, rule.threshold)) {
      triggered.push({
        decision: rule.decision,
        reason: `${rule.name}: burning ${formatBurn(longBurn)} over ${long!.window} and ${formatBurn(shortBurn)} over ${short!.window} (${rule.decision} at ≥ ${formatBurn(rule.threshold)} on both)`,
        cause: rule.name
      })
    }
  }

  const decision = worstDecision(triggered.map((t) => t.decision))
  // Show what decided first; the budget summary stays as context when nothing else fired.
  const decisive = triggered.filter((t) => t.decision === decision)
  const reasons = decisive.map((t) => t.reason)
  const causes = decisive.map((t) => t.cause)
  const budgetSummary = triggered.find((t) => t.aboutBudget && t.decision === 'allow')
  if (budgetSummary && !decisive.some((t) => t.aboutBudget)) reasons.push(budgetSummary.reason)
  return { decision, reasons, causes }
}

export function decideGate(evaluations: SloEvaluation[]): GateVerdict {
  const slos = evaluations.map((evaluation) => ({ evaluation, verdict: decideSlo(evaluation) }))
  const decision = slos.length === 0 ? 'error' : worstDecision(slos.map((s) => s.verdict.decision))
  const reasons: string[] = []
  if (slos.length === 0) reasons.push('no SLOs were evaluated: the configuration defines none')
  for (const { evaluation, verdict } of slos) {
    if (verdict.decision === decision && decision !== 'allow') reasons.push(`${sloId(evaluation.slo)}: ${verdict.reasons[0]}`)
  }
  if (decision === 'allow' && slos.length > 0) {
    reasons.push(`all ${slos.length} SLO${slos.length === 1 ? '' : 's'} within budget and not burning fast`)
  }
  return { decision, reasons, slos }
}
