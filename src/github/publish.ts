// Publishes a report through the runner: outputs, job summary, log. Side channels that fail
// (e.g. an unwritable summary file) warn and never change the verdict.
import * as core from '@actions/core'
import { describeError } from '../errors.js'
import { summaryLine } from '../report/format.js'
import { markdownReport, type MarkdownOptions } from '../report/markdown.js'
import type { GateReport } from '../report/model.js'
import { textReport } from '../report/text.js'
import type { Redactor } from '../redact.js'

export function actionOutputs(report: GateReport, redactor: Redactor): Record<string, string> {
  return {
    decision: report.decision,
    exempt: String(report.exempt),
    'budget-remaining': report.budgetRemaining === null ? '' : String(report.budgetRemaining),
    report: redactor.json(report),
    summary: redactor.redact(summaryLine(report))
  }
}

/** Writes the step's outputs: the one place the action sets any (check and verify modes alike). */
export function setOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
}

export async function publishReport(report: GateReport, redactor: Redactor, summary: MarkdownOptions = {}): Promise<void> {
  setOutputs(actionOutputs(report, redactor))
  core.info(redactor.redact(textReport(report)))
  try {
    await core.summary.addRaw(redactor.redact(markdownReport(report, undefined, summary)), true).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${redactor.redact(describeError(error))}`)
  }
}

/** Appends lines to the job summary (after the report); a failure warns. */
export async function appendSummary(lines: string[], redactor: Redactor): Promise<void> {
  if (lines.length === 0) return
  try {
    await core.summary.addRaw(redactor.redact(lines.join('\n')), true).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${redactor.redact(describeError(error))}`)
  }
}

/** Fails the step exactly when the CLI would exit non-zero. */
export function concludeStep(report: GateReport, redactor: Redactor): void {
  const line = redactor.redact(summaryLine(report))
  if (report.exitCode !== 0) {
    core.setFailed(line)
    return
  }
  // on-error "allow" lets an error pass quietly (a notice); "warn" passes it with a warning.
  const quiet = report.decision === 'allow' || (report.decision === 'error' && report.onError === 'allow' && !report.dryRun)
  if (quiet) core.notice(line)
  else core.warning(line)
}
