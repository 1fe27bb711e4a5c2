// The same SLO written in every supported format gives the same budget against the real
// Prometheus the global setup started over the generated history (scripts/lib/history.mjs),
// evaluated at the fixed END.
//
// slow-burn: 1000 requests/min; 0.01% errors, except 0.15% over the last 3 days. Over 30 days:
// (72h × 0.0015 + 648h × 0.0001) / 720h = 0.00024 → 24% of a 99.9% budget spent, 76% left.
// search latency: 99.7% of requests under 200ms against 99%: 30% spent, 70% left.
import { describe, expect, it } from '@jest/globals'
import { fileURLToPath } from 'node:url'
import { runGate, type GateSettings } from '../../src/gate.js'
import type { GateReport, SloReport } from '../../src/report/model.js'
import { testPrometheus } from '../harness/prometheus.js'

const fixtures = fileURLToPath(new URL('../fixtures/formats/', import.meta.url))

function settings(config: string[]): GateSettings {
  const { url, end } = testPrometheus()
  return {
    configPatterns: config,
    cwd: fixtures,
    prometheus: { url, headers: {}, timeoutMs: 10_000, retries: 0, retryBaseDelayMs: 1 },
    concurrency: 8,
    evaluationTime: end,
    onError: 'fail',
    dryRun: false
  }
}

async function only(file: string): Promise<{ report: GateReport; slo: SloReport }> {
  const { report } = await runGate(settings([file]))
  expect(report.slos).toHaveLength(1)
  return { report, slo: report.slos[0] }
}

/** "Within 0.5% of the budget": budget remaining is a share of the budget. */
const BUDGET_TOLERANCE = 0.005

describe('one SLO, every format, the same budget (real Prometheus)', () => {
  const formats: [string, string, string][] = [
    ['native', 'native.yaml', 'slow-burn/availability'],
    ['Sloth prometheus/v1', 'sloth.yaml', 'slow-burn/availability'],
    ['Sloth PrometheusServiceLevel', 'sloth-k8s.yaml', 'slow-burn/availability'],
    ['OpenSLO v1 (referenced SLI and DataSource, counter selectors)', 'openslo-v1.yaml', 'slow-burn/availability'],
    ['OpenSLO v1alpha (as Sloth writes it)', 'openslo-v1alpha.yaml', 'slow-burn/availability-0'],
    ['Pyrra ServiceLevelObjective', 'pyrra.yaml', 'slow-burn/availability']
  ]

  it.each(formats)('%s: 76%% of the 30-day budget left, a ticket-level slow burn warns', async (_, file, id) => {
    const { report, slo } = await only(file)
    expect(slo.id).toBe(id)
    expect([slo.objective, slo.window]).toEqual([0.999, '30d'])
    expect(Math.abs(slo.budget.remaining! - 0.76)).toBeLessThan(BUDGET_TOLERANCE)
    expect(slo.errorRatio).toBeCloseTo(0.00024, 6)
    expect(report.decision).toBe('warn')
    expect(slo.reasons[0]).toMatch(/ticket: slow burn/)
  })

  it('all six agree with each other to well within 0.5% of the budget', async () => {
    const remaining = await Promise.all(formats.map(async ([, file]) => (await only(file)).slo.budget.remaining!))
    expect(Math.max(...remaining) - Math.min(...remaining)).toBeLessThan(BUDGET_TOLERANCE)
  })

  it.each([
    ['native', '../slos/latency.yaml'],
    ['Pyrra latency (4w, grouped)', 'pyrra-latency.yaml'],
    ['OpenSLO v1 latency (28d, targetPercent)', 'openslo-latency.yaml']
  ])('%s: a latency SLO from histogram buckets, 70%% of the budget left', async (_, file) => {
    const { report, slo } = await only(file)
    expect(slo.objective).toBe(0.99)
    expect(slo.sli).toBeCloseTo(0.997, 6)
    expect(Math.abs(slo.budget.remaining! - 0.7)).toBeLessThan(BUDGET_TOLERANCE)
    expect(report.decision).toBe('allow')
  })

  it('shows in the report how a Pyrra grouping was read', async () => {
    const { slo } = await only('pyrra-latency.yaml')
    expect(slo.format).toBe('pyrra')
    expect(slo.notes).toEqual([expect.stringContaining('Pyrra grouping by service is evaluated as one aggregate SLO over all groups')])
    // Pyrra's windows for 28 days: 1h/5m, 6h/30m, 1d/2h, 4d/6h.
    expect(Object.keys(slo.burnRates)).toEqual(expect.arrayContaining(['5m', '1h', '6h', '30m', '1d', '2h', '4d']))
  })
})

