// The GitHub Action entry: read inputs once, register secrets, run the gate, publish.
import * as core from '@actions/core'
import { describeError } from './errors.js'
import { fetchBurnDowns } from './github/burndown.js'
import { githubSession, evaluateOnGithub, type GithubSession } from './github/flow.js'
import { toGithubOptions } from './github/options.js'
import { appendSummary, concludeStep, publishReport } from './github/publish.js'
import { runVerifyAction } from './github/verify-action.js'
import { Redactor } from './redact.js'
import type { MarkdownOptions } from './report/markdown.js'
import type { GateSettings } from './gate.js'
import { registerSecrets, usageErrorReport } from './run.js'
import { ACTION_NAMES, parseMode, readActionInputs, toGateSettings } from './settings.js'

const SECRET_INPUTS = ['prometheus-token', 'prometheus-password', 'github-token']

export async function run(): Promise<void> {
  const redactor = new Redactor()
  try {
    for (const name of SECRET_INPUTS) redactor.add(core.getInput(name))
    // Header values (API keys, tenant tokens) are secrets too.
    redactor.addHeaderValues(core.getInput('prometheus-headers'))
    let report
    let settings: GateSettings | undefined
    let github: GithubSession | undefined
    let summary: MarkdownOptions = {}
    try {
      const raw = readActionInputs((name) => core.getInput(name))
      // mode: verify watches the burn rate after a deploy (src/github/verify-action.ts).
      const mode = parseMode(raw.mode)
      if (mode === 'verify') return await runVerifyAction(raw, redactor)
      settings = toGateSettings(raw, ACTION_NAMES, process.env.GITHUB_WORKSPACE || process.cwd())
      registerSecrets(settings, redactor)
      for (const secret of redactor.list()) core.setSecret(secret)
      // GitHub features (src/github/flow.ts): base-branch policy, comment, status, refresh.
      github = githubSession(toGithubOptions(raw.github ?? {}), mode === 'refresh', redactor)
      ;({ report, settings } = await evaluateOnGithub(settings, github))
      // The job summary's burn-down charts: range queries after the decision, best effort.
      const burnDown = await fetchBurnDowns(settings, report)
      summary = { burnDowns: burnDown.charts, ...(burnDown.note ? { burnDownNote: burnDown.note } : {}) }
    } catch (error) {
      for (const secret of redactor.list()) core.setSecret(secret)
      report = usageErrorReport(error, { evaluationTime: Math.floor(Date.now() / 1000), onError: 'fail', dryRun: false })
    }
    await publishReport(report, redactor, summary)
    if (github && settings) {
      await github.publish(report, settings)
      await appendSummary(github.summaryNotes, redactor)
    }
    concludeStep(report, redactor)
  } catch (error) {
    core.setFailed(`error-budget-gate failed: ${redactor.redact(describeError(error))}`)
  }
}
