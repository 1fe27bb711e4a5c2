// Query batching (src/prometheus/batch.ts): how queries are combined and split, which are never
// batched, how failed batches fall back, and the query plan pinned as a number of requests for N
// SLOs (a batching regression fails here). Identity with unbatched answers on a real Prometheus
// (and VictoriaMetrics) is in __tests__/integration/batching.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { QueryError } from '../../src/errors.js'
import { runGate, type GateSettings } from '../../src/gate.js'
import {
  BATCH_LABEL,
  combineQueries,
  DEFAULT_BATCH_LIMITS,
  isBatchable,
  isRangeExpression,
  lookback,
  planBatches,
  runQueries,
  splitResult
} from '../../src/prometheus/batch.js'
import type { InstantQuery } from '../../src/prometheus/client.js'
import type { InstantResult, Sample } from '../../src/prometheus/response.js'

const TIME = 1795132800
const SUB_QUERY = /label_replace\(\n([\s\S]*?)\n,"__ebg_q","(\d+)","",""\)/g

function vector(samples: Sample[], warnings: string[] = []): InstantResult {
  return { resultType: 'vector', samples, warnings }
}

type Answer = InstantResult | QueryError | ((query: string) => InstantResult)

/**
 * A fake server with Prometheus' batching semantics: a batch is answered sub-query by sub-query
 * from the table (tags added); any failing or scalar sub-query fails the whole batch with that
 * error (as label_replace refuses a scalar). Records every call and the most in flight at once.
 */
class FakeServer implements InstantQuery {
  readonly calls: string[] = []
  inFlight = 0
  maxInFlight = 0
  constructor(
    private readonly answers: Record<string, Answer>,
    private readonly fallback: Answer = vector([{ labels: {}, value: 1 }]),
    private readonly batchWarnings: string[] = []
  ) {}

  requestCount = 0

  private answerOf(query: string): InstantResult {
    const answer = this.answers[query] ?? this.fallback
    if (answer instanceof QueryError) throw answer
    return typeof answer === 'function' ? answer(query) : answer
  }

  async query(promql: string, time: number): Promise<InstantResult> {
    expect(time).toBe(TIME)
    this.calls.push(promql)
    this.requestCount++
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    try {
      await new Promise((resolve) => setTimeout(resolve, 1))
      const parts = [...promql.matchAll(SUB_QUERY)]
      if (parts.length === 0) return this.answerOf(promql)
      const samples: Sample[] = []
      for (const [, query, tag] of parts) {
        const result = this.answerOf(query)
        if (result.resultType === 'scalar') throw new QueryError('Prometheus answered HTTP 400 (bad_data): expected type instant vector in call to function "label_replace", got scalar', false, 400)
        for (const sample of result.samples) samples.push({ labels: { ...sample.labels, [BATCH_LABEL]: tag }, value: sample.value })
      }
      return vector(samples, this.batchWarnings)
    } finally {
      this.inFlight--
    }
  }

  /** Sub-queries per call (1 for a query sent alone). */
  get sizes(): number[] {
    return this.calls.map((call) => [...call.matchAll(SUB_QUERY)].length || 1)
  }
}

const queries = (n: number, prefix = 'q') => Array.from({ length: n }, (_, i) => `sum(increase(${prefix}${i}_total[30d]))`)

