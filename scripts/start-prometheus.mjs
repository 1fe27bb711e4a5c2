#!/usr/bin/env node
// Build (or reuse) a scenario's TSDB and start a detached Prometheus over it on 127.0.0.1.
//
//   node scripts/start-prometheus.mjs --scenario demo|test [--end UNIX|now] [--port N] [--pid-file F]
//     stdout: exactly one line  PROMETHEUS_URL=http://127.0.0.1:PORT
//     stderr: progress (build time, readiness)
//     Prometheus keeps running after this exits; stop it by pid (kill PID), or with
//   node scripts/start-prometheus.mjs --stop --pid-file F
//     which also removes its run directory (a plain kill leaves it for the next start to sweep).
//
// --end defaults to the fixed END (2026-11-20T00:00:00Z); `now` means the current time rounded
// down to the minute. Query at time=<end>: the history stops there.

import fs from 'node:fs'
import { parseArgs } from 'node:util'

import { END, SCENARIO_NAMES } from './lib/history.mjs'
import { startScenarioPrometheus, stopByPid } from './lib/prometheus-server.mjs'

function usage(msg) {
  if (msg) process.stderr.write(`start-prometheus: ${msg}\n`)
  process.stderr.write(
    'usage: node scripts/start-prometheus.mjs --scenario demo|test [--end UNIX|now] [--port N] [--pid-file F]\n' +
      '       node scripts/start-prometheus.mjs --stop --pid-file F\n'
  )
  process.exit(2)
}

let values
try {
  ;({ values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'demo' },
      end: { type: 'string' },
      port: { type: 'string' },
      'pid-file': { type: 'string' },
      stop: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    },
    strict: true
  }))
} catch (err) {
  usage(err.message)
}
if (values.help) usage()

const pidFile = values['pid-file']

if (values.stop) {
  if (!pidFile) usage('--stop needs --pid-file')
  let pid
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim())
  } catch {
    process.stderr.write(`start-prometheus: no pid file ${pidFile}: nothing to stop\n`)
    process.exit(0)
  }
  const stopped = await stopByPid(pid)
  process.stderr.write(stopped ? `stopped Prometheus pid ${pid}\n` : `Prometheus pid ${pid} was not running\n`)
  fs.rmSync(pidFile, { force: true })
  process.exit(0)
}

if (!SCENARIO_NAMES.includes(values.scenario)) usage(`unknown scenario "${values.scenario}"`)

let end = END
if (values.end === 'now') end = Math.floor(Date.now() / 60_000) * 60
else if (values.end !== undefined) {
  end = Number(values.end)
  if (!Number.isSafeInteger(end) || end % 60 !== 0) usage('--end must be unix seconds on a whole minute, or "now"')
}

let port
if (values.port !== undefined) {
  port = Number(values.port)
  if (!Number.isInteger(port) || port <= 0 || port > 65535) usage('--port must be a TCP port')
}

try {
  const server = await startScenarioPrometheus({ scenario: values.scenario, end, port, detached: true })
  if (pidFile) fs.writeFileSync(pidFile, `${server.pid}\n`)
  process.stderr.write(`Prometheus pid ${server.pid}, scenario ${values.scenario}, end ${end} (${new Date(end * 1000).toISOString()})\n`)
  process.stdout.write(`PROMETHEUS_URL=${server.url}\n`)
  process.exit(0)
} catch (err) {
  process.stderr.write(`start-prometheus: ${err.message}\n`)
  process.exit(1)
}
