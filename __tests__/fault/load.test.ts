// Load: 1,000 SLOs against a slow Prometheus (the fault proxy adds 200 ms to every request in
// front of the real one). The gate must finish within its deadline with the right decision for
// every SLO, never have more than `concurrency` requests in flight, and not grow its memory
// without bound. Without batching the same load cannot finish in time: then the deadline ends
// the run, promptly, with `error` and the cause. No timing is asserted beyond the deadline itself.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { runGate, type GateSettings } from '../../src/gate.js'
import { faultProxy, type FaultProxy } from '../harness/fault-proxy.js'
import { testPrometheus } from '../harness/prometheus.js'

const SLO_COUNT = 1000
const CONCURRENCY = 8
const DELAY_MS = 200

const SERVICES = ['healthy', 'incident-10d', 'incident-35d', 'fast-burn', 'slow-burn', 'idle-recently']

let proxy: FaultProxy
let dir: string
let end: number
/** The decision of each service's SLO without load. */
let expected: Record<string, string>

/**
 * `count` SLOs over the six services, each with its own query text: `slo!="<n>"` matches every
 * series (none has an `slo` label), so every SLO of a service reads the same numbers while the
 * server evaluates 16 distinct queries per SLO. A 7-day window keeps the server's own work
 * (which is not what this test measures) small on a busy 2-core machine.
 */
function sloFile(count: number): string {
  const lines = ['apiVersion: error-budget-gate/v1', 'services:']
  SERVICES.forEach((service, s) => {
    lines.push(`  - name: ${service}`, '    slos:')
    for (let i = s; i < count; i += SERVICES.length) {
      const selector = (code: string) => `http_requests_total{service="${service}"${code},slo!="${i}"}`
      lines.push(
        `      - name: availability-${i}`,
        '        objective: 99.9',
        '        window: 7d',
        '        sli:',
        '          counters:',
        `            errors: ${selector(',code="500"')}`,
        `            total: ${selector('')}`
      )
    }
  })
  return `${lines.join('\n')}\n`
}

function settings(overrides: Partial<GateSettings> = {}): GateSettings {
  return {
    configPatterns: ['load.yaml'],
    cwd: dir,
    prometheus: { url: proxy.url, headers: {}, timeoutMs: 30_000, retries: 2, retryBaseDelayMs: 100 },
    concurrency: CONCURRENCY,
    evaluationTime: end,
    onError: 'fail',
    dryRun: false,
    ...overrides
  }
}

beforeAll(async () => {
  const prometheus = testPrometheus()
  end = prometheus.end
  proxy = await faultProxy(prometheus.url)
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebg-load-'))
  fs.writeFileSync(path.join(dir, 'load.yaml'), sloFile(SLO_COUNT))
  // The reference: one SLO per service, straight to Prometheus (no proxy, no load).
  fs.writeFileSync(path.join(dir, 'reference.yaml'), sloFile(SERVICES.length))
  const { report } = await runGate({ ...settings({ configPatterns: ['reference.yaml'] }), prometheus: { ...settings().prometheus, url: prometheus.url } })
  expected = Object.fromEntries(report.slos.map((slo) => [slo.service, slo.decision]))
  // The six histories give every decision but error.
  expect(new Set(Object.values(expected))).toEqual(new Set(['allow', 'warn', 'freeze']))
}, 60_000)

afterAll(async () => {
  await proxy?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

beforeEach(() => {
  proxy.reset()
  proxy.rule = () => ({ kind: 'delay', ms: DELAY_MS })
})

describe(`${SLO_COUNT} SLOs against a Prometheus that takes ${DELAY_MS} ms more per request`, () => {
  it('finish within the default deadline, each with its service’s decision, at most `concurrency` requests in flight', async () => {
    global.gc?.()
    const before = process.memoryUsage()
    const { report } = await runGate(settings())
    const after = process.memoryUsage()

    expect(report.slos).toHaveLength(SLO_COUNT)
    expect(report.queryCount).toBe(SLO_COUNT * 16)
    // Nothing ran out of time: every SLO was read and decided as its service's history says.
    const wrong = report.slos.filter((slo) => slo.decision !== expected[slo.service]).map((slo) => `${slo.id}: ${slo.decision} ${slo.reasons[0]}`)
    expect(wrong.slice(0, 5)).toEqual([])
    expect(report.decision).toBe('freeze')
    // Bounded concurrency, seen from the server's side.
    expect(proxy.maxInFlight).toBeGreaterThan(0)
    expect(proxy.maxInFlight).toBeLessThanOrEqual(CONCURRENCY)
    // Batched: far fewer requests than queries.
    expect(proxy.requests.length).toBeLessThan(report.queryCount / 10)
    // Memory: a loose bound on growth (the report of 1,000 SLOs itself is a few MB).
    expect(after.rss - before.rss).toBeLessThan(512 * 1024 * 1024)
    expect(after.heapUsed - before.heapUsed).toBeLessThan(256 * 1024 * 1024)
  }, 120_000)

  it('one request per query cannot make it: the deadline ends the run promptly, in error, naming itself', async () => {
    const deadlineSeconds = 5
    const started = Date.now()
    const { report } = await runGate(settings({ batch: false, deadlineSeconds }))
    const seconds = (Date.now() - started) / 1000

    expect(report.decision).toBe('error')
    expect(report.exitCode).toBe(2)
    expect(report.reasons[0]).toMatch(new RegExp(`^the overall deadline of ${deadlineSeconds}s passed with \\d+ of ${SLO_COUNT * 16} queries unanswered`))
    // Generous upper bound: the deadline plus the time to build the report (no lower bound).
    expect(seconds).toBeLessThan(deadlineSeconds + 20)
    expect(proxy.maxInFlight).toBeLessThanOrEqual(CONCURRENCY)
    // Queries not yet sent when the deadline passed were not sent at all.
    expect(proxy.requests.length).toBeLessThan(SLO_COUNT)
  }, 120_000)
})
