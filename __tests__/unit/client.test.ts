// The Prometheus client against a real HTTP server on 127.0.0.1 that answers scripted responses:
// what is sent (auth, headers, GET or POST), what is retried (network errors, 5xx, 429) and
// what is not (4xx), and that every failure message is actionable and free of secrets.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

import { QueryError } from '../../src/errors.js'
import { PrometheusClient, connectionSecrets, retryAfterMs, type PrometheusConnection } from '../../src/prometheus/client.js'
import { SHARED } from '../harness/shared.js'

interface Recorded {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
  at: number
}

type Reply = (req: Recorded, res: ServerResponse, raw: IncomingMessage) => void

/** A real HTTP server whose answers are scripted per request; the last answer repeats. */
class ScriptedServer {
  readonly requests: Recorded[] = []
  private readonly server: Server
  private script: Reply[] = []
  private fallback: Reply = json(200, vector(1))

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: performance.now() }
        this.requests.push(recorded)
        const reply = this.script.shift() ?? this.fallback
        if (this.script.length === 0) this.fallback = reply
        reply(recorded, res, req)
      })
    })
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return this
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** Replies for the next requests, in order; the last one answers every later request. */
  answer(...replies: Reply[]): void {
    this.requests.length = 0
    this.script = [...replies]
    this.fallback = replies[replies.length - 1]
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

function vector(value: number | string, labels: Record<string, string> = {}) {
  return { status: 'success', data: { resultType: 'vector', result: [{ metric: labels, value: [1704412800, String(value)] }] } }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
    res.end(typeof body === 'string' ? body : JSON.stringify(body))
  }
}

function text(status: number, body: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): Reply {
  return (_req, res) => {
    res.writeHead(status, { 'Content-Type': contentType, ...headers })
    res.end(body)
  }
}

/** Drops the connection without an answer. */
const reset: Reply = (_req, _res, raw) => raw.socket.destroy()
/** Never answers: the client's timeout has to end it. */
const hang: Reply = () => undefined
/** The worst server: echoes every request header back, at the given status. */
const echoHeaders =
  (status: number, contentType = 'text/plain'): Reply =>
  (req, res) => {
    res.writeHead(status, { 'Content-Type': contentType })
    res.end(contentType === 'application/json' ? JSON.stringify({ status: 'error', errorType: 'bad_data', error: `headers: ${JSON.stringify(req.headers)}` }) : JSON.stringify(req.headers))
  }

const CAPTURED = `${SHARED}/corpus/prom-responses/captured`
function capturedBody(engine: string, name: string): { status: number; body: string } {
  const wrapper = JSON.parse(readFileSync(join(CAPTURED, engine, `${name}.json`), 'utf8')) as { http_status: number; body_raw: string }
  return { status: wrapper.http_status, body: wrapper.body_raw }
}

const T = 1704412800
const TOKEN = 'tok-9f8e7d6c5b4a-secret'
const PASSWORD = 'pa$$w0rd/with:odd@chars'
const API_KEY = 'key-0123456789abcdef'

let server: ScriptedServer
let other: ScriptedServer

beforeAll(async () => {
  server = await new ScriptedServer().start()
  other = await new ScriptedServer().start()
})

afterAll(async () => {
  await server.close()
  await other.close()
})

afterEach(() => {
  server.answer(json(200, vector(1)))
})

function connection(overrides: Partial<PrometheusConnection> = {}): PrometheusConnection {
  return { url: server.url, headers: {}, timeoutMs: 2000, retries: 2, retryBaseDelayMs: 1, ...overrides }
}

/** The QueryError a query ends with (fails the test when it succeeds). */
async function queryError(client: PrometheusClient, promql = 'up'): Promise<QueryError> {
  try {
    await client.query(promql, T)
  } catch (error) {
    expect(error).toBeInstanceOf(QueryError)
    return error as QueryError
  }
  throw new Error('expected the query to fail')
}

