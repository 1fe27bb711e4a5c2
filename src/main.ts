// The GitHub Action entry: read inputs once, register secrets, run the gate, publish.
import * as core from '@actions/core'
import { describeError } from './errors.js'
import { concludeStep, publishReport } from './github/publish.js'
import { Redactor } from './redact.js'
import { evaluate, registerSecrets, usageErrorReport } from './run.js'
import { ACTION_NAMES, readActionInputs, toGateSettings } from './settings.js'

const SECRET_INPUTS = ['prometheus-token', 'prometheus-password', 'github-token']

export async function run(): Promise<void> {
  const redactor = new Redactor()
  try {
    for (const name of SECRET_INPUTS) redactor.add(core.getInput(name))
    // Header values (API keys, tenant tokens) are secrets too.
    redactor.addHeaderValues(core.getInput('prometheus-headers'))
    let report
    try {
      const settings = toGateSettings(readActionInputs((name) => core.getInput(name)), ACTION_NAMES, process.env.GITHUB_WORKSPACE || process.cwd())
      registerSecrets(settings, redactor)
      for (const secret of redactor.list()) core.setSecret(secret)
      report = (await evaluate(settings)).report
    } catch (error) {
      for (const secret of redactor.list()) core.setSecret(secret)
      report = usageErrorReport(error, { evaluationTime: Math.floor(Date.now() / 1000), onError: 'fail', dryRun: false })
    }
    await publishReport(report, redactor)
    concludeStep(report, redactor)
  } catch (error) {
    core.setFailed(`error-budget-gate failed: ${redactor.redact(describeError(error))}`)
  }
}
