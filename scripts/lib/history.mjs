// Sample-history generator: OpenMetrics text for named scenarios, evaluated at a fixed END.
//
// Pure module (no I/O): used by the real-Prometheus test harness (Jest global setup) and by the
// demo (scripts/start-prometheus.mjs). Plain Node ESM so both can import it without a build step;
// types in history.d.mts.
//
// Metrics (other engineers write SLO files against exactly these names and labels):
//   http_requests_total{service="<svc>",code="200"|"500"}                       counter
//   http_request_duration_seconds_bucket{service="search",le="0.1"|"0.2"|"0.5"|"+Inf"}  counter
//   http_request_duration_seconds_count{service="search"}    counter, == the le="+Inf" bucket
//
// Counter values are closed-form integrals of piecewise-constant rates, not running sums:
//   value(t) = sum over the rate's constant segments in [start, t] of ratePerMinute * minutes.
// Every breakpoint of every rate function is a whole number of minutes from END, so `minutes` is
// an exact integer, each segment contributes rate*minutes with a single rounding, and the partial
// sums are computed in the same order for every t. Hence the counters are exactly monotone, start
// at 0 at history start, never reset, and the increase between two samples is rate x duration up
// to one float rounding per segment (relative error ~1e-16): e.g. total requests are exact
// integers (1000/min), errors at the 0.0001 baseline are 0.1/min.

export const MINUTE = 60
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** The fixed evaluation instant: 2026-11-20T00:00:00Z (unix seconds). Tests evaluate here. */
export const END = 1795132800

/** History covers [end - 40d, end]. */
export const HISTORY_DURATION = 40 * DAY
/** Samples are 1 minute apart in the last 2 days, 5 minutes apart before. */
export const FINE_DURATION = 2 * DAY
export const FINE_STEP = MINUTE
export const COARSE_STEP = 5 * MINUTE

export const REQUESTS_PER_MINUTE = 1000
export const BASELINE_ERROR_RATIO = 0.0001

export const REQUESTS_METRIC = 'http_requests_total'
export const DURATION_METRIC = 'http_request_duration_seconds'

/**
 * Latency distribution of the `search` service: fraction of requests at or below each bucket
 * bound (5% slower than 0.1s, 0.3% slower than 0.2s, 0.1% slower than 0.5s).
 */
export const SEARCH_LATENCY_BUCKETS = Object.freeze([
  Object.freeze({ le: '0.1', fraction: 0.95 }),
  Object.freeze({ le: '0.2', fraction: 0.997 }),
  Object.freeze({ le: '0.5', fraction: 0.999 }),
  Object.freeze({ le: '+Inf', fraction: 1 })
])

/**
 * A piecewise-constant function of unix time: `base`, except on the half-open windows
 * [from, to) given in `overrides`. Returns f with f.breakpoints (sorted window edges).
 */
function piecewise(base, overrides = []) {
  const windows = overrides.map(([from, to, value]) => ({ from, to, value }))
  const f = (t) => {
    for (const w of windows) if (t >= w.from && t < w.to) return w.value
    return base
  }
  f.breakpoints = [...new Set(windows.flatMap((w) => [w.from, w.to]))].sort((a, b) => a - b)
  return f
}

/** Service kinds: rate functions for a given end. Ratios/traffic change on half-open windows. */
const KINDS = {
  healthy: () => ({}),
  'incident-10d': (end) => ({
    errorRatio: piecewise(BASELINE_ERROR_RATIO, [[end - 10 * DAY, end - 10 * DAY + 2 * HOUR, 0.5]])
  }),
  'incident-35d': (end) => ({
    errorRatio: piecewise(BASELINE_ERROR_RATIO, [[end - 35 * DAY, end - 35 * DAY + 2 * HOUR, 0.5]])
  }),
  'fast-burn': (end) => ({
    errorRatio: piecewise(BASELINE_ERROR_RATIO, [[end - HOUR, Infinity, 0.2]])
  }),
  'slow-burn': (end) => ({
    errorRatio: piecewise(BASELINE_ERROR_RATIO, [[end - 3 * DAY, Infinity, 0.0015]])
  }),
  'idle-recently': (end) => ({
    requestsPerMinute: piecewise(REQUESTS_PER_MINUTE, [[end - 2 * HOUR, Infinity, 0]])
  })
}

