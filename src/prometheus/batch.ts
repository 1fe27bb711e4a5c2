// Query batching: many instant queries evaluated in one PromQL evaluation, with each query's
// answer exactly what it would have got alone.
//
// Each sub-query Qi is tagged with a label no real series carries and the tagged vectors are
// joined with `or`:
//
//   label_replace(Q0, "__ebg_q", "0", "", "") or label_replace(Q1, "__ebg_q", "1", "", "") or …
//
// `or` keeps every left-hand series and adds right-hand ones whose label set (name ignored) is not
// already there; the tag makes every sub-query's label sets distinct from every other's, so
// nothing is dropped or merged, even when two sub-queries return the same labels (`sum(...)`
// returns `{}`). label_replace with an empty source label and an empty regex always matches and
// changes nothing but the tag; the metric name, the other labels, the values (NaN and ±Inf
// included) and the order of a sub-query's series are kept. The answer is split by the tag
// (which is removed): no series → an empty vector, several → several, in the order the server
// returned them.
//
// What cannot be batched is evaluated alone, with its own text:
// - a sub-query returning a scalar, a range vector or a string: Prometheus refuses the whole
//   batch (label_replace takes an instant vector), and the batch falls back (below);
// - a top-level range vector or subquery (`x[5m]`, `(q)[1h:5m]`) is never batched: Prometheus
//   would refuse it as above, but MetricsQL (VictoriaMetrics) silently turns it into an instant
//   vector inside label_replace, where alone it returns a matrix the gate rejects;
// - a query that sorts its answer (sort(), sort_desc(), …): MetricsQL sorts a whole answer by
//   labels unless the sort is the outermost function, so inside a batch the order would change;
// - a query that mentions the tag label itself.
// A batch the server rejects as a query (HTTP 400/422, a timeout, a size limit: 413/414/503/
// 504, or a 2xx answer the gate cannot read) is split in two and each half retried, down to
// single queries sent as they are, so an error is attributed to the query that causes it (with
// the message it would have got alone) and the others still answer. A failure that is not about
// the query (network, auth, 404, 429, other 5xx after the client's own retries) is every
// sub-query's failure, as it would have been alone.
// Server warnings of a batch (and a partial answer) apply to all its sub-queries.
import { appendFileSync } from 'node:fs'
import { mapWithLimit } from '../concurrency.js'
import { describeError, QueryError } from '../errors.js'
import type { QueryOutcome } from '../engine/readings.js'
import type { InstantQuery } from './client.js'
import type { InstantResult, Sample } from './response.js'

/** The label that tags each sub-query's series in a batch. */
export const BATCH_LABEL = '__ebg_q'

export interface BatchLimits {
  /** Most sub-queries in one request. */
  maxQueries: number
  /** Longest combined PromQL text, in characters (the client POSTs long queries as a form). */
  maxChars: number
}

/**
 * Defaults tuned with `npm run bench` on a 2-core machine (see README, Performance). 64 KiB is
 * far below Prometheus' 10 MB form limit and common proxies' 1 MB body limits.
 */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxQueries: 200, maxChars: 64 * 1024 }

export interface RunQueriesOptions {
  /** Unix seconds; every query is evaluated at this instant. */
  time: number
  /** Requests in flight at once. */
  concurrency: number
  /** Combine queries into batches (default true); false sends every query alone. */
  batch?: boolean
  limits?: Partial<BatchLimits>
}

export interface QueryRun {
  /** One outcome per distinct query text. */
  outcomes: Map<string, QueryOutcome>
  /** Calls made to the client (one HTTP request each, not counting the client's retries). */
  calls: number
}

/** Statuses where the batch itself may be at fault (a sub-query's error, its size, its cost). */
const SPLIT_STATUSES = new Set([400, 413, 414, 422, 503, 504])

/** A failed batch of at most this many sub-queries is not bisected: they are sent alone. */
const ALONE_AT_MOST = 4

/**
 * Benchmark hook (`npm run bench`): when set, every request's PromQL and time is appended to
 * this file as a JSON line, so a plain-Node baseline can replay exactly the same requests.
 */
const REQUEST_LOG_ENV = 'EBG_REQUEST_LOG'

/** One sub-query wrapped with its tag. Newlines end any `#` comment at the end of the query. */
function tagged(query: string, index: number): string {
  return `label_replace(\n${query}\n,"${BATCH_LABEL}","${index}","","")`
}

