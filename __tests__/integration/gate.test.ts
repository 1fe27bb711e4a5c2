// The gate end to end inside one process, against the real Prometheus the global setup
// started over generated history (scripts/lib/history.mjs), evaluated at the fixed END.
// Expected numbers are worked out from the scenario definitions in the comments.
import { describe, expect, it } from '@jest/globals'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '../../src/errors.js'
import { runGate, type GateSettings } from '../../src/gate.js'
import type { GateReport, SloReport } from '../../src/report/model.js'
import { testPrometheus } from '../harness/prometheus.js'

const fixtures = fileURLToPath(new URL('../fixtures/slos/', import.meta.url))

function settings(config: string[], overrides: Partial<GateSettings> = {}): GateSettings {
  const { url, end } = testPrometheus()
  return {
    configPatterns: config,
    cwd: fixtures,
    prometheus: { url, headers: {}, timeoutMs: 10_000, retries: 0, retryBaseDelayMs: 1 },
    concurrency: 8,
    evaluationTime: end,
    onError: 'fail',
    dryRun: false,
    ...overrides
  }
}

async function gate(...config: string[]): Promise<GateReport> {
  return (await runGate(settings(config))).report
}

function only(report: GateReport): SloReport {
  expect(report.slos).toHaveLength(1)
  return report.slos[0]
}

