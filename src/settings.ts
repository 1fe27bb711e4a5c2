// The one place where command-line flags and action inputs are read and validated into the
// typed settings the gate runs with. Messages name the flag/input and what was expected,
// and never echo a secret value.
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { UsageError } from './errors.js'
import type { GateSettings } from './gate.js'
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
}

export const CLI_NAMES: SettingNames = {
  config: '--config',
  prometheusUrl: '--prometheus-url',
  evaluationTime: '--at',
  onError: '--on-error',
  headers: '--header',
  timeoutSeconds: '--timeout',
  concurrency: '--concurrency',
  retries: '--retries'
}

export const ACTION_NAMES: SettingNames = {
  config: 'config',
  prometheusUrl: 'prometheus-url',
  evaluationTime: 'evaluation-time',
  onError: 'on-error',
  headers: 'prometheus-headers',
  timeoutSeconds: 'query-timeout',
  concurrency: 'concurrency',
  retries: 'retries'
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
    evaluationTime: parseEvaluationTime(raw.evaluationTime, names.evaluationTime),
    onError: onError.data as OnError,
    dryRun: raw.dryRun ?? false
  }
}

export interface CliCommand {
  command: 'check' | 'help' | 'version'
  format: ReportFormat
  raw: RawSettings
}

export const CLI_USAGE = `Usage: error-budget-gate check --config <file|glob> [--config ...] [options]

Evaluates SLO error budgets and burn rates from a Prometheus-compatible API and decides
whether changes may ship. Exit codes: 0 allow or warn, 1 freeze, 2 error.

Options:
  --config <file|glob>      SLO file(s): native (error-budget-gate/v1) or Sloth (prometheus/v1); repeatable
  --prometheus-url <url>    Prometheus base URL (default: $PROMETHEUS_URL)
  --at <time>               evaluate as of this instant: RFC 3339 or unix seconds (default: now)
  --format text|json|markdown   report format on stdout (default: text)
  --header 'Name: value'    extra HTTP header for Prometheus; repeatable
  --on-error fail|warn|allow    what an error decision does to the exit code (default: fail)
  --dry-run                 report the decision, exit 0 unless the configuration is invalid
  --timeout <seconds>       per-request timeout (default: 15)
  --retries <n>             retries on network errors, 5xx and 429 (default: 2)
  --concurrency <n>         queries in flight at once (default: 8)
  -h, --help                this text
  --version                 the version

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
        concurrency: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' }
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
    concurrency: values.concurrency
  }
  if (values.help) return { command: 'help', format, raw }
  if (values.version) return { command: 'version', format, raw }
  const [command, ...extra] = positionals
  if (command !== 'check') {
    throw new UsageError(`${command === undefined ? 'missing command' : `unknown command ${JSON.stringify(command)}`}: expected "check"\n\n${CLI_USAGE}`)
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}: give SLO files with --config\n\n${CLI_USAGE}`)
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
    retries: getInput('retries')
  }
}
