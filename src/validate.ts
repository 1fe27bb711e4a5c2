// `error-budget-gate validate`: checks SLO files without deciding anything. Every file is read
// (any supported format) and its problems listed; with --prometheus-url, each SLO's queries over
// its own window are run once and must return data (a total with one series, no NaN, …), so a
// misspelt metric or label is found before the gate meets it in a deploy.
import { parseArgs } from 'node:util'
import { inspectSloFiles } from './config/load.js'
import { sloId, type Slo } from './config/model.js'
import { readWindow, type WindowReading } from './engine/readings.js'
import { describeError, UsageError } from './errors.js'
import type { GateSettings } from './gate.js'
import { planQueries } from './plan.js'
import { runQueries } from './prometheus/batch.js'
import { PrometheusClient, type InstantQuery } from './prometheus/client.js'
import { safeUrl, type Redactor } from './redact.js'
import { isoTime } from './report/model.js'
import { registerSecrets } from './run.js'
import { CLI_NAMES, parseEvaluationTime, toGateSettings, type RawSettings } from './settings.js'

export const VALIDATE_USAGE = `Usage: error-budget-gate validate --config <file|glob> [--config ...] [--prometheus-url URL] [--at TIME] [--format text|json]

Checks SLO files (native, Sloth, OpenSLO, Pyrra) and lists every problem by file, line and
field. With --prometheus-url, also runs each SLO's queries over its window at --at (default now)
and checks that they return data (credentials from the environment, as for check).
Exit codes: 0 valid, 2 invalid (or a query without data).`

const OPTIONS = {
  config: { type: 'string', short: 'c', multiple: true },
  'prometheus-url': { type: 'string' },
  at: { type: 'string' },
  format: { type: 'string' },
  header: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  retries: { type: 'string' },
  concurrency: { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const

/** Whether the command line asks for `validate` (its first positional argument). */
export function isValidateCommand(argv: string[]): boolean {
  const { positionals } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true })
  return positionals[0] === 'validate'
}

export interface ValidateCommand {
  help: boolean
  format: 'text' | 'json'
  configPatterns: string[]
  /** Set with --prometheus-url: the data check runs. */
  gate?: GateSettings
  evaluationTime: number
}