describe('successful queries', () => {
  it('sends an instant query with the evaluation time and reads the result', async () => {
    server.answer(json(200, vector('0.050277777777777775', { job: 'api' })))
    const client = new PrometheusClient(connection())
    const result = await client.query('sum(rate(errors[{{.window}}]))', T)
    expect(result).toEqual({ resultType: 'vector', samples: [{ labels: { job: 'api' }, value: 0.050277777777777775 }], warnings: [] })
    expect(server.requests).toHaveLength(1)
    const [request] = server.requests
    expect(request.method).toBe('GET')
    const url = new URL(request.url, server.url)
    expect(url.pathname).toBe('/api/v1/query')
    expect(url.searchParams.get('query')).toBe('sum(rate(errors[{{.window}}]))')
    expect(url.searchParams.get('time')).toBe(String(T))
    expect(request.headers.accept).toBe('application/json')
    expect(request.headers.authorization).toBeUndefined()
    expect(client.requestCount).toBe(1)
  })

  it('keeps a path prefix of the base URL, with or without a trailing slash', async () => {
    for (const url of [`${server.url}/prometheus`, `${server.url}/prometheus/`]) {
      server.answer(json(200, vector(1)))
      await new PrometheusClient(connection({ url })).query('up', T)
      expect(new URL(server.requests[0].url, server.url).pathname).toBe('/prometheus/api/v1/query')
    }
  })

  it('reads the real captured bodies of both engines', async () => {
    for (const engine of ['prometheus-2.42', 'victoriametrics-1.79']) {
      const { status, body } = capturedBody(engine, 'vector_error_budget_remaining_4d')
      server.answer(text(status, body, 'application/json'))
      const result = await new PrometheusClient(connection()).query('x', T)
      expect(result.samples).toEqual([{ labels: {}, value: -0.5095486111111096 }])
    }
  })

  it('sends very long queries as a POST form, and short ones as GET', async () => {
    const long = `sum(rate(http_requests_total{job="api",path=~"${'/a'.repeat(2500)}"}[{{.window}}]))`
    const client = new PrometheusClient(connection())
    server.answer(json(200, vector(2)))
    expect((await client.query(long, T)).samples[0].value).toBe(2)
    const [post] = server.requests
    expect(post.method).toBe('POST')
    expect(post.url).toBe('/api/v1/query')
    expect(post.headers['content-type']).toBe('application/x-www-form-urlencoded')
    const form = new URLSearchParams(post.body)
    expect(form.get('query')).toBe(long)
    expect(form.get('time')).toBe(String(T))

    server.answer(json(200, vector(3)))
    await client.query('up', T)
    expect(server.requests[0].method).toBe('GET')
  })
})

describe('credentials and headers', () => {
  it('sends a bearer token', async () => {
    await new PrometheusClient(connection({ bearerToken: TOKEN })).query('up', T)
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('sends basic auth from username and password', async () => {
    await new PrometheusClient(connection({ username: 'gate', password: PASSWORD })).query('up', T)
    expect(server.requests[0].headers.authorization).toBe(`Basic ${Buffer.from(`gate:${PASSWORD}`).toString('base64')}`)
  })

  it('sends basic auth from the URL userinfo (decoded), and keeps it out of the request line', async () => {
    const url = `http://gate:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}/prom`
    await new PrometheusClient(connection({ url })).query('up', T)
    const [request] = server.requests
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`gate:${PASSWORD}`).toString('base64')}`)
    expect(request.url.startsWith('/prom/api/v1/query?')).toBe(true)
    expect(request.headers.host).toBe(`127.0.0.1:${server.port}`)
  })

  it('prefers explicit username and password over the URL userinfo', async () => {
    await new PrometheusClient(connection({ url: `http://a:b@127.0.0.1:${server.port}`, username: 'gate', password: 'explicit' })).query('up', T)
    expect(server.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('gate:explicit').toString('base64')}`)
  })

  it('sends custom headers (tenant, API key)', async () => {
    await new PrometheusClient(connection({ headers: { 'X-Scope-OrgID': 'team-a|team-b', 'X-Api-Key': API_KEY } })).query('up', T)
    expect(server.requests[0].headers['x-scope-orgid']).toBe('team-a|team-b')
    expect(server.requests[0].headers['x-api-key']).toBe(API_KEY)
  })

  it('does not carry credentials or custom headers to another server on a redirect', async () => {
    other.answer(json(200, vector(4)))
    server.answer((_req, res) => {
      res.writeHead(302, { Location: `${other.url}/api/v1/query?query=up&time=${T}` })
      res.end()
    })
    const client = new PrometheusClient(connection({ bearerToken: TOKEN, headers: { 'X-Api-Key': API_KEY } }))
    expect((await client.query('up', T)).samples[0].value).toBe(4)
    expect(server.requests[0].headers['x-api-key']).toBe(API_KEY)
    const [redirected] = other.requests
    expect(redirected.headers.authorization).toBeUndefined()
    expect(redirected.headers['x-api-key']).toBeUndefined()
    expect(JSON.stringify(redirected)).not.toContain(TOKEN)
    expect(JSON.stringify(redirected)).not.toContain(API_KEY)
  })

  it('lists every secret a connection sends, for redaction', () => {
    const url = `http://gate:${encodeURIComponent(PASSWORD)}@127.0.0.1:9090`
    const secrets = connectionSecrets(connection({ url, headers: { 'X-Api-Key': API_KEY } }))
    const basic = Buffer.from(`gate:${PASSWORD}`).toString('base64')
    expect(secrets).toEqual(expect.arrayContaining([PASSWORD, encodeURIComponent(PASSWORD), API_KEY, basic, `Basic ${basic}`]))
    expect(connectionSecrets(connection({ bearerToken: TOKEN }))).toEqual(expect.arrayContaining([TOKEN, `Bearer ${TOKEN}`]))
  })
})

