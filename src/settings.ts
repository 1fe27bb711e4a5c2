// The one place where command-line flags and action inputs are read and validated into the
// typed settings the gate runs with. Messages name the flag/input and what was expected,
// and never echo a secret value.
import { parseArgs } from 'node:util'
import * as z from 'zod'
import { formatDuration, parseDuration } from './duration.js'
import { UsageError } from './errors.js'
import { DEFAULT_DEADLINE_SECONDS } from './deadline.js'
import type { GateSettings } from './gate.js'
import type { RawGithubInputs } from './github/options.js'
import type { OnError } from './outcome.js'

export type ReportFormat = 'text' | 'json' | 'markdown'

export interface RawSettings {
  config: string[]
  prometheusUrl?: string
  evaluationTime?: string
  onError?: string
  dryRun?: boolean
  headers: string[]
  token?: string
  username?: string
  password?: string
  timeoutSeconds?: string
  concurrency?: string
  retries?: string
  deadlineSeconds?: string
  /** Action only: check (default) or verify. */
  mode?: string
  /** verify: when the deploy started, and how to watch it (see WatchRaw). */
  watch?: WatchRaw
  /** backtest (CLI only). */
  backtest?: BacktestRaw
  /** Action only: the GitHub reporting features (comment, status, policy source, refresh). */
  github?: RawGithubInputs
}

/** Names of each setting as the user wrote it: flags for the CLI, inputs for the action. */
export interface SettingNames {
  config: string
  prometheusUrl: string
  evaluationTime: string
  onError: string
  headers: string
  timeoutSeconds: string
  concurrency: string
  retries: string
  deadlineSeconds: string
}

export const CLI_NAMES: SettingNames = {
  config: '--config',
  prometheusUrl: '--prometheus-url',
  evaluationTime: '--at',
  onError: '--on-error',
  headers: '--header',
  timeoutSeconds: '--timeout',
  concurrency: '--concurrency',
  retries: '--retries',
  deadlineSeconds: '--deadline'
}

export const ACTION_NAMES: SettingNames = {
  config: 'config',
  prometheusUrl: 'prometheus-url',
  evaluationTime: 'evaluation-time',
  onError: 'on-error',
  headers: 'prometheus-headers',
  timeoutSeconds: 'query-timeout',
  concurrency: 'concurrency',
  retries: 'retries',
  deadlineSeconds: 'deadline'
}

const DEFAULT_TIMEOUT_SECONDS = 15
const DEFAULT_CONCURRENCY = 8
const DEFAULT_RETRIES = 2
const RETRY_BASE_DELAY_MS = 250

/** Unix seconds above this (year 5138) are almost surely milliseconds. */
const MAX_UNIX_SECONDS = 1e11

/** RFC 3339 time or unix seconds → unix seconds; empty or "now" → now. */
export function parseEvaluationTime(text: string | undefined, name: string, now: () => number = Date.now): number {
  const value = text?.trim() ?? ''
  if (value === '' || value.toLowerCase() === 'now') return Math.floor(now() / 1000)
  const expected = `${name}: expected an RFC 3339 time (e.g. 2026-11-20T00:00:00Z) or unix seconds`
  if (/^\d+(\.\d+)?$/.test(value)) {
    const seconds = Number(value)
    if (seconds >= MAX_UNIX_SECONDS) {
      throw new UsageError(`${expected}, got ${JSON.stringify(value)}, which is after the year 5000: is it in milliseconds? Give seconds, e.g. ${Math.floor(seconds / 1000)}`)
    }
    return seconds
  }
  const match = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.exec(value)
  if (match) {
    const ms = Date.parse(value)
    // Date.parse rolls impossible days over (February 30 becomes March 2): refuse them.
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
    const calendar = new Date(Date.UTC(year, month - 1, day))
    const realDay = calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day
    if (!Number.isNaN(ms) && realDay) return ms / 1000
    throw new UsageError(`${expected}, got ${JSON.stringify(value)}, which is not a real date and time`)
  }
  throw new UsageError(`${expected}, got ${JSON.stringify(value)}`)
}

