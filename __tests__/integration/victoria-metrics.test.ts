// The same SLO in every format against a real VictoriaMetrics (MetricsQL: increase() without
// extrapolation, NaN dropped), and SLIs read from Sloth's and Pyrra's recording rules. History
// goes in through /api/v1/import: the "test" scenario's counters (scripts/lib/history.mjs), and
// the series those recording rules would have written, computed from the same scenario.
// Skipped when /usr/bin/victoria-metrics is missing (Debian package victoria-metrics).
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { fileURLToPath } from 'node:url'

import { buildScenario, DAY, END, MINUTE, sampleTimes } from '../../scripts/lib/history.mjs'
import { prometheusDurationName } from '../../src/config/recorded.js'
import { parseDuration } from '../../src/duration.js'
import { runGate, type GateSettings } from '../../src/gate.js'
import { pyrraBurnRules } from '../../src/policy/burn-windows.js'
import type { SloReport } from '../../src/report/model.js'
import { describeVm, startVictoriaMetrics, type VictoriaMetrics } from '../harness/victoria-metrics.js'

const fixtures = fileURLToPath(new URL('../fixtures/formats/', import.meta.url))
const BUDGET_TOLERANCE = 0.005

/** The series Sloth and Pyrra would have recorded for the slow-burn service, sampled each minute of the last 20. */
function recordedSeries(): { metric: Record<string, string>; value: (t: number) => number }[] {
  const svc = buildScenario('test').services['slow-burn']
  const ratio = (seconds: number) => (t: number) => svc.errors(t - seconds, t) / svc.requests(t - seconds, t)
  const series: { metric: Record<string, string>; value: (t: number) => number }[] = []
  const sloth = { sloth_service: 'slow-burn', sloth_slo: 'availability', sloth_id: 'slow-burn-availability' }
  for (const window of ['5m', '30m', '1h', '2h', '6h', '1d', '3d']) {
    series.push({ metric: { __name__: `slo:sli_error:ratio_rate${window}`, ...sloth, sloth_window: window }, value: ratio(parseDuration(window)!) })
  }
  // Sloth's period series: the mean of the 5-minute ratios over 30 days, not the ratio of the increases.
  series.push({
    metric: { __name__: 'slo:sli_error:ratio_rate30d', ...sloth, sloth_window: '30d' },
    value: (t) => {
      let sum = 0
      const n = (30 * DAY) / (5 * MINUTE)
      for (let k = 0; k < n; k++) sum += ratio(5 * MINUTE)(t - k * 5 * MINUTE)
      return sum / n
    }
  })
  // Pyrra: increases over the SLO window by code, burn rates (error ratios) over its windows.
  series.push({ metric: { __name__: 'http_requests:increase30d', slo: 'availability', code: '500' }, value: (t) => svc.errors(t - 30 * DAY, t) })
  series.push({ metric: { __name__: 'http_requests:increase30d', slo: 'availability', code: '200' }, value: (t) => svc.ok(t - 30 * DAY, t) })
  for (const window of new Set(pyrraBurnRules(30 * DAY).flatMap((rule) => [rule.long, rule.short]))) {
    const seconds = parseDuration(window)!
    series.push({ metric: { __name__: `http_requests:burnrate${prometheusDurationName(seconds)}`, slo: 'availability' }, value: ratio(seconds) })
  }
  return series
}

