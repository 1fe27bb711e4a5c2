// The pipeline: config → query plan → Prometheus → engine → policy → report. Entry points
// (cli.ts, main.ts) read settings, call runGate and publish what it returns.
import { loadSloFiles } from './config/load.js'
import { DEFAULT_DEADLINE_SECONDS, Deadline, deadlineMessage, withDeadline } from './deadline.js'
import { evaluateSlo } from './engine/evaluate.js'
import { planQueries } from './plan.js'
import { runQueries } from './prometheus/batch.js'
import { PrometheusClient, type InstantQuery, type PrometheusConnection } from './prometheus/client.js'
import { decideGate } from './policy/decide.js'
import { safeUrl } from './redact.js'
import { buildReport, type GateReport } from './report/model.js'
import type { OnError } from './outcome.js'

export interface GateSettings {
  configPatterns: string[]
  cwd: string
  prometheus: PrometheusConnection
  /** Requests in flight at once. */
  concurrency: number
  /**
   * Evaluate many queries per request (default true): each query's answer is exactly what it
   * would get alone (src/prometheus/batch.ts). false sends one request per query.
   */
  batch?: boolean
  /** Unix seconds; every query is evaluated at this one instant. */
  evaluationTime: number
  onError: OnError
  dryRun: boolean
  /**
   * Overall deadline of the run in seconds (default 45, src/deadline.ts): requests still in
   * flight then are aborted and their SLOs end in `error`, naming the deadline.
   */
  deadlineSeconds?: number
}

export interface GateRun {
  report: GateReport
  /** HTTP requests sent (retries included). */
  requests: number
}

/** Runs the gate. Throws ConfigError for invalid configuration; query failures are in the report. */
export async function runGate(settings: GateSettings, client?: InstantQuery & { requestCount?: number }): Promise<GateRun> {
  const config = await loadSloFiles(settings.configPatterns, settings.cwd)
  const plan = planQueries(config.slos, settings.evaluationTime)
  const deadline = new Deadline(settings.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS)
  const prometheus = client ?? new PrometheusClient(settings.prometheus, { signal: deadline.signal })
  let run: Awaited<ReturnType<typeof runQueries>>
  try {
    // Our own client is aborted by the signal (and says what it was waiting for); an injected
    // one may not be, so its queries race the deadline.
    run = await runQueries(client ? withDeadline(client, deadline) : prometheus, plan.queries, {
      time: settings.evaluationTime,
      concurrency: settings.concurrency,
      batch: settings.batch ?? true
    })
  } finally {
    deadline.clear()
  }
  const { outcomes, calls } = run
  const verdict = decideGate(plan.slos.map((slo) => evaluateSlo(slo, outcomes)))
  const late = [...outcomes.values()].flatMap((o) => (!o.ok && o.error.includes(deadlineMessage(deadline.seconds)) ? [o.error] : []))
  if (late.length > 0) {
    // The one-line cause people see first: the deadline, not the first of many failed queries,
    // with what the server did before (e.g. "answered HTTP 429") when a retry was cut short.
    const before = late.map((error) => /; the attempt before: (.*)$/.exec(error)?.[1]).find((text) => text !== undefined)
    verdict.reasons.unshift(
      `the overall deadline of ${deadline.seconds}s passed with ${late.length} of ${outcomes.size} queries unanswered; the SLOs that needed them are in error` +
        (before ? ` (before that: ${before})` : '')
    )
  }
  const report = buildReport(verdict, plan, {
    evaluatedAt: settings.evaluationTime,
    onError: settings.onError,
    dryRun: settings.dryRun,
    prometheus: safeUrl(settings.prometheus.url),
    configFiles: config.files
  })
  return { report, requests: prometheus.requestCount ?? calls }
}