/** `Name: value` lines (multiline input or repeated flags). Values are never echoed. */
export function parseHeaders(lines: string[], name: string): Record<string, string> {
  const headers: Record<string, string> = {}
  lines
    .flatMap((line) => line.split(/\r?\n/))
    .forEach((line, index) => {
      if (line.trim() === '' || line.trim().startsWith('#')) return
      const match = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*:\s*(.*?)\s*$/.exec(line)
      if (!match) throw new UsageError(`${name}: line ${index + 1} is not a header: expected "Name: value" (the value is not shown, it may be a secret)`)
      headers[match[1]] = match[2]
    })
  return headers
}

function positiveInteger(text: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (text === undefined || text.trim() === '') return fallback
  // Plain digits only: Number() would also read "0x10", "1e1" and "10.0".
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`)
  }
  return value
}

const onErrorSchema = z.enum(['fail', 'warn', 'allow'])

export function toGateSettings(raw: RawSettings, names: SettingNames, cwd: string): GateSettings {
  const url = raw.prometheusUrl?.trim() ?? ''
  if (url === '') {
    throw new UsageError(`${names.prometheusUrl}: the Prometheus base URL is required (e.g. http://prometheus:9090 or https://host/prometheus)`)
  }
  let parsedUrl: URL
  try {
    parsedUrl = new URL(url)
  } catch {
    throw new UsageError(`${names.prometheusUrl}: not a valid URL; expected e.g. http://prometheus:9090`)
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') {
    // Only the scheme is shown: the rest of the text may hold credentials.
    const hint = url.includes('://') ? '' : ' (the scheme is missing: write e.g. http://prometheus:9090)'
    throw new UsageError(`${names.prometheusUrl}: expected an http:// or https:// URL, got one starting with ${JSON.stringify(parsedUrl.protocol)}${hint}`)
  }
  if (parsedUrl.search !== '' || parsedUrl.hash !== '' || url.includes('?') || url.includes('#')) {
    // The API paths are appended to the base URL: a query would break them. It is not shown
    // either: a query string is where some services put an API key.
    throw new UsageError(
      `${names.prometheusUrl}: expected the base URL without a ?query or #fragment (the API paths are appended to it); send credentials with the token, username/password or header settings`
    )
  }
  const onError = onErrorSchema.safeParse((raw.onError ?? '').trim().toLowerCase() || 'fail')
  if (!onError.success) throw new UsageError(`${names.onError}: expected fail, warn or allow, got ${JSON.stringify(raw.onError)}`)
  const config = raw.config.flatMap((entry) => entry.split(/\r?\n/)).map((entry) => entry.trim()).filter((entry) => entry !== '')
  if (config.length === 0) throw new UsageError(`${names.config}: give at least one SLO file or glob (e.g. slos/*.yaml)`)
  return {
    configPatterns: config,
    cwd,
    prometheus: {
      url,
      bearerToken: raw.token || undefined,
      username: raw.username || undefined,
      password: raw.password || undefined,
      headers: parseHeaders(raw.headers, names.headers),
      timeoutMs: positiveInteger(raw.timeoutSeconds, DEFAULT_TIMEOUT_SECONDS, names.timeoutSeconds, 1, 600) * 1000,
      retries: positiveInteger(raw.retries, DEFAULT_RETRIES, names.retries, 0, 10),
      retryBaseDelayMs: RETRY_BASE_DELAY_MS
    },
    concurrency: positiveInteger(raw.concurrency, DEFAULT_CONCURRENCY, names.concurrency, 1, 64),
    deadlineSeconds: positiveInteger(raw.deadlineSeconds, DEFAULT_DEADLINE_SECONDS, names.deadlineSeconds, 1, 3600),
    evaluationTime: parseEvaluationTime(raw.evaluationTime, names.evaluationTime),
    onError: onError.data as OnError,
    dryRun: raw.dryRun ?? false
  }
}

export interface CliCommand {
  command: 'check' | 'verify' | 'backtest' | 'help' | 'version'
  format: ReportFormat
  raw: RawSettings
}

