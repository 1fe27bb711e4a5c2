// Benchmark history: one counter pair per SLO, for up to MAX_SLOS SLOs, over 31 days ending at END,
// built into a TSDB with promtool once (cached under .cache/bench-tsdb/) and served by a real
// Prometheus (scripts/lib/prometheus-server.mjs).
//
//   http_requests_total{service="svc-0001",code="200"|"500"}
//
// Samples every 30 minutes up to a day before END, every 5 minutes in the last day and every
// minute in the last 3 hours, so each of the gate's windows (30d SLO window; 5m…3d burn windows)
// has samples to work with while promtool stays quick. (Production data scraped every 15 s holds
// ~100x more samples per 30 days: the server's share of the cost is smaller here than in real
// life, which makes the gate/floor ratio harder to meet, not easier.)
//
// Every service serves 1000 requests/min; the share of code="500" varies so the catalogue holds
// every decision: most are healthy, some burn fast in the last hour, some slowly over 3 days,
// some had an incident 10 days ago.
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { DAY, END, HOUR, MINUTE } from '../lib/history.mjs'
import { CACHE_DIR } from '../lib/prometheus-server.mjs'

export { END }
export const MAX_SLOS = 1000
export const HISTORY_DURATION = 31 * DAY
export const BENCH_TSDB_DIR = path.join(CACHE_DIR, 'bench-tsdb')
const REQUESTS_PER_MINUTE = 1000
const BASELINE = 0.0001
/** Bump when the procedure (not this file's content, which is hashed) changes. */
const BUILD_FORMAT = 1
const MARKER = 'build.json'

export function serviceName(i) {
  return `svc-${String(i + 1).padStart(4, '0')}`
}

/** Error ratio of service i as a piecewise-constant function: [from, to, ratio] overrides. */
function errorWindows(i, end) {
  if (i % 20 === 3) return [[end - HOUR, Infinity, 0.05]] // fast burn now: freeze
  if (i % 20 === 7) return [[end - 3 * DAY, Infinity, 0.0015]] // slow burn: warn
  if (i % 20 === 11) return [[end - 10 * DAY, end - 10 * DAY + 2 * HOUR, 0.5]] // budget spent: freeze
  return []
}

/** Exact error count of service i over [from, to] (seconds), rates per minute. */
function errorsBetween(windows, from, to) {
  const points = [...new Set([from, to, ...windows.flatMap(([a, b]) => [a, b])])].filter((p) => p >= from && p <= to).sort((a, b) => a - b)
  let sum = 0
  for (let k = 0; k + 1 < points.length; k++) {
    const [a, b] = [points[k], points[k + 1]]
    const w = windows.find(([x, y]) => a >= x && a < y)
    sum += REQUESTS_PER_MINUTE * (w ? w[2] : BASELINE) * ((b - a) / MINUTE)
  }
  return sum
}

export function sampleTimes(end = END) {
  const times = []
  const start = end - HISTORY_DURATION
  for (let t = start; t < end - DAY; t += 30 * MINUTE) times.push(t)
  for (let t = end - DAY; t < end - 3 * HOUR; t += 5 * MINUTE) times.push(t)
  for (let t = end - 3 * HOUR; t <= end; t += MINUTE) times.push(t)
  return times
}

/** OpenMetrics documents, one per UTC day (promtool then reads each file once per block). */
function* dailyDocuments(count, end) {
  const start = end - HISTORY_DURATION
  const times = sampleTimes(end)
  for (let day = Math.floor(start / DAY) * DAY; day <= end; day += DAY) {
    const inDay = times.filter((t) => t >= day && t < day + DAY)
    if (inDay.length === 0) continue
    const lines = ['# HELP http_requests Total HTTP requests by service and status code.', '# TYPE http_requests counter']
    for (let i = 0; i < count; i++) {
      const windows = errorWindows(i, end)
      const name = serviceName(i)
      const errors = inDay.map((t) => errorsBetween(windows, start, t))
      const okLines = []
      const errLines = []
      inDay.forEach((t, k) => {
        const total = REQUESTS_PER_MINUTE * ((t - start) / MINUTE)
        okLines.push(`http_requests_total{service="${name}",code="200"} ${total - errors[k]} ${t}`)
        errLines.push(`http_requests_total{service="${name}",code="500"} ${errors[k]} ${t}`)
      })
      lines.push(...okLines, ...errLines)
    }
    lines.push('# EOF')
    yield { day: new Date(day * 1000).toISOString().slice(0, 10), text: lines.join('\n') + '\n' }
  }
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)))
    child.on('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message} (apt-get install prometheus)`)))
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? code}):\n${stderr}`))))
  })
}

/** Builds (or reuses) the TSDB holding MAX_SLOS services' history. */
export async function buildBenchTsdb({ end = END, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const source = fs.readFileSync(fileURLToPath(import.meta.url))
  const hash = createHash('sha256').update(source).update(`\0${BUILD_FORMAT}\0${end}\0${MAX_SLOS}`).digest('hex').slice(0, 16)
  const dir = path.join(BENCH_TSDB_DIR, hash)
  if (fs.existsSync(path.join(dir, MARKER))) {
    log(`[bench] reusing the benchmark TSDB ${dir}`)
    return { dir, cached: true, seconds: 0 }
  }
  fs.mkdirSync(BENCH_TSDB_DIR, { recursive: true })
  for (const old of fs.readdirSync(BENCH_TSDB_DIR)) fs.rmSync(path.join(BENCH_TSDB_DIR, old), { recursive: true, force: true })
  const started = Date.now()
  const tmp = path.join(BENCH_TSDB_DIR, `${hash}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
  const inputs = fs.mkdtempSync(path.join(os.tmpdir(), 'ebg-bench-om-'))
  try {
    fs.mkdirSync(tmp)
    const files = []
    for (const doc of dailyDocuments(MAX_SLOS, end)) {
      const file = path.join(inputs, `${doc.day}.om`)
      fs.writeFileSync(file, doc.text)
      files.push(file)
    }
    log(`[bench] generated ${files.length} daily OpenMetrics files for ${MAX_SLOS} services in ${((Date.now() - started) / 1000).toFixed(1)} s; running promtool`)
    const queue = [...files]
    const worker = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        await run(process.env.PROMTOOL_BIN || 'promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', '--max-block-duration=24h', file, tmp])
      }
    }
    await Promise.all([worker(), worker()])
    const seconds = (Date.now() - started) / 1000
    fs.writeFileSync(path.join(tmp, MARKER), `${JSON.stringify({ end, slos: MAX_SLOS, seconds }, null, 2)}\n`)
    fs.renameSync(tmp, dir)
    log(`[bench] built the benchmark TSDB in ${seconds.toFixed(1)} s: ${dir}`)
    return { dir, cached: false, seconds }
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw error
  } finally {
    fs.rmSync(inputs, { recursive: true, force: true })
  }
}

/** The expected error ratio of service i over the `seconds` before END (to check the gate). */
export function expectedErrorRatio(i, seconds, end = END) {
  return errorsBetween(errorWindows(i, end), end - seconds, end) / (REQUESTS_PER_MINUTE * (seconds / MINUTE))
}