describe('the gate against a real Prometheus with generated history', () => {
  it('allows a healthy SLO: 0.01% errors at 99.9% spends 10% of the budget', async () => {
    const report = await gate('healthy.yaml')
    const slo = only(report)
    expect(report.decision).toBe('allow')
    expect(report.exitCode).toBe(0)
    expect(slo.objective).toBe(0.999)
    expect(slo.window).toBe('30d')
    expect(slo.errorRatio).toBeCloseTo(0.0001, 7)
    expect(slo.budget.consumed).toBeCloseTo(0.1, 4)
    expect(slo.budget.remaining).toBeCloseTo(0.9, 4)
    // 99.9% over 30 days = 43.2 minutes of full outage; 90% of it left.
    expect(slo.budget.totalMinutes).toBeCloseTo(43.2, 9)
    expect(slo.budget.remainingMinutes).toBeCloseTo(38.88, 2)
    for (const window of ['5m', '30m', '1h', '2h', '6h', '1d', '3d']) expect(slo.burnRates[window]).toBeCloseTo(0.1, 3)
  })

  it('freezes an SLO whose budget an incident 10 days ago spent (remaining is negative, not clamped)', async () => {
    // 2h at 50% errors + 718h at 0.01%, over 720h: r = (1 + 0.0718) / 720 = 0.00148861…
    const report = await gate('incident-10d.yaml')
    const slo = only(report)
    expect(report.decision).toBe('freeze')
    expect(report.exitCode).toBe(1)
    expect(slo.errorRatio).toBeCloseTo(1.0718 / 720, 6)
    expect(slo.budget.consumed).toBeCloseTo(1.0718 / 720 / 0.001, 2)
    expect(slo.budget.remaining).toBeCloseTo(1 - 1.0718 / 720 / 0.001, 2)
    expect(slo.budget.remaining).toBeLessThan(0)
    expect(slo.reasons[0]).toMatch(/error budget exhausted/)
    expect(report.reasons[0]).toMatch(/^incident-10d\/requests-availability: error budget exhausted/)
  })

  it('does not count an incident 35 days ago, outside the 30-day window (Sloth file, rate queries)', async () => {
    const report = await gate('incident-35d.yaml')
    const slo = only(report)
    expect(report.decision).toBe('allow')
    expect(slo.budget.remaining).toBeCloseTo(0.9, 3)
  })

  it('freezes on a fast burn in the last hour although most of the budget is left', async () => {
    // Last hour at 20% errors: burn 0.2 / 0.001 = 200x over 1h and 5m.
    const report = await gate('fast-burn.yaml')
    const slo = only(report)
    expect(report.decision).toBe('freeze')
    expect(slo.burnRates['5m']).toBeCloseTo(200, 1)
    expect(slo.burnRates['1h']).toBeCloseTo(200, 0)
    // (0.2 × 1h + 0.0001 × 719h) / 720h / 0.001 = 0.37764 consumed.
    expect(slo.budget.remaining).toBeCloseTo(1 - 0.2719 / 720 / 0.001, 2)
    expect(slo.budget.remaining).toBeGreaterThan(0.5)
    expect(slo.reasons.join('\n')).toMatch(/page: fast burn: burning 200x over 1h and 200x over 5m/)
  })

  it('warns on a slow 3-day burn (1.5x over 3d and 6h) without freezing', async () => {
    const report = await gate('slow-burn.yaml')
    const slo = only(report)
    expect(report.decision).toBe('warn')
    expect(report.exitCode).toBe(0)
    expect(slo.burnRates['3d']).toBeCloseTo(1.5, 2)
    expect(slo.burnRates['6h']).toBeCloseTo(1.5, 2)
    // 72h at 0.15% + 648h at 0.01%, over 720h: consumed 0.24.
    expect(slo.budget.remaining).toBeCloseTo(0.76, 3)
    expect(slo.reasons[0]).toMatch(/ticket: slow burn/)
  })

  it('reads a latency SLO from histogram buckets: 99.7% under 200ms against a 99% objective', async () => {
    const report = await gate('latency.yaml')
    const slo = only(report)
    expect(report.decision).toBe('allow')
    expect(slo.objective).toBe(0.99)
    expect(slo.sli).toBeCloseTo(0.997, 6)
    expect(slo.budget.remaining).toBeCloseTo(0.7, 4)
  })

  it('treats the last two hours without traffic as no burn, not as an error', async () => {
    const report = await gate('idle-recently.yaml')
    const slo = only(report)
    expect(report.decision).toBe('allow')
    for (const window of ['5m', '30m', '1h']) {
      expect(slo.burnRates[window]).toBe(0)
      expect(slo.windows.find((w) => w.window === window)?.status).toBe('no-traffic')
    }
    // The ratio over 6h counts only the 4h with traffic: still 0.01% errors, burn 0.1x.
    expect(slo.burnRates['6h']).toBeCloseTo(0.1, 3)
  })

  it('says error (exit 2) and names the query when the metric does not exist', async () => {
    const report = await gate('missing-metric.yaml')
    const slo = only(report)
    expect(report.decision).toBe('error')
    expect(report.exitCode).toBe(2)
    expect(slo.budget.remaining).toBeNull()
    expect(slo.reasons[0]).toMatch(/no data over the 30d SLO window/)
    expect(slo.reasons[0]).toContain('sum(increase(http_requests_totl{service="checkout"}[30d]))')
  })

  it('on-error and dry-run change the exit code, never the decision', async () => {
    const warn = (await runGate(settings(['missing-metric.yaml'], { onError: 'warn' }))).report
    expect([warn.decision, warn.exitCode]).toEqual(['error', 0])
    const dry = (await runGate(settings(['incident-10d.yaml'], { dryRun: true }))).report
    expect([dry.decision, dry.exitCode]).toEqual(['freeze', 0])
  })

  it('takes the worst SLO across several files and documents, each SLO keeping its own verdict', async () => {
    const report = await gate('healthy.yaml', 'incident-10d.yaml', 'fast-burn.yaml', 'slow-burn.yaml', 'multi.yaml')
    expect(report.decision).toBe('freeze')
    const byId = Object.fromEntries(report.slos.map((s) => [s.id, s.decision]))
    expect(byId).toEqual({
      'healthy/requests-availability': 'allow',
      'incident-10d/requests-availability': 'freeze',
      'fast-burn/requests-availability': 'freeze',
      'slow-burn/requests-availability': 'warn',
      'healthy/availability-99': 'allow',
      'incident-35d/availability-90': 'allow',
      'healthy/requests-availability-99.95': 'allow'
    })
    expect(report.reasons).toHaveLength(2)
    expect(report.budgetRemaining).toBeCloseTo(report.slos[1].budget.remaining!, 12)
  })

  it('computes the same budget from a raw ratio, a good/total query and an errors/total query', async () => {
    const report = await gate('multi.yaml', 'healthy.yaml')
    const ratio = report.slos.find((s) => s.id === 'healthy/availability-99')!
    const events = report.slos.find((s) => s.id === 'healthy/requests-availability')!
    expect(ratio.errorRatio).toBeCloseTo(events.errorRatio!, 9)
    // 90% objective: 0.0001 error ratio spends 0.1% of the budget.
    const ninety = report.slos.find((s) => s.id === 'incident-35d/availability-90')!
    expect(ninety.budget.consumed).toBeCloseTo(0.001, 5)
  })

  it('rejects invalid configuration before querying anything', async () => {
    await expect(runGate(settings(['does-not-exist-*.yaml']))).rejects.toThrow(ConfigError)
  })
})