export const CLI_USAGE = `Usage: error-budget-gate check --config <file|glob> [--config ...] [options]
       error-budget-gate verify --config <file|glob> [--since <time>] [watch options] [options]
       error-budget-gate backtest --config <file|glob> [--from <time|duration>] [--to <time>] [--step 1h] [--chart out.svg]
       error-budget-gate validate --config <file|glob> [--prometheus-url <url>] [--at <time>] [--format text|json]

check: evaluates SLO error budgets and burn rates from a Prometheus-compatible API and decides
whether changes may ship. Exit codes: 0 allow or warn, 1 freeze, 2 error.
verify: watches the short-window burn rate after a deploy. Exit codes: 0 clean, 1 burning
(roll back), 2 error (no data or failed queries: fail closed).
backtest: replays the policy over past history with range queries. Exit codes: 0 done, 2 error.
validate: checks SLO files (and, with --prometheus-url, that each SLO's queries return data).
Exit codes: 0 valid, 2 invalid. \`validate --help\` for its options.

Options:
  --config <file|glob>      SLO file(s): native (error-budget-gate/v1), Sloth, OpenSLO or Pyrra; repeatable
  --prometheus-url <url>    Prometheus base URL (default: $PROMETHEUS_URL)
  --at <time>               evaluate as of this instant: RFC 3339 or unix seconds (default: now)
  --format text|json|markdown   report format on stdout (default: text)
  --header 'Name: value'    extra HTTP header for Prometheus; repeatable
  --on-error fail|warn|allow    what an error decision does to the exit code (default: fail)
  --dry-run                 report the decision, exit 0 unless the configuration is invalid
  --timeout <seconds>       per-request timeout (default: 15)
  --retries <n>             retries on network errors, 5xx and 429 (default: 2)
  --deadline <seconds>      overall deadline: unanswered queries then end in error (default: 45)
  --concurrency <n>         queries in flight at once (default: 8)
  -h, --help                this text
  --version                 the version

Watch options (verify; --format, --on-error and --dry-run work as for check):
  --since <time>            when the deploy started: RFC 3339 or unix seconds (default: now);
                            polls already in the past are evaluated at once
  --duration <duration>     how long to watch after --since (default: 10m)
  --interval <duration>     time between polls (default: 30s)
  --window <duration>       burn-rate window (default: 5m)
  --threshold <burn>        roll back at this burn rate (default: each SLO's page threshold, 14.4)
  --consecutive <n>         polls in a row at or above the threshold that call for a rollback (default: 3)
  --baseline                judge the burn above the burn before the deploy (same window ending at --since)

Backtest options (--format text|json):
  --from <time|duration>    first instant, or how far before --to (default: 30d)
  --to <time>               last instant (default: now)
  --step <duration>         time between evaluations; steps fall on multiples of it (default: 1h)
  --chart <file.svg>        also write an SVG chart: decision bands and remaining budget over time

Credentials come from the environment, never from flags (flags show up in process lists):
  PROMETHEUS_TOKEN (bearer), PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD (basic auth),
  PROMETHEUS_HEADERS (extra headers, one 'Name: value' per line).`

/** Node's parseArgs messages, made about this CLI (its advice on positionals does not apply). */
function describeArgsError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string }
  const text = (message ?? String(error)).split('\n')[0]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(text)?.[1] ?? 'option'
    const credentials = /token|password|username|user|auth|secret/i.test(option)
      ? ': credentials come from PROMETHEUS_TOKEN, PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD in the environment, never from flags'
      : ''
    return `unknown option ${option}${credentials}`
  }
  return text
}

