// Burn-rate rules for an SLO window of any length. Two published ways of scaling them:
//
// - SRE workbook / Sloth: a rule says "this share of the period's budget was spent within the
//   long window". Windows stay as written and the threshold follows from the period:
//     threshold = errorBudgetPercent × period_hours / 100 / long_window_hours
//   (Sloth's getBurnRateFactor). 2% in 1h, 5% in 6h, 10% in 1d and 10% in 3d give 14.4, 6, 3
//   and 1 over 30 days, 13.44, 5.6, 2.8 and 0.933 over 28 days.
// - Pyrra: thresholds stay 14, 7, 2 and 1 and the windows scale with the period (1h, 6h, 1d
//   and 4d for 28 days, i.e. period/672, /112, /28 and /7, rounded to the minute).
import { formatDuration, parseDuration } from '../duration.js'
import { DEFAULT_POLICY, type BurnRateRule, type PolicySettings } from './settings.js'

const HOUR = 3600
const DAY = 86400

/** A rule written the SRE-workbook way: a share of the period's budget spent in the long window. */
export interface BudgetShareRule {
  name: string
  /** Percent of the whole period's error budget spent within the long window. */
  budgetPercent: number
  long: string
  short: string
  decision: 'freeze' | 'warn'
}

/** Google's windows (SRE workbook table 5-8; Sloth's built-in google-30d and google-28d). */
export const GOOGLE_BURN_RULES: readonly BudgetShareRule[] = Object.freeze([
  { name: 'page: fast burn', budgetPercent: 2, long: '1h', short: '5m', decision: 'freeze' },
  { name: 'page: sustained burn', budgetPercent: 5, long: '6h', short: '30m', decision: 'freeze' },
  { name: 'ticket: fast burn', budgetPercent: 10, long: '1d', short: '2h', decision: 'warn' },
  { name: 'ticket: slow burn', budgetPercent: 10, long: '3d', short: '6h', decision: 'warn' }
])

/**
 * Sloth's 7-day example windows (examples/windows/7d.yaml). Used for periods shorter than 28
 * days: with Google's percentages a 7-day SLO would open a ticket at 0.23x (10% of a week's
 * budget in 3 days), i.e. while the budget is on course to last four weeks.
 */
export const SHORT_PERIOD_BURN_RULES: readonly BudgetShareRule[] = Object.freeze([
  { name: 'page: fast burn', budgetPercent: 8, long: '1h', short: '5m', decision: 'freeze' },
  { name: 'page: sustained burn', budgetPercent: 12.5, long: '6h', short: '30m', decision: 'freeze' },
  { name: 'ticket: fast burn', budgetPercent: 20, long: '1d', short: '2h', decision: 'warn' },
  { name: 'ticket: slow burn', budgetPercent: 42, long: '3d', short: '6h', decision: 'warn' }
])

/** Periods at least this long use Google's percentages; shorter ones the short-period table. */
export const GOOGLE_MIN_PERIOD_SECONDS = 28 * DAY

/** Sloth's factor, with its float path (5.6000000000000005 for 5% over 6h of 28 days, as Sloth prints). */
export function burnFactor(budgetPercent: number, periodSeconds: number, longSeconds: number): number {
  return (budgetPercent * (periodSeconds / HOUR)) / 100 / (longSeconds / HOUR)
}

/**
 * Rules with thresholds for a period. A rule whose long window is longer than the period is
 * dropped: it would look at data from before the period began.
 */
export function scaleBudgetShareRules(rules: readonly BudgetShareRule[], periodSeconds: number): BurnRateRule[] {
  return rules
    .filter((rule) => parseDuration(rule.long)! <= periodSeconds)
    .map((rule) => ({
      name: rule.name,
      long: rule.long,
      short: rule.short,
      threshold: burnFactor(rule.budgetPercent, periodSeconds, parseDuration(rule.long)!),
      decision: rule.decision
    }))
}

/** The default rules for a period: Google's percentages from 28 days up, the short-period table below. */
export function sreBurnRules(periodSeconds: number): BurnRateRule[] {
  return scaleBudgetShareRules(periodSeconds >= GOOGLE_MIN_PERIOD_SECONDS ? GOOGLE_BURN_RULES : SHORT_PERIOD_BURN_RULES, periodSeconds)
}

/** Go's time.Duration.Round(time.Minute): to the nearest minute, halves away from zero. */
function roundToMinute(seconds: number): number {
  return Math.max(60, Math.round(seconds / 60) * 60)
}

/** Pyrra's multiwindow table (slo/rules.go Windows()): factors 14/7/2/1, windows scaled with the period. */
export function pyrraBurnRules(periodSeconds: number): BurnRateRule[] {
  const table: [string, number, number, number, 'freeze' | 'warn'][] = [
    ['page: fast burn (Pyrra)', 672, 8064, 14, 'freeze'],
    ['page: sustained burn (Pyrra)', 112, 1344, 7, 'freeze'],
    ['ticket: fast burn (Pyrra)', 28, 336, 2, 'warn'],
    ['ticket: slow burn (Pyrra)', 7, 112, 1, 'warn']
  ]
  return table.map(([name, longDivisor, shortDivisor, threshold, decision]) => ({
    name,
    long: formatDuration(roundToMinute(periodSeconds / longDivisor)),
    short: formatDuration(roundToMinute(periodSeconds / shortDivisor)),
    threshold,
    decision
  }))
}

export type BurnRuleFamily = 'sre' | 'pyrra'

/** The default policy for an SLO window: DEFAULT_POLICY's budget thresholds, burn rules scaled to the window. */
export function defaultPolicyFor(periodSeconds: number, family: BurnRuleFamily = 'sre'): PolicySettings {
  if (family === 'sre' && periodSeconds === 30 * DAY) return DEFAULT_POLICY
  return { ...DEFAULT_POLICY, burnRateRules: family === 'pyrra' ? pyrraBurnRules(periodSeconds) : sreBurnRules(periodSeconds) }
}
