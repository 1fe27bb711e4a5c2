// Backtesting, piece by piece: matrix bodies, the client's range queries (same retries, checks
// and secret handling as instant queries), steps and chunks, the split of a matrix back into the
// instant answers of each step, the replay through the gate's own engine and policy, the summary
// (freezes, toggles), and the text, JSON and SVG outputs. Against real Prometheus history:
// __tests__/integration/backtest.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

import { backtestChart, escapeXml } from '../../src/backtest/chart.js'
import { runRangeQueries, splitMatrix } from '../../src/backtest/range.js'
import { outcomesAt, replay, replayStep, type BacktestStep } from '../../src/backtest/replay.js'
import { backtestText, buildBacktestReport, formatHours } from '../../src/backtest/report.js'
import { chunkSteps, stepTimes } from '../../src/backtest/steps.js'
import { statsOf } from '../../src/backtest/summary.js'
import type { SliSpec, Slo } from '../../src/config/model.js'
import { evaluateSlo } from '../../src/engine/evaluate.js'
import type { QueryOutcome } from '../../src/engine/readings.js'
import { QueryError } from '../../src/errors.js'
import { planQueries } from '../../src/plan.js'
import { decideGate } from '../../src/policy/decide.js'
import { DEFAULT_POLICY, type Decision } from '../../src/policy/settings.js'
import { PrometheusClient, type RangeQuery } from '../../src/prometheus/client.js'
import { parseRangeBody, type RangeResult } from '../../src/prometheus/response.js'
import { SHARED } from '../harness/shared.js'

const CORPUS = `${SHARED}/corpus/prom-responses`
const HOUR = 3600
const DAY = 86400

function capturedMatrix(engine: string): unknown {
  const wrapper = JSON.parse(readFileSync(join(CORPUS, 'captured', engine, 'matrix_sli_error_ratio_5m_last3h.json'), 'utf8')) as { body_raw: string }
  return JSON.parse(wrapper.body_raw)
}

describe('parseRangeBody', () => {
  it.each(['prometheus-2.42', 'victoriametrics-1.79'])('reads the matrix %s returned for a range query', (engine) => {
    const parsed = parseRangeBody(capturedMatrix(engine))
    if (!parsed.ok) throw new Error(parsed.message)
    expect(parsed.result.series).toHaveLength(1)
    const [series] = parsed.result.series
    expect(series.labels).toEqual({})
    expect(series.points).toHaveLength(37)
    expect(series.points[0]).toEqual([1704402000, 0.001])
    expect(series.points[19]).toEqual([1704407700, 0.1])
    expect(series.points[36][0]).toBe(1704412800)
  })

  it('keeps labels, fractional timestamps, NaN and infinities', () => {
    const docs = parseRangeBody(JSON.parse(readFileSync(join(CORPUS, 'prom-docs-range-matrix-up.json'), 'utf8')))
    if (!docs.ok) throw new Error(docs.message)
    expect(docs.result.series[0].labels).toEqual({ __name__: 'up', job: 'prometheus', instance: 'localhost:9090' })
    expect(docs.result.series[0].points[0]).toEqual([1435781430.781, 1])
    const odd = parseRangeBody({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, 'NaN'], [2, '+Inf'], [3, '-Inf'], [4, '1e+06']] }] } })
    if (!odd.ok) throw new Error(odd.message)
    expect(odd.result.series[0].points.map(([, v]) => v)).toEqual([NaN, Infinity, -Infinity, 1e6])
  })

  it('keeps server warnings and marks partial answers', () => {
    const parsed = parseRangeBody({ status: 'success', isPartial: true, warnings: ['some stores down'], data: { resultType: 'matrix', result: [] } })
    if (!parsed.ok) throw new Error(parsed.message)
    expect(parsed.result.series).toEqual([])
    expect(parsed.result.warnings[0]).toBe('some stores down')
    expect(parsed.result.warnings[1]).toMatch(/partial/)
  })

  it('names every shape it cannot use', () => {
    const histograms = parseRangeBody(JSON.parse(readFileSync(join(CORPUS, 'prom-openapi-native-histogram-matrix.json'), 'utf8')))
    expect(histograms).toMatchObject({ ok: false, kind: 'invalid', message: expect.stringMatching(/native histograms; wrap it in histogram_count/) })
    expect(parseRangeBody({ status: 'success', data: { resultType: 'vector', result: [] } })).toMatchObject({ ok: false, message: 'a range query returned "vector"; a matrix was expected' })
    expect(parseRangeBody({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, 'x']] }] } })).toMatchObject({ ok: false, message: 'the sample value "x" is not a number' })
    expect(parseRangeBody({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[2, '1'], [1, '1']] }] } })).toMatchObject({ ok: false, message: expect.stringMatching(/out of order/) })
    expect(parseRangeBody({ status: 'success', data: { resultType: 'matrix', result: [{ values: [[1, '1']] }] } })).toMatchObject({ ok: false, message: expect.stringMatching(/malformed/) })
    expect(parseRangeBody({ status: 'error', errorType: 'bad_data', error: 'exceeded maximum resolution of 11,000 points per timeseries' })).toEqual({
      ok: false,
      kind: 'prometheus-error',
      errorType: 'bad_data',
      message: 'exceeded maximum resolution of 11,000 points per timeseries'
    })
    expect(parseRangeBody('<html>')).toMatchObject({ ok: false, kind: 'invalid' })
  })
})

