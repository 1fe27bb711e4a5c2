// End to end: `verify` and `backtest` through the committed bundles, run the way users run them
// (harness/run-bundle.ts), against the real Prometheus of the Jest global setup. The watch is
// replayed over the generated history: a deploy "started" at a past instant has every poll in
// the past, so the bundle evaluates them at once (the same code that, for a deploy that just
// started, waits for each poll in real time).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { testPrometheus } from '../harness/prometheus.js'
import { fixtureFiles, node24, runAction, runCliBundle, stackLines, type BundleResult } from '../harness/run-bundle.js'

const MINUTE = 60
let prometheusUrl: string
let end: number

beforeAll(() => {
  ;({ url: prometheusUrl, end } = testPrometheus())
  // The replay needs the whole watch to be in the past on this machine's clock.
  if (Date.now() / 1000 < end + 10 * MINUTE) throw new Error(`this machine's clock is before the test history's end (${new Date(end * 1000).toISOString()}): the watch would wait in real time`)
  node24()
}, 300_000)

function expectClean(result: BundleResult): void {
  expect(result.signal).toBeNull()
  expect(stackLines(result.stdout)).toEqual([])
  expect(stackLines(result.stderr)).toEqual([])
}

describe('verify (CLI bundle)', () => {
  const RUNTIMES = [
    ['node24', () => node24()],
    ['node20', () => process.execPath]
  ] as const

  test.each(RUNTIMES)('under %s: rolls back a deploy that starts burning, passes a clean one', async (_name, node) => {
    const burning = await runCliBundle(['verify', '--config', 'slos/fast-burn.yaml', '--prometheus-url', prometheusUrl, '--since', String(end - 65 * MINUTE), '--format', 'json'], {
      files: fixtureFiles('fast-burn.yaml'),
      node: node()
    })
    expectClean(burning)
    expect(burning.exitCode).toBe(1)
    const report = JSON.parse(burning.stdout) as { decision: string; costMinutes: number; watch: { polls: number }; reasons: string[] }
    expect(report.decision).toBe('rollback')
    expect(report.watch.polls).toBeLessThan(20)
    expect(report.costMinutes).toBeGreaterThan(0.2)
    expect(burning.stderr).toMatch(/before the deploy: fast-burn\/requests-availability 0\.10x/)

    const clean = await runCliBundle(['verify', '--config', 'slos/healthy.yaml', '--prometheus-url', prometheusUrl, '--since', String(end - 10 * MINUTE), '--duration', '10m'], {
      files: fixtureFiles('healthy.yaml'),
      node: node()
    })
    expectClean(clean)
    expect(clean.exitCode).toBe(0)
    expect(clean.stdout).toMatch(/^PASSED\n {2}no SLO burned ≥ its threshold over 5m for 3 consecutive polls in 10m \(20 polls\)\n {2}this deploy cost 0\.001\d? minutes of error budget/)
  })

  test('fails closed with exit 2 on no data, and never prints a credential', async () => {
    const result = await runCliBundle(['verify', '--config', 'slos/missing-metric.yaml', '--prometheus-url', prometheusUrl, '--since', String(end - 10 * MINUTE)], {
      files: fixtureFiles('missing-metric.yaml'),
      env: { PROMETHEUS_TOKEN: 'e2e-verify-token-0451', PROMETHEUS_HEADERS: 'X-Scope-OrgID: e2e-tenant-secret-77' }
    })
    expectClean(result)
    expect(result.exitCode).toBe(2)
    expect(result.stdout).toMatch(/^ERROR\n/)
    expect(result.stdout + result.stderr).not.toMatch(/e2e-verify-token-0451|e2e-tenant-secret-77/)
  })
})

