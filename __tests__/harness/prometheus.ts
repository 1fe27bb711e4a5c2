// The real Prometheus started by global-setup.ts for this Jest run, over the "test" scenario
// history of scripts/lib/history.mjs. Always evaluate at `end` (the fixed END), never the clock:
//   const { url, end } = testPrometheus()
//   GET `${url}/api/v1/query?query=...&time=${end}`
import fs from 'node:fs'

import { TEST_STATE_FILE } from '../../scripts/lib/prometheus-server.mjs'

export function testPrometheus(): { url: string; end: number } {
  // The environment set by the global setup of this very run wins over the state file (which a
  // concurrent Jest run in the same checkout may have overwritten).
  const envUrl = process.env.EBG_TEST_PROMETHEUS_URL
  const envEnd = Number(process.env.EBG_TEST_PROMETHEUS_END)
  if (envUrl && Number.isSafeInteger(envEnd)) return { url: envUrl, end: envEnd }
  let state: { url: string; end: number }
  try {
    state = JSON.parse(fs.readFileSync(TEST_STATE_FILE, 'utf8')) as { url: string; end: number }
  } catch {
    throw new Error(
      `no test Prometheus: ${TEST_STATE_FILE} is missing. Run the tests through Jest ` +
        '(globalSetup __tests__/harness/global-setup.ts starts it), e.g. npm test.'
    )
  }
  return { url: state.url, end: state.end }
}

/** Instant query at `time` (default: the history's end). Values are numbers (NaN kept). */
export async function instantQuery(
  expr: string,
  time?: number
): Promise<Array<{ metric: Record<string, string>; value: number }>> {
  const { url, end } = testPrometheus()
  const q = new URL('/api/v1/query', url)
  q.searchParams.set('query', expr)
  q.searchParams.set('time', String(time ?? end))
  const res = await fetch(q, { signal: AbortSignal.timeout(30_000) })
  const body = (await res.json()) as {
    status: string
    error?: string
    data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }
  }
  if (body.status !== 'success' || body.data?.resultType !== 'vector') {
    throw new Error(`query ${expr} failed: ${res.status} ${body.error ?? JSON.stringify(body).slice(0, 300)}`)
  }
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }))
}

/** The single value of a query that must return exactly one series. */
export async function scalarQuery(expr: string, time?: number): Promise<number> {
  const result = await instantQuery(expr, time)
  if (result.length !== 1) throw new Error(`query ${expr} returned ${result.length} series, expected 1`)
  return result[0]!.value
}
