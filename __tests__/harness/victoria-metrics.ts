// A real VictoriaMetrics for integration tests: started on a free 127.0.0.1 port with its own
// data directory, fed through /api/v1/import, stopped (and its directory removed) by stop().
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe } from '@jest/globals'
import { freePort } from '../../scripts/lib/prometheus-server.mjs'

export const VICTORIA_METRICS = '/usr/bin/victoria-metrics'

/** In CI (.ci/run installs the package) a missing binary must fail, not skip silently. */
export const describeVm = existsSync(VICTORIA_METRICS) || process.env.CI ? describe : describe.skip

export interface VictoriaMetrics {
  url: string
  /** Imports JSON lines and waits until `countQuery` at `time` returns `expected`. */
  importLines(lines: string[], countQuery: string, expected: number, time: number): Promise<void>
  stop(): Promise<void>
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`VictoriaMetrics: ${what} within ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export async function startVictoriaMetrics(prefix: string): Promise<VictoriaMetrics> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child: ChildProcess = spawn(VICTORIA_METRICS, [`-storageDataPath=${dataDir}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-search.latencyOffset=0s'], { stdio: 'ignore' })
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      let timer: NodeJS.Timeout | undefined
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))])
      clearTimeout(timer)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    await waitFor(() => fetch(`${url}/health`).then((r) => r.ok, () => false), 'did not start', 60_000)
  } catch (error) {
    await stop()
    throw error
  }
  return {
    url,
    stop,
    async importLines(lines, countQuery, expected, time) {
      const imported = await fetch(`${url}/api/v1/import`, { method: 'POST', body: `${lines.join('\n')}\n` })
      if (imported.status !== 204) throw new Error(`VictoriaMetrics import answered HTTP ${imported.status}`)
      await fetch(`${url}/internal/force_flush`)
      const query = `${url}/api/v1/query?query=${encodeURIComponent(countQuery)}&time=${time}`
      await waitFor(
        async () => {
          const body = (await fetch(query).then((r) => r.json())) as { data?: { result?: { value: [number, string] }[] } }
          return Number(body.data?.result?.[0]?.value[1]) === expected
        },
        'did not show the imported series',
        60_000
      )
    }
  }
}
