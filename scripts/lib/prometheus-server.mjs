// Real Prometheus for tests and the demo: build a TSDB from the generated history with promtool
// (cached), start Prometheus on 127.0.0.1 on a free port, stop it by pid.
//
// Plain Node ESM, Node built-ins only; types in prometheus-server.d.mts.
//
// Layout (all under <repo>/.cache, git-ignored):
//   .cache/tsdb/<hash>/            immutable TSDB blocks + build.json (marker, written last,
//                                  then the directory is renamed into place atomically)
//   .cache/prometheus-runs/run-*/  one per Prometheus process: data/ (hard links to the cached
//                                  blocks, so the cache itself is never opened by Prometheus and
//                                  its WAL/lock/compactions stay out of it), prometheus.yml,
//                                  prometheus.log, pid. Removed by stopByPid; leftovers of
//                                  killed runs are swept at the next start.
//   .cache/test-prometheus.json    state written by the Jest global setup.

import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { END, checkEnd, buildScenario, generateDailyOpenMetrics } from './history.mjs'

const HERE = path.dirname(fileURLToPath(import.meta.url))
export const REPO_ROOT = path.resolve(HERE, '..', '..')
export const CACHE_DIR = path.join(REPO_ROOT, '.cache')
export const TSDB_CACHE_DIR = path.join(CACHE_DIR, 'tsdb')
export const RUNS_DIR = path.join(CACHE_DIR, 'prometheus-runs')
export const TEST_STATE_FILE = path.join(CACHE_DIR, 'test-prometheus.json')

const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN || 'prometheus'
const PROMTOOL_BIN = process.env.PROMTOOL_BIN || 'promtool'

/**
 * promtool writes blocks of this duration. 6h instead of the default 2h: a UTC-day file is parsed
 * 4 times instead of 12 (promtool re-reads its whole input once per block), so the build is ~2x
 * faster and Prometheus opens 161 blocks instead of 481. UTC days are 6h-aligned, so no block
 * straddles two input files. (--max-block-duration is a hidden flag in promtool 2.42.)
 */
const BLOCK_DURATION = '6h'
/** Bump to invalidate cached TSDBs when the build procedure (not the generator) changes. */
const BUILD_FORMAT = 1
const MARKER = 'build.json'
/** Cached TSDBs kept besides the one in use (the demo builds one per `end`). */
const KEEP_CACHED = 4

const READY_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// ---------------------------------------------------------------------------------------------
// TSDB build
// ---------------------------------------------------------------------------------------------