describe('combineQueries and splitResult', () => {
  it('tags each sub-query with label_replace on lines of its own, joined by or in a balanced tree', () => {
    expect(combineQueries(['a', 'b', 'c'])).toBe(
      '(label_replace(\na\n,"__ebg_q","0","","") or (label_replace(\nb\n,"__ebg_q","1","","") or label_replace(\nc\n,"__ebg_q","2","","")))'
    )
    expect(combineQueries(['up'])).toBe('label_replace(\nup\n,"__ebg_q","0","","")')
  })

  it('keeps a trailing # comment from swallowing the rest of the batch', () => {
    const text = combineQueries(['sum(x) # errors', 'sum(y)'])
    expect(text.split('\n')).toContain('sum(x) # errors')
    expect(text).toContain('"__ebg_q","1"')
  })

  it('gives each sub-query exactly its series, tag removed: none, one, several, NaN and ±Inf kept, same labels across sub-queries', () => {
    const result = vector(
      [
        { labels: { [BATCH_LABEL]: '1' }, value: 5 },
        { labels: { [BATCH_LABEL]: '2', __name__: 'up', job: 'a' }, value: NaN },
        { labels: { [BATCH_LABEL]: '2', __name__: 'up', job: 'b' }, value: Infinity },
        { labels: { [BATCH_LABEL]: '3' }, value: -Infinity },
        { labels: { [BATCH_LABEL]: '4' }, value: 7 }
      ],
      ['partial answer']
    )
    const parts = splitResult(result, 5)!
    expect(parts.map((p) => p.samples)).toEqual([
      [],
      [{ labels: {}, value: 5 }],
      [
        { labels: { __name__: 'up', job: 'a' }, value: NaN },
        { labels: { __name__: 'up', job: 'b' }, value: Infinity }
      ],
      [{ labels: {}, value: -Infinity }],
      [{ labels: {}, value: 7 }]
    ])
    for (const part of parts) {
      expect(part.resultType).toBe('vector')
      expect(part.warnings).toEqual(['partial answer'])
    }
  })

  it('refuses an answer that is not a batch answer (no tag, unknown tag, not a vector)', () => {
    expect(splitResult(vector([{ labels: {}, value: 1 }]), 2)).toBeUndefined()
    expect(splitResult(vector([{ labels: { [BATCH_LABEL]: '2' }, value: 1 }]), 2)).toBeUndefined()
    expect(splitResult(vector([{ labels: { [BATCH_LABEL]: '01' }, value: 1 }]), 2)).toBeUndefined()
    expect(splitResult({ resultType: 'scalar', samples: [{ labels: {}, value: 1 }], warnings: [] }, 1)).toBeUndefined()
  })
})

describe('what is never batched', () => {
  it('detects a top-level range vector or subquery, through parentheses, offsets, @ and comments', () => {
    for (const query of ['x[5m]', 'rate(x[5m])[1h:5m]', '(x[5m])', ' x{a="]"}[5m] offset 1h ', 'x[5m] @ 1795132800', 'x[5m] @ end()', 'x[5m] # comment', 'x[1h30m] offset -5m']) {
      expect([query, isRangeExpression(query)]).toEqual([query, true])
    }
    for (const query of ['rate(x[5m])', 'sum(increase(x[30d]))', 'x{a="[5m]"}', '(a[5m]) or b', 'x # [5m]', '1 - sum(rate(x[5m]))', 'sum(x[5m:1m])']) {
      expect([query, isRangeExpression(query)]).toEqual([query, false])
    }
  })

  it('sends alone range vectors, sorted answers, queries mentioning the tag label and empty queries', () => {
    expect(isBatchable('sum(rate(x[5m]))')).toBe(true)
    expect(isBatchable('sort_desc(sum by (code) (x))')).toBe(false)
    expect(isBatchable('sort (x)')).toBe(false)
    expect(isBatchable('sort_by_label(x, "code")')).toBe(false)
    expect(isBatchable('x{handler="/sort_desc("}')).toBe(true)
    expect(isBatchable('x[5m]')).toBe(false)
    expect(isBatchable(`label_replace(up, "${BATCH_LABEL}", "1", "", "")`)).toBe(false)
    expect(isBatchable('  ')).toBe(false)
  })
})

