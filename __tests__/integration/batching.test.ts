// Batching changes nothing but the number of requests: against the real Prometheus of the test
// run (and a real VictoriaMetrics, Debian's victoria-metrics package), every query gets
// exactly the answer it gets alone, odd shapes included (no series, several, NaN, ±Inf, scalars,
// range vectors, PromQL errors, label sets that differ only by the batch tag), and the gate's
// reports are identical with batching on and off.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { buildScenario, END, sampleTimes } from '../../scripts/lib/history.mjs'
import type { QueryOutcome } from '../../src/engine/readings.js'
import { runGate, type GateSettings } from '../../src/gate.js'
import { runQueries, type QueryRun } from '../../src/prometheus/batch.js'
import { PrometheusClient } from '../../src/prometheus/client.js'
import { testPrometheus } from '../harness/prometheus.js'
import { describeVm, startVictoriaMetrics, type VictoriaMetrics } from '../harness/victoria-metrics.js'

const fixtures = fileURLToPath(new URL('../fixtures/slos/', import.meta.url))

const NAN_QUERY = 'sum(rate(http_requests_total{service="idle-recently",code="500"}[5m])) / sum(rate(http_requests_total{service="idle-recently"}[5m]))'
const SORTED_QUERY = 'sort(sum by (code) (increase(http_requests_total[1h])))'
const INF_QUERY = 'sum(increase(http_requests_total{service="healthy",code="500"}[1h])) / 0'

/** Queries whose answers have every shape the engine distinguishes, over the test history. */
const ODD_QUERIES = [
  // one series, no labels; the same label set ({}) from several sub-queries
  'sum(increase(http_requests_total{service="healthy"}[30d]))',
  'sum(increase(http_requests_total{service="healthy",code="500"}[30d]))',
  'sum(http_requests_total{service="healthy"})',
  // several series, with the metric name; label sets identical across two sub-queries
  'http_requests_total{service="healthy"}',
  'http_requests_total{service="healthy", code=~".+"}',
  'sum by (code) (increase(http_requests_total[1h]))',
  '{__name__=~"http_requests_total|http_request_duration_seconds_count", service="search"}',
  // several series in an order of the query's own (ascending values: code 500 before 200; VictoriaMetrics sorts a batch by labels)
  SORTED_QUERY,
  // no series
  'sum(increase(http_requests_totl{service="healthy"}[30d]))',
  'http_requests_total{service="nobody"}',
  // NaN (0/0 over a window without traffic), +Inf, a negative number
  NAN_QUERY,
  INF_QUERY,
  '-sum(increase(http_requests_total{service="healthy",code="500"}[1h]))',
  // a trailing comment
  'sum(increase(http_requests_total{service="fast-burn"}[1h])) # total over the last hour',
  // scalars (alone: a scalar; they cannot go through label_replace)
  'scalar(sum(http_requests_total{service="healthy"}))',
  '1',
  // range vectors and subqueries (alone: a matrix, which the gate refuses)
  'http_requests_total{service="healthy"}[5m]',
  'sum(http_requests_total{service="healthy"})[10m:5m]',
  // errors: parse error, many-to-many matching (execution error)
  'sum(rate(http_requests_total[5m])',
  'http_requests_total / on(service) http_requests_total',
  // a query that sets the tag label itself
  'label_replace(vector(1), "__ebg_q", "x", "", "")'
]

/** Many-to-many errors name an arbitrary pair of series (VictoriaMetrics: not the same pair twice). */
const NONDETERMINISTIC_ERRORS = new Set(['http_requests_total / on(service) http_requests_total'])

function connection(url: string) {
  return { url, headers: {}, timeoutMs: 20_000, retries: 0, retryBaseDelayMs: 1 }
}

async function both(url: string, queries: string[]): Promise<{ batched: QueryRun; alone: QueryRun }> {
  const batched = await runQueries(new PrometheusClient(connection(url)), queries, { time: END, concurrency: 1 })
  const alone = await runQueries(new PrometheusClient(connection(url)), queries, { time: END, concurrency: 4, batch: false })
  return { batched, alone }
}

function expectSameOutcomes(batched: QueryRun, alone: QueryRun, queries: string[]): void {
  for (const query of queries) {
    const [b, a] = [batched.outcomes.get(query), alone.outcomes.get(query)] as [QueryOutcome, QueryOutcome]
    expect(b).toBeDefined()
    if (NONDETERMINISTIC_ERRORS.has(query) && !a.ok) expect([query, b.ok]).toEqual([query, false])
    else expect([query, b]).toEqual([query, a])
  }
}

