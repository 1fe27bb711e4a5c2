// The action in `mode: verify`: watch the burn rate after a deploy, print each poll as it
// happens, then publish the result (outputs, log, job summary) and fail the step when the deploy
// is burning (so an `if: failure()` step can roll back) or the watch could not tell (fail closed).
import * as core from '@actions/core'
import { describeError } from '../errors.js'
import type { Redactor } from '../redact.js'
import { registerSecrets } from '../run.js'
import { ACTION_NAMES, ACTION_WATCH_NAMES, toVerifySettings, type RawSettings } from '../settings.js'
import { buildVerifyErrorReport, verifyMarkdown, verifyText, type VerifyReport } from '../verify/report.js'
import { runVerify } from '../verify/run.js'
import { systemClock, type Clock } from '../verify/watch.js'
import { setOutputs } from './publish.js'

/** The action's outputs in verify mode: the same names as in check mode. */
export function verifyOutputs(report: VerifyReport, redactor: Redactor): Record<string, string> {
  return {
    decision: report.decision,
    exempt: 'false',
    'budget-remaining': report.budgetRemaining === null ? '' : String(report.budgetRemaining),
    report: redactor.redact(JSON.stringify(report)),
    summary: redactor.redact(report.summary)
  }
}

export async function runVerifyAction(raw: RawSettings, redactor: Redactor, clock: Clock = systemClock): Promise<void> {
  let report: VerifyReport
  try {
    const { gate, watch } = toVerifySettings(raw, ACTION_NAMES, ACTION_WATCH_NAMES, process.env.GITHUB_WORKSPACE || process.cwd())
    registerSecrets(gate, redactor)
    for (const secret of redactor.list()) core.setSecret(secret)
    report = (await runVerify({ gate, watch }, { clock, onProgress: (line) => core.info(redactor.redact(line)) })).report
  } catch (error) {
    for (const secret of redactor.list()) core.setSecret(secret)
    report = buildVerifyErrorReport(describeError(error), { onError: 'fail', dryRun: false, configFiles: [], since: Math.floor(Date.now() / 1000) })
  }
  setOutputs(verifyOutputs(report, redactor))
  core.info(redactor.redact(verifyText(report)))
  try {
    await core.summary.addRaw(redactor.redact(verifyMarkdown(report)), true).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${redactor.redact(describeError(error))}`)
  }
  const line = redactor.redact(report.summary)
  if (report.exitCode !== 0) core.setFailed(line)
  else if (report.decision === 'pass') core.notice(line)
  else core.warning(line)
}