describe('retries', () => {
  it.each([
    ['503', json(503, { status: 'error', errorType: 'unavailable', error: 'not ready' })],
    ['429', text(429, 'slow down')],
    ['500 text', text(500, 'internal error')],
    ['502 HTML', text(502, '<html><body>Bad Gateway</body></html>', 'text/html')],
    ['a connection reset', reset]
  ])('retries on %s, then succeeds', async (_case, failure) => {
    server.answer(failure, json(200, vector(5)))
    const client = new PrometheusClient(connection())
    expect((await client.query('up', T)).samples[0].value).toBe(5)
    expect(server.requests).toHaveLength(2)
    expect(client.requestCount).toBe(2)
  })

  it('retries on a timeout, then succeeds', async () => {
    server.answer(hang, json(200, vector(6)))
    const client = new PrometheusClient(connection({ timeoutMs: 150 }))
    expect((await client.query('up', T)).samples[0].value).toBe(6)
    expect(client.requestCount).toBe(2)
  })

  it('gives up after the configured retries, counting every attempt', async () => {
    const { status, body } = capturedBody('prometheus-2.42', 'error_timeout_param')
    server.answer(text(status, body, 'application/json'))
    const client = new PrometheusClient(connection({ retries: 3 }))
    const error = await queryError(client)
    expect(error.message).toBe(`Prometheus at ${server.url} answered HTTP 503 (timeout): query timed out in query queue (after 4 attempts)`)
    expect(error.status).toBe(503)
    expect(error.retryable).toBe(false)
    expect(client.requestCount).toBe(4)
    expect(server.requests).toHaveLength(4)
  })

  it('does not retry with retries: 0', async () => {
    server.answer(text(503, 'busy'))
    const client = new PrometheusClient(connection({ retries: 0 }))
    expect((await queryError(client)).message).toBe(`Prometheus at ${server.url} answered HTTP 503: "busy"`)
    expect(client.requestCount).toBe(1)
  })

  it('says a timeout is a timeout, after every attempt', async () => {
    server.answer(hang)
    const client = new PrometheusClient(connection({ timeoutMs: 100, retries: 1 }))
    expect((await queryError(client)).message).toBe(`cannot reach Prometheus at ${server.url}: no answer within 0.1s (after 2 attempts)`)
    expect(client.requestCount).toBe(2)
  })

  it('says a reset connection was reset', async () => {
    server.answer(reset)
    const client = new PrometheusClient(connection({ retries: 1 }))
    expect((await queryError(client)).message).toBe(`cannot reach Prometheus at ${server.url}: the connection was reset (after 2 attempts)`)
  })

  it('says a refused connection is refused, and retries it', async () => {
    const closed = await new ScriptedServer().start()
    const url = closed.url
    await closed.close()
    const client = new PrometheusClient(connection({ url, retries: 2 }))
    expect((await queryError(client)).message).toBe(`cannot reach Prometheus at ${url}: connection refused: is Prometheus running and is the URL right? (after 3 attempts)`)
    expect(client.requestCount).toBe(3)
  })

  it('honours Retry-After, capped', async () => {
    // Retry-After: 1 second, capped at 150 ms: the retry waits the cap, not the jittered 1 ms backoff.
    server.answer(text(503, 'busy', 'text/plain', { 'Retry-After': '1' }), json(200, vector(7)))
    const client = new PrometheusClient(connection({ maxRetryAfterMs: 150 }))
    expect((await client.query('up', T)).samples[0].value).toBe(7)
    const gap = server.requests[1].at - server.requests[0].at
    expect(gap).toBeGreaterThanOrEqual(140)
    expect(gap).toBeLessThan(1000)
  })

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-20T00:00:00Z')
    expect(retryAfterMs('3', now)).toBe(3000)
    expect(retryAfterMs(' 0 ', now)).toBe(0)
    expect(retryAfterMs('Fri, 20 Nov 2026 00:00:05 GMT', now)).toBe(5000)
    expect(retryAfterMs('Thu, 19 Nov 2026 23:59:00 GMT', now)).toBe(0)
    for (const header of [undefined, '', '-1', '1.5', 'soon', 42]) expect(retryAfterMs(header, now)).toBeUndefined()
  })

  it.each([
    [400, 'bad_data'],
    [422, 'execution'],
    [401, undefined],
    [403, undefined],
    [404, undefined]
  ])('never retries HTTP %s', async (status, errorType) => {
    server.answer(errorType ? json(status, { status: 'error', errorType, error: 'nope' }) : text(status, 'nope'))
    const client = new PrometheusClient(connection({ retries: 5 }))
    const error = await queryError(client)
    expect(error.status).toBe(status)
    expect(error.message).not.toContain('attempts')
    expect(client.requestCount).toBe(1)
    expect(server.requests).toHaveLength(1)
  })
})