export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv): CliCommand {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c', multiple: true },
        'prometheus-url': { type: 'string' },
        at: { type: 'string' },
        format: { type: 'string' },
        header: { type: 'string', multiple: true },
        'on-error': { type: 'string' },
        'dry-run': { type: 'boolean' },
        timeout: { type: 'string' },
        retries: { type: 'string' },
        deadline: { type: 'string' },
        concurrency: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        // verify
        since: { type: 'string' },
        duration: { type: 'string' },
        interval: { type: 'string' },
        window: { type: 'string' },
        threshold: { type: 'string' },
        consecutive: { type: 'string' },
        baseline: { type: 'boolean' },
        // backtest
        from: { type: 'string' },
        to: { type: 'string' },
        step: { type: 'string' },
        chart: { type: 'string' }
      }
    })
  } catch (error) {
    throw new UsageError(`${describeArgsError(error)}\n\n${CLI_USAGE}`)
  }
  const { values, positionals } = parsed
  const format = (values.format ?? 'text') as ReportFormat
  if (!['text', 'json', 'markdown'].includes(format)) {
    throw new UsageError(`--format: expected text, json or markdown, got ${JSON.stringify(values.format)}`)
  }
  const raw: RawSettings = {
    config: values.config ?? [],
    prometheusUrl: values['prometheus-url'] ?? env.PROMETHEUS_URL,
    evaluationTime: values.at,
    onError: values['on-error'],
    dryRun: values['dry-run'] ?? false,
    // Header values may be credentials: PROMETHEUS_HEADERS keeps them out of process lists.
    headers: [...(env.PROMETHEUS_HEADERS ? [env.PROMETHEUS_HEADERS] : []), ...(values.header ?? [])],
    token: env.PROMETHEUS_TOKEN,
    username: env.PROMETHEUS_USERNAME,
    password: env.PROMETHEUS_PASSWORD,
    timeoutSeconds: values.timeout,
    retries: values.retries,
    deadlineSeconds: values.deadline,
    concurrency: values.concurrency
  }
  if (values.help) return { command: 'help', format, raw }
  if (values.version) return { command: 'version', format, raw }
  const [command, ...extra] = positionals
  if (command !== 'check' && command !== 'verify' && command !== 'backtest') {
    throw new UsageError(`${command === undefined ? 'missing command' : `unknown command ${JSON.stringify(command)}`}: expected "check", "verify" or "backtest"\n\n${CLI_USAGE}`)
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}: give SLO files with --config\n\n${CLI_USAGE}`)
  checkFlagsApply(command, Object.keys(values).filter((name) => values[name as keyof typeof values] !== undefined))
  if (command === 'backtest' && format === 'markdown') throw new UsageError('--format: backtest writes text or json (and an SVG chart with --chart), not markdown')
  if (command === 'verify') {
    raw.watch = {
      since: values.since,
      duration: values.duration,
      interval: values.interval,
      window: values.window,
      threshold: values.threshold,
      consecutive: values.consecutive,
      baseline: values.baseline ?? false
    }
  }
  if (command === 'backtest') raw.backtest = { from: values.from, to: values.to, step: values.step, chart: values.chart }
  return { command, format, raw }
}

/** Action inputs, read through a getInput function (no reads at module load). */
export function readActionInputs(getInput: (name: string) => string): RawSettings {
  const flag = (name: string): boolean => {
    const value = getInput(name).trim().toLowerCase()
    if (value === '' || value === 'false') return false
    if (value === 'true') return true
    throw new UsageError(`${name}: expected true or false, got ${JSON.stringify(value)}`)
  }
  return {
    config: [getInput('config')],
    prometheusUrl: getInput('prometheus-url'),
    evaluationTime: getInput('evaluation-time'),
    onError: getInput('on-error'),
    dryRun: flag('dry-run'),
    headers: [getInput('prometheus-headers')],
    token: getInput('prometheus-token'),
    username: getInput('prometheus-username'),
    password: getInput('prometheus-password'),
    timeoutSeconds: getInput('query-timeout'),
    concurrency: getInput('concurrency'),
    retries: getInput('retries'),
    deadlineSeconds: getInput('deadline'),
    mode: getInput('mode'),
    github: {
      token: getInput('github-token'),
      comment: getInput('comment'),
      status: getInput('status'),
      statusName: getInput('status-name'),
      policySource: getInput('policy-source'),
      branches: getInput('branches')
    },
    watch: {
      since: getInput('deploy-started-at'),
      duration: getInput('verify-duration'),
      interval: getInput('verify-interval'),
      window: getInput('verify-window'),
      threshold: getInput('verify-threshold'),
      consecutive: getInput('verify-consecutive'),
      baseline: flag('verify-baseline')
    }
  }
}

// ---- verify and backtest -------------------------------------------------------------------

/** verify's settings as written (flags or inputs). */
export interface WatchRaw {
  since?: string
  duration?: string
  interval?: string
  window?: string
  threshold?: string
  consecutive?: string
  baseline?: boolean
}

/** backtest's flags as written. */
export interface BacktestRaw {
  from?: string
  to?: string
  step?: string
  chart?: string
}

export interface WatchNames {
  since: string
  duration: string
  interval: string
  window: string
  threshold: string
  consecutive: string
}

export const CLI_WATCH_NAMES: WatchNames = {
  since: '--since',
  duration: '--duration',
  interval: '--interval',
  window: '--window',
  threshold: '--threshold',
  consecutive: '--consecutive'
}

export const ACTION_WATCH_NAMES: WatchNames = {
  since: 'deploy-started-at',
  duration: 'verify-duration',
  interval: 'verify-interval',
  window: 'verify-window',
  threshold: 'verify-threshold',
  consecutive: 'verify-consecutive'
}

/** Flags that belong to one command only (others apply to every command). */
const ONLY_FOR: Record<string, ReadonlyArray<'check' | 'verify' | 'backtest'>> = {
  at: ['check'],
  deadline: ['check'],
  'on-error': ['check', 'verify'],
  'dry-run': ['check', 'verify'],
  since: ['verify'],
  duration: ['verify'],
  interval: ['verify'],
  window: ['verify'],
  threshold: ['verify'],
  consecutive: ['verify'],
  baseline: ['verify'],
  from: ['backtest'],
  to: ['backtest'],
  step: ['backtest'],
  chart: ['backtest']
}

function checkFlagsApply(command: 'check' | 'verify' | 'backtest', given: string[]): void {
  for (const flag of given) {
    const commands = ONLY_FOR[flag]
    if (!commands || commands.includes(command)) continue
    const hint = flag === 'at' && command === 'verify' ? ': the watch starts at --since (when the deploy started)' : flag === 'at' && command === 'backtest' ? ': use --from and --to' : ''
    throw new UsageError(`--${flag} does not apply to ${command} (it is for ${commands.join(' and ')})${hint}`)
  }
}

export type ActionMode = 'check' | 'verify' | 'refresh'

/** The action's `mode` input. refresh: check once and set the status on every open pull request (src/github/flow.ts). */
export function parseMode(text: string | undefined): ActionMode {
  const value = (text ?? '').trim().toLowerCase()
  if (value === '' || value === 'check') return 'check'
  if (value === 'verify') return 'verify'
  if (value === 'refresh') return 'refresh'
  throw new UsageError(`mode: expected check, verify or refresh, got ${JSON.stringify(text)}`)
}

const DEFAULT_WATCH = { duration: '10m', interval: '30s', window: '5m', consecutive: 3 }
const MAX_WATCH_SECONDS = 24 * 3600
/** A deploy start this far ahead of the clock is a mistake (a wrong time zone), not a plan. */
const MAX_SINCE_AHEAD_SECONDS = 60

function durationSetting(text: string | undefined, fallback: string, name: string, minSeconds: number, maxSeconds: number): number {
  const value = text?.trim() || fallback
  const seconds = parseDuration(value)
  const expected = `${name}: expected a duration such as "30s", "5m" or "1h"`
  if (seconds === undefined) throw new UsageError(`${expected}, got ${JSON.stringify(text)}`)
  if (seconds < minSeconds || seconds > maxSeconds) {
    throw new UsageError(`${expected} from ${formatDuration(minSeconds)} to ${formatDuration(maxSeconds)}, got ${JSON.stringify(value)}`)
  }
  return seconds
}

export interface WatchSettings {
  since: number
  durationSeconds: number
  intervalSeconds: number
  window: string
  consecutive: number
  threshold?: number
  baseline: boolean
}

/** verify: the gate's settings (config, Prometheus, on-error, dry-run) and how to watch. */
export function toVerifySettings(
  raw: RawSettings,
  names: SettingNames,
  watchNames: WatchNames,
  cwd: string,
  now: () => number = Date.now
): { gate: GateSettings; watch: WatchSettings } {
  const gate = toGateSettings(raw, names, cwd)
  const watch = raw.watch ?? {}
  const since = parseEvaluationTime(watch.since, watchNames.since, now)
  if (since > now() / 1000 + MAX_SINCE_AHEAD_SECONDS) {
    throw new UsageError(`${watchNames.since}: ${JSON.stringify(watch.since)} is in the future; give the time the deploy started (RFC 3339 with its offset, or unix seconds)`)
  }
  const durationSeconds = durationSetting(watch.duration, DEFAULT_WATCH.duration, watchNames.duration, 1, MAX_WATCH_SECONDS)
  const intervalSeconds = durationSetting(watch.interval, DEFAULT_WATCH.interval, watchNames.interval, 1, MAX_WATCH_SECONDS)
  if (intervalSeconds > durationSeconds) {
    throw new UsageError(`${watchNames.interval}: the interval (${formatDuration(intervalSeconds)}) is longer than the watch (${watchNames.duration} ${formatDuration(durationSeconds)})`)
  }
  const window = formatDuration(durationSetting(watch.window, DEFAULT_WATCH.window, watchNames.window, 10, 7 * 86400))
  let threshold: number | undefined
  const thresholdText = watch.threshold?.trim() ?? ''
  if (thresholdText !== '') {
    threshold = /^\d+(\.\d+)?$/.test(thresholdText) ? Number(thresholdText) : NaN
    if (!(threshold > 0)) throw new UsageError(`${watchNames.threshold}: expected a burn rate above 0 (e.g. 14.4), got ${JSON.stringify(watch.threshold)}`)
  }
  return {
    gate,
    watch: {
      since,
      durationSeconds,
      intervalSeconds,
      window,
      consecutive: positiveInteger(watch.consecutive, DEFAULT_WATCH.consecutive, watchNames.consecutive, 1, 100),
      ...(threshold !== undefined ? { threshold } : {}),
      baseline: watch.baseline ?? false
    }
  }
}

export interface BacktestOptions {
  from: number
  to: number
  stepSeconds: number
  /** Path of the SVG chart to write, relative to the working directory. */
  chart?: string
}

/** Steps a backtest may have (10 years of hourly steps). */
const MAX_BACKTEST_STEPS = 100_000

/** backtest (CLI): the gate's settings (config, Prometheus) and the range to replay. */
export function toBacktestSettings(raw: RawSettings, cwd: string, now: () => number = Date.now): { gate: GateSettings; backtest: BacktestOptions } {
  const gate = toGateSettings(raw, CLI_NAMES, cwd)
  const flags = raw.backtest ?? {}
  const to = parseEvaluationTime(flags.to, '--to', now)
  const fromText = flags.from?.trim() || '30d'
  const before = /^\d+(\.\d+)?$/.test(fromText) ? undefined : parseDuration(fromText)
  const from = before !== undefined ? to - before : parseEvaluationTime(fromText, '--from (or a duration before --to, e.g. 90d)', now)
  if (!(from < to)) throw new UsageError(`--from: the backtest must start before it ends (--to ${new Date(to * 1000).toISOString()})`)
  const stepSeconds = durationSetting(flags.step, '1h', '--step', 1, 365 * 86400)
  if ((to - from) / stepSeconds > MAX_BACKTEST_STEPS) {
    throw new UsageError(`--step: ${formatDuration(stepSeconds)} steps over ${formatDuration(to - from)} are more than ${MAX_BACKTEST_STEPS} evaluations; use a longer step`)
  }
  const chart = flags.chart?.trim()
  if (chart !== undefined && !/\.svg$/i.test(chart)) throw new UsageError(`--chart: the chart is an SVG file: give a path ending in .svg, got ${JSON.stringify(flags.chart)}`)
  return { gate, backtest: { from, to, stepSeconds, ...(chart ? { chart } : {}) } }
}
