// No secret leaks on any error path. Known credentials — a bearer token, a basic-auth password, a
// header value, a password in the URL — are given to the committed bundles (the CLI under three
// auth set-ups and output formats, the action under two), and every error path we can reach is
// run: bad flags and configuration, 401/403/404/429/500 answers that echo the request headers,
// a Prometheus error and server warnings that echo them, HTML and cut-short JSON that echo them,
// a redirect to another host, a reset connection, a timeout, the deadline, a closed port. Then no
// form of any secret may appear anywhere the gate writes: stdout, stderr, GITHUB_OUTPUT, the job
// summary, the JSON report, or a request body sent to the GitHub API (PR comment, status).
//
// The secrets hold markdown, HTML and URL metacharacters on purpose: a renderer that escapes a
// secret (`tok_x` → `tok\_x`) before redaction would hide it from the redactor and print it.
// __tests__/e2e/{cli,action}.test.ts cover the basic cases; this adds the echoing servers.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import type http from 'node:http'

import { escapeHtml, escapeMarkdown } from '../../src/report/markdown.js'
import { testPrometheus } from '../harness/prometheus.js'
import {
  FAKE_GITHUB_TOKEN,
  closedPort,
  fakeServer,
  fixtureFiles,
  node24,
  pullRequestEvent,
  runAction,
  runCliBundle,
  stackLines,
  type FakeServer
} from '../harness/run-bundle.js'

const SECRETS = {
  token: 'tokFLT_Zq8s.LrT1~vX9+mN4/pK==',
  password: 'pwFLT_Hn3b*Vc7x(Qw2e)Rt6y|x',
  header: 'hdrFLT_Uj5k<Io9l>Pa1s#Df8g@x',
  urlPassword: 'urlFLT_Mn2b~Vc4xZl7k'
}
const USER = 'flt-user'
const BASIC = Buffer.from(`${USER}:${SECRETS.password}`).toString('base64')

/** Every form a secret could be printed in: as is, JSON-escaped, markdown- and HTML-escaped, URL-encoded. */
function forms(secret: string): string[] {
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), escapeMarkdown(secret), escapeHtml(secret), encodeURIComponent(secret), secret.slice(0, 12)])]
}
const FORBIDDEN = [...Object.values(SECRETS).flatMap(forms), BASIC, FAKE_GITHUB_TOKEN]

function leaks(outputs: Record<string, string>): string[] {
  const found: string[] = []
  for (const [where, text] of Object.entries(outputs)) {
    for (const form of FORBIDDEN) if (text.includes(form)) found.push(`${where} contains ${JSON.stringify(form)}`)
  }
  return found
}

let prometheusUrl: string
let end: number
let echo: FakeServer
let elsewhere: FakeServer
let github: FakeServer
const githubBodies: string[] = []
let dead: string

/** What a careless server or proxy echoes back: the credentials it received, first (so an excerpt keeps them). */
function echoed(req: http.IncomingMessage): string {
  return `auth=${req.headers.authorization ?? ''} key=${String(req.headers['x-api-key'] ?? '')} headers=${JSON.stringify(req.headers)}`
}

beforeAll(async () => {
  ;({ url: prometheusUrl, end } = testPrometheus())
  node24()
  dead = `http://${USER}:${encodeURIComponent(SECRETS.urlPassword)}@127.0.0.1:${await closedPort()}`
  elsewhere = await fakeServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [end, '0'] }] } }))
  })
  echo = await fakeServer((req, res) => {
    const route = (req.url ?? '').split('/')[1]
    const text = echoed(req)
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    switch (route) {
      case 's401':
      case 's403':
      case 's404':
      case 's500':
        res.writeHead(Number(route.slice(1)), { 'content-type': 'text/plain' })
        return res.end(`denied; ${text}`)
      case 's429':
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '0' })
        return res.end(`slow down; ${text}`)
      case 'envelope':
        return json(422, { status: 'error', errorType: 'execution', error: `bad request; ${text}` })
      case 'warnings':
        return json(200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [end, '0'] }] }, warnings: [`proxy saw ${text}`], infos: [text] })
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' })
        return res.end(`<html><body><h1>Sign in</h1><p>${text}</p></body></html>`)
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(`{"status":"success","data":{"note":"${text.replace(/"/g, "'")}`)
      case 'redirect':
        // To another host name (localhost instead of 127.0.0.1): credentials must not follow.
        res.writeHead(302, { location: `${elsewhere.url.replace('127.0.0.1', 'localhost')}/api/v1/query?${(req.url ?? '').split('?')[1] ?? ''}` })
        return res.end()
      case 'reset':
        return req.socket.destroy()
      case 'hang':
        return undefined
      default:
        res.writeHead(500)
        return res.end('unknown route')
    }
  })
  // A stand-in GitHub API: lists nothing, accepts everything, records every request body.
  github = await fakeServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      githubBodies.push(`${req.method} ${req.url}\n${Buffer.concat(chunks).toString('utf8')}`)
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' })
      res.end(req.method === 'GET' ? '[]' : JSON.stringify({ id: 1, html_url: 'https://github.com/acme/shop/pull/42#issuecomment-1' }))
    })
  })
}, 300_000)

