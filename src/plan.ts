// The query plan: which PromQL each SLO needs for each window. Identical queries (same text,
// same evaluation time) are sent once however many SLOs share them.
import { type Budgeting, type Slo, type SliSpec } from './config/model.js'
import { WINDOW_PLACEHOLDER } from './config/shared-schema.js'
import { formatDuration, parseDuration } from './duration.js'
import { prometheusDurationName, WINDOW_NAME_PLACEHOLDER } from './config/recorded.js'
import { calendarPeriod, describeCalendar, type CalendarPeriod } from './engine/calendar.js'

/** Burn-rate windows always reported (the SRE workbook's, for a 30-day SLO). */
export const BURN_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d']

export interface WindowPlan {
  window: string
  seconds: number
  /** errors or good events (per sli.bad), and total events; or one error-ratio query. */
  badQuery?: string
  totalQuery?: string
  ratioQuery?: string
}

export interface SloPlan {
  /**
   * The SLO as evaluated: for a calendar window, `window` names the period and `windowSeconds`
   * is its length; for Timeslices/RatioTimeslices, `sli` is the slice-counting ratio query.
   */
  slo: Slo
  /** The SLO window first, then burn windows from shortest to longest. */
  windows: WindowPlan[]
  /** The calendar period being evaluated (calendar windows with an evaluation time). */
  period?: CalendarPeriod
  /** How the SLO was planned, when the report should say so. */
  notes?: string[]
}

export interface QueryPlan {
  slos: SloPlan[]
  /** Every distinct PromQL text to evaluate. */
  queries: string[]
}

/**
 * A query template for one window: `{{.window}}` becomes the window ("28d"), and `{{.windowName}}`
 * (in the names of recorded series) the window as Prometheus, Sloth and Pyrra name it ("4w").
 */
export function renderWindow(template: string, window: string): string {
  const rendered = template.replace(new RegExp(WINDOW_PLACEHOLDER.source, 'g'), window)
  if (!rendered.includes('{{.windowName}}')) return rendered
  return rendered.replace(WINDOW_NAME_PLACEHOLDER, prometheusDurationName(parseDuration(window)!))
}

/**
 * Burn-rate windows of an SLO (canonical, shortest first): the reported ones and those its
 * policy rules use. The SLO window is among them when the defaults or a rule use it (a 3d SLO).
 */
export function burnWindowsFor(slo: Slo): string[] {
  // Recorded series exist for some windows only (Pyrra's): report those, not the usual set.
  const burn = new Set(slo.recorded?.windows ?? BURN_WINDOWS)
  for (const rule of slo.policy.burnRateRules) {
    burn.add(formatDuration(parseDuration(rule.long)!))
    burn.add(formatDuration(parseDuration(rule.short)!))
  }
  return [...burn].sort((a, b) => parseDuration(a)! - parseDuration(b)!)
}

/** Windows an SLO needs: its own, the reported burn windows and those its policy rules use. */
export function windowsFor(slo: Slo): string[] {
  return [slo.window, ...burnWindowsFor(slo).filter((window) => window !== slo.window)]
}

/** The queries of one SLI over one window (any Prometheus duration, e.g. "5m" or "9m30s"). */
export function windowPlan(sli: SliSpec, window: string): WindowPlan {
  const seconds = parseDuration(window)!
  if (sli.kind === 'ratio') return { window, seconds, ratioQuery: renderWindow(sli.errorRatioQuery, window) }
  return { window, seconds, badQuery: renderWindow(sli.badQuery, window), totalQuery: renderWindow(sli.totalQuery, window) }
}

/** In a timeslices query: the window whose slices make the budget (the whole calendar period, or the window read). */
const BUDGET_WINDOW = /\{\{\.budgetWindow\}\}/g

/** Reading a calendar period sooner than this after it began reads this much instead (increase() needs two samples). */
export const MIN_PERIOD_READ_SECONDS = 300

function clean(fraction: number): number {
  return Number(fraction.toPrecision(12))
}

/**
 * OpenSLO's Timeslices and RatioTimeslices as one error-ratio query per window, evaluated by
 * Prometheus with a subquery at the slice length:
 * - Timeslices: bad slices / slices, a slice being bad when its good ratio is below the target
 *   (error ratio above 1 - target); a slice without events (0/0 = NaN) compares false: good.
 * - RatioTimeslices: Σ slice error ratios / slices; slices without events are left out of the sum.
 * The denominator counts every slice step of {{.budgetWindow}}: slices without data are good, and
 * a calendar period's budget covers the whole period.
 */
