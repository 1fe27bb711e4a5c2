// The verify pipeline: config → watch (polls through the same client and batching as check) →
// report. Any throw becomes an `error` report: a watch that cannot run never reads as a pass.
import { sloId } from '../config/model.js'
import { loadSloFiles } from '../config/load.js'
import { ConfigError, describeError } from '../errors.js'
import type { GateSettings } from '../gate.js'
import { PrometheusClient, type InstantQuery } from '../prometheus/client.js'
import { safeUrl } from '../redact.js'
import { buildVerifyErrorReport, buildVerifyReport, pollLine, verifySummaryLine, type VerifyReport } from './report.js'
import { watchDeploy, type Clock, type WatchOptions, type WatchResult } from './watch.js'

export interface VerifySettings {
  gate: Pick<GateSettings, 'configPatterns' | 'cwd' | 'prometheus' | 'concurrency' | 'batch' | 'onError' | 'dryRun'>
  watch: Omit<WatchOptions, 'concurrency' | 'batch'>
}

export interface VerifyDeps {
  clock: Clock
  /** Default: a PrometheusClient for the settings' connection. */
  client?: InstantQuery
  /** Progress: one line per poll, as it happens. */
  onProgress?: (line: string) => void
}

export interface VerifyRun {
  report: VerifyReport
  /** Absent when the watch could not start. */
  result?: WatchResult
}

export async function runVerify(settings: VerifySettings, deps: VerifyDeps): Promise<VerifyRun> {
  const options: WatchOptions = { ...settings.watch, concurrency: settings.gate.concurrency, batch: settings.gate.batch }
  const context = {
    options,
    onError: settings.gate.onError,
    dryRun: settings.gate.dryRun,
    prometheus: safeUrl(settings.gate.prometheus.url)
  }
  let configFiles: string[] = []
  try {
    const config = await loadSloFiles(settings.gate.configPatterns, settings.gate.cwd)
    configFiles = config.files
    if (config.slos.length === 0) throw new ConfigError('no SLOs to watch: the configuration defines none')
    const ids = config.slos.map(sloId)
    const client = deps.client ?? new PrometheusClient(settings.gate.prometheus)
    const result = await watchDeploy(config.slos, options, client, deps.clock, {
      onPoll: (poll, judged, planned) => deps.onProgress?.(pollLine(poll, judged, planned, ids))
    })
    return { report: buildVerifyReport(result, { ...context, configFiles }), result }
  } catch (error) {
    if (error instanceof ConfigError) return { report: buildVerifyErrorReport(describeError(error), { ...context, configFiles, since: options.since }) }
    const report = buildVerifyErrorReport(`the watch failed unexpectedly: ${describeError(error)}`, { ...context, configFiles, since: options.since })
    // Not a configuration problem: on-error applies, as for any other error.
    report.exitCode = settings.gate.dryRun || settings.gate.onError !== 'fail' ? 0 : 2
    report.summary = verifySummaryLine(report)
    return { report }
  }
}