afterAll(async () => {
  await Promise.all([echo, elsewhere, github].filter(Boolean).map((s) => s.close()))
})

const SLO_FILE = fixtureFiles('healthy.yaml')['slos/healthy.yaml']!

interface Path {
  name: string
  /** The Prometheus URL (default: the echo server's route of the same name). */
  url?: () => string
  /** Extra CLI flags; the action gets the matching inputs from `inputs`. */
  flags?: string[]
  inputs?: Record<string, string>
  /** Replaces the SLO file. */
  file?: string
}

const PATHS: Path[] = [
  { name: 'malformed YAML', url: () => prometheusUrl, file: 'apiVersion: error-budget-gate/v1\nservice: [a\n' },
  { name: 'a bad flag value', url: () => prometheusUrl, flags: ['--retries', 'many'], inputs: { retries: 'many' } },
  { name: 'an unparsable URL with a password', url: () => `http://${USER}:${SECRETS.urlPassword}@[::1` },
  { name: 'a URL with a query string', url: () => `${prometheusUrl}/?api_key=${SECRETS.urlPassword}` },
  { name: '401 echoing the headers', url: () => `${echo.url}/s401` },
  { name: '403 echoing the headers', url: () => `${echo.url}/s403` },
  { name: '404 echoing the headers', url: () => `${echo.url}/s404` },
  { name: '500 echoing the headers', url: () => `${echo.url}/s500` },
  { name: '429 echoing the headers', url: () => `${echo.url}/s429` },
  { name: 'a Prometheus error echoing the headers', url: () => `${echo.url}/envelope` },
  { name: 'server warnings echoing the headers', url: () => `${echo.url}/warnings` },
  { name: 'an HTML page echoing the headers', url: () => `${echo.url}/html` },
  { name: 'cut-short JSON echoing the headers', url: () => `${echo.url}/truncated` },
  { name: 'a redirect to another host', url: () => `${echo.url}/redirect` },
  { name: 'a reset connection', url: () => `${echo.url}/reset` },
  { name: 'a timeout', url: () => `${echo.url}/hang`, flags: ['--timeout', '1', '--retries', '0'], inputs: { 'query-timeout': '1', retries: '0' } },
  { name: 'the deadline', url: () => `${echo.url}/hang`, flags: ['--deadline', '2'], inputs: { deadline: '2' } },
  { name: 'a closed port, credentials in the URL', url: () => dead }
]

type Auth = 'token' | 'basic' | 'url'

/** Paths that end in a decision from data (the other host's, or an answer with warnings), not in error. */
const ANSWERED = new Set(['a redirect to another host', 'server warnings echoing the headers'])

function withUrlCredentials(url: string): string {
  return url.replace('http://', `http://${USER}:${encodeURIComponent(SECRETS.urlPassword)}@`)
}

