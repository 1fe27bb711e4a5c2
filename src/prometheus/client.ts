// A thin client for the Prometheus HTTP API's instant and range queries. It never logs or rethrows an
// axios error object (its config carries the request headers, i.e. the credentials): every
// failure becomes a QueryError whose message is built only from safe parts.
import axios, { type AxiosInstance, type AxiosResponse } from 'axios'
import { sleep } from '../concurrency.js'
import { QueryError } from '../errors.js'
import { Redactor, safeUrl } from '../redact.js'
import { MAX_RANGE_POINTS, parseInstantBody, parseRangeBody, type InstantResult, type ParseFailure, type RangeResult } from './response.js'

export interface PrometheusConnection {
  /** Base URL of the API, including any path prefix (e.g. https://host/prometheus). */
  url: string
  bearerToken?: string
  username?: string
  password?: string
  /** Extra headers (tenant IDs, API keys). Their values are treated as secrets. */
  headers: Record<string, string>
  timeoutMs: number
  /** Further attempts after the first, on network errors, 5xx and 429 only. */
  retries: number
  retryBaseDelayMs: number
  /** Longest wait honoured from a Retry-After header (default 10 s). */
  maxRetryAfterMs?: number
}

/** Above this the query goes as a POST form, as Prometheus allows, to dodge URL length limits. */
const MAX_GET_URL_LENGTH = 4000
const DEFAULT_MAX_RETRY_AFTER_MS = 10_000
const MAX_BODY_EXCERPT = 300

export interface InstantQuery {
  query(promql: string, timeSeconds: number): Promise<InstantResult>
}

export interface RangeQuery {
  /**
   * Evaluates `promql` at start, start + step, … up to end (unix seconds), each step exactly as
   * an instant query at that time would be (`/api/v1/query_range`).
   */
  queryRange(promql: string, startSeconds: number, endSeconds: number, stepSeconds: number): Promise<RangeResult>
}

type Endpoint = '/api/v1/query' | '/api/v1/query_range'

export interface ClientOptions {
  /**
   * Aborts every request in flight and every retry wait, and fails queries not yet sent, with
   * the signal's reason (the gate's overall deadline: src/deadline.ts).
   */
  signal?: AbortSignal
}
type Parser<T> = (body: unknown) => { ok: true; result: T } | ParseFailure