/** The `or` of the tagged sub-queries, as a balanced tree (the server's work stays O(n log n)). */
export function combineQueries(queries: readonly string[]): string {
  const parts = queries.map(tagged)
  const join = (from: number, to: number): string => {
    if (to - from === 1) return parts[from]
    const middle = (from + to) >> 1
    return `(${join(from, middle)} or ${join(middle, to)})`
  }
  if (parts.length === 0) throw new Error('combineQueries: no queries')
  return join(0, parts.length)
}

/** Characters a sub-query adds to a batch: its wrapper with its tag (36 + tag), `(`, ` or ` and `)` (6). */
function taggedLength(query: string, index: number): number {
  return query.length + 42 + String(index).length
}

/**
 * The answer of a batch of `count` sub-queries, split by tag (removed). Undefined when the
 * answer is not what a batch returns (not a vector, or a series without a valid tag): the
 * caller then evaluates the sub-queries alone.
 */
export function splitResult(result: InstantResult, count: number): InstantResult[] | undefined {
  if (result.resultType !== 'vector') return undefined
  const parts: Sample[][] = Array.from({ length: count }, () => [])
  for (const sample of result.samples) {
    const tag = sample.labels[BATCH_LABEL]
    if (tag === undefined || !/^(0|[1-9]\d*)$/.test(tag) || Number(tag) >= count) return undefined
    const labels: Record<string, string> = {}
    for (const [name, value] of Object.entries(sample.labels)) if (name !== BATCH_LABEL) labels[name] = value
    parts[Number(tag)].push({ labels, value: sample.value })
  }
  return parts.map((samples) => ({ resultType: 'vector', samples, warnings: [...result.warnings] }))
}

/** Text with `#` comments and the contents of string literals removed (for the checks below). */
function code(query: string): string {
  return query.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|#[^\n]*/g, (match) => (match[0] === '#' ? '' : match[0] + match[0]))
}

const TRAILING_MODIFIER = /\s*(?:offset\s+-?[\w.]+|@\s*(?:start\(\s*\)|end\(\s*\)|[-+]?[\d.eE+-]+))\s*$/i

/** Whether the whole expression is a range vector or a subquery: `x[5m]`, `(x)[1h:5m] offset 1d`. */
export function isRangeExpression(query: string): boolean {
  return rangeExpression(code(query))
}

function rangeExpression(stripped: string): boolean {
  let text = stripped.trim()
  for (;;) {
    const stripped = text.replace(TRAILING_MODIFIER, '').trim()
    if (stripped !== text) {
      text = stripped
      continue
    }
    if (text.startsWith('(') && text.endsWith(')') && closingParen(text, 0) === text.length - 1) {
      text = text.slice(1, -1).trim()
      continue
    }
    return text.endsWith(']')
  }
}

function closingParen(text: string, open: number): number {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++
    else if (text[i] === ')' && --depth === 0) return i
  }
  return -1
}

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }

function durationSeconds(text: string): number {
  let seconds = 0
  for (const [, count, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) seconds += Number(count) * DURATION_UNITS[unit]
  return seconds
}

/**
 * How far back a query reads, roughly: its longest range (`[30d]`, `[1h:5m]`) plus its longest
 * offset. Batches are formed from queries of similar reach: a server opens the storage for the
 * whole time range of a query, so a 5m window batched with 30d windows would be looked up in 30
 * days of blocks instead of the last few hours (2-3x the server time, measured on Prometheus).
 */
export function lookback(query: string): number {
  return reachOf(code(query))
}

function reachOf(text: string): number {
  let range = 0
  for (const [, inside] of text.matchAll(/\[([^\]:]*)(?::[^\]]*)?\]/g)) range = Math.max(range, durationSeconds(inside))
  let offset = 0
  for (const [, duration] of text.matchAll(/\boffset\s+([\dmshdwy]+)/gi)) offset = Math.max(offset, durationSeconds(duration))
  return range + offset
}

/** Whether a query may go into a batch (otherwise it is sent alone, as written). */
export function isBatchable(query: string): boolean {
  return batchable(query, code(query))
}

