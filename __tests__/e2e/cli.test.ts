// End to end: the committed dist/cli.js, copied alone (with action.yml) into a temporary
// directory, run with plain `node` under Node 24 and under the machine's Node 20, against the
// real Prometheus of the Jest global setup, at the fixed END of the generated history.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import { testPrometheus } from '../harness/prometheus.js'
import { fixtureFiles, node24, runCliBundle, stackLines, type BundleResult, type FakeServer } from '../harness/run-bundle.js'
import { BAD_SLO_FILES, startBadServers, type BadServers, type Urls } from '../harness/bad-input.js'

let prometheusUrl: string
let end: number
let NODE24: string
const NODE20 = process.execPath

beforeAll(() => {
  ;({ url: prometheusUrl, end } = testPrometheus())
  NODE24 = node24()
}, 300_000)

const RUNTIMES = [
  ['node24', () => NODE24],
  ['node20', () => NODE20]
] as const

interface ReportJson {
  decision: string
  evaluatedAt: string
  reasons: string[]
  dryRun: boolean
  exitCode: number
  slos: Array<{
    service: string
    name: string
    objective: number
    window: string
    decision: string
    errorRatio: number | null
    budget: { remaining: number | null; consumed: number | null }
    burnRates: Record<string, number | null>
    reasons: string[]
  }>
}

function check(files: string[], args: string[] = [], options: { env?: Record<string, string>; node?: string } = {}): Promise<BundleResult> {
  return runCliBundle(
    ['check', ...files.flatMap((f) => ['--config', `slos/${f}`]), '--prometheus-url', prometheusUrl, '--at', String(end), ...args],
    { files: fixtureFiles(...files), env: options.env, node: options.node }
  )
}

/** --format json: the whole of stdout is exactly one JSON document. */
function parseJson(result: BundleResult): ReportJson {
  return JSON.parse(result.stdout) as ReportJson
}

function expectNoStack(result: BundleResult): void {
  expect(stackLines(result.stdout)).toEqual([])
  expect(stackLines(result.stderr)).toEqual([])
  expect(result.stderr).not.toMatch(/ExperimentalWarning|DeprecationWarning|TypeError|ReferenceError|\[object Object\]/)
}

// Expected at END with the default policy (see __tests__/fixtures/slos and scripts/lib/history.mjs).
const CASES: Array<[file: string, decision: string, exitCode: number]> = [
  ['healthy.yaml', 'allow', 0],
  ['incident-10d.yaml', 'freeze', 1],
  ['incident-35d.yaml', 'allow', 0],
  ['fast-burn.yaml', 'freeze', 1],
  ['slow-burn.yaml', 'warn', 0],
  ['latency.yaml', 'allow', 0],
  ['idle-recently.yaml', 'allow', 0],
  ['missing-metric.yaml', 'error', 2],
  ['multi.yaml', 'allow', 0]
]

