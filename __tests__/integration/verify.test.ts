// The post-deploy watch against the real Prometheus of the Jest global setup, replayed over the
// generated history with a virtual clock (no real waiting): the "deploy" starts at a past
// instant and the clock advances poll by poll. History (scripts/lib/history.mjs, END fixed):
//   healthy: 0.01% errors throughout; fast-burn: 20% errors from END-1h on (1-minute samples).
import { beforeAll, describe, expect, it } from '@jest/globals'
import { fileURLToPath } from 'node:url'

import { runCli } from '../../src/cli.js'
import type { GateSettings } from '../../src/gate.js'
import type { VerifyReport } from '../../src/verify/report.js'
import { runVerify } from '../../src/verify/run.js'
import { virtualClock, type WatchOptions } from '../../src/verify/watch.js'
import { closedPort } from '../harness/run-bundle.js'
import { testPrometheus } from '../harness/prometheus.js'

const fixtures = fileURLToPath(new URL('../fixtures/slos/', import.meta.url))
const MINUTE = 60

let url: string
let END: number

beforeAll(() => {
  ;({ url, end: END } = testPrometheus())
})

function gate(config: string[], overrides: Partial<GateSettings> = {}): GateSettings {
  return {
    configPatterns: config,
    cwd: fixtures,
    prometheus: { url, headers: {}, timeoutMs: 10_000, retries: 0, retryBaseDelayMs: 1 },
    concurrency: 4,
    evaluationTime: END,
    onError: 'fail',
    dryRun: false,
    ...overrides
  }
}

type Watch = Omit<WatchOptions, 'concurrency' | 'batch'>

function watch(since: number, overrides: Partial<Watch> = {}): Watch {
  return { since, durationSeconds: 10 * MINUTE, intervalSeconds: 30, window: '5m', consecutive: 3, baseline: false, ...overrides }
}

async function verify(config: string[], options: Watch, gateOverrides: Partial<GateSettings> = {}) {
  const clock = virtualClock(options.since * 1000)
  const progress: string[] = []
  const { report, result } = await runVerify({ gate: gate(config, gateOverrides), watch: options }, { clock, onProgress: (line) => progress.push(line) })
  return { report, result: result!, clock, progress }
}

const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z')