// ---- The client's range queries against a real HTTP server on 127.0.0.1 ----------------------

type Reply = (req: IncomingMessage, body: string, res: ServerResponse) => void

class Scripted {
  readonly requests: Array<{ method: string; url: string; body: string; headers: IncomingMessage['headers'] }> = []
  replies: Reply[] = []
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers })
      const reply = this.replies.length > 1 ? this.replies.shift()! : this.replies[0]
      reply(req, body, res)
    })
  })

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return this
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  answer(...replies: Reply[]): void {
    this.requests.length = 0
    this.replies = replies
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

const json =
  (status: number, body: unknown): Reply =>
  (_req, _body, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify(body))
  }

const matrix = (values: Array<[number, string]>) => ({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] } })

describe('PrometheusClient.queryRange', () => {
  let server: Scripted
  const TOKEN = 'range-token-7f3a9c1e'
  beforeAll(async () => {
    server = await new Scripted().start()
  })
  afterAll(async () => server.close())

  const client = (retries = 2) => new PrometheusClient({ url: server.url, bearerToken: TOKEN, headers: { 'X-Api-Key': 'range-key-55aa77bb' }, timeoutMs: 2000, retries, retryBaseDelayMs: 1 })

  it('sends start, end and step to /api/v1/query_range with the credentials, and reads the matrix', async () => {
    server.answer(json(200, matrix([[3600, '0.5'], [7200, '0.25']])))
    const result = await client().queryRange('sum(rate(x[5m]))', 3600, 7200, 3600)
    expect(result).toEqual({ series: [{ labels: {}, points: [[3600, 0.5], [7200, 0.25]] }], warnings: [] })
    const url = new URL(server.requests[0].url, server.url)
    expect(url.pathname).toBe('/api/v1/query_range')
    expect(Object.fromEntries(url.searchParams)).toEqual({ query: 'sum(rate(x[5m]))', start: '3600', end: '7200', step: '3600' })
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(server.requests[0].headers['x-api-key']).toBe('range-key-55aa77bb')
  })

  it('POSTs a query too long for a URL as a form, like instant queries', async () => {
    server.answer(json(200, matrix([[60, '1']])))
    const long = `sum(rate(x{a=~"${'y'.repeat(5000)}"}[5m]))`
    await client().queryRange(long, 60, 60, 60)
    expect(server.requests[0].method).toBe('POST')
    expect(new URLSearchParams(server.requests[0].body).get('query')).toBe(long)
    expect(new URLSearchParams(server.requests[0].body).get('step')).toBe('60')
  })

  it('retries 5xx and then answers; never retries a 400', async () => {
    server.answer(json(503, { status: 'error', errorType: 'unavailable', error: 'busy' }), json(200, matrix([[60, '1']])))
    await expect(client().queryRange('up', 60, 60, 60)).resolves.toMatchObject({ series: [{ points: [[60, 1]] }] })
    expect(server.requests).toHaveLength(2)
    server.answer(json(400, { status: 'error', errorType: 'bad_data', error: 'exceeded maximum resolution of 11,000 points per timeseries' }))
    const error = await client().queryRange('up', 0, 60, 60).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QueryError)
    expect((error as QueryError).message).toBe(`Prometheus at ${server.url} answered HTTP 400 (bad_data): exceeded maximum resolution of 11,000 points per timeseries`)
    expect(server.requests).toHaveLength(1)
  })

  it('names the endpoint on 404 and masks secrets a server echoes', async () => {
    server.answer(json(404, 'not found'))
    await expect(client(0).queryRange('up', 60, 60, 60)).rejects.toThrow(/answered HTTP 404 for \/api\/v1\/query_range/)
    server.answer((req, _body, res) => {
      res.writeHead(500, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ status: 'error', errorType: 'internal', error: `auth ${req.headers.authorization} key ${req.headers['x-api-key']}` }))
    })
    const error = (await client(0).queryRange('up', 60, 60, 60).catch((e: unknown) => e)) as QueryError
    expect(error.message).not.toContain(TOKEN)
    expect(error.message).not.toContain('range-key-55aa77bb')
    expect(error.message).toContain('***')
  })

  it('refuses, before sending anything, a range the server would reject', async () => {
    server.answer(json(200, matrix([])))
    await expect(client().queryRange('up', 0, 11_000 * 60, 60)).rejects.toThrow(/more than 11000 points per series/)
    await expect(client().queryRange('up', 120, 60, 60)).rejects.toThrow(/end must not be before start/)
    await expect(client().queryRange('up', 60, 120, 0)).rejects.toThrow(/step must be positive/)
    expect(server.requests).toHaveLength(0)
    // 11,000 points exactly is allowed.
    await client().queryRange('up', 0, 10_999 * 60, 60)
    expect(server.requests).toHaveLength(1)
  })
})