describe('planBatches', () => {
  it('reads how far back a query looks: longest range plus longest offset', () => {
    expect(lookback('sum(increase(x[30d]))')).toBe(30 * 86400)
    expect(lookback('sum(rate(x[5m])) / sum(rate(y[1h30m]))')).toBe(5400)
    expect(lookback('max_over_time(rate(x[5m])[1d:5m]) offset 1h')).toBe(86400 + 3600)
    expect(lookback('up{path="[30d]"}')).toBe(0)
  })

  it('groups queries of similar lookback, so a short window is not looked up in 30 days of blocks; heaviest first', () => {
    const plan = ['30d', '5m', '1h', '3d', '30d', '5m'].map((w, i) => `sum(increase(s${i}[${w}]))`)
    const groups = planBatches(plan, 1, { ...DEFAULT_BATCH_LIMITS, maxQueries: 2 })
    expect(groups).toEqual([
      ['sum(increase(s0[30d]))', 'sum(increase(s4[30d]))'],
      ['sum(increase(s2[1h]))', 'sum(increase(s3[3d]))'],
      ['sum(increase(s1[5m]))', 'sum(increase(s5[5m]))']
    ])
  })

  it('cuts a plan into batches of about equal weight, so `concurrency` requests share the work', () => {
    // One 30d SLO: each 30d query weighs more than all 14 short-window queries together.
    const windows = ['30d', '5m', '30m', '1h', '2h', '6h', '1d', '3d']
    const slo = windows.flatMap((w) => [`sum(increase(e[${w}]))`, `sum(increase(t[${w}]))`])
    expect(planBatches(slo, 8).map((g) => g.map((q) => /\[(\w+)\]/.exec(q)![1]))).toEqual([
      ['30d'],
      ['30d'],
      ['5m', '5m', '30m', '30m', '1h', '1h', '2h', '2h', '6h', '6h', '1d', '1d', '3d'],
      ['3d']
    ])
    expect(planBatches(slo, 1)).toHaveLength(1)
    expect(planBatches(queries(16), 8).map((g) => g.length)).toEqual(Array(8).fill(2))
    expect(planBatches(queries(800), 8).map((g) => g.length)).toEqual(Array(8).fill(100))
  })

  it('respects the size limits', () => {
    expect(planBatches(queries(16000), 8).map((g) => g.length)).toEqual(Array(80).fill(200))
    expect(planBatches(queries(1000), 1, { ...DEFAULT_BATCH_LIMITS, maxQueries: 300 }).map((g) => g.length)).toEqual([300, 300, 300, 100])
    const byChars = planBatches(queries(100), 1, { ...DEFAULT_BATCH_LIMITS, maxChars: 1000 })
    for (const group of byChars) expect(combineQueries(group).length).toBeLessThanOrEqual(1000)
    expect(byChars.length).toBeGreaterThan(5)
    expect(new Set(byChars.flat()).size).toBe(100)
  })

  it('sends each distinct query once; unbatchable queries and a query longer than the limit go alone', () => {
    const long = `sum(x{a="${'y'.repeat(2000)}"})`
    const groups = planBatches(['a', 'b', 'a', long, 'x[5m]'], 1, { ...DEFAULT_BATCH_LIMITS, maxChars: 1000 })
    expect(groups).toEqual([['x[5m]'], ['a', 'b'], [long]])
  })
})