describe.each(RUNTIMES)('CLI bundle under %s', (_runtime, node) => {
  test.each(CASES)('%s --format json → %s, exit %d', async (file, decision, exitCode) => {
    const result = await check([file], ['--format', 'json'], { node: node() })
    expect(result.signal).toBeNull()
    expect(result.exitCode).toBe(exitCode)
    const json = parseJson(result)
    expect(json.decision).toBe(decision)
    expect(json.exitCode).toBe(exitCode)
    expect(json.evaluatedAt).toBe('2026-11-20T00:00:00Z')
    expect(json.reasons.length).toBeGreaterThan(0)
    expect(json.slos.length).toBeGreaterThan(0)
    for (const slo of json.slos) {
      expect(Object.keys(slo)).toEqual(
        expect.arrayContaining(['service', 'name', 'objective', 'window', 'decision', 'errorRatio', 'budget', 'burnRates', 'reasons'])
      )
      expect(slo.objective).toBeGreaterThan(0)
      expect(slo.objective).toBeLessThan(1)
      if (slo.decision !== 'error') {
        expect(typeof slo.errorRatio).toBe('number')
        expect(slo.budget.consumed! + slo.budget.remaining!).toBeCloseTo(1, 9)
        expect(slo.budget.remaining).toBeCloseTo(1 - slo.errorRatio! / (1 - slo.objective), 9)
      }
    }
    // Logs go to stderr; one short line naming the decision.
    expect(result.stderr).toMatch(new RegExp(`^${decision}: `))
    expectNoStack(result)
  })

  test('text format: headline, table and evaluation time', async () => {
    const result = await check(['multi.yaml'], [], { node: node() })
    expect(result.exitCode).toBe(0)
    expect(result.stdout.split('\n')[0]).toBe('ALLOWED')
    expect(result.stdout).toContain('Evaluated at 2026-11-20T00:00:00Z')
    for (const id of ['healthy/availability-99', 'incident-35d/availability-90', 'healthy/requests-availability-99.95']) expect(result.stdout).toContain(id)
    expect(result.stderr).toBe('')
    expectNoStack(result)
  })

  test('--help and --version exit 0', async () => {
    const help = await runCliBundle(['--help'], { node: node() })
    expect(help.exitCode).toBe(0)
    expect(help.stdout).toMatch(/Usage: error-budget-gate check/)
    const version = await runCliBundle(['--version'], { node: node() })
    expect(version.exitCode).toBe(0)
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })
})

