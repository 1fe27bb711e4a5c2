// The data of the job summary's burn-down charts: each SLO's remaining budget over the last SLO
// window, from range queries replayed through the gate's own engine (src/backtest: the same plan
// and evaluation as `check --at <step>`). Best effort and bounded: it runs after the decision,
// never changes it, and a failure only leaves the charts out with a note.
import { runBacktest } from '../backtest/run.js'
import { planSloIds } from '../backtest/replay.js'
import { parseDuration } from '../duration.js'
import { describeError } from '../errors.js'
import type { GateSettings } from '../gate.js'
import type { RangeQuery } from '../prometheus/client.js'
import type { BurnDown } from '../report/markdown.js'
import type { GateReport } from '../report/model.js'

/** Charts for at most this many SLOs (each costs its SLO's queries again, as range queries). */
export const MAX_CHARTED_SLOS = 10
/** Points per chart. */
export const CHART_POINTS = 30

export interface BurnDownResult {
  charts: BurnDown[]
  /** Why there are no charts (or fewer), for the summary. */
  note?: string
}

/** Remaining budget of each SLO at CHART_POINTS instants over the longest SLO window ending at the evaluation time. */
export async function fetchBurnDowns(settings: GateSettings, report: GateReport, client?: RangeQuery): Promise<BurnDownResult> {
  // Charts of data the gate could not read would say nothing true.
  if (report.slos.length === 0 || report.slos.some((slo) => slo.decision === 'error')) return { charts: [] }
  if (report.slos.length > MAX_CHARTED_SLOS) {
    return { charts: [], note: `No burn-down charts: ${report.slos.length} SLOs (charts are drawn for at most ${MAX_CHARTED_SLOS}); \`error-budget-gate backtest\` replays any number.` }
  }
  const windows = report.slos.map((slo) => parseDuration(slo.window)).filter((seconds): seconds is number => seconds !== undefined)
  if (windows.length === 0) return { charts: [] }
  const window = Math.max(...windows)
  const step = Math.max(60, Math.ceil(window / CHART_POINTS / 60) * 60)
  const to = Math.floor(settings.evaluationTime / step) * step
  try {
    const run = await runBacktest(
      {
        gate: { ...settings, prometheus: { ...settings.prometheus, retries: Math.min(settings.prometheus.retries, 1) } },
        from: to - step * (CHART_POINTS - 1),
        to,
        stepSeconds: step
      },
      client
    )
    const ids = planSloIds(run.plan)
    const charts = ids.map((id, j) => {
      const slo = report.slos.find((candidate) => candidate.id === id)
      const points = run.steps.map((stepResult) => ({ time: stepResult.time, remaining: stepResult.slos[j]?.budgetRemaining ?? null }))
      // The last point is the gate's own evaluation, at the evaluation time itself.
      if (slo && settings.evaluationTime > to) points.push({ time: settings.evaluationTime, remaining: slo.budget.remaining })
      return { id, window: slo?.window ?? '', points }
    })
    return { charts: charts.filter((chart) => chart.points.some((point) => point.remaining !== null)) }
  } catch (error) {
    return { charts: [], note: `No burn-down charts: ${describeError(error).split('\n')[0]}` }
  }
}
