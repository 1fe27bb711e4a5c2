// The JSON report (PRODUCT.md contract): the names and meanings of decision, evaluatedAt,
// reasons and slos[].{service,name,objective,window,decision,errorRatio,budget,burnRates,
// reasons} are promised to other people's scripts. Everything else is extra detail.
import { sloId } from '../config/model.js'
import { formatDuration } from '../duration.js'
import type { CalendarPeriod } from '../engine/calendar.js'
import { budgetFraction } from '../engine/math.js'
import type { DataFinding, WindowStatus } from '../engine/readings.js'
import { exitCodeFor, type OnError } from '../outcome.js'
import type { GateVerdict } from '../policy/decide.js'
import type { Decision } from '../policy/settings.js'
import type { QueryPlan } from '../plan.js'

export interface WindowReport {
  window: string
  status: WindowStatus
  /** Why the data is invalid (status `invalid`): several-series, stale-series, … */
  finding?: DataFinding
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
  /** The file's format (native, sloth, openslo, pyrra). */
  format?: string
  /** How the file was read, when it matters (e.g. a Pyrra grouping evaluated as one aggregate). */
  notes?: string[]
  /** OpenSLO's budgeting method when it is not Occurrences: Timeslices or RatioTimeslices. */
  budgeting?: { method: string; slice: string; sliceTarget?: number }
  /**
   * A calendar-aligned window: the period evaluated, and how much of it is left. The budget is
   * for the whole period; `window` names the period (e.g. "calendar month (Europe/Berlin)").
   */
  period?: { start: string; end: string; elapsed: string; remaining: string; remainingFraction: number }
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
  /** Where the SLO files (and their policy) came from, when the action read them through the GitHub API. */
  policy?: PolicySourceReport
  slos: SloReport[]
}

/** Where the SLO files came from on a pull request, and what the pull request tried to change. */
export interface PolicySourceReport {
  /** base: read from the pull request's base commit through the GitHub API; workspace: the checked-out files. */
  source: 'base' | 'workspace'
  /** The base branch and commit the files were read from (source base). */
  ref?: string
  sha?: string
  /** Files matching the config patterns that the pull request adds, changes or removes: not applied. */
  changedInPullRequest?: Array<{ file: string; status: string }>
  /** Why the list of changed files is missing or incomplete, when it is. */
  changesNote?: string
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

function periodReport(period: CalendarPeriod): NonNullable<SloReport['period']> {
  return {
    start: isoTime(period.start),
    end: isoTime(period.end),
    elapsed: formatDuration(period.elapsedSeconds),
    remaining: formatDuration(period.remainingSeconds),
    remainingFraction: period.remainingSeconds / period.lengthSeconds
  }
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
      format: slo.source.format,
      ...(slo.notes?.length || plan.slos[i].notes?.length ? { notes: [...(slo.notes ?? []), ...(plan.slos[i].notes ?? [])] } : {}),
      ...(slo.budgeting
        ? { budgeting: { method: slo.budgeting.method, slice: formatDuration(slo.budgeting.sliceSeconds), ...(slo.budgeting.method === 'Timeslices' ? { sliceTarget: slo.budgeting.sliceTarget } : {}) } }
        : {}),
      ...(plan.slos[i].period ? { period: periodReport(plan.slos[i].period!) } : {}),
      windows: evaluation.readings.map((reading, w) => ({
        window: reading.window,
        status: reading.status,
        ...(reading.finding ? { finding: reading.finding } : {}),
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
