#!/usr/bin/env node
// `npm run bench`: the gate's speed and memory against a real Prometheus, as ratios against
// baselines run in the same process tree on the same data (issue 7).
//
//   node scripts/bench.mjs [--sizes 1,50,1000] [--runs 5] [--script-runs 5] [--big-script-runs 1]
//                          [--concurrency 8] [--out bench-results.json] [--cli other/cli.js]
//
// For each catalogue size (one SLO file per service, 99.9% over 30d) it measures, runs
// interleaved, medians reported:
//   gate    node dist/cli.js check --config 'slos/*.yaml' --at END   wall time and peak RSS
//           (VmHWM of the node process, read by /usr/bin/time);
//   floor   plain node (scripts/bench/floor.mjs) sending exactly the HTTP requests the gate sent
//           (recorded with EBG_REQUEST_LOG: same PromQL texts, GET/POST, headers, concurrency)
//           and reading the responses, nothing else: the cost of the queries plus Node start-up;
//   script  bash + curl + jq (scripts/bench/budgets.sh) computing the same budgets and burn
//           rates one query at a time, as such scripts are usually written.
// It checks the gate's numbers against the generator's and the script's, prints a table and
// writes bench-results.json. Prometheus (Debian's 2.42) runs on 127.0.0.1 over a TSDB built once
// with promtool (.cache/bench-tsdb) and is stopped by pid on the way out.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'

import { buildBenchTsdb, END, expectedErrorRatio, MAX_SLOS } from './bench/history.mjs'
import { WINDOWS, writeCatalogue } from './bench/slos.mjs'
import { CACHE_DIR, REPO_ROOT, startPrometheus } from './lib/prometheus-server.mjs'

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,50,1000' },
    runs: { type: 'string', default: '5' },
    'script-runs': { type: 'string', default: '5' },
    'big-script-runs': { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '8' },
    out: { type: 'string', default: 'bench-results.json' },
    // Another build of the CLI to measure (e.g. a variant bundle), instead of dist/cli.js.
    cli: { type: 'string' }
  }
})
const sizes = flags.sizes.split(',').map(Number)
const runs = Number(flags.runs)
const concurrency = Number(flags.concurrency)
if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_SLOS)) throw new Error(`--sizes: whole numbers from 1 to ${MAX_SLOS}`)

const log = (message) => process.stderr.write(`${message}\n`)
const CLI = flags.cli ? path.resolve(flags.cli) : path.join(REPO_ROOT, 'dist', 'cli.js')
const WORK = path.join(CACHE_DIR, 'bench')
const TIME_BIN = '/usr/bin/time'

function need(command, hint) {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) throw new Error(`${command} is missing: ${hint}`)
}
need('jq', 'apt-get install -y jq')
need('curl', 'apt-get install -y curl')
if (!fs.existsSync(TIME_BIN)) throw new Error(`${TIME_BIN} is missing: apt-get install -y time`)
if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`)

/** Runs a command under /usr/bin/time: wall ms (measured here), peak RSS in MB, exit code, stdout. */
function measure(argv, { env = {}, stdout = 'ignore' } = {}) {
  const rssFile = path.join(WORK, `rss-${process.pid}.txt`)
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(TIME_BIN, ['-f', '%M', '-o', rssFile, ...argv], {
      stdio: ['ignore', stdout, 'pipe'],
      env: { ...process.env, ...env }
    })
    let out = ''
    let err = ''
    child.stdout?.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)))
    child.on('error', reject)
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      const rssMb = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024
      resolve({ ms, rssMb, code, stdout: out, stderr: err })
    })
  })
}

const median = (xs) => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const kib = (file) => fs.statSync(file).size / 1024

function gateArgv(glob, url, format = 'text') {
  return ['node', CLI, 'check', '--config', glob, '--prometheus-url', url, '--at', String(END), '--format', format, '--concurrency', String(concurrency)]
}

/** One recorded gate run: the request list for the floor, and its report checked against the truth. */
async function record(size, catalogue, url, dir) {
  const requestLog = path.join(dir, 'requests.jsonl')
  fs.rmSync(requestLog, { force: true })
  const run = await measure(gateArgv(catalogue.glob, url, 'json'), { env: { EBG_REQUEST_LOG: requestLog }, stdout: 'pipe' })
  if (run.code !== 0 && run.code !== 1) throw new Error(`the gate failed (exit ${run.code}):\n${run.stderr}`)
  const report = JSON.parse(run.stdout)
  if (report.slos.length !== size) throw new Error(`the gate reported ${report.slos.length} SLOs, expected ${size}`)
  for (const [i, slo] of report.slos.entries()) {
    const expected = expectedErrorRatio(Number(slo.service.slice(4)) - 1, 30 * 86400)
    if (slo.decision === 'error' || Math.abs(slo.errorRatio - expected) > 1e-9 + 1e-6 * expected) {
      throw new Error(`SLO ${i} (${slo.id}): ${slo.decision}, error ratio ${slo.errorRatio}, expected ${expected}`)
    }
  }
  const requests = fs.readFileSync(requestLog, 'utf8').split('\n').filter(Boolean).length
  const decisions = {}
  for (const slo of report.slos) decisions[slo.decision] = (decisions[slo.decision] ?? 0) + 1
  return { requestLog, requests, queries: report.queryCount, report, decisions }
}

/** The script's budgets must be the gate's (same numbers to 6 significant digits). */
function compareScript(report, scriptOutput) {
  const lines = scriptOutput.trim().split('\n')
  if (lines.length !== report.slos.length) throw new Error(`the script printed ${lines.length} lines, expected ${report.slos.length}`)
  lines.forEach((line, i) => {
    const slo = report.slos[i]
    const remaining = Number(/remaining=(\S+)/.exec(line)?.[1])
    if (!line.startsWith(`${slo.id} `) || Math.abs(remaining - slo.budget.remaining) > 1e-5 * Math.max(1, Math.abs(slo.budget.remaining))) {
      throw new Error(`the script disagrees with the gate on ${slo.id}: ${line} vs remaining ${slo.budget.remaining}`)
    }
  })
}

const machine = {
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()}`,
  node: process.version,
  prometheus: spawnSync('prometheus', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] || spawnSync('prometheus', ['--version'], { encoding: 'utf8' }).stderr.split('\n')[0]
}