// ---- Steps, chunks and matrices --------------------------------------------------------------

describe('steps and chunks', () => {
  it('puts steps on whole multiples of the step, inside [from, to]', () => {
    expect(stepTimes(3 * HOUR + 1, 6 * HOUR, HOUR)).toEqual([4 * HOUR, 5 * HOUR, 6 * HOUR])
    expect(stepTimes(3 * HOUR, 6 * HOUR - 1, HOUR)).toEqual([3 * HOUR, 4 * HOUR, 5 * HOUR])
    expect(stepTimes(10, 20, HOUR)).toEqual([])
    expect(() => stepTimes(0, 1e9, 1)).toThrow(/more than 100000 steps/)
  })

  it('splits steps into range queries of at most 11,000 points, without gaps or overlaps', () => {
    const times = stepTimes(0, 25_000 * 60, 60)
    const chunks = chunkSteps(times, 60)
    expect(chunks.map((c) => c.count)).toEqual([11_000, 11_000, 3001])
    expect(chunks[1]).toEqual({ offset: 11_000, start: 11_000 * 60, end: 21_999 * 60, count: 11_000 })
    expect(chunks[2].end).toBe(times[times.length - 1])
    expect(chunkSteps(times, 60, 50_000).map((c) => c.count)).toEqual([11_000, 11_000, 3001])
    expect(chunkSteps([0, 60, 120, 180, 240], 60, 2).map((c) => [c.start, c.end])).toEqual([
      [0, 60],
      [120, 180],
      [240, 240]
    ])
  })

  it('turns a matrix back into the instant answer of each step', () => {
    const result: RangeResult = {
      series: [
        { labels: { code: '500' }, points: [[120, 1], [240, 3]] },
        { labels: { code: '200' }, points: [[120, 10], [180, NaN], [240.0004, 30]] }
      ],
      warnings: ['w']
    }
    const answers = splitMatrix(result, { offset: 0, start: 120, end: 240, count: 3 }, 60)
    if (typeof answers === 'string') throw new Error(answers)
    const samples = answers.map((a) => (a.ok ? a.result.samples : []))
    expect(samples[0]).toEqual([
      { labels: { code: '500' }, value: 1 },
      { labels: { code: '200' }, value: 10 }
    ])
    // A series with no point at a step is absent from that step's vector, as from the instant answer.
    expect(samples[1]).toEqual([{ labels: { code: '200' }, value: NaN }])
    expect(samples[2].map((s) => s.value)).toEqual([3, 30])
    expect(answers.every((a) => a.ok && a.result.resultType === 'vector' && a.result.warnings[0] === 'w')).toBe(true)
    const offGrid = splitMatrix({ series: [{ labels: {}, points: [[150, 1]] }], warnings: [] }, { offset: 0, start: 120, end: 240, count: 3 }, 60)
    expect(offGrid).toMatch(/point at 150, which is not one of the steps asked for/)
  })
})