describe('batched queries answer exactly as queries sent alone (Prometheus 2.42)', () => {
  it('for every shape of answer, in fewer requests', async () => {
    const { url } = testPrometheus()
    const { batched, alone } = await both(url, ODD_QUERIES)
    expectSameOutcomes(batched, alone, ODD_QUERIES)
    expect(alone.calls).toBe(ODD_QUERIES.length)
    expect(batched.calls).toBeLessThan(alone.calls)
    // The shapes are really there (a fixture drifting into all-ones would prove nothing).
    const get = (q: string) => alone.outcomes.get(q)!
    expect(get('http_requests_total{service="healthy"}')).toMatchObject({ ok: true, result: { samples: [{ labels: { __name__: 'http_requests_total', code: '200' } }, { labels: { code: '500' } }] } })
    expect(get('sum(increase(http_requests_totl{service="healthy"}[30d]))')).toMatchObject({ ok: true, result: { samples: [] } })
    expect(get(NAN_QUERY)).toMatchObject({ ok: true, result: { samples: [{ value: NaN }] } })
    expect(get(INF_QUERY)).toMatchObject({ ok: true, result: { samples: [{ value: Infinity }] } })
    expect(get('1')).toMatchObject({ ok: true, result: { resultType: 'scalar' } })
    expect(get('http_requests_total{service="healthy"}[5m]')).toMatchObject({ ok: false, error: expect.stringMatching(/range vector/) })
    expect(get(SORTED_QUERY)).toMatchObject({ ok: true, result: { samples: [{ labels: { code: '500' } }, { labels: { code: '200' } }] } })
    expect(get('sum(rate(http_requests_total[5m])')).toMatchObject({ ok: false, error: expect.stringMatching(/HTTP 400 \(bad_data\).*parse error/) })
    expect(get('http_requests_total / on(service) http_requests_total')).toMatchObject({ ok: false, error: expect.stringMatching(/HTTP 422/) })
  })

  it('with batches of two sub-queries, so each odd query shares a batch with a neighbour', async () => {
    const { url } = testPrometheus()
    const client = new PrometheusClient(connection(url))
    const batched = await runQueries(client, ODD_QUERIES, { time: END, concurrency: 4, limits: { maxQueries: 2 } })
    const alone = await runQueries(new PrometheusClient(connection(url)), ODD_QUERIES, { time: END, concurrency: 4, batch: false })
    expectSameOutcomes(batched, alone, ODD_QUERIES)
  })
})

describe('the gate with batching on and off (Prometheus 2.42)', () => {
  function settings(batch: boolean): GateSettings {
    const { url, end } = testPrometheus()
    return {
      configPatterns: readdirSync(fixtures).filter((f) => f.endsWith('.yaml')),
      cwd: fixtures,
      prometheus: connection(url),
      concurrency: 8,
      evaluationTime: end,
      onError: 'fail',
      dryRun: false,
      batch
    }
  }

  it('gives identical reports for every fixture SLO file, from far fewer requests', async () => {
    const batched = await runGate(settings(true))
    const alone = await runGate(settings(false))
    expect(batched.report).toEqual(alone.report)
    expect(alone.requests).toBe(alone.report.queryCount)
    expect(batched.report.slos.length).toBeGreaterThan(8)
    // Every decision is represented, so the comparison covers every path of the engine.
    expect(new Set(batched.report.slos.map((s) => s.decision))).toEqual(new Set(['allow', 'warn', 'freeze', 'error']))
    // 168 queries (11 SLOs), in batches of similar lookback and about equal weight for 8 requests
    // in flight (src/prometheus/batch.ts planBatches).
    expect(batched.report.queryCount).toBe(168)
    expect(batched.requests).toBe(9)
  })
})


describeVm('batched queries answer exactly as queries sent alone (VictoriaMetrics 1.79; skipped outside CI when /usr/bin/victoria-metrics is missing)', () => {
  let vm: VictoriaMetrics | undefined
  let url: string

  beforeAll(async () => {
    vm = await startVictoriaMetrics('ebg-vm-')
    url = vm.url
    // The test scenario's request counters and latency histogram, as Prometheus holds them.
    const scenario = buildScenario('test')
    const times = sampleTimes(END)
    const lines: string[] = []
    const series = (metric: Record<string, string>, value: (t: number) => number) =>
      lines.push(JSON.stringify({ metric, values: times.map(value), timestamps: times.map((t) => t * 1000) }))
    for (const svc of Object.values(scenario.services)) {
      series({ __name__: 'http_requests_total', service: svc.name, code: '200' }, svc.counter.ok)
      series({ __name__: 'http_requests_total', service: svc.name, code: '500' }, svc.counter.errors)
      if (svc.latency) series({ __name__: 'http_request_duration_seconds_count', service: svc.name }, (t) => svc.counter.bucket('+Inf', t))
    }
    await vm.importLines(lines, 'count(http_requests_total)', lines.length - 1, END)
  })

  afterAll(async () => {
    await vm?.stop()
  })

  it('for every shape of answer (MetricsQL: scalars are vectors, NaN is dropped, range vectors are never batched)', async () => {
    const { batched, alone } = await both(url, ODD_QUERIES)
    expectSameOutcomes(batched, alone, ODD_QUERIES)
    expect(batched.calls).toBeLessThan(alone.calls)
    const get = (q: string) => alone.outcomes.get(q)!
    expect(get('http_requests_total{service="healthy"}')).toMatchObject({ ok: true, result: { samples: [{ labels: { code: '200' } }, { labels: { code: '500' } }] } })
    expect(get(NAN_QUERY)).toMatchObject({ ok: true, result: { samples: [] } })
    expect(get('http_requests_total{service="healthy"}[5m]')).toMatchObject({ ok: false, error: expect.stringMatching(/range vector/) })
    expect(get(SORTED_QUERY)).toMatchObject({ ok: true, result: { samples: [{ labels: { code: '500' } }, { labels: { code: '200' } }] } })
  })

  it('with batches of two sub-queries', async () => {
    const batched = await runQueries(new PrometheusClient(connection(url)), ODD_QUERIES, { time: END, concurrency: 4, limits: { maxQueries: 2 } })
    const alone = await runQueries(new PrometheusClient(connection(url)), ODD_QUERIES, { time: END, concurrency: 4, batch: false })
    expectSameOutcomes(batched, alone, ODD_QUERIES)
  })
})
