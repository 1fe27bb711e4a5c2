// The error-budget arithmetic (PRODUCT.md "The math"). Occurrences budgeting: the error ratio
// over a window is bad events / total events over that window, request-weighted.

export interface Budget {
  /** Share of the window's budget spent: error ratio / (1 - objective). Never clamped. */
  consumed: number
  /** 1 - consumed: 1 = untouched, 0 = spent, negative = overspent. */
  remaining: number
  /** The whole budget as minutes of full outage over the window: (1 - objective) × window. */
  totalMinutes: number
  /** remaining × totalMinutes (negative when overspent). */
  remainingMinutes: number
}

/** Error budget as a fraction of events: 1 - objective (0.001 for 99.9%). */
export function budgetFraction(objective: number): number {
  // Rounded so that 1 - 0.999 is 0.001, not 0.0010000000000000009: objectives have at most a
  // few decimals, and the noise would otherwise show in every reported number.
  return Number((1 - objective).toPrecision(12))
}

/** How many times faster than "exactly spent at the window's end" the budget is burning. */
export function burnRate(errorRatio: number, objective: number): number {
  return errorRatio / budgetFraction(objective)
}

export function budgetOver(errorRatio: number, objective: number, windowSeconds: number): Budget {
  const consumed = burnRate(errorRatio, objective)
  const remaining = 1 - consumed
  const totalMinutes = (budgetFraction(objective) * windowSeconds) / 60
  return { consumed, remaining, totalMinutes, remainingMinutes: remaining * totalMinutes }
}

/** Error ratio from bad (errors) or good event counts over the same window. */
export function errorRatioFromEvents(bad: number, total: number, badMeans: 'errors' | 'good'): number {
  const errors = badMeans === 'errors' ? bad : total - bad
  return errors / total
}
