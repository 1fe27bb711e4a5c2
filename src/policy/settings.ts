// The error-budget policy an SLO is judged by. Defaults are the SRE workbook's multiwindow,
// multi-burn-rate parameters for a 30-day window (see PRODUCT.md "Default policy").

export type Decision = 'allow' | 'warn' | 'freeze' | 'error'

export interface BurnRateRule {
  /** Name shown in reasons, e.g. "page (fast burn)". */
  name: string
  /** Both windows must burn at or above the threshold for the rule to fire. */
  long: string
  short: string
  threshold: number
  decision: 'freeze' | 'warn'
}

export interface PolicySettings {
  /** Freeze when the remaining budget (fraction, 1 = untouched) is at or below this. */
  freezeWhenBudgetRemainingAtMost: number
  /** Warn when the remaining budget is below this. */
  warnWhenBudgetRemainingBelow: number
  burnRateRules: BurnRateRule[]
  /** What an SLO with no data (or a failed query) decides. Never "allow": fail closed. */
  onNoData: 'error' | 'freeze' | 'warn'
  /**
   * What an SLO whose data fails a sanity check decides (several series, NaN, ±Inf, negative
   * counts, good > total, a ratio outside [0, 1], a stale series). Never "allow": fail closed.
   */
  onInvalidData: 'error' | 'freeze' | 'warn'
}

export const DEFAULT_POLICY: PolicySettings = {
  freezeWhenBudgetRemainingAtMost: 0,
  warnWhenBudgetRemainingBelow: 0.25,
  burnRateRules: [
    { name: 'page: fast burn', long: '1h', short: '5m', threshold: 14.4, decision: 'freeze' },
    { name: 'page: sustained burn', long: '6h', short: '30m', threshold: 6, decision: 'freeze' },
    { name: 'ticket: fast burn', long: '1d', short: '2h', threshold: 3, decision: 'warn' },
    { name: 'ticket: slow burn', long: '3d', short: '6h', threshold: 1, decision: 'warn' }
  ],
  onNoData: 'error',
  onInvalidData: 'error'
}

const SEVERITY: Record<Decision, number> = { allow: 0, warn: 1, freeze: 2, error: 3 }

/** The worse of decisions: error > freeze > warn > allow. */
export function worstDecision(decisions: Iterable<Decision>): Decision {
  let worst: Decision = 'allow'
  for (const decision of decisions) if (SEVERITY[decision] > SEVERITY[worst]) worst = decision
  return worst
}