export function timeslicesSli(sli: SliSpec, budgeting: Budgeting): SliSpec {
  const slice = formatDuration(budgeting.sliceSeconds)
  const at = (template: string) => `(${renderWindow(template, slice)})`
  const steps = (expression: string) => `(${expression})[{{.window}}:${slice}]`
  let numerator: string
  if (budgeting.method === 'Timeslices') {
    const bad =
      sli.kind === 'ratio'
        ? `${at(sli.errorRatioQuery)} > bool ${clean(1 - budgeting.sliceTarget)}`
        : sli.bad === 'good'
          ? `(${at(sli.badQuery)} / ${at(sli.totalQuery)}) < bool ${budgeting.sliceTarget}`
          : `(${at(sli.badQuery)} / ${at(sli.totalQuery)}) > bool ${clean(1 - budgeting.sliceTarget)}`
    numerator = `sum_over_time(${steps(bad)})`
  } else {
    const errorRatio = sli.kind === 'ratio' ? at(sli.errorRatioQuery) : sli.bad === 'good' ? `(1 - ${at(sli.badQuery)} / ${at(sli.totalQuery)})` : `(${at(sli.badQuery)} / ${at(sli.totalQuery)})`
    // NaN (no events) is dropped by ">= 0"; "or … * 0" keeps a 0 when every slice was idle.
    numerator = `(sum_over_time(${steps(`${errorRatio} >= 0`)}) or (count_over_time(${steps(errorRatio)}) * 0))`
  }
  return { kind: 'ratio', errorRatioQuery: `${numerator} / scalar(count_over_time(vector(1)[{{.budgetWindow}}:${slice}]))` }
}

/** The SLO as evaluated at `at` (calendar period, timeslices query), and the text of its own window. */
function resolve(slo: Slo, at: number | undefined): { slo: Slo; window: string; budgetWindow: string; period?: CalendarPeriod; notes: string[] } {
  const notes: string[] = []
  const sli = slo.budgeting ? timeslicesSli(slo.sli, slo.budgeting) : slo.sli
  if (slo.budgeting) {
    notes.push(
      slo.budgeting.method === 'Timeslices'
        ? `Timeslices: ${formatDuration(slo.budgeting.sliceSeconds)} slices, good when at least ${clean(slo.budgeting.sliceTarget * 100)}% of their events are good (slices without events are good); error ratio = bad slices / slices`
        : `RatioTimeslices: ${formatDuration(slo.budgeting.sliceSeconds)} slices, each weighing the same; error ratio = mean of the slices' error ratios (slices without events count as 0)`
    )
  }
  if (!slo.calendar) return { slo: { ...slo, sli }, window: slo.window, budgetWindow: slo.window, notes }
  if (at === undefined) {
    notes.push(`${describeCalendar(slo.calendar)} read as a rolling ${slo.window} window: no evaluation time was given to place the period`)
    return { slo: { ...slo, sli }, window: slo.window, budgetWindow: slo.window, notes }
  }
  const period = calendarPeriod(at, slo.calendar)
  const read = Math.max(period.elapsedSeconds, MIN_PERIOD_READ_SECONDS)
  if (read > period.elapsedSeconds) notes.push(`the period began ${period.elapsedSeconds}s ago: the last ${formatDuration(read)} are read, the end of the previous period included`)
  const length = formatDuration(period.lengthSeconds)
  return {
    slo: { ...slo, sli, window: describeCalendar(slo.calendar), windowSeconds: period.lengthSeconds },
    window: formatDuration(read),
    budgetWindow: length,
    period,
    notes
  }
}

/**
 * The queries of every SLO. `at` (unix seconds, the evaluation time) places calendar periods;
 * without it a calendar SLO is read as a rolling window of its nominal length (and says so).
 */
export function planQueries(slos: Slo[], at?: number): QueryPlan {
  const queries = new Set<string>()
  const plans = slos.map((original) => {
    const { slo, window, budgetWindow, period, notes } = resolve(original, at)
    const names = [window, ...burnWindowsFor(slo).filter((w) => w !== window)]
    const windows = names.map((name, i) => {
      const plan = windowPlan(slo.sli, name)
      // Pyrra records the SLO window as increases (request-weighted), the burn windows as ratios.
      if (i === 0 && slo.recorded?.sloWindowRatioQuery) plan.ratioQuery = renderWindow(slo.recorded.sloWindowRatioQuery, name)
      if (plan.ratioQuery) plan.ratioQuery = plan.ratioQuery.replace(BUDGET_WINDOW, i === 0 ? budgetWindow : name)
      return plan
    })
    for (const w of windows) for (const q of [w.badQuery, w.totalQuery, w.ratioQuery]) if (q) queries.add(q)
    return { slo, windows, ...(period ? { period } : {}), ...(notes.length ? { notes } : {}) }
  })
  return { slos: plans, queries: [...queries] }
}
