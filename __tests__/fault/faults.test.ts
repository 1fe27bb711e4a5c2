// Faults between the gate and a real Prometheus: the committed CLI bundle (dist/cli.js, Node 24)
// talks to the Prometheus of the Jest global setup through a fault-injecting proxy
// (__tests__/harness/fault-proxy.ts). For every fault the gate either recovers within its retry
// budget with the right decision, or ends with `error`, exit code 2 and a one-line cause, within
// its overall deadline. The README's "Reliability: faults and bad input" table lists these cases.
//
// No timing is asserted except generous upper bounds: the run must end well within the deadline
// plus the time Node needs to start.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'

import { faultProxy, type Fault, type FaultProxy } from '../harness/fault-proxy.js'
import { testPrometheus } from '../harness/prometheus.js'
import { fixtureFiles, node24, runCliBundle, stackLines, type BundleResult } from '../harness/run-bundle.js'

interface ReportJson {
  decision: string
  exitCode: number
  reasons: string[]
  slos: Array<{ decision: string; budget: { remaining: number | null }; reasons: string[] }>
}

let proxy: FaultProxy
let end: number

beforeAll(async () => {
  const prometheus = testPrometheus()
  end = prometheus.end
  proxy = await faultProxy(prometheus.url)
  node24()
}, 300_000)

afterAll(async () => {
  await proxy?.close()
})

beforeEach(() => proxy.reset())

/** Slack for Node's start and the process' own work, on top of the deadline. Generous on purpose. */
const STARTUP_SLACK_MS = 20_000

async function check(file: string, args: string[] = []): Promise<{ result: BundleResult; json: ReportJson }> {
  const result = await runCliBundle(
    ['check', '--config', `slos/${file}`, '--prometheus-url', proxy.url, '--at', String(end), '--format', 'json', ...args],
    { files: fixtureFiles(file), timeoutMs: 120_000 }
  )
  expect(result.signal).toBeNull()
  expect(stackLines(result.stdout)).toEqual([])
  expect(stackLines(result.stderr)).toEqual([])
  return { result, json: JSON.parse(result.stdout) as ReportJson }
}

/** The deadline given with --deadline, or the default. */
function deadlineOf(args: string[]): number {
  const index = args.indexOf('--deadline')
  return index >= 0 ? Number(args[index + 1]) : 45
}

const ENVELOPE_503 = JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'too many queries in flight, try again' })
const HTTP_DATE_IN_1S = () => new Date(Date.now() + 1000).toUTCString()

interface RecoverCase {
  name: string
  /** Faults for the first requests, in order; every later request passes (or follows `rule`). */
  script?: () => Fault[]
  rule?: Fault
  file: string
  decision: string
  exitCode: number
}

// healthy.yaml allows and incident-10d.yaml freezes at END: after recovering, the decision must
// be exactly the one a fault-free run gives.
const RECOVER: RecoverCase[] = [
  { name: '200 ms latency on every request', rule: { kind: 'delay', ms: 200 }, file: 'incident-10d.yaml', decision: 'freeze', exitCode: 1 },
  { name: 'connection closed before the answer (once)', script: () => [{ kind: 'drop' }], file: 'healthy.yaml', decision: 'allow', exitCode: 0 },
  {
    name: 'connection reset in the middle of the body (once)',
    script: () => [{ kind: 'reset-mid-body', bytes: 30 }],
    file: 'incident-10d.yaml',
    decision: 'freeze',
    exitCode: 1
  },
  {
    name: '503 with Retry-After: 1 (once)',
    script: () => [{ kind: 'status', status: 503, headers: { 'retry-after': '1' }, body: 'overloaded' }],
    file: 'healthy.yaml',
    decision: 'allow',
    exitCode: 0
  },
  {
    name: '429 with Retry-After as an HTTP date (once)',
    script: () => [{ kind: 'status', status: 429, headers: { 'retry-after': HTTP_DATE_IN_1S() }, body: 'rate limited' }],
    file: 'incident-10d.yaml',
    decision: 'freeze',
    exitCode: 1
  },
  {
    name: "a load balancer's 502 HTML page (twice)",
    script: () => [{ kind: 'html', status: 502 }, { kind: 'html', status: 502 }],
    file: 'healthy.yaml',
    decision: 'allow',
    exitCode: 0
  },
  {
    name: 'Prometheus error envelope, HTTP 503 "unavailable" (once)',
    script: () => [{ kind: 'status', status: 503, headers: { 'content-type': 'application/json' }, body: ENVELOPE_503 }],
    file: 'healthy.yaml',
    decision: 'allow',
    exitCode: 0
  },
  {
    // JSON broken on the way (a complete HTTP answer, but not parsable) is retried like a reset.
    name: 'a complete 200 answer whose JSON is cut short (once)',
    script: () => [{ kind: 'truncate', keep: 0.5 }],
    file: 'incident-10d.yaml',
    decision: 'freeze',
    exitCode: 1
  },
  { name: 'garbled JSON (once)', script: () => [{ kind: 'corrupt' }], file: 'healthy.yaml', decision: 'allow', exitCode: 0 }
]