// ---- Running range queries (fake server) ----------------------------------------------------

/** A range client answering value = f(query, t) at every step; records its calls. */
function fakeRange(value: (query: string, time: number) => number | undefined, fail?: (query: string, start: number) => string | undefined): RangeQuery & { calls: Array<[string, number, number, number]> } {
  const calls: Array<[string, number, number, number]> = []
  return {
    calls,
    async queryRange(query, start, end, step) {
      calls.push([query, start, end, step])
      const problem = fail?.(query, start)
      if (problem) throw new QueryError(problem, false, 400)
      const points: Array<[number, number]> = []
      for (let t = start; t <= end; t += step) {
        const v = value(query, t)
        if (v !== undefined) points.push([t, v])
      }
      return { series: points.length > 0 ? [{ labels: {}, points }] : [], warnings: [] }
    }
  }
}

describe('runRangeQueries', () => {
  const times = stepTimes(0, 6 * 60, 60) // 7 steps

  it('evaluates every distinct query over every chunk and keeps each step in place', async () => {
    const client = fakeRange((query, t) => (query === 'a' ? t : t * 2))
    const run = await runRangeQueries(client, ['a', 'b', 'a'], times, 60, { concurrency: 3, maxPoints: 3 })
    expect(run.calls).toBe(6)
    expect(client.calls.filter(([q]) => q === 'a').map(([, s, e]) => [s, e])).toEqual([
      [0, 120],
      [180, 300],
      [360, 360]
    ])
    const values = (q: string) => run.outcomes.get(q)!.map((o) => (o.ok ? o.result.samples[0].value : null))
    expect(values('a')).toEqual(times)
    expect(values('b')).toEqual(times.map((t) => t * 2))
    expect(run.failures).toEqual([])
  })

  it('gives a failed chunk its failure at its steps only, and lists it once', async () => {
    const client = fakeRange(
      () => 1,
      (query, start) => (query === 'bad' && start === 180 ? 'Prometheus answered HTTP 422 (execution): boom' : undefined)
    )
    const run = await runRangeQueries(client, ['bad'], times, 60, { concurrency: 2, maxPoints: 3 })
    expect(run.outcomes.get('bad')!.map((o) => o.ok)).toEqual([true, true, true, false, false, false, true])
    expect(run.failures).toEqual(['Prometheus answered HTTP 422 (execution): boom — query: bad'])
  })
})

// ---- Replay through the gate's engine and policy ---------------------------------------------

const SLI: SliSpec = { kind: 'events', bad: 'errors', badQuery: 'errors[{{.window}}]', totalQuery: 'total[{{.window}}]' }

function makeSlo(overrides: Partial<Slo> = {}): Slo {
  return {
    service: 'checkout',
    name: 'availability',
    objective: 0.999,
    window: '30d',
    windowSeconds: 30 * DAY,
    sli: SLI,
    policy: DEFAULT_POLICY,
    source: { file: 'slos.yaml', document: 1, format: 'native', path: 'slos[0]' },
    ...overrides
  }
}

