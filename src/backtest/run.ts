// The backtest pipeline: config → query plan → range queries → the gate's engine and policy at
// every step → summary. The same plan and the same evaluation as `check`, so each step's decision
// is what `check --at <step>` decides.
import { loadSloFiles } from '../config/load.js'
import { UsageError } from '../errors.js'
import type { GateSettings } from '../gate.js'
import { planQueries, type QueryPlan } from '../plan.js'
import { PrometheusClient, type RangeQuery } from '../prometheus/client.js'
import { safeUrl } from '../redact.js'
import { runRangeQueries } from './range.js'
import { replay, type BacktestStep } from './replay.js'
import { buildBacktestReport, type BacktestReport } from './report.js'
import { stepTimes } from './steps.js'

export interface BacktestSettings {
  /** Config, Prometheus connection and concurrency, as for check (the evaluation time is unused). */
  gate: Pick<GateSettings, 'configPatterns' | 'cwd' | 'prometheus' | 'concurrency'>
  /** Unix seconds: the first and last instant to consider (steps are aligned to the step). */
  from: number
  to: number
  stepSeconds: number
  /** Most points per range query (default 11,000, Prometheus' limit). */
  maxPoints?: number
}

export interface BacktestRun {
  report: BacktestReport
  steps: BacktestStep[]
  plan: QueryPlan
}

/** Runs a backtest. Throws ConfigError for invalid configuration or range; query failures are in the report. */
export async function runBacktest(settings: BacktestSettings, client?: RangeQuery & { requestCount?: number }): Promise<BacktestRun> {
  let times: number[]
  try {
    times = stepTimes(settings.from, settings.to, settings.stepSeconds)
  } catch (error) {
    throw new UsageError(`backtest range: ${(error as Error).message}`)
  }
  if (times.length === 0) {
    throw new UsageError(`backtest range: no step of ${settings.stepSeconds}s falls between --from and --to (steps are whole multiples of the step since 1970-01-01T00:00:00Z)`)
  }
  const config = await loadSloFiles(settings.gate.configPatterns, settings.gate.cwd)
  const plan = planQueries(config.slos)
  const prometheus = client ?? new PrometheusClient(settings.gate.prometheus)
  const run = await runRangeQueries(prometheus, plan.queries, times, settings.stepSeconds, {
    concurrency: settings.gate.concurrency,
    maxPoints: settings.maxPoints
  })
  const steps = replay(plan, times, run.outcomes)
  const report = buildBacktestReport(
    plan.slos.map((s) => s.slo),
    steps,
    {
      stepSeconds: settings.stepSeconds,
      prometheus: safeUrl(settings.gate.prometheus.url),
      configFiles: config.files,
      queryCount: plan.queries.length,
      requests: prometheus.requestCount ?? run.calls,
      problems: run.failures
    }
  )
  return { report, steps, plan }
}
