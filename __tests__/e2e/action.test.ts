// End to end: the committed dist/index.js, under Node 24, run the way the GitHub runner runs it
// (see harness/run-bundle.ts), against the real Prometheus of the Jest global setup. Always
// evaluated at the fixed END of the generated history.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'

import { testPrometheus } from '../harness/prometheus.js'
import {
  FAKE_GITHUB_TOKEN,
  REPO_ROOT,
  fixtureFiles,
  node24,
  readActionYml,
  runAction,
  stackLines,
  type ActionResult,
  type FakeServer
} from '../harness/run-bundle.js'
import { BAD_SLO_FILES, startBadServers, type BadServers, type Urls } from '../harness/bad-input.js'

let prometheusUrl: string
let end: number

beforeAll(() => {
  ;({ url: prometheusUrl, end } = testPrometheus())
  node24() // installs Node 24 once, outside any single test's timeout
}, 300_000)

interface ReportJson {
  decision: string
  evaluatedAt: string
  reasons: string[]
  exempt: boolean
  dryRun: boolean
  budgetRemaining: number | null
  prometheus?: string
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

/**
 * These runs get a pull_request event (the harness's default) and test the evaluation itself: the
 * SLO files are the workspace's. (By default the action reads them from the pull request's base
 * commit through the GitHub API; e2e/github.test.ts tests that against a fake GitHub API.)
 */
const WORKSPACE_POLICY = { 'policy-source': 'workspace' }

function gate(config: string | string[], inputs: Record<string, string> = {}, files?: Record<string, string>): Promise<ActionResult> {
  const names = Array.isArray(config) ? config : [config]
  return runAction({
    inputs: {
      'prometheus-url': prometheusUrl,
      config: names.map((name) => `slos/${name}`).join('\n'),
      'evaluation-time': String(end),
      ...WORKSPACE_POLICY,
      ...inputs
    },
    files: files ?? fixtureFiles(...names)
  })
}

function report(result: ActionResult): ReportJson {
  return JSON.parse(result.outputs.report!) as ReportJson
}

function messages(result: ActionResult, command: string): string[] {
  return result.commands.filter((c) => c.command === command).map((c) => c.message)
}

/** The contract of every successful evaluation: outputs, report fields, summary, no stack trace. */
function expectWellFormed(result: ActionResult, decision: string): ReportJson {
  expect(result.signal).toBeNull()
  expect(Object.keys(result.outputs).sort()).toEqual(['budget-remaining', 'decision', 'exempt', 'report', 'summary'])
  expect(result.outputs.decision).toBe(decision)
  expect(result.outputs.exempt).toBe('false')
  expect(result.outputs.summary).not.toMatch(/[\r\n]/)
  expect(result.outputs.summary!.length).toBeGreaterThan(10)
  const json = report(result)
  expect(json.decision).toBe(decision)
  expect(json.evaluatedAt).toBe('2026-11-20T00:00:00Z')
  expect(Array.isArray(json.reasons) && json.reasons.length > 0).toBe(true)
  for (const slo of json.slos) {
    expect(typeof slo.service).toBe('string')
    expect(typeof slo.name).toBe('string')
    expect(slo.objective).toBeGreaterThan(0)
    expect(slo.objective).toBeLessThan(1)
    expect(slo.window).toMatch(/^\d+[smhdw]$/)
    expect(['allow', 'warn', 'freeze', 'error']).toContain(slo.decision)
    expect(slo.budget).toHaveProperty('remaining')
    expect(slo.budget).toHaveProperty('consumed')
    expect(slo.decision === 'error' || typeof slo.budget.remaining === 'number').toBe(true)
    expect(slo.errorRatio === null || typeof slo.errorRatio === 'number').toBe(true)
    expect(typeof slo.burnRates).toBe('object')
    expect(Array.isArray(slo.reasons)).toBe(true)
  }
  // budget-remaining is the lowest across SLOs, as a plain number (or empty when none computed).
  const remaining = json.slos.map((s) => s.budget.remaining).filter((r): r is number => r !== null)
  if (remaining.length === 0) expect(result.outputs['budget-remaining']).toBe('')
  else {
    expect(result.outputs['budget-remaining']).toMatch(/^-?\d+(\.\d+)?(e-?\d+)?$/)
    expect(Number(result.outputs['budget-remaining'])).toBeCloseTo(Math.min(...remaining), 12)
  }
  expect(stackLines(result.stdout)).toEqual([])
  expect(stackLines(result.stderr)).toEqual([])
  expect(result.stderr).not.toMatch(/ExperimentalWarning|DeprecationWarning|TypeError|ReferenceError/)
  return json
}

/** A markdown table row of the job summary for one SLO: in the table under its service's heading. */
function summaryRow(summary: string, service: string, name: string): string | undefined {
  const lines = summary.split('\n')
  const heading = lines.findIndex((line) => /^### /.test(line) && line.includes(` ${service}: `))
  if (heading < 0) return undefined
  let start = heading + 1
  while (start < lines.length && lines[start] === '') start++
  const table = lines.slice(start)
  const rows = table.slice(0, table.findIndex((line) => !line.startsWith('|')) >>> 0)
  return rows.find((line) => line.includes(`| ${name} |`))
}

describe('the action bundle is self-contained', () => {
  // dist/lazy/ holds the action's code that only some runs load (the GitHub API client), split
  // off by the build so the plain path does not parse it: relative imports of files in dist/.
  const lazy = fs.existsSync(path.join(REPO_ROOT, 'dist', 'lazy')) ? fs.readdirSync(path.join(REPO_ROOT, 'dist', 'lazy')).map((name) => `dist/lazy/${name}`) : []
  test.each(['dist/index.js', 'dist/cli.js', ...lazy])('%s imports only Node built-ins and files of dist/', (file) => {
    const code = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8')
    const specifiers = new Set<string>()
    for (const m of code.matchAll(/\bimport\s*(?:[\w$*{}\s,]*?from\s*)?["']([^"']+)["']/g)) specifiers.add(m[1]!)
    for (const m of code.matchAll(/(?:import|require)\(\s*["']([^"']+)["']\s*\)/g)) specifiers.add(m[1]!)
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)])
    const inDist = (specifier: string) => {
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) return false
      const target = path.resolve(REPO_ROOT, path.dirname(file), specifier)
      return target.startsWith(path.join(REPO_ROOT, 'dist') + path.sep) && fs.existsSync(target)
    }
    expect([...specifiers].filter((s) => !builtins.has(s) && !inDist(s))).toEqual([])
  })

  test('action.yml is valid YAML: runs dist/index.js on node24, declares the contract inputs and outputs', () => {
    const action = readActionYml()
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining([
        'prometheus-url', 'config', 'evaluation-time', 'on-error', 'dry-run', 'github-token',
        'prometheus-token', 'prometheus-username', 'prometheus-password', 'prometheus-headers'
      ])
    )
    for (const [name, spec] of Object.entries(action.inputs)) {
      if (spec.default !== undefined) expect(`${name}: ${typeof spec.default}`).toBe(`${name}: string`)
    }
    expect(action.inputs['on-error']!.default).toBe('fail')
    expect(action.inputs['github-token']!.default).toBe('${{ github.token }}')
    expect(Object.keys(action.outputs).sort()).toEqual(['budget-remaining', 'decision', 'exempt', 'report', 'summary'])
  })
})