describe('failure messages', () => {
  it("surfaces Prometheus's own error text", async () => {
    const { status, body } = capturedBody('prometheus-2.42', 'error_parse_error')
    server.answer(text(status, body, 'application/json'))
    const error = await queryError(new PrometheusClient(connection()), 'sum(rate(x[5m])')
    expect(error.message).toBe(`Prometheus at ${server.url} answered HTTP 400 (bad_data): invalid parameter "query": 1:67: parse error: unclosed left parenthesis`)
  })

  it("surfaces VictoriaMetrics' error text and numeric errorType", async () => {
    const { status, body } = capturedBody('victoriametrics-1.79', 'error_missing_query')
    server.answer(text(status, body, 'application/json'))
    expect((await queryError(new PrometheusClient(connection()))).message).toBe(`Prometheus at ${server.url} answered HTTP 422 (422): missing \`query\` arg`)
  })

  it('explains an HTML page answered with 200', async () => {
    server.answer(text(200, '<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Please sign in</h1></body></html>', 'text/html; charset=utf-8'))
    const error = await queryError(new PrometheusClient(connection()))
    expect(error.message).toBe(
      `unexpected answer from ${server.url}: the body is not JSON (content-type text/html): "Sign in Please sign in"; an HTML page usually means the URL points at a web UI, a login page or a proxy rather than the Prometheus API: check that the URL is the Prometheus base URL (e.g. http://prometheus:9090 or https://host/prometheus, without /api/v1)`
    )
    expect(error.retryable).toBe(false)
  })

  it('explains a 200 that is JSON but not an instant-query answer', async () => {
    server.answer(json(200, capturedBody('prometheus-2.42', 'matrix_sli_error_ratio_5m_last3h').body))
    expect((await queryError(new PrometheusClient(connection()))).message).toBe(
      `unexpected answer from ${server.url}: the query returned a range vector (matrix); an instant vector was expected: remove the trailing [range] or wrap it in a function such as increase()`
    )
  })

  it('says to check the credentials on 401 and 403', async () => {
    server.answer(text(401, 'Unauthorized'))
    expect((await queryError(new PrometheusClient(connection()))).message).toBe(
      `Prometheus at ${server.url} refused the request: HTTP 401 Unauthorized: "Unauthorized"; check the credentials (prometheus-token, prometheus-username/password or prometheus-headers)`
    )
    server.answer(text(403, ''))
    expect((await queryError(new PrometheusClient(connection()))).message).toMatch(/refused the request: HTTP 403 Forbidden; check the credentials/)
  })

  it("tells a Mimir user to send the tenant header (its 401 'no org id')", async () => {
    server.answer(text(401, readFileSync(`${SHARED}/corpus/prom-responses/mimir-missing-x-scope-orgid.txt`, 'utf8')))
    expect((await queryError(new PrometheusClient(connection()))).message).toContain(
      'HTTP 401 Unauthorized: "no org id"; this server needs a tenant: add the header X-Scope-OrgID: <tenant>'
    )
  })

  it('says what the URL should be on 404', async () => {
    server.answer(text(404, '404 page not found'))
    expect((await queryError(new PrometheusClient(connection({ url: `${server.url}/api/v1` })))).message).toBe(
      `Prometheus at ${server.url}/api/v1 answered HTTP 404 for /api/v1/query: the URL should be the server's base URL including any path prefix (e.g. http://prometheus:9090 or https://host/prometheus), without /api/v1`
    )
  })

  it('shortens long bodies in messages', async () => {
    server.answer(text(500, 'x'.repeat(5000)))
    const message = (await queryError(new PrometheusClient(connection({ retries: 0 })))).message
    expect(message).toBe(`Prometheus at ${server.url} answered HTTP 500: "${'x'.repeat(300)}…"`)
  })
})

