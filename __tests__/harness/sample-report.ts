// Gate reports built through the real pipeline (plan → engine → policy → report) from given
// counts, for the GitHub reporting tests: no Prometheus needed.
import type { Slo } from '../../src/config/model.js'
import { evaluateSlo } from '../../src/engine/evaluate.js'
import type { QueryOutcome } from '../../src/engine/readings.js'
import { planQueries } from '../../src/plan.js'
import { decideGate } from '../../src/policy/decide.js'
import { DEFAULT_POLICY } from '../../src/policy/settings.js'
import { buildReport, type GateReport, type ReportContext } from '../../src/report/model.js'

export const MILLION = 1_000_000
/** 2026-11-20T00:00:00Z */
export const AT = Date.UTC(2026, 10, 20) / 1000

export function makeSlo(overrides: Partial<Slo> = {}): Slo {
  const service = overrides.service ?? 'checkout'
  const name = overrides.name ?? 'requests-availability'
  const selector = `service=${JSON.stringify(service)},slo=${JSON.stringify(name)}`
  return {
    service,
    name,
    objective: 0.999,
    window: '30d',
    windowSeconds: 30 * 86400,
    sli: {
      kind: 'events',
      bad: 'errors',
      badQuery: `sum(increase(http_requests_total{${selector},code=~"5.."}[{{.window}}]))`,
      totalQuery: `sum(increase(http_requests_total{${selector}}[{{.window}}]))`
    },
    policy: DEFAULT_POLICY,
    source: { file: 'slos/checkout.yaml', document: 1, format: 'native', path: 'slos[0]' },
    ...overrides
  }
}

export function vector(...values: number[]): QueryOutcome {
  return { ok: true, result: { resultType: 'vector', samples: values.map((value) => ({ labels: {}, value })), warnings: [] } }
}

/** [errors, total] per window; windows not listed: 0 errors of a million. */
export type Counts = Record<string, [number, number] | [QueryOutcome, QueryOutcome]>

export const HEALTHY: Counts = Object.fromEntries(['30d', '5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => [w, [200, MILLION]]))
export const FROZEN: Counts = { '30d': [1500, MILLION] }
export const WARNED: Counts = { '30d': [800, MILLION] }
export const NO_DATA: Counts = { '30d': [vector(0), vector()] }

export function sampleReport(entries: { slo: Slo; counts?: Counts }[], context: Partial<ReportContext> = {}): GateReport {
  const plan = planQueries(entries.map((e) => e.slo))
  const outcomes = new Map<string, QueryOutcome>()
  plan.slos.forEach((sloPlan, i) => {
    for (const w of sloPlan.windows) {
      const given = entries[i]!.counts?.[w.window] ?? [0, MILLION]
      const [bad, total] = typeof given[0] === 'number' ? [vector(given[0]), vector(given[1] as number)] : (given as [QueryOutcome, QueryOutcome])
      outcomes.set(w.badQuery!, bad)
      outcomes.set(w.totalQuery!, total)
    }
  })
  const verdict = decideGate(plan.slos.map((s) => evaluateSlo(s, outcomes)))
  return buildReport(verdict, plan, {
    evaluatedAt: AT,
    onError: 'fail',
    dryRun: false,
    prometheus: 'http://127.0.0.1:9090',
    configFiles: ['slos/checkout.yaml'],
    ...context
  })
}
