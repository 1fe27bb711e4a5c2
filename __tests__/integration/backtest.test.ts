// Backtests against the real Prometheus of the Jest global setup, over the generated "test"
// history (scripts/lib/history.mjs, END = 2026-11-20T00:00:00Z):
//   incident-10d: 2h at 50% errors from END-10d (spends the whole 30-day budget);
//   fast-burn: 20% errors in the last hour; healthy: 0.01% errors throughout.
// The decisive property: every backtest step decides exactly what `check --at <step>` decides.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import type { BacktestStep } from '../../src/backtest/replay.js'
import { runBacktest, type BacktestSettings } from '../../src/backtest/run.js'
import { runCli } from '../../src/cli.js'
import { runGate, type GateSettings } from '../../src/gate.js'
import { testPrometheus } from '../harness/prometheus.js'

const fixtures = fileURLToPath(new URL('../fixtures/slos/', import.meta.url))
const HOUR = 3600
const DAY = 86400

let url: string
let END: number

beforeAll(() => {
  ;({ url, end: END } = testPrometheus())
})

function gateSettings(config: string[], cwd = fixtures): GateSettings {
  return {
    configPatterns: config,
    cwd,
    prometheus: { url, headers: {}, timeoutMs: 20_000, retries: 0, retryBaseDelayMs: 1 },
    concurrency: 4,
    evaluationTime: END,
    onError: 'fail',
    dryRun: false
  }
}

function backtest(config: string[], from: number, to: number, stepSeconds: number, extra: Partial<BacktestSettings> = {}) {
  return runBacktest({ gate: gateSettings(config), from, to, stepSeconds, ...extra })
}

/** What `check --at <step>` decided, in the shape of a backtest step. */
async function checkAt(config: string[], time: number): Promise<BacktestStep> {
  const { report } = await runGate({ ...gateSettings(config), evaluationTime: time })
  return {
    time,
    decision: report.decision,
    reasons: report.reasons,
    slos: report.slos.map((slo) => ({
      decision: slo.decision,
      causes: expect.any(Array) as unknown as string[],
      reason: slo.reasons[0] ?? '',
      budgetRemaining: slo.budget.remaining,
      burnRates: slo.burnRates
    }))
  }
}

/** Every step of the backtest equals check --at that step: decisions, reasons and every number. */
async function expectAgreement(config: string[], steps: BacktestStep[]): Promise<void> {
  for (const step of steps) {
    expect(step).toEqual(await checkAt(config, step.time))
  }
}