/** The header values a connection sends, including derived ones (basic auth), for redaction. */
export function connectionSecrets(connection: PrometheusConnection): string[] {
  const secrets = [connection.bearerToken, connection.password, ...Object.values(connection.headers)]
  const auth = authorizationHeader(connection)
  if (auth) secrets.push(auth, auth.replace(/^\w+ /, ''))
  try {
    const parsed = new URL(connection.url)
    // Both as written in the URL (percent-encoded) and as sent.
    if (parsed.password) secrets.push(parsed.password, safeDecode(parsed.password))
  } catch {
    // An unparsable URL is reported by the caller; nothing to extract here.
  }
  return secrets.filter((s): s is string => typeof s === 'string' && s !== '')
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

function authorizationHeader(connection: PrometheusConnection): string | undefined {
  if (connection.bearerToken) return `Bearer ${connection.bearerToken}`
  let username = connection.username
  let password = connection.password
  try {
    const parsed = new URL(connection.url)
    if (!username && parsed.username) username = safeDecode(parsed.username)
    if (!password && parsed.password) password = safeDecode(parsed.password)
  } catch {
    // Validated by the settings reader.
  }
  if (username || password) return `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}`
  return undefined
}

export class PrometheusClient implements InstantQuery, RangeQuery {
  private readonly http: AxiosInstance
  private readonly server: string
  /** Masks this connection's own secrets in every message it throws (a server may echo them). */
  private readonly redactor = new Redactor()
  /** HTTP requests sent, retries included (the benchmark and query-plan tests read it). */
  requestCount = 0
  private readonly signal?: AbortSignal

  constructor(
    private readonly connection: PrometheusConnection,
    options: ClientOptions = {}
  ) {
    this.signal = options.signal
    this.server = safeUrl(connection.url)
    for (const secret of connectionSecrets(connection)) this.redactor.add(secret)
    const base = new URL(connection.url)
    base.username = ''
    base.password = ''
    const headers: Record<string, string> = { Accept: 'application/json', ...connection.headers }
    const auth = authorizationHeader(connection)
    if (auth) headers.Authorization = auth
    this.http = axios.create({
      baseURL: base.toString().replace(/\/+$/, ''),
      headers,
      timeout: connection.timeoutMs,
      responseType: 'text',
      transformResponse: [(body: unknown) => body],
      validateStatus: () => true,
      maxRedirects: 3,
      // Custom headers (API keys, tenant IDs) are dropped on a redirect to another origin, as
      // Authorization already is: a redirect must not carry credentials to a different server.
      sensitiveHeaders: Object.keys(connection.headers)
    })
  }

  async query(promql: string, timeSeconds: number): Promise<InstantResult> {
    const params = new URLSearchParams({ query: promql, time: String(timeSeconds) })
    return this.withRetries(() => this.attempt('/api/v1/query', params, parseInstantBody))
  }

  async queryRange(promql: string, startSeconds: number, endSeconds: number, stepSeconds: number): Promise<RangeResult> {
    // Checked here, where the message can name the problem: the server's would be less clear.
    if (!(stepSeconds > 0) || !(endSeconds >= startSeconds) || !Number.isFinite(startSeconds) || !Number.isFinite(endSeconds)) {
      throw new QueryError(`invalid range query: start ${startSeconds}, end ${endSeconds}, step ${stepSeconds}s (end must not be before start, step must be positive)`, false)
    }
    if ((endSeconds - startSeconds) / stepSeconds > MAX_RANGE_POINTS - 1) {
      throw new QueryError(`invalid range query: more than ${MAX_RANGE_POINTS} points per series; split the range into chunks`, false)
    }
    const params = new URLSearchParams({ query: promql, start: String(startSeconds), end: String(endSeconds), step: String(stepSeconds) })
    return this.withRetries(() => this.attempt('/api/v1/query_range', params, parseRangeBody))
  }

  private async withRetries<T>(send: () => Promise<T>): Promise<T> {
    let earlier: QueryError | undefined
    for (let attempt = 0; ; attempt++) {
      if (this.signal?.aborted) throw this.stopped(earlier)
      try {
        return await send()
      } catch (error) {
        // Aborted in flight: the cause is the abort (the deadline), not the cancelled request.
        if (this.signal?.aborted) throw this.stopped(earlier)
        const failure = error instanceof QueryError ? error : new QueryError(`query to ${this.server} failed unexpectedly`, false)
        if (!failure.retryable || attempt >= this.connection.retries) {
          const tries = attempt > 0 ? ` (after ${attempt + 1} attempts)` : ''
          throw new QueryError(this.redactor.redact(`${failure.message}${tries}`), false, failure.status)
        }
        earlier = failure
        await sleepUnlessAborted(this.backoff(attempt, failure.retryAfterMs), this.signal)
      }
    }
  }

  /** The error of a query stopped by the signal, with the failure that led to the last retry wait. */
  private stopped(earlier: QueryError | undefined): QueryError {
    const reason: unknown = this.signal?.reason
    const text = reason instanceof Error && reason.message ? reason.message : `the query to ${this.server} was aborted`
    return new QueryError(this.redactor.redact(`${text}${earlier ? `; the attempt before: ${earlier.message}` : ''}`), false, earlier?.status)
  }

  /** Exponential backoff with full jitter, or the server's Retry-After when it gives one. */
  private backoff(attempt: number, retryAfterMs?: number): number {
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, this.connection.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS)
    return Math.random() * this.connection.retryBaseDelayMs * 2 ** attempt
  }

  private async attempt<T>(endpoint: Endpoint, params: URLSearchParams, parse: Parser<T>): Promise<T> {
    let response: AxiosResponse<string>
    this.requestCount++
    // axios' own timeout is an idle timeout (no byte for that long): a server that trickles its
    // answer a byte at a time would never trip it. This one bounds the whole exchange.
    const timeout = AbortSignal.timeout(this.connection.timeoutMs)
    const signal = this.signal ? AbortSignal.any([this.signal, timeout]) : timeout
    try {
      const getPath = `${endpoint}?${params.toString()}`
      response =
        getPath.length <= MAX_GET_URL_LENGTH
          ? await this.http.get<string>(getPath, { signal })
          : await this.http.post<string>(endpoint, params.toString(), {
              headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
              signal
            })
    } catch (error) {
      throw this.networkError(error)
    }
    return this.interpret<T>(response, endpoint, parse)
  }

  private networkError(error: unknown): QueryError {
    const code = (error as { code?: string }).code
    const reasons: Record<string, string> = {
      ECONNREFUSED: 'connection refused: is Prometheus running and is the URL right?',
      ECONNRESET: 'the connection was reset',
      ENOTFOUND: 'the host name does not resolve',
      EAI_AGAIN: 'the host name could not be resolved (DNS)',
      ETIMEDOUT: 'the connection timed out',
      ECONNABORTED: `no answer within ${this.connection.timeoutMs / 1000}s`,
      // Our whole-exchange timeout (attempt()); an abort by the deadline is handled by withRetries.
      ERR_CANCELED: `no answer within ${this.connection.timeoutMs / 1000}s`,
      ERR_BAD_RESPONSE: 'the response was malformed',
      EPROTO: 'TLS handshake failed',
      DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed',
      CERT_HAS_EXPIRED: 'the server certificate has expired',
      UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate cannot be verified',
      SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate chain has a self-signed certificate',
      ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate does not match the host name',
      ERR_FR_TOO_MANY_REDIRECTS: 'too many redirects: set the URL to the final address'
    }
    const reason = (code && reasons[code]) ?? `network error${code ? ` (${code})` : ''}`
    // Retrying cannot fix a certificate or a redirect loop.
    const retryable = !(code && PERMANENT_NETWORK_ERRORS.has(code))
    return new QueryError(`cannot reach Prometheus at ${this.server}: ${reason}`, retryable)
  }

  private interpret<T>(response: AxiosResponse<string>, endpoint: Endpoint, parse: Parser<T>): T {
    const status = response.status
    const text = typeof response.data === 'string' ? response.data : ''
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    const parsed = body === undefined ? undefined : parse(body)
    const retryable = status >= 500 || status === 429
    if (parsed?.ok && status >= 200 && status < 300) return this.scrubbed(parsed.result)
    if (parsed && !parsed.ok && parsed.kind === 'prometheus-error') {
      throw this.statusError(`Prometheus at ${this.server} answered HTTP ${status} (${parsed.errorType}): ${parsed.message}`, status, retryable, response)
    }
    if (status === 401 || status === 403) {
      // Mimir, Cortex and Loki answer 401 "no org id" when the tenant header is missing.
      const tenant = /no org id/i.test(text) ? '; this server needs a tenant: add the header X-Scope-OrgID: <tenant> (prometheus-headers, or --header)' : ''
      throw new QueryError(
        `Prometheus at ${this.server} refused the request: HTTP ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}${excerpt(this.redactor.redact(text))}${tenant}; check the credentials (prometheus-token, prometheus-username/password or prometheus-headers)`,
        false,
        status
      )
    }
    if (status === 404) {
      throw new QueryError(
        `Prometheus at ${this.server} answered HTTP 404 for ${endpoint}: the URL should be the server's base URL including any path prefix (e.g. http://prometheus:9090 or https://host/prometheus), without /api/v1`,
        false,
        status
      )
    }
    if (status < 200 || status >= 300) {
      throw this.statusError(`Prometheus at ${this.server} answered HTTP ${status}${excerpt(this.redactor.redact(text))}`, status, retryable, response)
    }
    // JSON that does not parse, from a server that speaks JSON: cut short or garbled on the way
    // (a proxy, a crash mid-answer), not a wrong URL. Retried, like a connection reset mid-body.
    const brokenJson = body === undefined && /^\s*\{\s*"(status|data)"/.test(text)
    const why =
      parsed && !parsed.ok
        ? parsed.message
        : brokenJson
          ? `the body is not valid JSON: it is cut short or garbled${contentType(response)}${excerpt(this.redactor.redact(text))}`
          : `the body is not JSON${contentType(response)}${excerpt(this.redactor.redact(text))}; ${
            /<html|<!doctype/i.test(text)
              ? 'an HTML page usually means the URL points at a web UI, a login page or a proxy rather than the Prometheus API: '
              : ''
          }check that the URL is the Prometheus base URL (e.g. http://prometheus:9090 or https://host/prometheus, without /api/v1)`
    throw new QueryError(`unexpected answer from ${this.server}: ${why}`, brokenJson, status)
  }

  /**
   * The result with this connection's secrets masked in the server's warnings: they reach every
   * report, and a renderer's escaping (markdown `\_`) would hide a secret from later redaction.
   */
  private scrubbed<T>(result: T): T {
    const warnings = (result as { warnings?: unknown }).warnings
    if (!Array.isArray(warnings) || warnings.length === 0) return result
    return { ...result, warnings: warnings.map((warning) => this.redactor.redact(String(warning))) }
  }

  private statusError(message: string, status: number, retryable: boolean, response: AxiosResponse): QueryError {
    return new QueryError(message, retryable, status, retryable ? retryAfterMs(response.headers?.['retry-after']) : undefined)
  }
}

/** Waits `ms`, or less if the signal aborts first. */
function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return sleep(ms)
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110), in ms from now. */
export function retryAfterMs(header: unknown, now: number = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined
  const text = header.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // HTTP dates are in GMT ("Fri, 20 Nov 2026 00:00:05 GMT"); Date.parse alone would also read "-1".
  const date = /GMT$/.test(text) ? Date.parse(text) : NaN
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

const PERMANENT_NETWORK_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_FR_TOO_MANY_REDIRECTS'
])

function contentType(response: AxiosResponse): string {
  const type = response.headers?.['content-type']
  return typeof type === 'string' && type !== '' ? ` (content-type ${type.split(';')[0]})` : ''
}

function excerpt(text: string): string {
  const flat = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim()
  if (flat === '') return ''
  return `: "${flat.length > MAX_BODY_EXCERPT ? `${flat.slice(0, MAX_BODY_EXCERPT)}…` : flat}"`
}