describe('action decisions at END (Node 24, runner contract)', () => {
  test('healthy: allow, step passes, outputs and job summary', async () => {
    const result = await gate('healthy.yaml')
    expect(result.exitCode).toBe(0)
    const json = expectWellFormed(result, 'allow')
    expect(json.slos).toHaveLength(1)
    expect(json.slos[0]).toEqual(
      expect.objectContaining({ service: 'healthy', name: 'requests-availability', objective: 0.999, window: '30d', decision: 'allow' })
    )
    const remaining = Number(result.outputs['budget-remaining'])
    expect(remaining).toBeGreaterThan(0.25)
    expect(remaining).toBeLessThanOrEqual(1)
    expect(json.slos[0]!.budget.consumed).toBeCloseTo(1 - remaining, 9)
    for (const w of ['5m', '1h', '6h', '3d']) expect(typeof json.slos[0]!.burnRates[w]).toBe('number')
    expect(result.outputs.summary).toMatch(/^ALLOWED/)
    // Job summary: a headline and one table row per SLO.
    expect(result.summary).toMatch(/^## .*Error budget gate: ALLOWED/m)
    expect(summaryRow(result.summary, 'healthy', 'requests-availability')).toBeDefined()
    expect(messages(result, 'error')).toEqual([])
    expect(result.stdout).toContain('ALLOWED')
  })

  test('incident-10d: budget spent → freeze, step fails with an ::error:: line', async () => {
    const result = await gate('incident-10d.yaml')
    expect(result.exitCode).toBe(1)
    const json = expectWellFormed(result, 'freeze')
    expect(Number(result.outputs['budget-remaining'])).toBeLessThan(0)
    expect(json.slos[0]!.budget.consumed).toBeGreaterThan(1)
    expect(result.outputs.summary).toMatch(/^FROZEN/)
    expect(result.outputs.summary).toMatch(/budget/i)
    const errors = messages(result, 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^FROZEN.*incident-10d/)
    expect(result.summary).toMatch(/^## .*FROZEN/m)
    expect(summaryRow(result.summary, 'incident-10d', 'requests-availability')).toMatch(/freeze/)
  })

  test('fast-burn: ~200x over 1h and 5m → freeze with most of the budget left', async () => {
    const result = await gate('fast-burn.yaml')
    expect(result.exitCode).toBe(1)
    const json = expectWellFormed(result, 'freeze')
    const slo = json.slos[0]!
    expect(slo.budget.remaining).toBeGreaterThan(0.5)
    expect(Number(result.outputs['budget-remaining'])).toBeGreaterThan(0.5)
    expect(slo.burnRates['1h']).toBeGreaterThan(14.4)
    expect(slo.burnRates['5m']).toBeGreaterThan(14.4)
    expect(slo.burnRates['1h']).toBeGreaterThan(150)
    expect(slo.burnRates['1h']).toBeLessThan(250)
    expect(messages(result, 'error').join('\n')).toMatch(/burn/i)
  })

  test('slow-burn: warn, the step passes with a ::warning:: line', async () => {
    const result = await gate('slow-burn.yaml')
    expect(result.exitCode).toBe(0)
    expectWellFormed(result, 'warn')
    expect(result.outputs.summary).toMatch(/^WARNING/)
    expect(messages(result, 'warning').join('\n')).toMatch(/WARNING/)
    expect(messages(result, 'error')).toEqual([])
    expect(result.summary).toMatch(/^## .*WARNING/m)
  })

  test.each([
    ['incident-35d.yaml', 'incident-35d', 'requests-availability'],
    ['latency.yaml', 'search', 'latency-200ms'],
    ['idle-recently.yaml', 'idle-recently', 'requests-availability']
  ])('%s: allow', async (file, service, name) => {
    const result = await gate(file)
    expect(result.exitCode).toBe(0)
    const json = expectWellFormed(result, 'allow')
    expect(json.slos.map((s) => `${s.service}/${s.name}`)).toEqual([`${service}/${name}`])
    expect(summaryRow(result.summary, service, name)).toBeDefined()
  })

  test('multi.yaml: three SLOs in two documents and formats, one table row each', async () => {
    const result = await gate('multi.yaml')
    expect(result.exitCode).toBe(0)
    const json = expectWellFormed(result, 'allow')
    expect(json.slos).toHaveLength(3)
    const rows = result.summary.split('\n').filter((line) => /^\| .*(allow|warn|freeze|error) \|/.test(line))
    expect(rows).toHaveLength(3)
    for (const slo of json.slos) expect(summaryRow(result.summary, slo.service, slo.name)).toBeDefined()
  })

  test('config with several files (multiline input): worst decision and lowest budget win', async () => {
    const result = await gate(['healthy.yaml', 'slow-burn.yaml', 'incident-10d.yaml'])
    expect(result.exitCode).toBe(1)
    const json = expectWellFormed(result, 'freeze')
    expect(json.slos.map((s) => s.decision).sort()).toEqual(['allow', 'freeze', 'warn'])
    const incident = json.slos.find((s) => s.service === 'incident-10d')!
    expect(Number(result.outputs['budget-remaining'])).toBeCloseTo(incident.budget.remaining!, 12)
  })

  test('evaluation-time as RFC 3339', async () => {
    const result = await gate('healthy.yaml', { 'evaluation-time': '2026-11-20T00:00:00Z' })
    expect(result.exitCode).toBe(0)
    expectWellFormed(result, 'allow')
  })

  test('dry-run: a freeze is reported but the step passes', async () => {
    const result = await gate('incident-10d.yaml', { 'dry-run': 'true' })
    expect(result.exitCode).toBe(0)
    const json = expectWellFormed(result, 'freeze')
    expect(json.dryRun).toBe(true)
    expect(messages(result, 'error')).toEqual([])
    expect(messages(result, 'warning').join('\n')).toMatch(/FROZEN/)
    expect(result.outputs.summary).toMatch(/dry run/i)
  })

  test('missing metric: error naming the query, the step fails by default', async () => {
    const result = await gate('missing-metric.yaml')
    expect(result.exitCode).toBe(1)
    const json = expectWellFormed(result, 'error')
    expect(result.outputs['budget-remaining']).toBe('')
    expect(json.slos[0]!.decision).toBe('error')
    expect(json.slos[0]!.budget.remaining).toBeNull()
    const errors = messages(result, 'error').join('\n')
    expect(errors).toContain('http_requests_totl')
    expect(result.summary).toMatch(/^## .*ERROR/m)
  })

  test.each(['warn', 'allow'])('missing metric with on-error %s: decision error, step passes', async (onError) => {
    const result = await gate('missing-metric.yaml', { 'on-error': onError })
    expect(result.exitCode).toBe(0)
    expectWellFormed(result, 'error')
    expect(messages(result, 'error')).toEqual([])
    expect(result.outputs.summary).toContain(`on-error is "${onError}"`)
  })

  test('dry-run with missing metric: decision error, step passes', async () => {
    const result = await gate('missing-metric.yaml', { 'dry-run': 'true' })
    expect(result.exitCode).toBe(0)
    expectWellFormed(result, 'error')
  })
})

// ---------------------------------------------------------------------------------------------
// Bad input and secrets.

const SECRETS = {
  token: 'tok-e2e-Zq8sLrT1vX9mN4pK',
  password: 'pw-e2e-Hn3bVc7xQw2eRt6y',
  header: 'hdr-e2e-Uj5kIo9lPa1sDf8g',
  urlPassword: 'urlpw-e2e-Mn2bVc4xZl7k'
}

interface BadCase {
  name: string
  /** SLO file content at slos/bad.yaml. */
  file?: string
  inputs?: (urls: Urls) => Record<string, string>
  /** What the message must say (the field, file or query at fault). */
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
    message: /400|bad_data|parse/i
  },
  { name: 'unreachable Prometheus', message: /127\.0\.0\.1:\d+/, inputs: ({ dead }) => ({ 'prometheus-url': dead }) },
  { name: 'HTTP 500 echoing the credentials', message: /500/, inputs: ({ echo }) => ({ 'prometheus-url': echo, retries: '0' }) },
  { name: 'HTML instead of JSON', message: /JSON|HTML|unexpected|response/i, inputs: ({ html }) => ({ 'prometheus-url': html, retries: '0' }) },
  {
    name: 'Prometheus never answers',
    message: /no answer within 1s|time(d)? ?out/i,
    inputs: ({ hang }) => ({ 'prometheus-url': hang, 'query-timeout': '1', retries: '0' })
  },
  { name: 'missing prometheus-url', message: /prometheus-url/, inputs: () => ({ 'prometheus-url': '' }) },
  { name: 'bad evaluation-time', message: /evaluation-time/, inputs: () => ({ 'evaluation-time': 'yesterday-ish' }) }
]

describe('action: bad input fails the step with a clear message, no stack trace, no secret', () => {
  const urls = {} as Urls
  let bad: BadServers | undefined
  let echo: FakeServer
  beforeAll(async () => {
    bad = await startBadServers(prometheusUrl)
    Object.assign(urls, bad.urls)
    // The action gets its credentials in the URL too, so every error path has one more secret.
    urls.dead = urls.dead.replace('http://', `http://e2e:${SECRETS.urlPassword}@`)
    echo = bad.echo
  })
  afterAll(async () => {
    await bad?.close()
  })

  async function runBad(c: BadCase, auth: 'token' | 'basic', extra: Record<string, string> = {}): Promise<ActionResult> {
    const authInputs: Record<string, string> =
      auth === 'token' ? { 'prometheus-token': SECRETS.token } : { 'prometheus-username': 'e2e-user', 'prometheus-password': SECRETS.password }
    return runAction({
      inputs: {
        'prometheus-url': prometheusUrl,
        config: 'slos/bad.yaml',
        'evaluation-time': String(end),
        ...WORKSPACE_POLICY,
        'prometheus-headers': `X-Scope-OrgID: ${SECRETS.header}\nX-Plain: 1`,
        retries: '1',
        ...authInputs,
        ...(c.inputs?.(urls) ?? {}),
        ...extra
      },
      files: { 'slos/bad.yaml': c.file ?? fixtureFiles('healthy.yaml')['slos/healthy.yaml']! }
    })
  }

  function expectNoSecrets(result: ActionResult): void {
    // `::add-mask::VALUE` is how an action asks the runner to mask a value in the log: it is the
    // one line that must carry the secret itself. Only those exact lines are left out here.
    const stdout = result.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n')
    for (const secret of [...Object.values(SECRETS), FAKE_GITHUB_TOKEN]) {
      for (const [where, text] of Object.entries({ stdout, stderr: result.stderr, GITHUB_OUTPUT: result.outputFile, summary: result.summary })) {
        expect(`${where}: ${text.includes(secret) ? `contains ${secret}` : 'clean'}`).toBe(`${where}: clean`)
      }
    }
    // The runner can only mask what it was told about.
    const masked = result.commands.filter((c) => c.command === 'add-mask').map((c) => c.message)
    expect(masked).toEqual(expect.arrayContaining([FAKE_GITHUB_TOKEN, SECRETS.header]))
  }

  describe.each(['token', 'basic'] as const)('with %s auth', (auth) => {
    test.each(BAD_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const result = await runBad(c, auth)
      expect(result.signal).toBeNull()
      expect(result.exitCode).toBe(1)
      expect(result.outputs.decision).toBe('error')
      expect(result.outputs.exempt).toBe('false')
      expect(result.outputs['budget-remaining']).toBe('')
      const json = report(result)
      expect(json.decision).toBe('error')
      const errors = messages(result, 'error')
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(/^ERROR/)
      expect(`${errors[0]}\n${json.reasons.join('\n')}\n${json.slos.flatMap((s) => s.reasons).join('\n')}`).toMatch(c.message)
      expect(result.summary).toMatch(/^## .*ERROR/m)
      expect(stackLines(result.stdout)).toEqual([])
      expect(stackLines(result.stderr)).toEqual([])
      expect(result.stdout).not.toMatch(/\[object Object\]|undefined:|TypeError|ReferenceError/)
      expectNoSecrets(result)
      const masked = result.commands.filter((cmd) => cmd.command === 'add-mask').map((cmd) => cmd.message)
      expect(masked).toContain(auth === 'token' ? SECRETS.token : SECRETS.password)
      if (c.name === 'HTTP 500 echoing the credentials') {
        // The credentials did reach the server (so the echo really carried them).
        const last = echo.requests.at(-1)!
        expect(last.headers['x-scope-orgid']).toBe(SECRETS.header)
        expect(last.headers.authorization).toBe(
          auth === 'token' ? `Bearer ${SECRETS.token}` : `Basic ${Buffer.from(`e2e-user:${SECRETS.password}`).toString('base64')}`
        )
      }
    })
  })

  test('a successful run with credentials everywhere: nothing leaks into outputs, summary or log', async () => {
    const result = await runAction({
      inputs: {
        'prometheus-url': prometheusUrl.replace('http://', `http://e2e:${SECRETS.urlPassword}@`),
        config: 'slos/healthy.yaml\nslos/incident-10d.yaml',
        'evaluation-time': String(end),
        ...WORKSPACE_POLICY,
        'prometheus-token': SECRETS.token,
        'prometheus-headers': `X-Scope-OrgID: ${SECRETS.header}`
      },
      files: fixtureFiles('healthy.yaml', 'incident-10d.yaml')
    })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.decision).toBe('freeze')
    expect(report(result).prometheus).toBe(prometheusUrl)
    expectNoSecrets(result)
  })

  test('an unwritable job summary warns and does not change the verdict', async () => {
    for (const [file, exitCode] of [
      ['healthy.yaml', 0],
      ['incident-10d.yaml', 1]
    ] as const) {
      const result = await runAction({
        inputs: { 'prometheus-url': prometheusUrl, config: `slos/${file}`, 'evaluation-time': String(end), ...WORKSPACE_POLICY },
        files: fixtureFiles(file),
        env: { GITHUB_STEP_SUMMARY: '/nonexistent-dir/step_summary' }
      })
      expect(result.exitCode).toBe(exitCode)
      expect(result.outputs.decision).toBe(exitCode === 0 ? 'allow' : 'freeze')
      expect(messages(result, 'warning').join('\n')).toMatch(/summary/i)
      expect(stackLines(result.stdout)).toEqual([])
    }
  })

  test('invalid configuration fails even in dry-run and with on-error allow', async () => {
    const result = await runBad(BAD_CASES[0]!, 'token', { 'dry-run': 'true', 'on-error': 'allow' })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.decision).toBe('error')
    expectNoSecrets(result)
  })

  test('query failures follow on-error: unreachable Prometheus with on-error warn passes', async () => {
    const result = await runBad(BAD_CASES.find((c) => c.name === 'unreachable Prometheus')!, 'token', { 'on-error': 'warn' })
    expect(result.exitCode).toBe(0)
    expect(result.outputs.decision).toBe('error')
    expect(messages(result, 'warning').join('\n')).toMatch(/ERROR/)
    expectNoSecrets(result)
  })

  test('an invalid dry-run value is a usage error', async () => {
    const result = await runBad({ name: 'dry-run', message: /dry-run/ }, 'token', { 'dry-run': 'maybe' })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.decision).toBe('error')
    expect(messages(result, 'error').join('\n')).toMatch(/dry-run/)
    expectNoSecrets(result)
  })
})