describe.each([
  ['token', 'text'],
  ['basic', 'json'],
  ['url', 'markdown']
] as const)('CLI bundle, %s auth, --format %s: no secret on any error path', (auth: Auth, format) => {
  test.each(PATHS.map((p) => [p.name, p] as const))('%s', async (_name, p) => {
    const env: Record<string, string> = { PROMETHEUS_HEADERS: `X-Api-Key: ${SECRETS.header}` }
    if (auth === 'token') env.PROMETHEUS_TOKEN = SECRETS.token
    if (auth === 'basic') Object.assign(env, { PROMETHEUS_USERNAME: USER, PROMETHEUS_PASSWORD: SECRETS.password })
    const base = p.url?.() ?? prometheusUrl
    const url = auth === 'url' && !base.includes('@') ? withUrlCredentials(base) : base
    const result = await runCliBundle(
      ['check', '--config', 'slos/slo.yaml', '--prometheus-url', url, '--at', String(end), '--format', format, '--retries', '1', ...(p.flags ?? [])],
      { files: { 'slos/slo.yaml': p.file ?? SLO_FILE }, env, timeoutMs: 60_000 }
    )
    expect(result.signal).toBeNull()
    // Each path is an error (exit 2), except those answered with data.
    expect(result.exitCode).toBe(ANSWERED.has(p.name) ? 0 : 2)
    expect(stackLines(`${result.stdout}\n${result.stderr}`)).toEqual([])
    expect(leaks({ stdout: result.stdout, stderr: result.stderr })).toEqual([])
  })
})

describe.each(['token', 'basic'] as const)('action bundle, %s auth: no secret in the log, outputs, summary or GitHub API calls', (auth) => {
  test.each(PATHS.map((p) => [p.name, p] as const))('%s', async (_name, p) => {
    githubBodies.length = 0
    const authInputs: Record<string, string> =
      auth === 'token' ? { 'prometheus-token': SECRETS.token } : { 'prometheus-username': USER, 'prometheus-password': SECRETS.password }
    const result = await runAction({
      inputs: {
        'prometheus-url': p.url?.() ?? prometheusUrl,
        config: 'slos/slo.yaml',
        'evaluation-time': String(end),
        'prometheus-headers': `X-Api-Key: ${SECRETS.header}`,
        retries: '1',
        'policy-source': 'workspace',
        comment: 'always',
        status: 'commit-status',
        ...authInputs,
        ...(p.inputs ?? {})
      },
      files: { 'slos/slo.yaml': p.file ?? SLO_FILE },
      event: pullRequestEvent(),
      eventName: 'pull_request',
      apiUrl: github.url,
      timeoutMs: 60_000
    })
    expect(result.signal).toBeNull()
    expect(result.outputs.decision).toBe(ANSWERED.has(p.name) ? 'allow' : 'error')
    // `::add-mask::VALUE` asks the runner to mask VALUE: the one line that must carry it.
    const stdout = result.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n')
    expect(
      leaks({ stdout, stderr: result.stderr, GITHUB_OUTPUT: result.outputFile, summary: result.summary, report: result.outputs.report ?? '', 'GitHub API': githubBodies.join('\n') })
    ).toEqual([])
    expect(stackLines(result.stdout)).toEqual([])
    // The runner can only mask what it was told.
    const masked = result.commands.filter((c) => c.command === 'add-mask').map((c) => c.message)
    expect(masked).toEqual(expect.arrayContaining([SECRETS.header, auth === 'token' ? SECRETS.token : SECRETS.password]))
  })
})

describe('credentials never follow a redirect to another host', () => {
  test('the other host gets neither the Authorization header nor the custom headers', async () => {
    elsewhere.requests.length = 0
    const auths: Record<string, string>[] = [{ PROMETHEUS_TOKEN: SECRETS.token }, { PROMETHEUS_USERNAME: USER, PROMETHEUS_PASSWORD: SECRETS.password }]
    for (const env of auths) {
      const result = await runCliBundle(
        ['check', '--config', 'slos/slo.yaml', '--prometheus-url', `${echo.url}/redirect`, '--at', String(end), '--format', 'json'],
        { files: { 'slos/slo.yaml': SLO_FILE }, env: { ...env, PROMETHEUS_HEADERS: `X-Api-Key: ${SECRETS.header}` } }
      )
      expect(result.exitCode).toBe(0)
    }
    expect(elsewhere.requests.length).toBeGreaterThan(0)
    for (const request of elsewhere.requests) {
      expect(request.headers.authorization).toBeUndefined()
      expect(request.headers['x-api-key']).toBeUndefined()
    }
    // While the first host did get them (the test is not vacuous).
    expect(echo.requests.some((r) => r.headers['x-api-key'] === SECRETS.header)).toBe(true)
  })
})