describe('no secret in any error message', () => {
  const basic = Buffer.from(`gate:${PASSWORD}`).toString('base64')
  const secrets = [TOKEN, PASSWORD, encodeURIComponent(PASSWORD), API_KEY, basic]
  const variants: [string, Partial<PrometheusConnection>][] = [
    ['a bearer token', { bearerToken: TOKEN, headers: { 'X-Api-Key': API_KEY } }],
    ['basic auth', { username: 'gate', password: PASSWORD, headers: { 'X-Api-Key': API_KEY } }],
    ['basic auth in the URL', { url: `http://gate:${encodeURIComponent(PASSWORD)}@127.0.0.1:PORT/prom`, headers: { 'X-Api-Key': API_KEY } }]
  ]
  // Every row has all three cells: Jest takes a missing one for a `done` callback.
  const scenarios: [string, Reply[], Partial<PrometheusConnection>][] = [
    ['500 echoing the headers', [echoHeaders(500)], {}],
    ['503 echoing the headers as a Prometheus error', [echoHeaders(503, 'application/json')], {}],
    ['400 echoing the headers as a Prometheus error', [echoHeaders(400, 'application/json')], {}],
    ['401 echoing the headers', [echoHeaders(401)], {}],
    ['404 echoing the headers', [echoHeaders(404)], {}],
    ['200 HTML echoing the headers', [echoHeaders(200, 'text/html')], {}],
    ['200 not JSON', [text(200, 'hello')], {}],
    ['a reset', [reset], {}],
    ['a timeout', [hang], { timeoutMs: 80, retries: 1 }],
    ['a matrix', [json(200, capturedBody('prometheus-2.42', 'matrix_sli_error_ratio_5m_last3h').body)], {}]
  ]

  describe.each(variants)('with %s', (_variant, credentials) => {
    it.each(scenarios)('after %s', async (_scenario, replies, overrides) => {
      server.answer(...replies)
      const url = credentials.url?.replace('PORT', String(server.port))
      const client = new PrometheusClient(connection({ ...credentials, ...(url ? { url } : {}), ...overrides }))
      const error = await queryError(client)
      expect(error.message.length).toBeGreaterThan(20)
      for (const secret of secrets) expect(error.message).not.toContain(secret)
      expect(JSON.stringify(error)).not.toMatch(/tok-9f8e|pa\$\$w0rd|key-0123/)
    })
  })

  it('masks secrets a server echoes in a message that is still useful', async () => {
    server.answer(json(400, { status: 'error', errorType: 'bad_data', error: `bad key ${API_KEY} for tenant` }))
    const error = await queryError(new PrometheusClient(connection({ headers: { 'X-Api-Key': API_KEY } })))
    expect(error.message).toBe(`Prometheus at ${server.url} answered HTTP 400 (bad_data): bad key *** for tenant`)
  })

  it('keeps the password of a URL out of messages about an unreachable server', async () => {
    const closed = await new ScriptedServer().start()
    const port = closed.port
    await closed.close()
    const client = new PrometheusClient(connection({ url: `http://gate:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/prom`, retries: 0 }))
    const error = await queryError(client)
    expect(error.message).toBe(`cannot reach Prometheus at http://127.0.0.1:${port}/prom: connection refused: is Prometheus running and is the URL right?`)
  })
})
