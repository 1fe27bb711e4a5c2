// The pipeline: config → query plan → Prometheus → engine → policy → report. Entry points
// (cli.ts, main.ts) read settings, call runGate and publish what it returns.
import { loadSloFiles } from './config/load.js'
import { mapWithLimit } from './concurrency.js'
import { describeError } from './errors.js'
import { evaluateSlo } from './engine/evaluate.js'
import type { QueryOutcome } from './engine/readings.js'
import { planQueries } from './plan.js'
import { PrometheusClient, type InstantQuery, type PrometheusConnection } from './prometheus/client.js'
import { decideGate } from './policy/decide.js'
import { safeUrl } from './redact.js'
import { buildReport, type GateReport } from './report/model.js'
import type { OnError } from './outcome.js'

export interface GateSettings {
  configPatterns: string[]
  cwd: string
  prometheus: PrometheusConnection
  /** Queries in flight at once. */
  concurrency: number
  /** Unix seconds; every query is evaluated at this one instant. */
  evaluationTime: number
  onError: OnError
  dryRun: boolean
}

export interface GateRun {
  report: GateReport
  /** HTTP requests sent (retries included). */
  requests: number
}

/** Runs the gate. Throws ConfigError for invalid configuration; query failures are in the report. */
export async function runGate(settings: GateSettings, client?: InstantQuery & { requestCount?: number }): Promise<GateRun> {
  const config = await loadSloFiles(settings.configPatterns, settings.cwd)
  const plan = planQueries(config.slos)
  const prometheus = client ?? new PrometheusClient(settings.prometheus)
  const outcomes = new Map<string, QueryOutcome>()
  await mapWithLimit(plan.queries, settings.concurrency, async (query) => {
    try {
      outcomes.set(query, { ok: true, result: await prometheus.query(query, settings.evaluationTime) })
    } catch (error) {
      outcomes.set(query, { ok: false, error: describeError(error) })
    }
  })
  const verdict = decideGate(plan.slos.map((slo) => evaluateSlo(slo, outcomes)))
  const report = buildReport(verdict, plan, {
    evaluatedAt: settings.evaluationTime,
    onError: settings.onError,
    dryRun: settings.dryRun,
    prometheus: safeUrl(settings.prometheus.url),
    configFiles: config.files
  })
  return { report, requests: prometheus.requestCount ?? plan.queries.length }
}