describe('backtest (CLI bundle)', () => {
  let dir: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'ebg-e2e-chart-'))
  })
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  test('reports the known incident and writes the chart', async () => {
    const chart = path.join(dir, 'backtest.svg')
    const result = await runCliBundle(
      ['backtest', '--config', 'slos/incident-10d.yaml', '--config', 'slos/fast-burn.yaml', '--prometheus-url', prometheusUrl, '--from', '14d', '--to', String(end), '--step', '1h', '--chart', chart],
      { files: fixtureFiles('incident-10d.yaml', 'fast-burn.yaml') }
    )
    expectClean(result)
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('Frozen 240 h (10.0 days), 71% of the time, in 1 freeze; toggled in or out of freeze 1 time.')
    expect(result.stdout).toContain('2026-11-10T01:00:00Z → still frozen at the end  240 h (10.0 days)')
    expect(result.stdout).toContain('    - incident-10d/requests-availability: error budget exhausted')
    const svg = fs.readFileSync(chart, 'utf8')
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/)
    expect(svg).toContain('fast-burn/requests-availability')

    const json = await runCliBundle(['backtest', '--config', 'slos/incident-10d.yaml', '--prometheus-url', prometheusUrl, '--from', '2d', '--to', String(end), '--format', 'json'], {
      files: fixtureFiles('incident-10d.yaml')
    })
    expect(json.exitCode).toBe(0)
    const report = JSON.parse(json.stdout) as { kind: string; steps: number; hours: Record<string, number> }
    expect(report).toMatchObject({ kind: 'backtest', steps: 49, hours: { allow: 0, warn: 0, freeze: 49, error: 0 } })
  })
})

describe('the action in mode: verify', () => {
  function verifyAction(config: string, inputs: Record<string, string> = {}) {
    return runAction({
      inputs: { 'prometheus-url': prometheusUrl, config: `slos/${config}`, mode: 'verify', ...inputs },
      files: fixtureFiles(config)
    })
  }

  test('fails the step when the deploy burns (so an if: failure() step rolls back), with the outputs and summary', async () => {
    const result = await verifyAction('fast-burn.yaml', { 'deploy-started-at': String(end - 65 * MINUTE), 'prometheus-token': 'e2e-action-token-8812' })
    expectClean(result)
    expect(result.exitCode).toBe(1)
    expect(Object.keys(result.outputs).sort()).toEqual(['budget-remaining', 'decision', 'exempt', 'report', 'summary'])
    expect(result.outputs.decision).toBe('rollback')
    expect(result.outputs.summary).toMatch(/^ROLLBACK: fast-burn\/requests-availability: burning .*; this deploy cost 0\.\d minutes of error budget$/)
    expect(JSON.parse(result.outputs.report!)).toMatchObject({ kind: 'verify', decision: 'rollback' })
    expect(Number(result.outputs['budget-remaining'])).toBeGreaterThan(0.5)
    const failed = result.commands.filter((c) => c.command === 'error').map((c) => c.message)
    expect(failed).toEqual([result.outputs.summary])
    expect(result.stdout).toMatch(/poll 1\/20: fast-burn\/requests-availability 0\.10x/)
    expect(result.summary).toMatch(/^## 🔴 Deploy watch: ROLLBACK/)
    // Only the runner's own masking commands may name it (they are how the runner learns to mask it).
    const printed = result.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'))
    expect([...printed, result.outputFile, result.summary].join('\n')).not.toContain('e2e-action-token-8812')
  })

  test('passes a clean watch, and names a bad input', async () => {
    const clean = await verifyAction('healthy.yaml', { 'deploy-started-at': String(end - 10 * MINUTE), 'verify-duration': '5m', 'verify-interval': '1m' })
    expectClean(clean)
    expect(clean.exitCode).toBe(0)
    expect(clean.outputs.decision).toBe('pass')
    expect(JSON.parse(clean.outputs.report!)).toMatchObject({ watch: { duration: '5m', interval: '1m', polls: 5 } })

    const bad = await verifyAction('healthy.yaml', { 'verify-interval': 'soon' })
    expect(bad.exitCode).toBe(1)
    expect(bad.outputs.decision).toBe('error')
    expect(bad.commands.find((c) => c.command === 'error')?.message).toMatch(/^ERROR: verify-interval: expected a duration such as "30s", "5m" or "1h", got "soon"/)
  })
})