/** Scenario definitions: service name -> { kind, latency? }. */
const SCENARIO_DEFS = {
  test: {
    healthy: { kind: 'healthy' },
    'incident-10d': { kind: 'incident-10d' },
    'incident-35d': { kind: 'incident-35d' },
    'fast-burn': { kind: 'fast-burn' },
    'slow-burn': { kind: 'slow-burn' },
    'idle-recently': { kind: 'idle-recently' },
    search: { kind: 'healthy', latency: SEARCH_LATENCY_BUCKETS }
  },
  demo: {
    checkout: { kind: 'healthy' }, // healthy
    payments: { kind: 'incident-10d' }, // budget spent 10 days ago: frozen
    search: { kind: 'fast-burn', latency: SEARCH_LATENCY_BUCKETS } // burning fast right now
  }
}

export const SCENARIO_NAMES = Object.freeze(Object.keys(SCENARIO_DEFS))

/** Throws unless `end` is whole unix seconds on a minute boundary (the sample grid needs it). */
export function checkEnd(end) {
  if (!Number.isSafeInteger(end) || end <= HISTORY_DURATION || end % MINUTE !== 0) {
    throw new Error(`end must be unix seconds on a whole minute, got ${end}`)
  }
  return end
}

/** Exact integral over [a, b] (seconds) of a piecewise-constant per-minute rate. */
function integrate(rate, breakpoints, a, b) {
  if (b <= a) return 0
  let sum = 0
  let from = a
  for (const p of breakpoints) {
    if (p <= a) continue
    if (p >= b) break
    sum += rate(from) * ((p - from) / MINUTE)
    from = p
  }
  return sum + rate(from) * ((b - from) / MINUTE)
}

function makeService(name, def, end, start) {
  const kind = KINDS[def.kind](end)
  const requestsPerMinute = kind.requestsPerMinute ?? piecewise(REQUESTS_PER_MINUTE)
  const errorRatio = kind.errorRatio ?? piecewise(BASELINE_ERROR_RATIO)
  const breakpoints = [...new Set([...requestsPerMinute.breakpoints, ...errorRatio.breakpoints])]
    .filter((p) => Number.isFinite(p))
    .sort((a, b) => a - b)
  const latency = def.latency ?? null

  // Per-minute rates of each counter series.
  const errorsPerMinute = (t) => requestsPerMinute(t) * errorRatio(t)
  const okPerMinute = (t) => requestsPerMinute(t) * (1 - errorRatio(t))
  const bucketFraction = (le) => {
    const b = latency?.find((x) => x.le === le)
    if (!b) throw new Error(`service ${name} has no latency bucket le="${le}"`)
    return b.fraction
  }
  const bucketPerMinute = (le) => {
    const fraction = bucketFraction(le)
    return (t) => requestsPerMinute(t) * fraction
  }
  const between = (rate) => (from, to) => integrate(rate, breakpoints, from, to)

  return {
    name,
    kind: def.kind,
    latency,
    breakpoints,
    /** Total requests per minute at instant t (rate on [t, t+dt)). */
    requestsPerMinute: (t) => requestsPerMinute(t),
    requestsPerSecond: (t) => requestsPerMinute(t) / MINUTE,
    /** Fraction of requests that are code="500" at instant t. */
    errorRatio: (t) => errorRatio(t),
    errorsPerMinute,
    /** Expected increase of all requests (200 + 500) over [from, to]. */
    requests: between(requestsPerMinute),
    /** Expected increase of code="500" over [from, to]. */
    errors: between(errorsPerMinute),
    /** Expected increase of code="200" over [from, to]. */
    ok: between(okPerMinute),
    /** Expected increase of the le bucket (le="+Inf" == _count) over [from, to]. */
    bucket: (le, from, to) => integrate(bucketPerMinute(le), breakpoints, from, to),
    /** Counter values at t as written to the OpenMetrics output (0 at history start). */
    counter: {
      ok: (t) => integrate(okPerMinute, breakpoints, start, t),
      errors: (t) => integrate(errorsPerMinute, breakpoints, start, t),
      bucket: (le, t) => integrate(bucketPerMinute(le), breakpoints, start, t)
    }
  }
}

/**
 * A scenario for a given end: { name, end, start, services: { [service]: Service } }.
 * Service exposes requestsPerMinute(t), errorRatio(t) and exact expected increases.
 */
