// Types for prometheus-server.mjs.

import type { ScenarioName } from './history.mjs'

export declare const REPO_ROOT: string
export declare const CACHE_DIR: string
export declare const TSDB_CACHE_DIR: string
export declare const RUNS_DIR: string
/** <repo>/.cache/test-prometheus.json, written by the Jest global setup. */
export declare const TEST_STATE_FILE: string

export type Log = (message: string) => void

export interface TsdbBuild {
  /** Directory holding the TSDB blocks (do not point Prometheus at it directly). */
  dir: string
  hash: string
  cached: boolean
  /** Build time in seconds (0 when reused). */
  seconds: number
  blocks: number
}

export declare function tsdbCacheKey(scenario: ScenarioName, end: number): string
export declare function buildTsdb(options?: {
  scenario?: ScenarioName
  end?: number
  cacheDir?: string
  log?: Log
}): Promise<TsdbBuild>

export interface PrometheusServer {
  /** http://127.0.0.1:PORT */
  url: string
  port: number
  pid: number
  runDir: string
  dataDir: string
  logFile: string
  /** SIGTERM, wait, SIGKILL if needed; removes the run dir. */
  stop(): Promise<boolean>
}

export declare function freePort(): Promise<number>
export declare function isAlive(pid: number): boolean
export declare function stopByPid(
  pid: number | string,
  options?: { timeoutMs?: number; removeRunDir?: boolean }
): Promise<boolean>
export declare function killSync(pid: number | string): boolean
export declare function sweepStaleRuns(): void
export declare function startPrometheus(options: {
  dataDir: string
  port?: number
  detached?: boolean
  log?: Log
}): Promise<PrometheusServer>
export declare function startScenarioPrometheus(options?: {
  scenario?: ScenarioName
  end?: number
  port?: number
  detached?: boolean
  log?: Log
}): Promise<PrometheusServer & { end: number; scenario: ScenarioName; tsdb: TsdbBuild }>
