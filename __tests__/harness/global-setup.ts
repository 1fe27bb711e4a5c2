// Jest globalSetup: build (or reuse from .cache/tsdb) the "test" scenario history, start one real
// Prometheus on 127.0.0.1 for the whole run, and publish it to the tests through
// .cache/test-prometheus.json and EBG_TEST_PROMETHEUS_URL. See __tests__/harness/prometheus.ts.
import fs from 'node:fs'
import path from 'node:path'

import { END } from '../../scripts/lib/history.mjs'
import {
  TEST_STATE_FILE,
  isAlive,
  killSync,
  startScenarioPrometheus,
  stopByPid
} from '../../scripts/lib/prometheus-server.mjs'

export interface TestPrometheusState {
  url: string
  pid: number
  end: number
  /** pid of the Jest process that owns the server. */
  owner: number
}

/** A Prometheus left by a Jest run that was killed before its teardown: stop it. */
async function stopOrphan(): Promise<void> {
  let state: TestPrometheusState
  try {
    state = JSON.parse(fs.readFileSync(TEST_STATE_FILE, 'utf8')) as TestPrometheusState
  } catch {
    return
  }
  // Another Jest run still alive owns it: leave it alone (it will stop it).
  if (isAlive(state.owner) && state.owner !== process.pid) return
  await stopByPid(state.pid).catch(() => undefined)
  fs.rmSync(TEST_STATE_FILE, { force: true })
}

export default async function globalSetup(): Promise<void> {
  await stopOrphan()
  const started = Date.now()
  const server = await startScenarioPrometheus({ scenario: 'test', end: END })
  // Safety net if Jest exits without running the teardown (e.g. process.exit on a crash).
  process.once('exit', () => killSync(server.pid))
  try {
    // Fail here, with a clear message, rather than in every test if the history is not there.
    const q = new URL('/api/v1/query', server.url)
    q.searchParams.set('query', 'count(http_requests_total)')
    q.searchParams.set('time', String(END))
    const res = await fetch(q, { signal: AbortSignal.timeout(10_000) })
    const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } }
    const count = Number(body.data?.result?.[0]?.value[1] ?? 0)
    if (!(count > 0)) throw new Error(`test Prometheus at ${server.url} has no http_requests_total at END`)

    const state: TestPrometheusState = { url: server.url, pid: server.pid, end: END, owner: process.pid }
    // Teardown runs in this same process: it stops this pid even if a concurrent Jest run
    // (another engineer, same checkout) overwrote the state file meanwhile.
    ;(globalThis as { __EBG_TEST_PROMETHEUS_PID__?: number }).__EBG_TEST_PROMETHEUS_PID__ = server.pid
    fs.mkdirSync(path.dirname(TEST_STATE_FILE), { recursive: true })
    fs.writeFileSync(TEST_STATE_FILE, JSON.stringify(state, null, 2) + '\n')
    process.env.EBG_TEST_PROMETHEUS_URL = server.url
    process.env.EBG_TEST_PROMETHEUS_END = String(END)
  } catch (err) {
    await server.stop().catch(() => undefined)
    throw err
  }
  process.stderr.write(
    `\n[harness] test Prometheus ${server.url} (pid ${server.pid}) ready in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s` +
      (server.tsdb.cached ? ' (cached TSDB)' : ` (TSDB built in ${server.tsdb.seconds.toFixed(1)} s)`) +
      '\n'
  )
}