describe('CLI bundle (Node 24): formats, dry-run, on-error', () => {
  test('fast-burn: burn rates ~200x over 1h and 5m, most budget left', async () => {
    const json = parseJson(await check(['fast-burn.yaml'], ['--format', 'json']))
    const slo = json.slos[0]!
    expect(slo.burnRates['1h']).toBeGreaterThan(150)
    expect(slo.burnRates['1h']).toBeLessThan(250)
    expect(slo.burnRates['5m']).toBeGreaterThan(150)
    expect(slo.budget.remaining).toBeGreaterThan(0.5)
  })

  test('incident-10d: budget overspent is negative, not clamped', async () => {
    const json = parseJson(await check(['incident-10d.yaml'], ['--format', 'json']))
    expect(json.slos[0]!.budget.remaining).toBeLessThan(0)
    expect(json.slos[0]!.budget.consumed).toBeGreaterThan(1)
  })

  test('--format markdown: headline and one table row per SLO', async () => {
    const result = await check(['multi.yaml', 'incident-10d.yaml'], ['--format', 'markdown'])
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/^## .*Error budget gate: FROZEN/)
    const rows = result.stdout.split('\n').filter((line) => /^\| .*(allow|warn|freeze|error) \|/.test(line))
    expect(rows).toHaveLength(4)
    // One table per service, under a heading that names it: incident-10d's is the worst, first.
    expect(result.stdout).toMatch(/^### 🔴 incident-10d: freeze \(1 SLO\)\n\n\| decision \|.*\n\|---.*\n\| 🔴 freeze \| requests-availability \|/m)
    expectNoStack(result)
  })

  test('--dry-run: freeze is reported, exit 0', async () => {
    const result = await check(['incident-10d.yaml'], ['--format', 'json', '--dry-run'])
    expect(result.exitCode).toBe(0)
    const json = parseJson(result)
    expect(json.decision).toBe('freeze')
    expect(json.dryRun).toBe(true)
    expect(json.exitCode).toBe(0)
  })

  test('--dry-run text says it is not enforced', async () => {
    const result = await check(['incident-10d.yaml'], ['--dry-run'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/FROZEN/)
    expect(result.stdout).toMatch(/dry run/i)
  })

  test('missing metric: exit 2, the message names the query', async () => {
    const result = await check(['missing-metric.yaml'])
    expect(result.exitCode).toBe(2)
    expect(result.stdout).toMatch(/^ERROR/)
    expect(result.stdout).toContain('http_requests_totl{service="checkout"')
    expectNoStack(result)
  })

  test.each(['warn', 'allow'])('missing metric with --on-error %s: decision error, exit 0', async (onError) => {
    const result = await check(['missing-metric.yaml'], ['--format', 'json', '--on-error', onError])
    expect(result.exitCode).toBe(0)
    expect(parseJson(result).decision).toBe('error')
  })

  test('PROMETHEUS_URL from the environment', async () => {
    const result = await runCliBundle(['check', '--config', 'slos/healthy.yaml', '--at', '2026-11-20T00:00:00Z', '--format', 'json'], {
      files: fixtureFiles('healthy.yaml'),
      env: { PROMETHEUS_URL: prometheusUrl }
    })
    expect(result.exitCode).toBe(0)
    expect(parseJson(result).decision).toBe('allow')
  })

  test('a glob picks several files', async () => {
    const result = await runCliBundle(['check', '--config', 'slos/*.yaml', '--prometheus-url', prometheusUrl, '--at', String(end), '--format', 'json'], {
      files: fixtureFiles('healthy.yaml', 'slow-burn.yaml', 'latency.yaml')
    })
    expect(result.exitCode).toBe(0)
    const json = parseJson(result)
    expect(json.decision).toBe('warn')
    expect(json.slos).toHaveLength(3)
  })
})

// ---------------------------------------------------------------------------------------------
// Bad input and secrets.

const SECRETS = {
  token: 'tok-cli-Zq8sLrT1vX9mN4pK',
  password: 'pw-cli-Hn3bVc7xQw2eRt6y',
  header: 'hdr-cli-Uj5kIo9lPa1sDf8g',
  urlPassword: 'urlpw-cli-Mn2bVc4xZl7k'
}

interface BadCase {
  name: string
  /** Content of slos/bad.yaml (default: the healthy fixture). */
  file?: string
  /** Replaces the default arguments after `check --config slos/bad.yaml`. */
  args?: (urls: Urls) => string[]
  message: RegExp
}

const BAD_CASES: BadCase[] = [
  { name: 'malformed YAML', file: BAD_SLO_FILES.malformedYaml, message: /slos\/bad\.yaml:\d+.*invalid YAML/ },
  { name: 'unknown field', file: BAD_SLO_FILES.unknownField, message: /slos\/bad\.yaml.*unknown field `?objectiv\b/ },
  { name: 'objective 100', file: BAD_SLO_FILES.objective100, message: /slos\/bad\.yaml.*objective/ },
  { name: 'bad duration', file: BAD_SLO_FILES.badDuration, message: /slos\/bad\.yaml.*window.*30x/ },
  {
    name: 'bad PromQL → 400 from Prometheus',
    file: BAD_SLO_FILES.badPromql,
    message: /400.*(bad_data|parse error).*query: sum\(rate\(http_requests_total/
  },
  {
    name: 'unreachable Prometheus',
    args: ({ dead }) => ['--prometheus-url', dead.replace('http://', `http://cli:${SECRETS.urlPassword}@`)],
    message: /127\.0\.0\.1:\d+/
  },
  { name: 'HTTP 500 echoing the credentials', args: ({ echo }) => ['--prometheus-url', echo, '--retries', '0'], message: /500/ },
  { name: 'HTML instead of JSON', args: ({ html }) => ['--prometheus-url', html, '--retries', '0'], message: /JSON|HTML|unexpected|response/i },
  { name: 'Prometheus never answers', args: ({ hang }) => ['--prometheus-url', hang, '--timeout', '1', '--retries', '0'], message: /no answer within 1s|time(d)? ?out/i },
  { name: 'missing --prometheus-url', args: () => [], message: /--prometheus-url/ },
  { name: 'bad --at', args: ({ url }) => ['--prometheus-url', url, '--at', 'yesterday-ish'], message: /--at: expected an RFC 3339 time/ },
  { name: 'bad --format', args: ({ url }) => ['--prometheus-url', url, '--format', 'yaml'], message: /--format/ },
  { name: 'unknown flag', args: ({ url }) => ['--prometheus-url', url, '--promethues-token', 'x'], message: /promethues-token/ },
  { name: 'no such config file', args: ({ url }) => ['--prometheus-url', url, '--config', 'slos/nope.yaml'], message: /nope\.yaml/ }
]

describe('CLI bundle: bad input exits 2 with a clear message, no stack trace, no secret', () => {
  const urls = {} as Urls
  let bad: BadServers | undefined
  let echo: FakeServer
  beforeAll(async () => {
    bad = await startBadServers(prometheusUrl)
    Object.assign(urls, bad.urls)
    echo = bad.echo
  })
  afterAll(async () => {
    await bad?.close()
  })

  async function runBad(c: BadCase, auth: 'token' | 'basic', format: 'text' | 'json'): Promise<BundleResult> {
    const env: Record<string, string> =
      auth === 'token' ? { PROMETHEUS_TOKEN: SECRETS.token } : { PROMETHEUS_USERNAME: 'cli-user', PROMETHEUS_PASSWORD: SECRETS.password }
    const rest = c.args ? c.args(urls) : ['--prometheus-url', prometheusUrl]
    const args = ['check', '--config', 'slos/bad.yaml', '--at', String(end), '--header', `X-Scope-OrgID: ${SECRETS.header}`, '--retries', '1', ...rest]
    // A case that passes its own (bad) --format keeps it: the last --format would win.
    if (format === 'json' && !rest.includes('--format')) args.push('--format', 'json')
    return runCliBundle(args, {
      files: { 'slos/bad.yaml': c.file ?? fixtureFiles('healthy.yaml')['slos/healthy.yaml']! },
      env
    })
  }

  function expectNoSecrets(result: BundleResult): void {
    for (const secret of Object.values(SECRETS)) {
      for (const [where, text] of Object.entries({ stdout: result.stdout, stderr: result.stderr })) {
        expect(`${where}: ${text.includes(secret) ? `contains ${secret}` : 'clean'}`).toBe(`${where}: clean`)
      }
    }
  }

  describe.each([
    ['token', 'text'],
    ['basic', 'json']
  ] as const)('%s auth, --format %s', (auth, format) => {
    test.each(BAD_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const result = await runBad(c, auth, format)
      expect(result.signal).toBeNull()
      expect(result.exitCode).toBe(2)
      expect(`${result.stdout}\n${result.stderr}`).toMatch(c.message)
      if (format === 'json' && c.name !== 'bad --format') {
        // Still exactly one JSON document on stdout, with the error in it.
        const json = parseJson(result)
        expect(json.decision).toBe('error')
        expect(JSON.stringify(json)).toMatch(c.message)
      }
      expectNoStack(result)
      expectNoSecrets(result)
      if (c.name === 'HTTP 500 echoing the credentials') {
        // The credentials did reach the server (so the echo really carried them).
        const last = echo.requests.at(-1)!
        expect(last.headers['x-scope-orgid']).toBe(SECRETS.header)
        expect(last.headers.authorization).toBe(
          auth === 'token' ? `Bearer ${SECRETS.token}` : `Basic ${Buffer.from(`cli-user:${SECRETS.password}`).toString('base64')}`
        )
      }
    })
  })

  test('--dry-run does not hide invalid configuration', async () => {
    const result = await runBad({ ...BAD_CASES[1]!, args: ({ url }) => ['--prometheus-url', url, '--dry-run'] }, 'token', 'json')
    expect(result.exitCode).toBe(2)
    expect(parseJson(result).decision).toBe('error')
  })

  test('--on-error warn lets an unreachable Prometheus through with decision error', async () => {
    const c = BAD_CASES.find((b) => b.name === 'unreachable Prometheus')!
    const result = await runBad({ ...c, args: (u: Urls) => [...c.args!(u), '--on-error', 'warn'] }, 'token', 'json')
    expect(result.exitCode).toBe(0)
    expect(parseJson(result).decision).toBe('error')
    expectNoSecrets(result)
  })

  test('Node 20 too: bad --at exits 2 without a stack trace', async () => {
    const result = await runCliBundle(['check', '--config', 'x.yaml', '--prometheus-url', prometheusUrl, '--at', 'nope'], { node: NODE20 })
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/--at/)
    expectNoStack(result)
  })
})