describeVm('every format, and recorded series, against VictoriaMetrics (skipped when /usr/bin/victoria-metrics is missing)', () => {
  let vm: VictoriaMetrics | undefined
  let url: string

  beforeAll(async () => {
    vm = await startVictoriaMetrics('ebg-vm-formats-')
    url = vm.url
    const scenario = buildScenario('test')
    const times = sampleTimes(END)
    const lines: string[] = []
    const add = (metric: Record<string, string>, value: (t: number) => number, at: number[] = times) =>
      lines.push(JSON.stringify({ metric, values: at.map(value), timestamps: at.map((t) => t * 1000) }))
    for (const svc of Object.values(scenario.services)) {
      add({ __name__: 'http_requests_total', service: svc.name, code: '200' }, svc.counter.ok)
      add({ __name__: 'http_requests_total', service: svc.name, code: '500' }, svc.counter.errors)
      if (svc.latency) {
        for (const bucket of svc.latency) add({ __name__: 'http_request_duration_seconds_bucket', service: svc.name, le: bucket.le }, (t) => svc.counter.bucket(bucket.le, t))
        add({ __name__: 'http_request_duration_seconds_count', service: svc.name }, (t) => svc.counter.bucket('+Inf', t))
      }
    }
    const recent = times.filter((t) => t > END - 20 * MINUTE)
    for (const series of recordedSeries()) add(series.metric, series.value, recent)
    await vm.importLines(lines, 'count({__name__!=""})', lines.length, END)
  })

  afterAll(async () => {
    await vm?.stop()
  })

  function settings(config: string[]): GateSettings {
    return {
      configPatterns: config,
      cwd: fixtures,
      prometheus: { url, headers: {}, timeoutMs: 20_000, retries: 0, retryBaseDelayMs: 1 },
      concurrency: 8,
      evaluationTime: END,
      onError: 'fail',
      dryRun: false
    }
  }

  async function only(file: string): Promise<SloReport> {
    const { report } = await runGate(settings([file]))
    expect(report.slos).toHaveLength(1)
    return report.slos[0]
  }

  it.each(['native.yaml', 'sloth.yaml', 'sloth-k8s.yaml', 'openslo-v1.yaml', 'openslo-v1alpha.yaml', 'pyrra.yaml'])(
    '%s: 76%% of the 30-day budget left, as against Prometheus',
    async (file) => {
      const slo = await only(file)
      expect(Math.abs(slo.budget.remaining! - 0.76)).toBeLessThan(BUDGET_TOLERANCE)
      expect(slo.decision).toBe('warn')
    }
  )

  it.each(['pyrra-latency.yaml', 'openslo-latency.yaml'])('%s: 70%% of the latency budget left', async (file) => {
    const slo = await only(file)
    expect(Math.abs(slo.budget.remaining! - 0.7)).toBeLessThan(BUDGET_TOLERANCE)
  })

  it("reads Sloth's recorded ratios: the same budget, burn rates per window, and a note that the 30d series is an unweighted mean", async () => {
    const slo = await only('recorded-sloth.yaml')
    expect(slo.windows[0].queries).toEqual({ errorRatio: 'slo:sli_error:ratio_rate30d{sloth_service="slow-burn",sloth_slo="availability"}' })
    expect(Math.abs(slo.budget.remaining! - 0.76)).toBeLessThan(BUDGET_TOLERANCE)
    expect(slo.burnRates['3d']).toBeCloseTo(1.5, 6)
    expect(slo.burnRates['5m']).toBeCloseTo(1.5, 6)
    expect(slo.decision).toBe('warn')
    expect(slo.notes).toEqual([expect.stringContaining('is an unweighted mean of 5-minute error ratios')])
  })

  it("reads Pyrra's recorded increases (request-weighted) and burn rates over Pyrra's windows", async () => {
    const slo = await only('recorded-pyrra.yaml')
    expect(slo.windows[0].queries).toEqual({
      errorRatio: 'sum(http_requests:increase30d{slo="availability",code="500"} or vector(0)) / sum(http_requests:increase30d{slo="availability"})'
    })
    expect(slo.errorRatio).toBeCloseTo(0.00024, 9)
    expect(Math.abs(slo.budget.remaining! - 0.76)).toBeLessThan(BUDGET_TOLERANCE)
    // Pyrra's windows for 30 days, and no others.
    expect(Object.keys(slo.burnRates)).toEqual(['5m', '32m', '1h4m', '2h9m', '6h26m', '1d1h43m', '4d6h51m'])
    expect(slo.burnRates['6h26m']).toBeCloseTo(1.5, 6)
    expect(slo.decision).toBe('warn')
  })
})
