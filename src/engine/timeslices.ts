// OpenSLO's timeslice budgeting methods, as pure functions over slices (each slice: the good and
// total events of one timeSliceWindow, or no data).
//
// - Timeslices: a slice is good when its share of good events meets timeSliceTarget. The budget
//   is (1 - objective) × the slices of the whole window; bad slices spend it.
// - RatioTimeslices: every slice weighs the same, whatever its traffic: the SLI is the mean of
//   the slices' ratios, and each slice spends (1 - its ratio) of one slice's worth.
//
// A slice without events (or without data) is good: nothing failed in it, and a quiet minute
// must not burn a budget (the same rule as "a window with no events has no burn"). The budget
// counts every slice of the window, those without data included, so that budgets have the
// size OpenSLO's examples give them (10,080 minutes × 0.05% = 5.04 bad minutes a week).
import { budgetFraction } from './math.js'

export interface Slice {
  good: number
  total: number
}

/** Tolerance for "ratio ≥ target" with ratios computed from float sums. */
const SLACK = 1e-12

/** Good events / total of a slice; null without events. */
export function sliceRatio(slice: Slice | null): number | null {
  if (!slice || !(slice.total > 0)) return null
  return Math.min(1, Math.max(0, slice.good / slice.total))
}

export function isGoodSlice(slice: Slice | null, sliceTarget: number): boolean {
  const ratio = sliceRatio(slice)
  return ratio === null || ratio >= sliceTarget - SLACK
}

export interface SliceBudget {
  /** Slices in the whole window (or calendar period). */
  slicesInWindow: number
  /** Timeslices: slices that missed the slice target. RatioTimeslices: Σ(1 - ratio), in slices. */
  badSlices: number
  /** The budget in slices: (1 - objective) × slicesInWindow. */
  allowedBadSlices: number
  /** badSlices / slicesInWindow: the error ratio the burn and budget arithmetic uses. */
  errorRatio: number
  consumed: number
  remaining: number
}

function budget(badSlices: number, slicesInWindow: number, objective: number): SliceBudget {
  const allowed = budgetFraction(objective) * slicesInWindow
  const errorRatio = badSlices / slicesInWindow
  const consumed = badSlices / allowed
  return { slicesInWindow, badSlices, allowedBadSlices: allowed, errorRatio, consumed, remaining: 1 - consumed }
}

/** Timeslices over the slices seen so far, against a budget for `slicesInWindow` slices (≥ slices.length). */
export function timeslicesBudget(slices: readonly (Slice | null)[], options: { objective: number; sliceTarget: number; slicesInWindow?: number }): SliceBudget {
  const slicesInWindow = options.slicesInWindow ?? slices.length
  if (slicesInWindow < slices.length || slicesInWindow <= 0) throw new Error(`slicesInWindow (${slicesInWindow}) must be at least the slices given (${slices.length}) and above 0`)
  const bad = slices.filter((slice) => !isGoodSlice(slice, options.sliceTarget)).length
  return budget(bad, slicesInWindow, options.objective)
}

/** RatioTimeslices: each slice spends (1 - its ratio) of a slice; slices without events spend nothing. */
export function ratioTimeslicesBudget(slices: readonly (Slice | null)[], options: { objective: number; slicesInWindow?: number }): SliceBudget {
  const slicesInWindow = options.slicesInWindow ?? slices.length
  if (slicesInWindow < slices.length || slicesInWindow <= 0) throw new Error(`slicesInWindow (${slicesInWindow}) must be at least the slices given (${slices.length}) and above 0`)
  const bad = slices.reduce((sum, slice) => sum + (1 - (sliceRatio(slice) ?? 1)), 0)
  return budget(bad, slicesInWindow, options.objective)
}

/** How many slices fit in a window; a partial slice at the end does not count. */
export function slicesIn(windowSeconds: number, sliceSeconds: number): number {
  return Math.floor(windowSeconds / sliceSeconds + 1e-9)
}