describe('replay', () => {
  const plan = planQueries([makeSlo(), makeSlo({ service: 'search' })])
  // Error ratio per window at time t: an incident from t = 3h on, healthy before.
  const ratio = (query: string, t: number) => {
    const incident = t >= 3 * HOUR
    if (query.startsWith('total')) return 1e6
    return incident ? (query.includes('[30d]') ? 2000 : 200_000) : 100
  }

  it('decides each step exactly as the gate would from the same answers', async () => {
    const times = stepTimes(0, 5 * HOUR, HOUR)
    const run = await runRangeQueries(fakeRange(ratio), plan.queries, times, HOUR, { concurrency: 4 })
    const steps = replay(plan, times, run.outcomes)
    expect(steps.map((s) => s.decision)).toEqual(['allow', 'allow', 'allow', 'freeze', 'freeze', 'freeze'])
    steps.forEach((step, i) => {
      const at = outcomesAt(run.outcomes, i)
      const verdict = decideGate(plan.slos.map((slo) => evaluateSlo(slo, at)))
      expect(step).toEqual(replayStep(plan, times[i], at))
      expect(step.decision).toBe(verdict.decision)
      expect(step.reasons).toEqual(verdict.reasons)
      expect(step.slos.map((s) => s.budgetRemaining)).toEqual(verdict.slos.map((s) => s.evaluation.budget?.remaining ?? null))
      expect(step.slos.map((s) => s.causes)).toEqual(verdict.slos.map((s) => s.verdict.causes))
    })
    expect(steps[3].slos[0].causes).toEqual(['error budget exhausted', 'page: fast burn', 'page: sustained burn'])
  })

  it('decides per the policy where a query failed: no step ever reads a failure as a pass', () => {
    const failed: QueryOutcome = { ok: false, error: 'connection refused' }
    const outcomes = new Map(plan.queries.map((q) => [q, [failed]]))
    const [step] = replay(plan, [0], outcomes)
    expect(step.decision).toBe('error')
    expect(step.slos[0].causes[0]).toBe('query failed over the 30d SLO window')
  })
})

// ---- Summary ---------------------------------------------------------------------------------

describe('statsOf', () => {
  const d = (text: string): Decision[] => [...text].map((c) => ({ a: 'allow', w: 'warn', f: 'freeze', e: 'error' })[c] as Decision)

  it('finds each freeze with its start, end, length and causes, and counts toggles', () => {
    const decisions = d('aaffawfffe')
    const times = decisions.map((_, i) => i * HOUR)
    const stats = statsOf(decisions, times, HOUR, (i) => (i < 5 ? ['page: fast burn'] : i === 8 ? ['error budget exhausted', 'page: fast burn'] : ['page: fast burn']), (i) => `reason ${i}`)
    expect(stats.freezes).toEqual([
      { start: 2 * HOUR, end: 4 * HOUR, steps: 2, seconds: 2 * HOUR, causes: ['page: fast burn'], reason: 'reason 2' },
      { start: 6 * HOUR, end: 9 * HOUR, steps: 3, seconds: 3 * HOUR, causes: ['page: fast burn', 'error budget exhausted'], reason: 'reason 6' }
    ])
    expect(stats.steps).toEqual({ allow: 3, warn: 1, freeze: 5, error: 1 })
    expect(stats.seconds.freeze).toBe(5 * HOUR)
    expect(stats.toggles).toBe(4)
    expect(stats.changes).toBe(5)
  })

  it('leaves a freeze that lasts to the end open', () => {
    const stats = statsOf(d('aff'), [0, 60, 120], 60, () => ['x'], () => 'r')
    expect(stats.freezes).toEqual([{ start: 60, end: null, steps: 2, seconds: 120, causes: ['x'], reason: 'r' }])
    expect(statsOf(d('ffff'), [0, 1, 2, 3], 1, () => [], () => '').toggles).toBe(0)
    expect(statsOf([], [], 60, () => [], () => '').freezes).toEqual([])
  })
})

// ---- Reports ---------------------------------------------------------------------------------

function syntheticSteps(decisions: Decision[][], start = 1795132800 - 5 * HOUR): BacktestStep[] {
  return decisions.map((slos, i) => ({
    time: start + i * HOUR,
    decision: slos.includes('freeze') ? 'freeze' : slos.includes('warn') ? 'warn' : 'allow',
    reasons: [`reason at ${i}`],
    slos: slos.map((decision, j) => ({
      decision,
      causes: decision === 'freeze' ? ['error budget exhausted'] : [],
      reason: '',
      budgetRemaining: decision === 'freeze' ? -0.5 + j * 0.1 : i === 2 && j === 1 ? null : 0.9,
      burnRates: { '5m': 0.1 }
    }))
  }))
}