/** Reads validate's flags. The Prometheus URL is taken from --prometheus-url only: validate without it checks files alone. */
export function parseValidateArgs(argv: string[], env: NodeJS.ProcessEnv, cwd: string, now: () => number = Date.now): ValidateCommand {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true })
  } catch (error) {
    const text = (error as Error).message.split('\n')[0]
    throw new UsageError(`${text.replace(/^Unknown option/, 'unknown option')} (validate takes --config, --prometheus-url, --at, --format, --header, --timeout, --retries and --concurrency)\n\n${VALIDATE_USAGE}`)
  }
  const { values, positionals } = parsed
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}: give SLO files with --config\n\n${VALIDATE_USAGE}`)
  const format = values.format ?? 'text'
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format: validate writes text or json, got ${JSON.stringify(format)}`)
  const config = (values.config ?? []).flatMap((entry) => entry.split(/\r?\n/)).map((entry) => entry.trim()).filter((entry) => entry !== '')
  if (!values.help && config.length === 0) throw new UsageError(`--config: give at least one SLO file or glob (e.g. slos/*.yaml)\n\n${VALIDATE_USAGE}`)
  const evaluationTime = parseEvaluationTime(values.at, '--at', now)
  let gate: GateSettings | undefined
  if (values['prometheus-url'] !== undefined) {
    const raw: RawSettings = {
      config,
      prometheusUrl: values['prometheus-url'],
      evaluationTime: values.at,
      headers: [...(env.PROMETHEUS_HEADERS ? [env.PROMETHEUS_HEADERS] : []), ...(values.header ?? [])],
      token: env.PROMETHEUS_TOKEN,
      username: env.PROMETHEUS_USERNAME,
      password: env.PROMETHEUS_PASSWORD,
      timeoutSeconds: values.timeout,
      retries: values.retries,
      concurrency: values.concurrency
    }
    gate = { ...toGateSettings(raw, CLI_NAMES, cwd), evaluationTime }
  } else {
    for (const flag of ['header', 'timeout', 'retries', 'concurrency'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} applies to the data check: give --prometheus-url too`)
    }
  }
  return { help: values.help ?? false, format, configPatterns: config, gate, evaluationTime }
}

export interface ValidatedFile {
  file: string
  /** SLO ids loaded from the file (none when it has problems). */
  slos: string[]
  problems: string[]
}

export interface DataCheck {
  id: string
  window: string
  /** ok: events were counted; no-traffic: the series exist with no events; anything else fails. */
  status: WindowReading['status']
  ok: boolean
  queries: string[]
  total: number | null
  errorRatio: number | null
  problem?: string
  notes?: string[]
}

export interface ValidateReport {
  kind: 'validate'
  valid: boolean
  exitCode: 0 | 2
  files: ValidatedFile[]
  /** Problems not tied to one file (a glob matching nothing, the same SLO in two files). */
  problems: string[]
  data?: { prometheus: string; evaluatedAt: string; slos: DataCheck[] }
}

/** The data check: each SLO's queries over its own window, read with the gate's sanity checks. */
export async function checkData(slos: Slo[], gate: GateSettings, client?: InstantQuery): Promise<DataCheck[]> {
  const plan = planQueries(slos, gate.evaluationTime)
  const windows = plan.slos.map((p) => p.windows[0])
  const queries = [...new Set(windows.flatMap((w) => [w.badQuery, w.totalQuery, w.ratioQuery].filter((q): q is string => q !== undefined)))]
  const prometheus = client ?? new PrometheusClient(gate.prometheus)
  const { outcomes } = await runQueries(prometheus, queries, { time: gate.evaluationTime, concurrency: gate.concurrency, batch: gate.batch ?? true })
  return plan.slos.map(({ slo }, i) => {
    const window = windows[i]
    const reading = readWindow(slo.sli, window, outcomes)
    const ok = reading.status === 'ok' || reading.status === 'no-traffic'
    return {
      id: sloId(slo),
      window: window.window,
      status: reading.status,
      ok,
      queries: [window.badQuery, window.totalQuery, window.ratioQuery].filter((q): q is string => q !== undefined),
      total: reading.total,
      errorRatio: reading.errorRatio,
      ...(reading.problem ? { problem: reading.problem } : {}),
      ...(reading.notes.length ? { notes: reading.notes } : {})
    }
  })
}

export async function runValidate(command: ValidateCommand, cwd: string, client?: InstantQuery): Promise<ValidateReport> {
  const { files, slos, problems } = await inspectSloFiles(command.configPatterns, cwd)
  // Problems start with the file they are about ("file:line (document …)" or "file: …").
  const ofFile = (file: string, problem: string) => problem.startsWith(`${file}:`) || problem.startsWith(`${file} (`)
  const validated: ValidatedFile[] = files.map((file) => {
    const own = problems.filter((p) => ofFile(file, p) && !/ is defined twice; /.test(p))
    return { file, slos: own.length ? [] : slos.filter((s) => s.source.file === file).map(sloId), problems: own }
  })
  const other = problems.filter((p) => !validated.some((f) => f.problems.includes(p)))
  let data: ValidateReport['data']
  if (command.gate && problems.length === 0) {
    data = { prometheus: safeUrl(command.gate.prometheus.url), evaluatedAt: isoTime(command.gate.evaluationTime), slos: await checkData(slos, command.gate, client) }
  }
  const valid = problems.length === 0 && (data?.slos.every((s) => s.ok) ?? true)
  return { kind: 'validate', valid, exitCode: valid ? 0 : 2, files: validated, problems: other, ...(data ? { data } : {}) }
}

const short = (value: number) => String(Number(value.toPrecision(6)))

export function validateText(report: ValidateReport): string {
  const lines: string[] = []
  for (const file of report.files) {
    if (file.problems.length === 0) {
      lines.push(`ok   ${file.file}: ${file.slos.length} SLO${file.slos.length === 1 ? '' : 's'}${file.slos.length ? ` (${file.slos.join(', ')})` : ''}`)
    } else {
      lines.push(`FAIL ${file.file}: ${file.problems.length} problem${file.problems.length === 1 ? '' : 's'}`)
      for (const problem of file.problems) lines.push(`       ${problem}`)
    }
  }
  for (const problem of report.problems) lines.push(`FAIL ${problem}`)
  if (report.data) {
    lines.push('', `Data at ${report.data.evaluatedAt} from ${report.data.prometheus}:`)
    for (const check of report.data.slos) {
      const detail = check.ok
        ? check.status === 'no-traffic'
          ? 'series found, no events in the window'
          : `${check.total === null ? '' : `total ${short(check.total)} (as the query counts it), `}error ratio ${short(check.errorRatio ?? 0)}`
        : `${check.status}: ${check.problem ?? ''}`
      lines.push(`${check.ok ? 'ok  ' : 'FAIL'} ${check.id} (${check.window}): ${detail}`)
    }
  }
  const sloCount = report.files.reduce((n, f) => n + f.slos.length, 0)
  lines.push('', report.valid ? `valid: ${report.files.length} file${report.files.length === 1 ? '' : 's'}, ${sloCount} SLO${sloCount === 1 ? '' : 's'}${report.data ? ', every SLO has data' : ''}` : 'invalid')
  return `${lines.join('\n')}\n`
}

/** The CLI glue: flags → run → print; every failure is exit 2 with the reason on stderr (and JSON on stdout for --format json). */
export async function validateCli(
  argv: string[],
  io: { env: NodeJS.ProcessEnv; cwd: string },
  redactor: Redactor,
  out: (output: string | { json: unknown }) => void,
  err: (output: string | { json: unknown }) => void
): Promise<number> {
  const json = argv.includes('json') || argv.includes('--format=json')
  try {
    const command = parseValidateArgs(argv, io.env, io.cwd)
    if (command.help) {
      out(`${VALIDATE_USAGE}\n`)
      return 0
    }
    if (command.gate) registerSecrets(command.gate, redactor)
    const report = await runValidate(command, io.cwd)
    out(command.format === 'json' ? { json: report } : validateText(report))
    if (command.format === 'json') err(`${report.valid ? 'valid' : 'invalid'}\n`)
    return report.exitCode
  } catch (error) {
    if (json) out({ json: { kind: 'validate', valid: false, exitCode: 2, files: [], problems: [describeError(error)] } })
    err(`error-budget-gate: ${describeError(error)}\n`)
    return 2
  }
}