describe('faults the gate recovers from, with the right decision', () => {
  test.each(RECOVER.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    if (c.script) proxy.script(c.script())
    if (c.rule) proxy.rule = () => c.rule!
    const { result, json } = await check(c.file)
    expect({ decision: json.decision, exitCode: result.exitCode }).toEqual({ decision: c.decision, exitCode: c.exitCode })
    // Every SLO was read: no window is left in error.
    expect(json.slos.map((s) => s.decision)).not.toContain('error')
    // The faulted requests were answered by further requests (retries, or a split batch).
    const faulted = c.script?.().length ?? 0
    expect(proxy.requests.slice(0, faulted).map((r) => r.fault)).toEqual(c.script?.().map((f) => f.kind) ?? [])
    expect(proxy.requests.length).toBeGreaterThan(faulted)
    expect(result.ms).toBeLessThan(45_000 + STARTUP_SLACK_MS)
  })
})

interface FailCase {
  name: string
  rule: Fault
  args?: string[]
  /** The one-line cause must say this. */
  cause: RegExp
}

const ALWAYS: FailCase[] = [
  { name: '503 on every request', rule: { kind: 'status', status: 503, body: 'Service Unavailable' }, cause: /answered HTTP 503.*\(after 3 attempts\)/ },
  {
    name: 'Prometheus error envelope 422 (execution error) on every request',
    rule: { kind: 'status', status: 422, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory' }) },
    cause: /HTTP 422 \(execution\): query processing would load too many samples/
  },
  {
    name: '429 with Retry-After: 3600 on every request, --deadline 4',
    rule: { kind: 'status', status: 429, headers: { 'retry-after': '3600' }, body: 'slow down' },
    args: ['--deadline', '4'],
    cause: /deadline of 4s passed with 16 of 16 queries unanswered.*\(before that: .*answered HTTP 429: "slow down"\)/
  },
  { name: 'JSON cut short on every request', rule: { kind: 'truncate', keep: 0.5 }, cause: /the body is not valid JSON: it is cut short or garbled.*\(after 3 attempts\)/ },
  { name: 'garbled JSON on every request', rule: { kind: 'corrupt' }, cause: /the body is not valid JSON: it is cut short or garbled.*\(after 3 attempts\)/ },
  { name: 'an empty 200 answer', rule: { kind: 'status', status: 200, headers: { 'content-type': 'application/json' }, body: '' }, cause: /the body is not JSON/ },
  {
    name: 'JSON that is not a Prometheus answer',
    rule: { kind: 'status', status: 200, headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' },
    cause: /not a Prometheus API response/
  },
  {
    name: 'a success envelope without data',
    rule: { kind: 'status', status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"success"}' },
    cause: /no valid data\.resultType/
  },
  { name: 'an HTML login page with HTTP 200', rule: { kind: 'html', status: 200 }, cause: /"Sign in.*HTML page usually means the URL points at a web UI/ },
  { name: "a load balancer's 502 HTML page on every request", rule: { kind: 'html', status: 502 }, cause: /HTTP 502: "502 Bad Gateway.*\(after 3 attempts\)/ },
  { name: 'connection closed before the answer, every time', rule: { kind: 'drop' }, cause: /the connection was reset.*\(after 3 attempts\)/ },
  { name: 'no answer, --timeout 1', rule: { kind: 'hang' }, args: ['--timeout', '1'], cause: /no answer within 1s \(after 3 attempts\)/ },
  { name: 'no answer, --timeout 600 --deadline 3', rule: { kind: 'hang' }, args: ['--timeout', '600', '--deadline', '3'], cause: /deadline of 3s passed/ },
  {
    // axios' own timeout only notices silence: an answer trickled a few bytes at a time used to
    // hold the gate until the deadline. The per-request timeout now bounds the whole exchange.
    name: 'the answer trickled 16 bytes every 500 ms, --timeout 2',
    rule: { kind: 'trickle', bytes: 16, everyMs: 500 },
    args: ['--timeout', '2', '--retries', '1'],
    cause: /no answer within 2s \(after 2 attempts\)/
  },
  { name: 'a redirect loop', rule: { kind: 'redirect', location: '/api/v1/query' }, cause: /too many redirects/ }
]

describe('faults that end in error, exit 2 and a one-line cause, within the deadline', () => {
  test.each(ALWAYS.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    proxy.rule = () => c.rule
    const args = c.args ?? []
    const { result, json } = await check('healthy.yaml', args)
    expect(result.exitCode).toBe(2)
    expect(json.decision).toBe('error')
    expect(json.exitCode).toBe(2)
    // --format json: the report on stdout, and exactly one line on stderr: the decision and its cause.
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^error: /)
    expect(lines[0]).toMatch(c.cause)
    expect(json.reasons[0]).toMatch(c.cause)
    expect(result.ms).toBeLessThan(deadlineOf(args) * 1000 + STARTUP_SLACK_MS)
  })

  test('the text report also leads with the one-line cause', async () => {
    proxy.rule = () => ({ kind: 'hang' })
    const result = await runCliBundle(
      ['check', '--config', 'slos/healthy.yaml', '--prometheus-url', proxy.url, '--at', String(end), '--timeout', '600', '--deadline', '2'],
      { files: fixtureFiles('healthy.yaml'), timeoutMs: 60_000 }
    )
    expect(result.exitCode).toBe(2)
    const [headline, cause] = result.stdout.split('\n')
    expect(headline).toBe('ERROR')
    expect(cause).toMatch(/^ {2}the overall deadline of 2s passed with \d+ of \d+ queries unanswered/)
    expect(stackLines(result.stdout)).toEqual([])
  })

  test('--on-error warn: the same fault is reported as error but exits 0', async () => {
    proxy.rule = () => ({ kind: 'status', status: 503 })
    const { result, json } = await check('healthy.yaml', ['--on-error', 'warn', '--retries', '0'])
    expect(result.exitCode).toBe(0)
    expect(json.decision).toBe('error')
  })
})