describe('runQueries', () => {
  const options = { time: TIME, concurrency: 4 }

  it('answers every query from batches, exactly as the server answers each alone', async () => {
    const options = { time: TIME, concurrency: 1 }
    const answers: Record<string, Answer> = {
      'empty{}': vector([]),
      several: vector([
        { labels: { __name__: 'up', job: 'a' }, value: 1 },
        { labels: { __name__: 'up', job: 'b' }, value: 0 }
      ]),
      'nan{}': vector([{ labels: {}, value: NaN }]),
      'sum(a)': vector([{ labels: {}, value: 1 }]),
      'sum(b)': vector([{ labels: {}, value: 2 }])
    }
    const server = new FakeServer(answers)
    const run = await runQueries(server, Object.keys(answers), options)
    expect(server.calls).toHaveLength(1)
    expect(run.calls).toBe(1)
    for (const [query, answer] of Object.entries(answers)) expect(run.outcomes.get(query)).toEqual({ ok: true, result: answer })
  })

  it('sends one request per query when batching is off', async () => {
    const server = new FakeServer({})
    const run = await runQueries(server, queries(10), { ...options, batch: false })
    expect(server.sizes).toEqual(Array(10).fill(1))
    expect(run.calls).toBe(10)
    expect([...run.outcomes.values()].every((o) => o.ok)).toBe(true)
  })

  it('splits a failed batch until the bad query is alone: its own error, and every other query answered', async () => {
    const bad = 'sum(increase(q37_total[30d]))'
    const error = new QueryError('Prometheus answered HTTP 400 (bad_data): parse error', false, 400)
    const server = new FakeServer({ [bad]: error })
    const plan = queries(64)
    const run = await runQueries(server, plan, { ...options, concurrency: 1 })
    expect(run.outcomes.get(bad)).toEqual({ ok: false, error: error.message })
    for (const query of plan.filter((q) => q !== bad)) expect(run.outcomes.get(query)).toEqual({ ok: true, result: vector([{ labels: {}, value: 1 }]) })
    // 64 → 32 → 16 → 8 → 4 → alone: 1 + 2 + 2 + 2 + 2 + 4 requests instead of 64.
    expect(server.calls).toHaveLength(13)
    expect(server.calls.filter((c) => c === bad)).toHaveLength(1)
  })

  it('falls back for a sub-query that returns a scalar, which then gets its scalar as alone', async () => {
    const options = { time: TIME, concurrency: 1 }
    const scalar: InstantResult = { resultType: 'scalar', samples: [{ labels: {}, value: 0.5 }], warnings: [] }
    const server = new FakeServer({ 'scalar(x)': scalar })
    const run = await runQueries(server, ['sum(a)', 'scalar(x)', 'sum(b)'], options)
    expect(run.outcomes.get('scalar(x)')).toEqual({ ok: true, result: scalar })
    expect(run.outcomes.get('sum(a)')?.ok).toBe(true)
    expect(server.calls).toEqual([combineQueries(['sum(a)', 'scalar(x)', 'sum(b)']), 'sum(a)', 'scalar(x)', 'sum(b)'])
  })

  it('splits on execution errors (422), timeouts and size limits, and on a 2xx answer it cannot read', async () => {
    for (const status of [413, 414, 422, 503, 504, 200]) {
      const server = new FakeServer({ 'sum(bad)': new QueryError(`HTTP ${status}`, false, status) })
      const run = await runQueries(server, ['sum(a)', 'sum(bad)'], options)
      expect([status, run.outcomes.get('sum(a)')?.ok, run.outcomes.get('sum(bad)')]).toEqual([status, true, { ok: false, error: `HTTP ${status}` }])
    }
  })

  it('gives every sub-query the error of a failure that is not about the query (network, auth, 429, other 5xx), without splitting', async () => {
    for (const error of [new QueryError('cannot reach Prometheus', true), new QueryError('HTTP 401', false, 401), new QueryError('HTTP 429', false, 429), new QueryError('HTTP 502', false, 502)]) {
      const server = new FakeServer({}, error)
      const run = await runQueries(server, queries(50), options)
      expect(server.calls).toHaveLength(planBatches(queries(50), options.concurrency).length)
      expect(server.calls.length).toBeGreaterThan(1)
      expect(new Set([...run.outcomes.values()].map((o) => JSON.stringify(o)))).toEqual(new Set([JSON.stringify({ ok: false, error: error.message })]))
      expect(run.outcomes.size).toBe(50)
    }
  })

  it('survives a thrown non-Error (turned into a failed outcome, never a throw)', async () => {
    const client: InstantQuery = {
      query: () => Promise.reject('boom')
    }
    const run = await runQueries(client, ['sum(a)', 'sum(b)'], options)
    expect(run.outcomes.get('sum(a)')).toEqual({ ok: false, error: 'boom' })
  })

  it('applies the warnings of a batch to each of its sub-queries', async () => {
    const server = new FakeServer({}, vector([{ labels: {}, value: 1 }]), ['partial response'])
    const run = await runQueries(server, queries(5), { ...options, concurrency: 1 })
    expect(server.calls).toHaveLength(1)
    for (const outcome of run.outcomes.values()) expect(outcome).toEqual({ ok: true, result: vector([{ labels: {}, value: 1 }], ['partial response']) })
  })

  it('never has more than `concurrency` requests in flight, fallbacks included', async () => {
    const server = new FakeServer({ 'sum(increase(q5_total[30d]))': new QueryError('bad', false, 400), 'sum(increase(q900_total[30d]))': new QueryError('bad', false, 422) })
    await runQueries(server, queries(1600), { ...options, concurrency: 3 })
    expect(server.maxInFlight).toBe(3)
  })

  it('appends each request to the file named by EBG_REQUEST_LOG (the benchmark replays them)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebg-batch-'))
    const file = join(dir, 'requests.jsonl')
    process.env.EBG_REQUEST_LOG = file
    try {
      const server = new FakeServer({})
      await runQueries(server, queries(3), options)
      expect(readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line))).toEqual(server.calls.map((query) => ({ query, time: TIME })))
    } finally {
      delete process.env.EBG_REQUEST_LOG
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the query plan of the gate, in HTTP requests', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ebg-plan-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  /** A catalogue of `n` 30d SLOs (one file per service, as an organisation lays it out). */
  function catalogue(n: number): string {
    const folder = join(dir, `slos-${n}`)
    rmSync(folder, { recursive: true, force: true })
    mkdirSync(folder, { recursive: true })
    for (let i = 0; i < n; i++) {
      const service = `svc-${i}`
      writeFileSync(
        join(folder, `${service}.yaml`),
        [
          'apiVersion: error-budget-gate/v1',
          `service: ${service}`,
          'slos:',
          '  - name: availability',
          '    objective: 99.9',
          '    sli:',
          '      events:',
          `        errorQuery: 'sum(increase(http_requests_total{service="${service}",code="500"}[{{.window}}]))'`,
          `        totalQuery: 'sum(increase(http_requests_total{service="${service}"}[{{.window}}]))'`,
          ''
        ].join('\n')
      )
    }
    return folder
  }

  function settings(cwd: string, overrides: Partial<GateSettings> = {}): GateSettings {
    return {
      configPatterns: ['*.yaml'],
      cwd,
      prometheus: { url: 'http://127.0.0.1:9', headers: {}, timeoutMs: 1000, retries: 0, retryBaseDelayMs: 1 },
      concurrency: 8,
      evaluationTime: TIME,
      onError: 'fail',
      dryRun: false,
      ...overrides
    }
  }

  // A healthy answer for every query: 1 error in 10,000 requests.
  const healthy = (query: string): InstantResult => vector([{ labels: {}, value: query.includes('code="500"') ? 1 : 10_000 }])

  // 16 queries per SLO: errors and total over the 30d window and 7 burn-rate windows. Batches
  // weigh about the same (each 30d query alone for 1 SLO), at most 200 sub-queries each.
  it.each([
    [1, 16, 4],
    [2, 32, 6],
    [50, 800, 11],
    [1000, 16000, 80]
  ])('%i SLOs: %i queries in %i requests', async (slos, queryCount, requests) => {
    const server = new FakeServer({}, healthy)
    const run = await runGate(settings(catalogue(slos)), server)
    expect(run.report.queryCount).toBe(queryCount)
    expect(run.requests).toBe(requests)
    expect(server.calls).toHaveLength(requests)
    expect(run.report.decision).toBe('allow')
    expect(run.report.slos.every((slo) => Math.abs(slo.errorRatio! - 0.0001) < 1e-12)).toBe(true)
  })

  it('1 SLO without batching: one request per query', async () => {
    const server = new FakeServer({}, healthy)
    const run = await runGate(settings(catalogue(1), { batch: false }), server)
    expect(run.requests).toBe(16)
  })

  it('a broken query costs its batch a few extra requests, not one request per query', async () => {
    const broken = 'sum(increase(http_requests_total{service="svc-7"}[1h]))'
    const server = new FakeServer({ [broken]: new QueryError('Prometheus answered HTTP 422 (execution): boom', false, 422) }, healthy)
    const run = await runGate(settings(catalogue(50)), server)
    // 11 batches; the one holding the broken query (≤ 200) is halved down to 4, then sent alone.
    expect(run.requests).toBeLessThanOrEqual(11 + 2 * 6 + 4)
    const failed = run.report.slos.filter((slo) => slo.decision === 'error').map((slo) => slo.id)
    expect(failed).toEqual(['svc-7/availability'])
  })
})