export function buildScenario(name, { end = END } = {}) {
  const defs = SCENARIO_DEFS[name]
  if (!defs) throw new Error(`unknown scenario "${name}" (known: ${SCENARIO_NAMES.join(', ')})`)
  checkEnd(end)
  const start = end - HISTORY_DURATION
  const services = {}
  for (const [svc, def] of Object.entries(defs)) services[svc] = makeService(svc, def, end, start)
  return Object.freeze({ name, end, start, services: Object.freeze(services) })
}

/** Both scenarios at the default END. */
export const scenarios = Object.freeze(
  Object.fromEntries(SCENARIO_NAMES.map((n) => [n, buildScenario(n)]))
)

/**
 * Sample timestamps of a history ending at `end`, ascending: every 5 minutes in
 * [end-40d, end-2d), every minute in [end-2d, end]. The grid is anchored at end, so every
 * scenario breakpoint (end-35d, end-10d, end-3d, end-2h, end-1h, ...) is a sample.
 */
export function sampleTimes(end = END) {
  checkEnd(end)
  const start = end - HISTORY_DURATION
  const fineStart = end - FINE_DURATION
  const times = []
  for (let t = start; t < fineStart; t += COARSE_STEP) times.push(t)
  for (let t = fineStart; t <= end; t += FINE_STEP) times.push(t)
  return times
}

function fmt(v) {
  // Shortest round-trip decimal; Prometheus parses it back to the identical float64.
  return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN'
}

/**
 * One OpenMetrics document (ending with "# EOF\n") holding the samples with from <= t < to.
 * Metric families are contiguous; counters are written series by series (timestamps
 * ascending), the histogram MetricPoint by MetricPoint (all buckets and _count of one
 * timestamp together, timestamps ascending), as OpenMetrics requires.
 */
export function generateOpenMetrics(scenarioOrName, { end, from = -Infinity, to = Infinity } = {}) {
  const scenario =
    typeof scenarioOrName === 'string' ? buildScenario(scenarioOrName, { end: end ?? END }) : scenarioOrName
  const times = sampleTimes(scenario.end).filter((t) => t >= from && t < to)
  const out = []
  const services = Object.values(scenario.services)

  out.push('# HELP http_requests Total HTTP requests by service and status code.')
  out.push('# TYPE http_requests counter')
  for (const svc of services) {
    for (const [code, value] of [
      ['200', svc.counter.ok],
      ['500', svc.counter.errors]
    ]) {
      const labels = `{service="${svc.name}",code="${code}"}`
      for (const t of times) out.push(`${REQUESTS_METRIC}${labels} ${fmt(value(t))} ${t}`)
    }
  }

  const histogramServices = services.filter((s) => s.latency)
  if (histogramServices.length > 0) {
    out.push('# HELP http_request_duration_seconds HTTP request latency.')
    out.push('# TYPE http_request_duration_seconds histogram')
    for (const svc of histogramServices) {
      for (const t of times) {
        for (const b of svc.latency) {
          out.push(
            `${DURATION_METRIC}_bucket{service="${svc.name}",le="${b.le}"} ${fmt(svc.counter.bucket(b.le, t))} ${t}`
          )
        }
        out.push(`${DURATION_METRIC}_count{service="${svc.name}"} ${fmt(svc.counter.bucket('+Inf', t))} ${t}`)
      }
    }
  }
  out.push('# EOF')
  return out.join('\n') + '\n'
}

/**
 * The history split into one OpenMetrics document per UTC day (UTC days are 2h-aligned, so
 * promtool's 2h blocks never straddle two files). Each: { day: 'YYYY-MM-DD', from, to, text }
 * with samples from <= t < to. The last document holds the day containing `end`.
 */
export function generateDailyOpenMetrics(scenarioOrName, { end } = {}) {
  const scenario =
    typeof scenarioOrName === 'string' ? buildScenario(scenarioOrName, { end: end ?? END }) : scenarioOrName
  const docs = []
  for (let day = Math.floor(scenario.start / DAY) * DAY; day <= scenario.end; day += DAY) {
    const from = day
    const to = day + DAY
    docs.push({
      day: new Date(day * 1000).toISOString().slice(0, 10),
      from,
      to,
      text: generateOpenMetrics(scenario, { from, to })
    })
  }
  return docs
}
