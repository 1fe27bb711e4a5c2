// The query plan: which PromQL each SLO needs for each window. Identical queries (same text,
// same evaluation time) are sent once however many SLOs share them.
import { type Slo, type SliSpec } from './config/model.js'
import { WINDOW_PLACEHOLDER } from './config/shared-schema.js'
import { formatDuration, parseDuration } from './duration.js'

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
  slo: Slo
  /** The SLO window first, then burn windows from shortest to longest. */
  windows: WindowPlan[]
}

export interface QueryPlan {
  slos: SloPlan[]
  /** Every distinct PromQL text to evaluate. */
  queries: string[]
}

export function renderWindow(template: string, window: string): string {
  return template.replace(new RegExp(WINDOW_PLACEHOLDER.source, 'g'), window)
}

/**
 * Burn-rate windows of an SLO (canonical, shortest first): the reported ones and those its
 * policy rules use. The SLO window is among them when the defaults or a rule use it (a 3d SLO).
 */
export function burnWindowsFor(slo: Slo): string[] {
  const burn = new Set(BURN_WINDOWS)
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

function windowPlan(sli: SliSpec, window: string): WindowPlan {
  const seconds = parseDuration(window)!
  if (sli.kind === 'ratio') return { window, seconds, ratioQuery: renderWindow(sli.errorRatioQuery, window) }
  return { window, seconds, badQuery: renderWindow(sli.badQuery, window), totalQuery: renderWindow(sli.totalQuery, window) }
}

export function planQueries(slos: Slo[]): QueryPlan {
  const queries = new Set<string>()
  const plans = slos.map((slo) => {
    const windows = windowsFor(slo).map((window) => windowPlan(slo.sli, window))
    for (const w of windows) for (const q of [w.badQuery, w.totalQuery, w.ratioQuery]) if (q) queries.add(q)
    return { slo, windows }
  })
  return { slos: plans, queries: [...queries] }
}