fs.mkdirSync(WORK, { recursive: true })
const tsdb = await buildBenchTsdb({ log })
const server = await startPrometheus({ dataDir: tsdb.dir, log })
let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await server.stop().catch(() => undefined)
}
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stop().finally(() => process.exit(130)))

const results = []
try {
  // Warm the server (blocks, postings, page cache) with every series once.
  await measure(['bash', path.join(REPO_ROOT, 'scripts/bench/budgets.sh'), server.url, String(END), writeCatalogue(path.join(WORK, 'warm'), 1).tsv])
  await fetch(`${server.url}/api/v1/query?query=${encodeURIComponent('count(http_requests_total)')}&time=${END}`).then((r) => r.arrayBuffer())

  for (const size of sizes) {
    const dir = path.join(WORK, String(size))
    const catalogue = writeCatalogue(dir, size)
    const recorded = await record(size, catalogue, server.url, dir)
    const scriptRuns = size >= 1000 ? Number(flags['big-script-runs']) : Number(flags['script-runs'])
    log(`[bench] ${size} SLOs: ${recorded.queries} distinct queries in ${recorded.requests} requests; decisions ${JSON.stringify(recorded.decisions)}`)
    const gate = []
    const floor = []
    const script = []
    const floorArgv = ['node', path.join(REPO_ROOT, 'scripts/bench/floor.mjs'), recorded.requestLog, server.url, String(concurrency)]
    const scriptArgv = ['bash', path.join(REPO_ROOT, 'scripts/bench/budgets.sh'), server.url, String(END), catalogue.tsv]
    // A warm-up round, not counted; then interleaved runs so drift hits all three alike.
    await measure(gateArgv(catalogue.glob, server.url))
    await measure(floorArgv)
    for (let r = 0; r < Math.max(runs, scriptRuns); r++) {
      if (r < runs) {
        const g = await measure(gateArgv(catalogue.glob, server.url))
        if (g.code !== 0 && g.code !== 1) throw new Error(`the gate failed (exit ${g.code}):\n${g.stderr}`)
        gate.push(g)
        const f = await measure(floorArgv)
        if (f.code !== 0) throw new Error(`the floor failed (exit ${f.code}):\n${f.stderr}`)
        floor.push(f)
      }
      if (r < scriptRuns) {
        const s = await measure(scriptArgv, { stdout: 'pipe' })
        if (s.code !== 0) throw new Error(`the script failed (exit ${s.code}):\n${s.stderr}`)
        if (r === 0) compareScript(recorded.report, s.stdout)
        script.push(s)
      }
      log(`[bench] ${size} SLOs run ${r + 1}: gate ${gate.at(-1)?.ms.toFixed(0)} ms, floor ${floor.at(-1)?.ms.toFixed(0)} ms${r < scriptRuns ? `, script ${script.at(-1).ms.toFixed(0)} ms` : ''}`)
    }
    const row = {
      slos: size,
      queries: recorded.queries,
      requests: recorded.requests,
      scriptRequests: size * WINDOWS.length * 2,
      runs: { gate: gate.length, floor: floor.length, script: script.length },
      gateMs: median(gate.map((x) => x.ms)),
      floorMs: median(floor.map((x) => x.ms)),
      scriptMs: median(script.map((x) => x.ms)),
      gatePeakRssMb: median(gate.map((x) => x.rssMb)),
      floorPeakRssMb: median(floor.map((x) => x.rssMb)),
      samples: { gateMs: gate.map((x) => Math.round(x.ms)), floorMs: floor.map((x) => Math.round(x.ms)), scriptMs: script.map((x) => Math.round(x.ms)) }
    }
    row.gateOverFloor = row.gateMs / row.floorMs
    row.gateOverScript = row.scriptMs === null ? null : row.gateMs / row.scriptMs
    results.push(row)
  }
} finally {
  await stop()
}