describe('backtest against a real Prometheus', () => {
  it('agrees with check --at at every hourly step over 14 days (a known incident inside)', async () => {
    const config = ['incident-10d.yaml', 'healthy.yaml']
    const { steps, report } = await backtest(config, END - 14 * DAY, END, HOUR)
    expect(steps).toHaveLength(14 * 24 + 1)
    expect(report.problems).toEqual([])
    await expectAgreement(config, steps)
  }, 120_000)

  it('agrees with check --at at every 5-minute step around the incident and the last hour, for every fixture', async () => {
    const config = ['healthy.yaml', 'incident-10d.yaml', 'incident-35d.yaml', 'fast-burn.yaml', 'slow-burn.yaml', 'latency.yaml', 'idle-recently.yaml', 'multi.yaml']
    const around = await backtest(config, END - 10 * DAY - 30 * 60, END - 10 * DAY + 2.5 * HOUR, 5 * 60)
    const last = await backtest(config, END - 2.5 * HOUR, END, 5 * 60)
    expect(around.steps).toHaveLength(37)
    expect(last.steps).toHaveLength(31)
    await expectAgreement(config, [...around.steps, ...last.steps])
    // Decisions actually change inside these ranges: the agreement is not about a flat line.
    const incident = around.report.slos.findIndex((slo) => slo.id === 'incident-10d/requests-availability')
    expect(new Set(around.steps.map((s) => s.slos[incident].decision))).toEqual(new Set(['allow', 'freeze']))
    expect(new Set(last.steps.flatMap((s) => s.slos.map((slo) => slo.decision)))).toEqual(new Set(['allow', 'warn', 'freeze']))
  }, 120_000)

  it('gives the same steps however the range is split into range queries', async () => {
    const config = ['fast-burn.yaml', 'incident-10d.yaml']
    const whole = await backtest(config, END - 3 * HOUR, END, 5 * 60)
    const chunked = await backtest(config, END - 3 * HOUR, END, 5 * 60, { maxPoints: 4 })
    expect(chunked.report.requests).toBeGreaterThan(whole.report.requests * 5)
    expect(chunked.steps).toEqual(whole.steps)
  })

  it('reports the incident freeze from END-10d (within one step) to the end, and the fast burn in the last hour', async () => {
    const { report } = await backtest(['incident-10d.yaml', 'fast-burn.yaml', 'healthy.yaml'], END - 14 * DAY, END, HOUR)
    expect(report.exitCode).toBe(0)
    expect(report.steps).toBe(337)
    const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z')

    const [incident, fastBurn, healthy] = report.slos
    expect(incident.id).toBe('incident-10d/requests-availability')
    expect(incident.freezes).toHaveLength(1)
    const freeze = incident.freezes[0]
    // The first hourly step that sees the incident: END-10d+1h (the 1h and 5m windows burn 500x).
    expect(Date.parse(freeze.start) / 1000 - (END - 10 * DAY)).toBeGreaterThan(0)
    expect(Date.parse(freeze.start) / 1000 - (END - 10 * DAY)).toBeLessThanOrEqual(HOUR)
    // The budget stays spent while the incident is in the 30-day window: frozen to the end.
    expect(freeze).toMatchObject({ end: null, ongoing: true, hours: 240 })
    expect(freeze.causes).toEqual(['page: fast burn', 'page: sustained burn', 'error budget exhausted'])
    expect(incident.hours).toEqual({ allow: 97, warn: 0, freeze: 240, error: 0 })
    expect(incident.toggles).toBe(1)

    expect(fastBurn.freezes).toEqual([{ start: iso(END), end: null, ongoing: true, hours: 1, causes: ['page: fast burn', 'page: sustained burn'], reason: expect.stringMatching(/^page: fast burn: burning 200x over 1h/) }])
    expect(healthy.freeze.count).toBe(0)
    expect(healthy.hours.allow).toBe(337)

    // Overall: one freeze from the incident on, its causes from both SLOs.
    expect(report.freeze).toEqual({ hours: 240, days: 10, share: Number((240 / 337).toFixed(6)), count: 1 })
    expect(report.freezes[0].start).toBe(freeze.start)
    expect(report.freezes[0].causes).toEqual([
      'incident-10d/requests-availability: page: fast burn',
      'incident-10d/requests-availability: page: sustained burn',
      'incident-10d/requests-availability: error budget exhausted',
      'fast-burn/requests-availability: page: fast burn',
      'fast-burn/requests-availability: page: sustained burn'
    ])
  }, 60_000)

  it('pins the start of a burn to the step: the fast-burn freeze starts 55 minutes before END at 5-minute steps', async () => {
    // 1h window at END-55m: 5 of 60 minutes at 20% errors = 1.67% → 16.7x ≥ 14.4 (and 200x over 5m).
    const { report } = await backtest(['fast-burn.yaml'], END - 2 * HOUR, END, 5 * 60)
    expect(report.freezes.map((f) => [f.start, f.ongoing])).toEqual([[new Date((END - 55 * 60) * 1000).toISOString().replace('.000Z', 'Z'), true]])
  })

  it('reads no data as the policy says (error steps), and a query Prometheus refuses as an incomplete backtest (exit 2)', async () => {
    const missing = await backtest(['missing-metric.yaml'], END - 3 * HOUR, END, HOUR)
    expect(missing.report.exitCode).toBe(0)
    expect(missing.report.hours.error).toBe(4)

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebg-backtest-'))
    try {
      fs.writeFileSync(
        path.join(dir, 'broken.yaml'),
        ['apiVersion: error-budget-gate/v1', 'service: broken', 'slos:', '  - name: bad-promql', '    objective: 99.9', '    sli:', '      raw:', '        errorRatioQuery: sum(rate(http_requests_total{service="healthy"}[{{.window}}]) /'].join('\n')
      )
      const broken = await runBacktest({ gate: gateSettings(['broken.yaml'], dir), from: END - 2 * HOUR, to: END, stepSeconds: HOUR })
      expect(broken.report.exitCode).toBe(2)
      expect(broken.report.problems.length).toBeGreaterThan(0)
      expect(broken.report.problems[0]).toMatch(/HTTP 400 \(bad_data\)/)
      expect(broken.report.hours.error).toBe(3)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('backtest through the CLI', () => {
  let dir: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebg-backtest-cli-'))
    for (const name of ['incident-10d.yaml', 'fast-burn.yaml']) fs.copyFileSync(path.join(fixtures, name), path.join(dir, name))
  })
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = ''
    let stderr = ''
    const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { PROMETHEUS_URL: url }, cwd: dir })
    return { code, stdout, stderr }
  }

  it('prints text, or exactly one JSON document, and writes the SVG chart', async () => {
    const text = await cli(['backtest', '-c', 'incident-10d.yaml', '-c', 'fast-burn.yaml', '--to', String(END), '--from', '14d', '--step', '1h', '--chart', 'out/chart.svg'].map(String))
    // The chart's directory must exist: the CLI does not create directories.
    expect(text.code).toBe(2)
    expect(text.stderr).toMatch(/--chart: cannot write out\/chart\.svg: ENOENT/)

    const ok = await cli(['backtest', '-c', 'incident-10d.yaml', '-c', 'fast-burn.yaml', '--to', String(END), '--from', '14d', '--chart', 'chart.svg'])
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^BACKTEST 2026-11-06T00:00:00Z → 2026-11-20T00:00:00Z, every 1h \(337 steps\), 2 SLOs/)
    expect(ok.stdout).toContain('Frozen 240 h (10.0 days), 71% of the time, in 1 freeze')
    expect(ok.stdout).toContain('2026-11-10T01:00:00Z → still frozen at the end  240 h (10.0 days)')
    const svg = fs.readFileSync(path.join(dir, 'chart.svg'), 'utf8')
    expect(svg).toMatch(/^<svg /)
    expect(svg).toContain('incident-10d/requests-availability')

    const json = await cli(['backtest', '-c', 'incident-10d.yaml', '--to', '2026-11-20T00:00:00Z', '--from', '2026-11-09T00:00:00Z', '--step', '1d', '--format', 'json'])
    expect(json.code).toBe(0)
    const report = JSON.parse(json.stdout) as { steps: number; freezes: Array<{ start: string }>; timeline: Array<{ decision: string }> }
    expect(report.steps).toBe(12)
    expect(report.timeline.map((t) => t.decision)).toEqual(['allow', 'allow', ...Array(10).fill('freeze')])
    expect(report.freezes[0].start).toBe('2026-11-11T00:00:00Z')
  })

  it('refuses flags that do not apply, and bad ranges, naming the flag', async () => {
    expect((await cli(['backtest', '-c', 'fast-burn.yaml', '--at', String(END)])).stderr).toMatch(/--at does not apply to backtest \(it is for check\): use --from and --to/)
    expect((await cli(['backtest', '-c', 'fast-burn.yaml', '--to', String(END), '--from', String(END + 60)])).stderr).toMatch(/--from: the backtest must start before it ends/)
    expect((await cli(['backtest', '-c', 'fast-burn.yaml', '--step', '1s', '--from', '30d'])).stderr).toMatch(/--step: 1s steps over 30d are more than 100000 evaluations/)
    expect((await cli(['backtest', '-c', 'fast-burn.yaml', '--chart', 'chart.png'])).stderr).toMatch(/--chart: the chart is an SVG file/)
    const json = await cli(['backtest', '-c', 'fast-burn.yaml', '--format', 'json', '--step', 'hourly'])
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout)).toEqual({ kind: 'backtest', exitCode: 2, problems: [expect.stringMatching(/^--step: expected a duration/)] })
  })
})