describe('verify against a real Prometheus, on a virtual clock', () => {
  it('passes a clean watch of a healthy service after the whole watch', async () => {
    const { report, clock, progress } = await verify(['healthy.yaml'], watch(END - 10 * MINUTE))
    expect(report).toMatchObject({ decision: 'pass', exitCode: 0, deployStartedAt: iso(END - 10 * MINUTE), endedAt: iso(END) })
    expect(report.watch).toMatchObject({ polls: 20, plannedPolls: 20 })
    expect(clock.slept).toEqual(Array(20).fill(30_000))
    const [slo] = report.slos
    expect(slo.peakBurn).toBeCloseTo(0.1, 6)
    expect(slo.threshold).toBe(14.4)
    // 10 minutes at 0.01% errors: 0.001 minutes of full outage, of the 43.2-minute budget.
    expect(slo.cost!.minutes).toBeCloseTo(0.001, 6)
    expect(slo.cost!.budgetMinutes).toBeCloseTo(43.2, 9)
    expect(slo.budgetRemaining).toBeCloseTo(0.9, 4)
    expect(report.reasons[0]).toBe('no SLO burned ≥ its threshold over 5m for 3 consecutive polls in 10m (20 polls)')
    expect(progress).toHaveLength(21)
    expect(progress[0]).toBe(`${iso(END - 10 * MINUTE)}  before the deploy: healthy/requests-availability 0.10x`)
  })

  it('fails a watch that sees a burn start mid-watch within the expected number of polls, and says what it cost', async () => {
    // Deploy at END-65m; 20% errors start at END-60m. Samples are 1 minute apart, so the 5m burn
    // shows the burn at the first sample after it (≤ 1 min), then 3 polls in a row 30 s apart.
    const burnStart = END - 60 * MINUTE
    const { report, result, clock } = await verify(['fast-burn.yaml', 'healthy.yaml'], watch(END - 65 * MINUTE))
    expect(report.decision).toBe('rollback')
    expect(report.exitCode).toBe(1)
    const rollbackAt = result.lastPoll
    expect(rollbackAt).toBeGreaterThanOrEqual(burnStart + 2 * 30)
    expect(rollbackAt).toBeLessThanOrEqual(burnStart + MINUTE + 2 * 30)
    // Not a poll more: the watch stopped at the rollback (of 20 planned).
    expect(report.watch.polls).toBe((rollbackAt - (END - 65 * MINUTE)) / 30)
    expect(report.watch.polls).toBeLessThan(20)
    expect(clock.now()).toBe(rollbackAt * 1000)
    const streaks = result.polls.slice(1).map((p) => p.slos[0].streak)
    expect(streaks.slice(-3)).toEqual([1, 2, 3])
    expect(streaks.slice(0, -3).every((s) => s === 0)).toBe(true)
    expect(result.polls.every((p) => p.slos[1].over === false)).toBe(true)
    expect(report.slos.map((s) => s.decision)).toEqual(['rollback', 'pass'])
    expect(report.reasons[0]).toMatch(/^fast-burn\/requests-availability: burning \d+(\.\d)?x over 5m \(rollback at ≥ 14\.4x\) for 3 consecutive polls, since /)
    // The cost: errors during the watch over the traffic, in minutes of full outage. From the
    // deploy to the rollback: (rollbackAt - burnStart) at 20% errors (1000 requests a minute).
    const burning = (rollbackAt - burnStart) / MINUTE
    const cost = report.slos[0].cost!
    expect(cost.minutes).toBeCloseTo(burning * 0.2 + (60 * 5 * 0.0001) / 60, 3)
    expect(report.costMinutes).toBe(cost.minutes)
    expect(report.reasons[1]).toMatch(/^this deploy cost 0\.\d minutes of error budget \(\d\.\d+% of fast-burn\/requests-availability's 43\.2-minute 30d budget\) over \dm/)
    expect(report.summary).toMatch(/^ROLLBACK: fast-burn\/requests-availability: burning .*; this deploy cost 0\.\d minutes of error budget$/)
  })

  it('with --baseline, does not blame a deploy for a burn that was already there', async () => {
    const since = END - 30 * MINUTE // 200x for the last 30 minutes already
    const plain = await verify(['fast-burn.yaml'], watch(since))
    expect(plain.report.decision).toBe('rollback')
    expect(plain.report.watch.polls).toBe(3)
    const judged = await verify(['fast-burn.yaml'], watch(since, { baseline: true }))
    expect(judged.report.decision).toBe('pass')
    expect(judged.report.slos[0].baselineBurn).toBeCloseTo(200, 0)
    expect(judged.result.polls.slice(1).every((p) => Math.abs(p.slos[0].excess!) < 1)).toBe(true)
  })

  it('fails closed (exit 2) when the metric does not exist or Prometheus cannot be reached', async () => {
    const missing = await verify(['missing-metric.yaml'], watch(END - 10 * MINUTE))
    expect(missing.report).toMatchObject({ decision: 'error', exitCode: 2 })
    expect(missing.report.watch.polls).toBe(1)
    expect(missing.report.reasons[0]).toMatch(/cannot read the 5m burn rate at .* \(no-data\): total query returned no series over 5m/)

    const port = await closedPort()
    const down = await verify(['healthy.yaml'], watch(END - 10 * MINUTE), { prometheus: { url: `http://127.0.0.1:${port}`, headers: {}, timeoutMs: 2000, retries: 0, retryBaseDelayMs: 1 } })
    expect(down.report).toMatchObject({ decision: 'error', exitCode: 2 })
    expect(down.report.reasons[0]).toMatch(/connection refused/)
    expect(down.report.slos[0].costProblem).toMatch(/connection refused/)
    // on-error and dry-run change the exit code, never the decision.
    expect((await verify(['missing-metric.yaml'], watch(END - 10 * MINUTE), { onError: 'warn' })).report).toMatchObject({ decision: 'error', exitCode: 0 })
  })

  it('runs from the CLI: progress on stderr, one JSON document on stdout, the exit code of the verdict', async () => {
    let stdout = ''
    let stderr = ''
    const since = END - 65 * MINUTE
    const code = await runCli(['verify', '-c', 'fast-burn.yaml', '--since', String(since), '--format', 'json'], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      env: { PROMETHEUS_URL: url, PROMETHEUS_TOKEN: 'verify-secret-token-123' },
      cwd: fixtures,
      clock: virtualClock(since * 1000)
    })
    expect(code).toBe(1)
    const report = JSON.parse(stdout) as VerifyReport
    expect(report.decision).toBe('rollback')
    expect(report.timeline[0]).toMatchObject({ time: iso(since), baseline: true })
    expect(stderr).toMatch(/poll 14\/20: fast-burn\/requests-availability \d+(\.\d)?x ▲3/)
    expect(stderr.trim().split('\n').pop()).toBe(report.summary)
    expect(stdout + stderr).not.toContain('verify-secret-token-123')

    const usage = await runCli(['verify', '-c', 'fast-burn.yaml', '--interval', '20m', '--format', 'json'], { stdout: (t) => (stdout = t), stderr: () => undefined, env: { PROMETHEUS_URL: url }, cwd: fixtures })
    expect(usage).toBe(2)
    expect(JSON.parse(stdout)).toMatchObject({ kind: 'verify', decision: 'error', exitCode: 2, reasons: [expect.stringMatching(/^--interval: the interval \(20m\) is longer than the watch/)] })
  })
})
