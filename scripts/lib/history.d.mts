// Types for history.mjs (plain ESM so scripts and the Jest harness share it without a build).

export declare const MINUTE: 60
export declare const HOUR: 3600
export declare const DAY: 86400
/** 2026-11-20T00:00:00Z in unix seconds: the fixed evaluation instant of the test history. */
export declare const END: 1795132800
export declare const HISTORY_DURATION: number
export declare const FINE_DURATION: number
export declare const FINE_STEP: number
export declare const COARSE_STEP: number
export declare const REQUESTS_PER_MINUTE: number
export declare const BASELINE_ERROR_RATIO: number
export declare const REQUESTS_METRIC: 'http_requests_total'
export declare const DURATION_METRIC: 'http_request_duration_seconds'

export interface LatencyBucket {
  /** Bucket bound as written in the `le` label: "0.1", "0.2", "0.5", "+Inf". */
  readonly le: string
  /** Fraction of requests with duration <= le. */
  readonly fraction: number
}
export declare const SEARCH_LATENCY_BUCKETS: readonly LatencyBucket[]

export type ScenarioName = 'test' | 'demo'
export declare const SCENARIO_NAMES: readonly ScenarioName[]

export type TestServiceName =
  | 'healthy'
  | 'incident-10d'
  | 'incident-35d'
  | 'fast-burn'
  | 'slow-burn'
  | 'idle-recently'
  | 'search'
export type DemoServiceName = 'checkout' | 'payments' | 'search'

/** Rates are piecewise constant on half-open windows [from, to); times are unix seconds. */
export interface Service {
  readonly name: string
  readonly kind: string
  readonly latency: readonly LatencyBucket[] | null
  /** Instants where a rate changes (all whole minutes from end). */
  readonly breakpoints: readonly number[]
  requestsPerMinute(t: number): number
  requestsPerSecond(t: number): number
  /** Fraction of requests that are code="500". */
  errorRatio(t: number): number
  errorsPerMinute(t: number): number
  /** Exact expected increase of all requests (code 200 + 500) over [from, to]. */
  requests(from: number, to: number): number
  /** Exact expected increase of code="500" over [from, to]. */
  errors(from: number, to: number): number
  /** Exact expected increase of code="200" over [from, to]. */
  ok(from: number, to: number): number
  /** Exact expected increase of the `le` bucket (le "+Inf" == _count) over [from, to]. */
  bucket(le: string, from: number, to: number): number
  /** Counter values at t as written to the OpenMetrics output (0 at history start). */
  readonly counter: {
    ok(t: number): number
    errors(t: number): number
    bucket(le: string, t: number): number
  }
}

export interface Scenario<S extends string = string> {
  readonly name: ScenarioName
  readonly end: number
  /** end - 40d */
  readonly start: number
  readonly services: Readonly<Record<S, Service>>
}

export declare function checkEnd(end: number): number
export declare function buildScenario(name: 'test', options?: { end?: number }): Scenario<TestServiceName>
export declare function buildScenario(name: 'demo', options?: { end?: number }): Scenario<DemoServiceName>
export declare function buildScenario(name: ScenarioName, options?: { end?: number }): Scenario

export declare const scenarios: {
  readonly test: Scenario<TestServiceName>
  readonly demo: Scenario<DemoServiceName>
}

export declare function sampleTimes(end?: number): number[]

export declare function generateOpenMetrics(
  scenario: Scenario | ScenarioName,
  options?: { end?: number; from?: number; to?: number }
): string

export interface DailyDocument {
  /** YYYY-MM-DD (UTC) */
  readonly day: string
  readonly from: number
  readonly to: number
  readonly text: string
}
export declare function generateDailyOpenMetrics(
  scenario: Scenario | ScenarioName,
  options?: { end?: number }
): DailyDocument[]