/** Cache key: generator source + build procedure + scenario + end. */
export function tsdbCacheKey(scenario, end) {
  const generator = fs.readFileSync(path.join(HERE, 'history.mjs'))
  return createHash('sha256')
    .update(generator)
    .update(`\0format=${BUILD_FORMAT}\0block=${BLOCK_DURATION}\0scenario=${scenario}\0end=${end}`)
    .digest('hex')
    .slice(0, 16)
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000)
    })
    child.on('error', (err) =>
      reject(new Error(`cannot run ${cmd}: ${err.message} (is Prometheus installed? apt-get install prometheus)`))
    )
    child.on('exit', (code, signal) => {
      if (code === 0) resolve()
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${stderr}`))
    })
  })
}

function isComplete(dir) {
  return fs.existsSync(path.join(dir, MARKER))
}

function pruneCache(root, keep) {
  let entries
  try {
    entries = fs.readdirSync(root, { withFileTypes: true })
  } catch {
    return
  }
  const now = Date.now()
  const complete = []
  for (const e of entries) {
    if (!e.isDirectory()) continue
    const dir = path.join(root, e.name)
    if (e.name.includes('.tmp-')) {
      // A build that died midway (an active one is younger than this).
      const age = now - fs.statSync(dir).mtimeMs
      if (age > 60 * 60 * 1000) fs.rmSync(dir, { recursive: true, force: true })
      continue
    }
    if (dir === keep) continue
    try {
      complete.push({ dir, used: fs.statSync(path.join(dir, MARKER)).mtimeMs })
    } catch {
      // no marker: not ours or broken
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  complete.sort((a, b) => b.used - a.used)
  for (const { dir } of complete.slice(KEEP_CACHED)) fs.rmSync(dir, { recursive: true, force: true })
}

/**
 * Build (or reuse from the cache) the TSDB of a scenario. Returns the directory holding the
 * blocks. Builds into a temp dir, writes the marker last and renames into place, so concurrent
 * builders (Jest + demo) never see a half-built cache entry.
 */
export async function buildTsdb({ scenario = 'test', end = END, cacheDir = TSDB_CACHE_DIR, log = defaultLog } = {}) {
  buildScenario(scenario, { end: checkEnd(end) }) // validates both
  const hash = tsdbCacheKey(scenario, end)
  const dir = path.join(cacheDir, hash)
  if (isComplete(dir)) {
    const now = new Date()
    fs.utimesSync(path.join(dir, MARKER), now, now) // mark as recently used for pruning
    const meta = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8'))
    log(`[tsdb] reusing cached TSDB for scenario=${scenario} end=${end}: ${dir}`)
    return { dir, hash, cached: true, seconds: 0, blocks: meta.blocks }
  }

  fs.mkdirSync(cacheDir, { recursive: true })
  const started = process.hrtime.bigint()
  const tmp = path.join(cacheDir, `${hash}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`)
  const inputs = fs.mkdtempSync(path.join(os.tmpdir(), 'ebg-openmetrics-'))
  try {
    fs.mkdirSync(tmp)
    const files = []
    for (const doc of generateDailyOpenMetrics(scenario, { end })) {
      const file = path.join(inputs, `${doc.day}.om`)
      fs.writeFileSync(file, doc.text)
      files.push(file)
    }
    const generated = process.hrtime.bigint()

    // Two promtool processes at a time (our build machines have 2 cores), same output dir.
    const queue = [...files]
    const worker = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        await run(PROMTOOL_BIN, [
          'tsdb',
          'create-blocks-from',
          'openmetrics',
          '--quiet',
          `--max-block-duration=${BLOCK_DURATION}`,
          file,
          tmp
        ])
      }
    }
    await Promise.all([worker(), worker()])

    const blocks = fs.readdirSync(tmp).filter((n) => /^[0-9A-Z]{26}$/.test(n)).length
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const generateSeconds = Number(generated - started) / 1e9
    fs.writeFileSync(
      path.join(tmp, MARKER),
      JSON.stringify(
        { scenario, end, hash, blocks, files: files.length, seconds, generateSeconds, createdAt: new Date().toISOString() },
        null,
        2
      ) + '\n'
    )
    try {
      fs.renameSync(tmp, dir)
    } catch (err) {
      // Someone else finished the same build first (or a broken leftover is in the way).
      if (isComplete(dir)) fs.rmSync(tmp, { recursive: true, force: true })
      else {
        fs.rmSync(dir, { recursive: true, force: true })
        fs.renameSync(tmp, dir)
        void err
      }
    }
    log(
      `[tsdb] built scenario=${scenario} end=${end} in ${seconds.toFixed(1)} s ` +
        `(generate ${generateSeconds.toFixed(1)} s, promtool ${(seconds - generateSeconds).toFixed(1)} s, ` +
        `${files.length} daily files, ${blocks} blocks): ${dir}`
    )
    pruneCache(cacheDir, dir)
    return { dir, hash, cached: false, seconds, blocks }
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw err
  } finally {
    fs.rmSync(inputs, { recursive: true, force: true })
  }
}

function defaultLog(msg) {
  process.stderr.write(msg + '\n')
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

function readProc(pid, file) {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8')
  } catch {
    return null
  }
}

/** Alive and not a zombie. Falls back to kill(pid, 0) where there is no /proc. */
export function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false
  if (fs.existsSync('/proc/self/stat')) {
    const stat = readProc(pid, 'stat')
    if (stat === null) return false
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  }
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return err.code === 'EPERM'
  }
}

/** argv of a live process, or null (dead, or no /proc). */
function argvOf(pid) {
  const cmdline = readProc(pid, 'cmdline')
  return cmdline === null ? null : cmdline.split('\0').filter(Boolean)
}

/** The run dir of a Prometheus we started (from its --storage.tsdb.path), or null. */
function runDirOf(argv) {
  const flag = argv?.find((a) => a.startsWith('--storage.tsdb.path='))
  if (!flag) return null
  const data = flag.slice('--storage.tsdb.path='.length)
  const runDir = path.dirname(data)
  return path.dirname(runDir) === RUNS_DIR ? runDir : null
}

/**
 * Stop a Prometheus by pid: SIGTERM, wait (up to 10 s), then SIGKILL, wait. Refuses to signal a
 * pid that is not a Prometheus process (the pid may have been reused since the state file was
 * written). Removes the run directory of a Prometheus started by startPrometheus (unless
 * removeRunDir is false). Returns true if
 * it stopped a process, false if there was none to stop.
 */
export async function stopByPid(pid, { timeoutMs = STOP_TIMEOUT_MS, removeRunDir = true } = {}) {
  pid = Number(pid)
  if (!isAlive(pid)) return false
  const argv = argvOf(pid)
  if (argv && !path.basename(argv[0] ?? '').includes('prometheus')) {
    throw new Error(`refusing to stop pid ${pid}: not a Prometheus process (${argv.join(' ')})`)
  }
  const runDir = runDirOf(argv)
  const signal = (sig) => {
    try {
      process.kill(pid, sig)
    } catch (err) {
      if (err.code !== 'ESRCH') throw err
    }
  }
  const waitDead = async (ms) => {
    const deadline = Date.now() + ms
    while (isAlive(pid)) {
      if (Date.now() > deadline) return false
      await sleep(50)
    }
    return true
  }
  signal('SIGTERM')
  if (!(await waitDead(timeoutMs))) {
    signal('SIGKILL')
    if (!(await waitDead(5_000))) throw new Error(`Prometheus pid ${pid} did not die after SIGKILL`)
  }
  if (runDir && removeRunDir) fs.rmSync(runDir, { recursive: true, force: true })
  return true
}

/**
 * Synchronous, best-effort SIGTERM without waiting, for process.on('exit') safety nets. Same pid
 * check as stopByPid; the run dir is left for sweepStaleRuns. Returns true if it signalled.
 */
export function killSync(pid) {
  pid = Number(pid)
  if (!isAlive(pid)) return false
  const argv = argvOf(pid)
  if (argv && !path.basename(argv[0] ?? '').includes('prometheus')) return false
  try {
    process.kill(pid, 'SIGTERM')
    return true
  } catch {
    return false
  }
}

/** Remove run dirs whose Prometheus is gone (killed by pid without cleanup, crashed, ...). */
export function sweepStaleRuns() {
  let entries
  try {
    entries = fs.readdirSync(RUNS_DIR)
  } catch {
    return
  }
  for (const name of entries) {
    const dir = path.join(RUNS_DIR, name)
    let pid = null
    try {
      pid = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8').trim())
    } catch {
      // being started right now, or died before writing its pid
      try {
        if (Date.now() - fs.statSync(dir).mtimeMs < 5 * 60 * 1000) continue
      } catch {
        continue
      }
    }
    if (pid && isAlive(pid) && runDirOf(argvOf(pid)) === dir) continue
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Hard-link (fallback: copy) the blocks of `src` into `dst`. Blocks are immutable. */
function linkBlocks(src, dst) {
  fs.mkdirSync(dst, { recursive: true })
  let blocks = 0
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    if (!e.isDirectory() || !/^[0-9A-Z]{26}$/.test(e.name)) continue // skip wal, lock, marker
    blocks++
    const walk = (from, to) => {
      fs.mkdirSync(to, { recursive: true })
      for (const f of fs.readdirSync(from, { withFileTypes: true })) {
        const a = path.join(from, f.name)
        const b = path.join(to, f.name)
        if (f.isDirectory()) walk(a, b)
        else {
          try {
            fs.linkSync(a, b)
          } catch {
            fs.copyFileSync(a, b)
          }
        }
      }
    }
    walk(path.join(src, e.name), path.join(dst, e.name))
  }
  if (blocks === 0) throw new Error(`no TSDB blocks in ${src}`)
  return blocks
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

const CONFIG = `# Written by scripts/lib/prometheus-server.mjs: no scrape targets, history comes from blocks.
global:
  scrape_interval: 1m
  evaluation_interval: 1m
scrape_configs: []
`

/**
 * Start Prometheus over (a hard-linked copy of) the TSDB blocks in `dataDir`, on 127.0.0.1:`port`
 * (default: a free port picked now). Resolves once /-/ready answers 200.
 * `detached: true` puts it in its own process group and lets this Node process exit while it
 * runs (the demo); otherwise it is our child in our process group (Ctrl-C stops it too).
 */
export async function startPrometheus({ dataDir, port, detached = false, log = defaultLog } = {}) {
  if (!dataDir) throw new Error('startPrometheus: dataDir is required')
  sweepStaleRuns()
  fs.mkdirSync(RUNS_DIR, { recursive: true })
  const runDir = fs.mkdtempSync(path.join(RUNS_DIR, 'run-'))
  const data = path.join(runDir, 'data')
  const configFile = path.join(runDir, 'prometheus.yml')
  const logFile = path.join(runDir, 'prometheus.log')
  try {
    linkBlocks(dataDir, data)
    fs.writeFileSync(configFile, CONFIG)
  } catch (err) {
    fs.rmSync(runDir, { recursive: true, force: true })
    throw err
  }

  // A free port can be taken between freePort() and Prometheus binding it: retry then.
  const attempts = port ? 1 : 3
  let lastError
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const listenPort = port ?? (await freePort())
    try {
      return await launch({ runDir, data, configFile, logFile, port: listenPort, detached, log })
    } catch (err) {
      lastError = err
      if (!err.addressInUse) break
    }
  }
  fs.rmSync(runDir, { recursive: true, force: true })
  throw lastError
}

async function servedDataDir(url) {
  try {
    const res = await fetch(`${url}/api/v1/status/flags`, { signal: AbortSignal.timeout(2_000) })
    const body = await res.json()
    return body?.data?.['storage.tsdb.path'] ?? null
  } catch {
    return null
  }
}

async function launch({ runDir, data, configFile, logFile, port, detached, log }) {
  const url = `http://127.0.0.1:${port}`
  const args = [
    `--storage.tsdb.path=${data}`,
    '--storage.tsdb.retention.time=3650d',
    // No compaction of the imported blocks while tests query them (hidden flags; the head never
    // holds data here since nothing is scraped). Retention 3650d would otherwise let Prometheus
    // merge the 161 six-hour blocks into up-to-31d blocks a minute after start: CPU churn only.
    '--storage.tsdb.min-block-duration=2h',
    '--storage.tsdb.max-block-duration=2h',
    `--web.listen-address=127.0.0.1:${port}`,
    `--config.file=${configFile}`,
    '--query.lookback-delta=5m', // the default, stated: tests rely on it
    '--log.level=info'
  ]
  const fd = fs.openSync(logFile, 'w') // per attempt: the tail must be this attempt's
  let child
  try {
    child = spawn(PROMETHEUS_BIN, args, { stdio: ['ignore', fd, fd], detached, cwd: runDir })
  } finally {
    fs.closeSync(fd)
  }
  let exited = null
  const spawnError = new Promise((resolve) => child.once('error', resolve))
  child.once('exit', (code, signal) => {
    exited = signal ?? `exit code ${code}`
  })
  child.unref()
  const pid = child.pid
  const failure = (msg) => {
    const logTail = tail(logFile)
    const err = new Error(`${msg}\n--- tail of ${logFile} ---\n${logTail}`)
    err.addressInUse = /address already in use/i.test(logTail)
    return err
  }
  if (pid === undefined) {
    const err = await spawnError
    throw new Error(`cannot start ${PROMETHEUS_BIN}: ${err.message} (apt-get install prometheus)`)
  }
  fs.writeFileSync(path.join(runDir, 'pid'), `${pid}\n`)

  const deadline = Date.now() + READY_TIMEOUT_MS
  for (;;) {
    if (exited !== null) throw failure(`Prometheus (pid ${pid}) exited before becoming ready (${exited})`)
    let ready = false
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })
      await res.arrayBuffer()
      ready = res.status === 200
    } catch {
      // not listening yet
    }
    if (ready) {
      // Whoever answers on the port may be another server (our port was taken after freePort(),
      // and ours has not failed to bind yet): check it serves our data dir.
      const served = await servedDataDir(url)
      if (served === data) break
      if (exited === null) await stopByPid(pid, { removeRunDir: false }).catch(() => {})
      const err = failure(`port ${port} is served by another process (storage.tsdb.path=${served ?? '?'})`)
      err.addressInUse = true
      throw err
    }
    if (Date.now() > deadline) {
      await stopByPid(pid, { removeRunDir: false }).catch(() => {})
      throw failure(`Prometheus (pid ${pid}) not ready at ${url}/-/ready after ${READY_TIMEOUT_MS / 1000} s`)
    }
    await sleep(100)
  }
  log(`[prometheus] ready at ${url} (pid ${pid}, data ${data})`)
  return {
    url,
    port,
    pid,
    runDir,
    dataDir: data,
    logFile,
    stop: () => stopByPid(pid)
  }
}

/** Build (or reuse) the scenario's TSDB and start Prometheus over it. */
export async function startScenarioPrometheus({ scenario = 'test', end = END, port, detached = false, log = defaultLog } = {}) {
  const tsdb = await buildTsdb({ scenario, end, log })
  const server = await startPrometheus({ dataDir: tsdb.dir, port, detached, log })
  return { ...server, end, scenario, tsdb }
}