/** sort(), sort_desc(), sort_by_label()…: MetricsQL honours them only at the top of a query. */
const SORT_FUNCTION = /\bsort(?:_desc|_by_label(?:_numeric)?(?:_desc)?)?\s*\(/i

function batchable(query: string, stripped: string): boolean {
  return stripped.trim() !== '' && !query.includes(BATCH_LABEL) && !rangeExpression(stripped) && !SORT_FUNCTION.test(stripped)
}

/** A query's weight: the server's cost of it, roughly a fixed part (index lookups) plus its reach. */
const FIXED_COST_SECONDS = 3600

/**
 * Groups queries into requests. Batchable ones are sorted by lookback and cut into contiguous
 * batches of at most `maxQueries` sub-queries and `maxChars` characters, and at most 1/concurrency
 * of the plan's weight, so that `concurrency` requests can share the work (a server evaluates a
 * query on one core: a small plan in one batch would use one core). For one 30d SLO, 4 requests:
 * its 13 shortest-window queries, the other 3d query, and each 30d query alone; for 1,000 SLOs,
 * 80 batches of 200. The heaviest batches go first, so the longest evaluations do not start last. Queries
 * that cannot be batched go alone, first. Each distinct query is sent once; a group of one is
 * sent as written.
 */
export function planBatches(queries: readonly string[], concurrency: number, limits: BatchLimits = DEFAULT_BATCH_LIMITS): string[][] {
  const alone: string[][] = []
  const together: { query: string; weight: number }[] = []
  for (const query of new Set(queries)) {
    const stripped = code(query)
    if (batchable(query, stripped)) together.push({ query, weight: reachOf(stripped) + FIXED_COST_SECONDS })
    else alone.push([query])
  }
  together.sort((a, b) => a.weight - b.weight)
  const parallel = Math.max(1, Math.min(concurrency, together.length))
  const target = (together.reduce((sum, item) => sum + item.weight, 0) / parallel) * (1 + 1e-9)
  const groups: { queries: string[]; weight: number }[] = []
  let current: string[] = []
  let chars = 0
  let weight = 0
  for (const item of together) {
    const length = taggedLength(item.query, current.length)
    if (current.length > 0 && (current.length >= limits.maxQueries || chars + length > limits.maxChars || weight + item.weight > target)) {
      groups.push({ queries: current, weight })
      current = []
      chars = 0
      weight = 0
    }
    chars += taggedLength(item.query, current.length)
    current.push(item.query)
    weight += item.weight
  }
  if (current.length > 0) groups.push({ queries: current, weight })
  groups.sort((a, b) => b.weight - a.weight)
  return [...alone, ...groups.map((group) => group.queries)]
}

/**
 * Whether a failed batch should be split: the failure may be one sub-query's (a PromQL error, an
 * answer the gate cannot read such as a native histogram) or the batch's size or cost.
 */
function splittable(error: unknown): boolean {
  if (!(error instanceof QueryError) || error.status === undefined) return false
  return SPLIT_STATUSES.has(error.status) || (error.status >= 200 && error.status < 300)
}

/**
 * Evaluates every distinct query once, batched (default) or one request per query, with at most
 * `concurrency` requests in flight. Never throws: each query gets a result or its error.
 */
export async function runQueries(client: InstantQuery, queries: readonly string[], options: RunQueriesOptions): Promise<QueryRun> {
  const limits = { ...DEFAULT_BATCH_LIMITS, ...options.limits }
  const outcomes = new Map<string, QueryOutcome>()
  const logFile = process.env[REQUEST_LOG_ENV]
  let calls = 0
  const send = async (promql: string): Promise<InstantResult> => {
    calls++
    if (logFile) appendFileSync(logFile, `${JSON.stringify({ query: promql, time: options.time })}\n`)
    return client.query(promql, options.time)
  }
  const alone = async (query: string): Promise<void> => {
    try {
      outcomes.set(query, { ok: true, result: await send(query) })
    } catch (error) {
      outcomes.set(query, { ok: false, error: describeError(error) })
    }
  }
  // Halves of a failed batch run one after the other: the batch's request slot is reused, so
  // fallbacks never exceed `concurrency` requests in flight.
  const evaluate = async (group: readonly string[]): Promise<void> => {
    if (group.length === 1) return alone(group[0])
    let parts: InstantResult[] | undefined
    try {
      parts = splitResult(await send(combineQueries(group)), group.length)
    } catch (error) {
      if (!splittable(error)) {
        const failure: QueryOutcome = { ok: false, error: describeError(error) }
        for (const query of group) outcomes.set(query, failure)
        return
      }
    }
    if (parts) {
      group.forEach((query, index) => outcomes.set(query, { ok: true, result: parts[index] }))
      return
    }
    if (group.length <= ALONE_AT_MOST) {
      for (const query of group) await alone(query)
      return
    }
    const middle = Math.ceil(group.length / 2)
    await evaluate(group.slice(0, middle))
    await evaluate(group.slice(middle))
  }
  const distinct = [...new Set(queries)]
  const groups = options.batch === false ? distinct.map((query) => [query]) : planBatches(distinct, options.concurrency, limits)
  await mapWithLimit(groups, options.concurrency, evaluate)
  return { outcomes, calls }
}