describe('the backtest report', () => {
  const slos = [makeSlo(), makeSlo({ service: '<b>&"search"' })]
  const steps = syntheticSteps([
    ['allow', 'allow'],
    ['freeze', 'allow'],
    ['freeze', 'warn'],
    ['allow', 'allow'],
    ['allow', 'freeze'],
    ['allow', 'freeze']
  ])
  const report = buildBacktestReport(slos, steps, { stepSeconds: HOUR, prometheus: 'http://prom:9090', configFiles: ['slos.yaml'], queryCount: 16, requests: 16, problems: [] })

  it('summarizes the hours, freezes (overall and per SLO) and toggles as JSON', () => {
    expect(report).toMatchObject({
      kind: 'backtest',
      from: '2026-11-19T19:00:00Z',
      to: '2026-11-20T00:00:00Z',
      step: '1h',
      stepSeconds: HOUR,
      steps: 6,
      hours: { allow: 2, warn: 0, freeze: 4, error: 0 },
      freeze: { hours: 4, days: 0.1667, share: 0.666667, count: 2 },
      toggles: 3,
      decisionChanges: 3,
      exitCode: 0,
      problems: []
    })
    expect(report.freezes).toEqual([
      { start: '2026-11-19T20:00:00Z', end: '2026-11-19T22:00:00Z', ongoing: false, hours: 2, causes: ['checkout/availability: error budget exhausted'], reason: 'reason at 1' },
      { start: '2026-11-19T23:00:00Z', end: null, ongoing: true, hours: 2, causes: ['<b>&"search"/availability: error budget exhausted'], reason: 'reason at 4' }
    ])
    expect(report.slos[1]).toMatchObject({ id: '<b>&"search"/availability', hours: { allow: 3, warn: 1, freeze: 2, error: 0 }, toggles: 1 })
    expect(report.timeline[2]).toMatchObject({ time: '2026-11-19T21:00:00Z', decision: 'freeze', budgetRemaining: -0.5 })
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
  })

  it('says in text how long the service would have been frozen, when and why', () => {
    const text = backtestText(report)
    expect(text).toMatch(/^BACKTEST 2026-11-19T19:00:00Z → 2026-11-20T00:00:00Z, every 1h \(6 steps\), 2 SLOs\n/)
    expect(text).toContain('Frozen 4 h, 67% of the time, in 2 freezes; toggled in or out of freeze 3 times.')
    expect(text).toContain('2026-11-19T20:00:00Z → 2026-11-19T22:00:00Z  2 h')
    expect(text).toContain('2026-11-19T23:00:00Z → still frozen at the end  2 h')
    expect(text).toContain('    - checkout/availability: error budget exhausted')
    const failed = buildBacktestReport(slos, steps, { stepSeconds: HOUR, configFiles: [], queryCount: 1, requests: 1, problems: ['bad_data: parse error — query: x'] })
    expect(failed.exitCode).toBe(2)
    expect(backtestText(failed)).toContain('! query failed: bad_data: parse error — query: x')
  })

  it('formats durations in hours and days', () => {
    expect(formatHours(0)).toBe('0 h')
    expect(formatHours(0.5)).toBe('30 min')
    expect(formatHours(2.5)).toBe('2.5 h')
    expect(formatHours(240)).toBe('240 h (10.0 days)')
  })

  it('draws an SVG chart: a band per row, a budget line per SLO, names escaped', () => {
    const svg = backtestChart(report)
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true)
    expect(svg).not.toContain('<b>')
    expect(svg).toContain(escapeXml('<b>&"search"/availability'))
    expect(svg).not.toMatch(/NaN|undefined|Infinity/)
    // Runs of equal decisions: overall a f a f (4), checkout a f a (3), search a w a f (4).
    expect(svg.match(/<rect [^>]*height="16" fill=/g)).toHaveLength(11)
    // The SLO with a gap (null budget at one step) gets two line segments, the other one.
    expect(svg.match(/<polyline /g)).toHaveLength(3)
    // Every tag is closed: a rough well-formedness check without an XML parser.
    const opened = (svg.match(/<(rect|text|line|polyline|svg|title)\b/g) ?? []).length
    const closed = (svg.match(/<\/(rect|text|svg|title)>|\/>/g) ?? []).length
    expect(closed).toBe(opened)
  })
})