// Every bundle file: the CLI measured, and the action with any lazily loaded chunks (dist/lazy/).
const bundles = { [path.relative(REPO_ROOT, CLI)]: kib(CLI) }
for (const file of fs.readdirSync(path.join(REPO_ROOT, 'dist'), { recursive: true }).sort()) {
  const name = path.join('dist', String(file))
  if (name.endsWith('.js') && !(name in bundles)) bundles[name] = kib(path.join(REPO_ROOT, name))
}
const targets = []
for (const row of results) {
  if (row.slos === 1) targets.push({ target: 'gate/floor ≤ 1.5 at 1 SLO', value: row.gateOverFloor, ok: row.gateOverFloor <= 1.5 })
  if (row.slos === 1000) targets.push({ target: 'gate/floor ≤ 1.2 at 1,000 SLOs', value: row.gateOverFloor, ok: row.gateOverFloor <= 1.2 })
  if (row.slos >= 50 && row.gateOverScript !== null) targets.push({ target: `faster than the curl/jq script at ${row.slos} SLOs (gate/script < 1)`, value: row.gateOverScript, ok: row.gateOverScript < 1 })
  if (row.slos === 1000) targets.push({ target: 'peak RSS < 150 MB at 1,000 SLOs', value: row.gatePeakRssMb, ok: row.gatePeakRssMb < 150 })
}

const pad = (text, width) => String(text).padStart(width)
const header = ['SLOs', 'requests', 'gate ms', 'floor ms', 'script ms', 'gate/floor', 'gate/script', 'gate RSS MB', 'runs g/f/s']
const rows = results.map((r) => [
  r.slos,
  `${r.requests} (${r.queries} q)`,
  r.gateMs.toFixed(0),
  r.floorMs.toFixed(0),
  r.scriptMs === null ? 'not run' : r.scriptMs.toFixed(0),
  r.gateOverFloor.toFixed(2),
  r.gateOverScript === null ? '-' : r.gateOverScript.toFixed(3),
  r.gatePeakRssMb.toFixed(1),
  `${r.runs.gate}/${r.runs.floor}/${r.runs.script}`
])
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
const table = [header, ...rows].map((r) => r.map((c, i) => pad(c, widths[i])).join('  ')).join('\n')
const lines = [
  '',
  `error-budget-gate benchmark: Prometheus ${machine.prometheus.replace(/^prometheus, version /, '')}, node ${machine.node}, ${machine.cpus} × ${machine.cpu}, ${machine.memoryGb} GiB`,
  `medians; 30d SLOs (16 queries each, 8 windows), --concurrency ${concurrency}`,
  '',
  table,
  '',
  `bundles: ${Object.entries(bundles).map(([f, k]) => `${f} ${k.toFixed(0)} KiB`).join(', ')}`,
  '',
  ...targets.map((t) => `${t.ok ? 'PASS' : 'FAIL'}  ${t.target}: ${typeof t.value === 'number' ? t.value.toFixed(3) : t.value}`),
  ''
]
process.stdout.write(lines.join('\n'))
fs.writeFileSync(
  path.resolve(REPO_ROOT, flags.out),
  `${JSON.stringify({ date: new Date().toISOString(), machine, concurrency, bundles, results, targets }, null, 2)}\n`
)
log(`[bench] wrote ${flags.out}`)
process.exitCode = targets.every((t) => t.ok) ? 0 : 1
