// What the CLI and the action share around the gate: settings → report, with every failure
// turned into a report (invalid configuration included) and every secret registered for
// redaction before anything can be printed.
import { ConfigError, describeError } from './errors.js'
import { runGate, type GateSettings } from './gate.js'
import { connectionSecrets } from './prometheus/client.js'
import { Redactor, safeUrl } from './redact.js'
import { buildErrorReport, type GateReport } from './report/model.js'
import type { OnError } from './outcome.js'

export interface Evaluation {
  report: GateReport
  requests: number
}

/** Fallbacks for the error report when settings themselves could not be read. */
export interface ErrorContext {
  evaluationTime: number
  onError: OnError
  dryRun: boolean
}

export function registerSecrets(settings: GateSettings, redactor: Redactor): void {
  for (const secret of connectionSecrets(settings.prometheus)) redactor.add(secret)
}

/** Runs the gate; any throw becomes an `error` report (exit 2 for invalid configuration). */
export async function evaluate(settings: GateSettings): Promise<Evaluation> {
  try {
    return await runGate(settings)
  } catch (error) {
    const context = {
      evaluatedAt: settings.evaluationTime,
      onError: settings.onError,
      dryRun: settings.dryRun,
      prometheus: safeUrl(settings.prometheus.url),
      configFiles: []
    }
    if (error instanceof ConfigError) return { report: buildErrorReport(describeError(error), context), requests: 0 }
    const report = buildErrorReport(`the gate failed unexpectedly: ${describeError(error)}`, context)
    // Not a configuration problem: on-error applies, as for any other error decision.
    report.exitCode = settings.dryRun || settings.onError !== 'fail' ? 0 : 2
    return { report, requests: 0 }
  }
}

export function usageErrorReport(error: unknown, context: ErrorContext): GateReport {
  return buildErrorReport(describeError(error), { evaluatedAt: context.evaluationTime, onError: context.onError, dryRun: context.dryRun, configFiles: [] })
}
