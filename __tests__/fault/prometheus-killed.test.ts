// Prometheus killed (SIGKILL) in the middle of a gate run. Each test starts its own Prometheus over
// the cached "test" history (scripts/lib/prometheus-server.mjs), so the shared one of the global
// setup survives. The gate must end with `error`, naming the connection failure, within its
// deadline; the SLO windows read before the kill keep their numbers, and nothing is read as a pass.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'

import { runGate, type GateSettings } from '../../src/gate.js'
import { PrometheusClient, type InstantQuery } from '../../src/prometheus/client.js'
import { END } from '../../scripts/lib/history.mjs'
import { isAlive, startScenarioPrometheus, type PrometheusServer } from '../../scripts/lib/prometheus-server.mjs'
import { faultProxy, type FaultProxy } from '../harness/fault-proxy.js'
import { FIXTURES_DIR, fixtureFiles, node24, runCliBundle, stackLines } from '../harness/run-bundle.js'

const started: PrometheusServer[] = []
const proxies: FaultProxy[] = []

beforeAll(() => {
  node24()
}, 300_000)

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()))
  // Anything a failed test left running is stopped by its pid; the run directory goes too.
  for (const server of started.splice(0)) {
    if (isAlive(server.pid)) await server.stop()
    fs.rmSync(server.runDir, { recursive: true, force: true })
  }
})

async function ownPrometheus(): Promise<PrometheusServer> {
  const server = await startScenarioPrometheus({ scenario: 'test', end: END, log: () => undefined })
  started.push(server)
  return server
}

/** SIGKILL, as an OOM killer or a node failure would, and wait until the process is gone. */
async function kill(server: PrometheusServer): Promise<void> {
  process.kill(server.pid, 'SIGKILL')
  for (let i = 0; i < 200 && isAlive(server.pid); i++) await new Promise((resolve) => setTimeout(resolve, 25))
  expect(isAlive(server.pid)).toBe(false)
}

function settings(url: string, overrides: Partial<GateSettings> = {}): GateSettings {
  return {
    configPatterns: ['healthy.yaml', 'incident-10d.yaml'],
    cwd: FIXTURES_DIR,
    prometheus: { url, headers: {}, timeoutMs: 5_000, retries: 2, retryBaseDelayMs: 50 },
    concurrency: 1,
    batch: false,
    evaluationTime: END,
    onError: 'fail',
    dryRun: false,
    deadlineSeconds: 30,
    ...overrides
  }
}

describe('Prometheus killed mid-run', () => {
  it('between two queries: the rest are refused, the gate ends in error naming the cause; what was read stays read', async () => {
    const server = await ownPrometheus()
    const real = new PrometheusClient(settings(server.url).prometheus)
    let calls = 0
    // One request at a time (concurrency 1, no batching): the first 6 queries are answered, then
    // Prometheus dies before the 7th is sent.
    const client: InstantQuery & { requestCount: number } = {
      get requestCount() {
        return real.requestCount
      },
      async query(promql, time) {
        if (++calls === 7) await kill(server)
        return real.query(promql, time)
      }
    }
    const { report } = await runGate(settings(server.url), client)
    expect(report.decision).toBe('error')
    expect(report.exitCode).toBe(2)
    expect(report.reasons[0]).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: connection refused.*\(after 3 attempts\)/)
    const windows = report.slos.flatMap((slo) => slo.windows)
    // The answers that came before the kill are kept, and everything after is `failed`: never a pass.
    expect(windows.filter((w) => w.status === 'ok').length).toBeGreaterThan(0)
    expect(windows.filter((w) => w.status === 'failed').length).toBeGreaterThan(0)
    expect(windows.every((w) => w.status === 'ok' || w.status === 'failed')).toBe(true)
    expect(report.slos.every((slo) => slo.decision === 'error')).toBe(true)
    // Each refused query was tried 3 times (the retry budget), no more.
    expect(real.requestCount).toBe(6 + (calls - 6) * 3)
  })

  it('while the CLI bundle is running: exit 2 and a one-line cause, well within the deadline', async () => {
    const server = await ownPrometheus()
    const proxy = await faultProxy(server.url)
    proxies.push(proxy)
    // The first request reaches the proxy, then Prometheus dies; the proxy closes the
    // connection as a TCP load balancer in front of a dead backend does.
    proxy.onRequest = async (index) => {
      if (index === 0) await kill(server)
    }
    const result = await runCliBundle(
      ['check', '--config', 'slos/healthy.yaml', '--prometheus-url', proxy.url, '--at', String(END), '--format', 'json'],
      { files: fixtureFiles('healthy.yaml'), timeoutMs: 120_000 }
    )
    expect(result.exitCode).toBe(2)
    const json = JSON.parse(result.stdout) as { decision: string; reasons: string[] }
    expect(json.decision).toBe('error')
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^error: .*cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: the connection was reset \(after 3 attempts\)/)
    expect(stackLines(result.stderr)).toEqual([])
    expect(result.ms).toBeLessThan(45_000 + 20_000)
  })
})