describe('OpenSLO budgeting methods and calendar windows (real Prometheus)', () => {
  async function slos(file: string): Promise<Record<string, SloReport>> {
    const { report } = await runGate(settings([file]))
    return Object.fromEntries(report.slos.map((slo) => [slo.name, slo]))
  }

  it('Timeslices: the 60 minutes of the last hour are bad, 60 of 1440 slices against 144 allowed', async () => {
    const { 'good-minutes': slo } = await slos('openslo-timeslices.yaml')
    expect(slo.budgeting).toEqual({ method: 'Timeslices', slice: '1m', sliceTarget: 0.95 })
    // Prometheus 2 counts both ends of a subquery range (1441 steps in a day); within 0.5% of the budget either way.
    expect(slo.errorRatio! * 1440).toBeCloseTo(60, 0)
    expect(Math.abs(slo.budget.remaining! - (1 - 60 / 144))).toBeLessThan(BUDGET_TOLERANCE)
    expect(slo.budget.totalMinutes).toBeCloseTo(144, 9)
    // The last hour is all bad slices: a burn of 10x over 1h and 5m (every slice bad / 10% allowed).
    expect(slo.burnRates['1h']).toBeCloseTo(10, 0)
    expect(slo.burnRates['5m']).toBeCloseTo(10, 0)
    expect(slo.notes).toEqual([expect.stringContaining('Timeslices: 1m slices')])
  })

  it('RatioTimeslices: the mean of the minutes\' error ratios, (60 × 20% + 1380 × 0.01%) / 1440', async () => {
    const { 'mean-minute': slo } = await slos('openslo-timeslices.yaml')
    const errorRatio = (60 * 0.2 + 1380 * 0.0001) / 1440
    expect(slo.errorRatio).toBeCloseTo(errorRatio, 4)
    expect(Math.abs(slo.budget.remaining! - (1 - errorRatio / 0.01))).toBeLessThan(BUDGET_TOLERANCE)
  })

  it('a calendar month in Europe/Berlin: the budget is for November, read from its start, with 36.5% of the month left', async () => {
    const { 'availability-this-month': slo } = await slos('openslo-calendar.yaml')
    // November 1st 00:00 CET to the evaluation time (2026-11-20T00:00Z): 19 days and an hour, 457h.
    expect(slo.window).toBe('calendar month from 2026-01-01 00:00:00 (Europe/Berlin)')
    expect(slo.period).toEqual({ start: '2026-10-31T23:00:00Z', end: '2026-11-30T23:00:00Z', elapsed: '19d1h', remaining: '10d23h', remainingFraction: 263 / 720 })
    // 72h at 0.15% and 385h at 0.01%, over 457h.
    const errorRatio = (72 * 0.0015 + 385 * 0.0001) / 457
    expect(slo.errorRatio).toBeCloseTo(errorRatio, 7)
    expect(Math.abs(slo.budget.remaining! - (1 - errorRatio / 0.001))).toBeLessThan(BUDGET_TOLERANCE)
    // The budget of the whole month: 0.1% of 30 days.
    expect(slo.budget.totalMinutes).toBeCloseTo(43.2, 9)
    expect(slo.windows[0].window).toBe('19d1h')
  })

  it('a calendar week of Timeslices: 60 bad minutes against the whole week\'s 100.8', async () => {
    const { 'good-minutes-this-week': slo } = await slos('openslo-calendar.yaml')
    expect(slo.period).toMatchObject({ start: '2026-11-15T23:00:00Z', end: '2026-11-22T23:00:00Z', remaining: '2d23h' })
    expect(slo.period!.remainingFraction).toBeCloseTo(71 / 168, 12)
    expect(slo.budget.totalMinutes).toBeCloseTo(100.8, 9)
    expect(Math.abs(slo.budget.remaining! - (1 - 60 / 100.8))).toBeLessThan(BUDGET_TOLERANCE)
  })
})

describe('the text report of a calendar SLO', () => {
  it('says how much of the period is left, and how the SLO was read', async () => {
    const { textReport } = await import('../../src/report/text.js')
    const { report } = await runGate(settings(['openslo-calendar.yaml']))
    const text = textReport(report)
    expect(text).toContain('  period: 2026-10-31T23:00:00Z to 2026-11-30T23:00:00Z, 10d23h (36.5%) of it left; the budget is for the whole period')
    expect(text).toContain('  note: Timeslices: 1m slices, good when at least 95% of their events are good')
  })
})
