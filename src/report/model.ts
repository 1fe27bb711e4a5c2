// The JSON report (PRODUCT.md contract): the names and meanings of decision, evaluatedAt,
// reasons and slos[].{service,name,objective,window,decision,errorRatio,budget,burnRates,
// reasons} are promised to other people's scripts. Everything else is extra detail.
import { sloId } from '../config/model.js'
import { budgetFraction } from '../engine/math.js'
import type { WindowStatus } from '../engine/readings.js'
import { exitCodeFor, type OnError } from '../outcome.js'
import type { GateVerdict } from '../policy/decide.js'
import type { Decision } from '../policy/settings.js'
import type { QueryPlan } from '../plan.js'

export interface WindowReport {
  window: string
  status: WindowStatus
  errorRatio: number | null
  burnRate: number | null
  /** Bad (errors, or good events for good/total SLIs) and total as the queries returned them. */
  bad: number | null
  total: number | null
  queries: { bad?: string; total?: string; errorRatio?: string }
  problem?: string
  notes?: string[]
  warnings?: string[]
}

export interface SloReport {
  id: string
  service: string
  name: string
  description?: string
  objective: number
  window: string
  decision: Decision
  errorRatio: number | null
  /** Achieved SLI over the window (1 - errorRatio). */
  sli: number | null
  budget: {
    remaining: number | null
    consumed: number | null
    totalMinutes: number
    remainingMinutes: number | null
  }
  burnRates: Record<string, number | null>
  reasons: string[]
  source: string
  windows: WindowReport[]
}

export interface GateReport {
  decision: Decision
  evaluatedAt: string
  reasons: string[]
  /** Whether an exemption let the change through (the decision above is still shown). */
  exempt: boolean
  dryRun: boolean
  onError: OnError
  exitCode: number
  /** The lowest remaining budget across SLOs (null when none could be computed). */
  budgetRemaining: number | null
  prometheus?: string
  configFiles: string[]
  queryCount: number
  slos: SloReport[]
}

export interface ReportContext {
  evaluatedAt: number
  onError: OnError
  dryRun: boolean
  prometheus?: string
  configFiles: string[]
}

export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
}

function lowest(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null)
  return known.length === 0 ? null : Math.min(...known)
}

export function buildReport(verdict: GateVerdict, plan: QueryPlan, context: ReportContext): GateReport {
  const slos = verdict.slos.map(({ evaluation, verdict: sloVerdict }, i): SloReport => {
    const { slo, budget } = evaluation
    const windowPlans = plan.slos[i].windows
    return {
      id: sloId(slo),
      service: slo.service,
      name: slo.name,
      ...(slo.description ? { description: slo.description } : {}),
      objective: slo.objective,
      window: slo.window,
      decision: sloVerdict.decision,
      errorRatio: evaluation.errorRatio,
      sli: evaluation.errorRatio === null ? null : 1 - evaluation.errorRatio,
      budget: {
        remaining: budget?.remaining ?? null,
        consumed: budget?.consumed ?? null,
        totalMinutes: (budgetFraction(slo.objective) * slo.windowSeconds) / 60,
        remainingMinutes: budget?.remainingMinutes ?? null
      },
      burnRates: evaluation.burnRates,
      reasons: sloVerdict.reasons,
      source: `${slo.source.file} (document ${slo.source.document}, ${slo.source.path})`,
      windows: evaluation.readings.map((reading, w) => ({
        window: reading.window,
        status: reading.status,
        errorRatio: reading.errorRatio,
        burnRate: w === 0 ? (budget?.consumed ?? null) : (evaluation.burnRates[reading.window] ?? null),
        bad: reading.bad,
        total: reading.total,
        queries: {
          ...(windowPlans[w].badQuery ? { bad: windowPlans[w].badQuery } : {}),
          ...(windowPlans[w].totalQuery ? { total: windowPlans[w].totalQuery } : {}),
          ...(windowPlans[w].ratioQuery ? { errorRatio: windowPlans[w].ratioQuery } : {})
        },
        ...(reading.problem ? { problem: reading.problem } : {}),
        ...(reading.notes.length ? { notes: reading.notes } : {}),
        ...(reading.warnings.length ? { warnings: [...new Set(reading.warnings)] } : {})
      }))
    }
  })
  return {
    decision: verdict.decision,
    evaluatedAt: isoTime(context.evaluatedAt),
    reasons: verdict.reasons,
    exempt: false,
    dryRun: context.dryRun,
    onError: context.onError,
    exitCode: exitCodeFor(verdict.decision, context),
    budgetRemaining: lowest(slos.map((s) => s.budget.remaining)),
    ...(context.prometheus ? { prometheus: context.prometheus } : {}),
    configFiles: context.configFiles,
    queryCount: plan.queries.length,
    slos
  }
}

/** The report when no evaluation could happen (invalid configuration or flags): always exit 2. */
export function buildErrorReport(message: string, context: ReportContext): GateReport {
  return {
    decision: 'error',
    evaluatedAt: isoTime(context.evaluatedAt),
    reasons: [message],
    exempt: false,
    dryRun: context.dryRun,
    onError: context.onError,
    exitCode: 2,
    budgetRemaining: null,
    ...(context.prometheus ? { prometheus: context.prometheus } : {}),
    configFiles: context.configFiles,
    queryCount: 0,
    slos: []
  }
}
