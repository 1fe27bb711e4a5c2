// Replays .github/workflows/self-test.yml here, step by step, the way the runner would: each
// `uses: ./` step runs the committed dist/index.js under Node 24 with its `with:` inputs (and
// action.yml's defaults), against the same generated history the workflow starts, and the final
// check step runs its own bash script on the outcomes and outputs. So the expectations written
// in the workflow are proven against the real bundle before GitHub ever runs it.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import path from 'node:path'

import { END } from '../../scripts/lib/history.mjs'
import { testPrometheus } from '../harness/prometheus.js'
import { runAction } from '../harness/run-bundle.js'
import { parseWorkflow, readText, repositoryWorkflows, type Step } from './repo-files.js'

const source = repositoryWorkflows().find((workflow) => workflow.file === '.github/workflows/self-test.yml')!
const workflow = parseWorkflow(source)
const job = workflow.jobs['self-test']!
const jobEnv = Object.fromEntries(Object.entries(job.env ?? {}).map(([name, value]) => [name, String(value)]))

interface StepResult {
  outcome: 'success' | 'failure'
  outputs: Record<string, string>
}

/** Substitutes the `${{ }}` expressions the workflow uses; anything else is an error here. */
function evaluate(text: string, results: Record<string, StepResult>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_whole, expression: string) => {
    let match = /^env\.(\w+)$/.exec(expression)
    if (match) return jobEnv[match[1]!] ?? ''
    match = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression)
    if (match) return results[match[1]!]?.outputs[match[2]!] ?? ''
    match = /^steps\.([\w-]+)\.outcome$/.exec(expression)
    if (match) return results[match[1]!]?.outcome ?? ''
    throw new Error(`self-test replay: no support for the expression \${{ ${expression} }}`)
  })
}

const isGate = (step: Step): boolean => step.uses === './'
const isCheck = (step: Step): boolean => step.name === 'Check the outputs and step outcomes'
const isStart = (step: Step): boolean => step.id === 'prometheus'
/** Steps that only set up the runner (the harness already did their part). */
const isSetup = (step: Step): boolean =>
  /^actions\/(checkout|setup-node)@/.test(step.uses ?? '') ||
  /apt-get install/.test(step.run ?? '') ||
  /start-prometheus\.mjs --stop/.test(step.run ?? '')

function runCheck(step: Step, results: Record<string, StepResult>): { status: number | null; stdout: string } {
  const env: Record<string, string> = {
    PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    LANG: 'C.UTF-8',
    ...jobEnv
  }
  for (const [name, value] of Object.entries(step.env ?? {})) env[name] = evaluate(String(value), results)
  // The runner's default shell for `run:` on Linux.
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], { env, encoding: 'utf8', timeout: 30_000 })
  return { status: result.status, stdout: result.stdout + result.stderr }
}

describe('.github/workflows/self-test.yml, replayed against the committed bundle', () => {
  const steps = job.steps ?? []
  const results: Record<string, StepResult> = {}

  it('evaluates at the fixed end of the generated test history, which it starts itself', () => {
    expect(Number(jobEnv.EVALUATION_TIME)).toBe(END)
    expect(testPrometheus().end).toBe(END)
    const start = steps.find(isStart)
    expect(start?.run).toMatch(/node scripts\/start-prometheus\.mjs --scenario test /)
    // Every step is one this replay knows how to play (or may skip as runner setup).
    expect(steps.filter((step) => !isGate(step) && !isCheck(step) && !isStart(step) && !isSetup(step)).map((step) => step.name)).toEqual([])
    expect(steps.filter(isGate).length).toBeGreaterThanOrEqual(2)
  })

  it('every gate step gives the outcome and outputs the check step expects', async () => {
    results.prometheus = { outcome: 'success', outputs: { url: testPrometheus().url } }
    for (const step of steps.filter(isGate)) {
      const inputs = Object.fromEntries(Object.entries(step.with ?? {}).map(([name, value]) => [name, evaluate(String(value), results)]))
      const config = inputs.config!
      const run = await runAction({ inputs, files: { [config]: readText(config) }, eventName: 'push' })
      results[step.id!] = { outcome: run.exitCode === 0 ? 'success' : 'failure', outputs: run.outputs }
      // A failing step only passes the job when the workflow expects it to fail.
      if (run.exitCode !== 0) expect({ step: step.id, continueOnError: step['continue-on-error'] }).toEqual({ step: step.id, continueOnError: true })
    }
    const check = runCheck(steps.find(isCheck)!, results)
    expect(check.stdout).not.toMatch(/^FAIL /m)
    expect(check.status).toBe(0)
    // Every expectation of the script ran (a check that stops early proves nothing).
    expect(check.stdout.match(/^ok /gm)?.length).toBe((steps.find(isCheck)!.run!.match(/^\s*(expect|near) '/gm) ?? []).length + 1)
  })

  it('the check step fails when an output is not what it expects', () => {
    expect(Object.keys(results)).toEqual(expect.arrayContaining(['allow', 'freeze']))
    const wrong = { ...results, freeze: { ...results.freeze!, outputs: { ...results.freeze!.outputs, decision: 'allow' } } }
    const check = runCheck(steps.find(isCheck)!, wrong)
    expect(check.stdout).toMatch(/^FAIL freeze: decision = 'allow', expected 'freeze'$/m)
    expect(check.status).not.toBe(0)
  })
})
