// The command-line entry: `error-budget-gate check|verify|backtest ...`. Thin: parse flags, run, print.
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { backtestChart } from './backtest/chart.js'
import { backtestText } from './backtest/report.js'
import { runBacktest } from './backtest/run.js'
import { describeError } from './errors.js'
import { markdownReport } from './report/markdown.js'
import type { GateReport } from './report/model.js'
import { textReport } from './report/text.js'
import { evaluate, registerSecrets, usageErrorReport } from './run.js'
import { Redactor } from './redact.js'
import { CLI_NAMES, CLI_USAGE, CLI_WATCH_NAMES, parseCliArgs, toBacktestSettings, toGateSettings, toVerifySettings, type CliCommand, type ReportFormat } from './settings.js'
import { EXIT_ERROR } from './outcome.js'
import { isValidateCommand, validateCli } from './validate.js'
import { buildVerifyErrorReport, verifyMarkdown, verifyText, type VerifyReport } from './verify/report.js'
import { runVerify } from './verify/run.js'
import { systemClock, type Clock } from './verify/watch.js'

declare const EBG_VERSION: string | undefined

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: NodeJS.ProcessEnv
  cwd: string
  /** verify's clock (default: the system clock); tests replay history with a virtual one. */
  clock?: Clock
}

/** Text is redacted as text; `{ json }` is serialised with its string values redacted. */
type Print = (output: string | { json: unknown }) => void

function render(report: GateReport, format: ReportFormat): string | { json: unknown } {
  if (format === 'json') return { json: report }
  if (format === 'markdown') return markdownReport(report)
  return textReport(report)
}

/** The format asked for, read loosely: used only when the flags themselves are invalid. */
function requestedFormat(argv: string[]): ReportFormat {
  const index = argv.indexOf('--format')
  const value = index >= 0 ? argv[index + 1] : argv.find((a) => a.startsWith('--format='))?.slice('--format='.length)
  return value === 'json' ? 'json' : 'text'
}

function renderVerify(report: VerifyReport, format: ReportFormat): string | { json: unknown } {
  if (format === 'json') return { json: report }
  if (format === 'markdown') return verifyMarkdown(report)
  return verifyText(report)
}

/** The command named in the arguments, read loosely: used only when the flags themselves are invalid. */
function requestedCommand(argv: string[]): string | undefined {
  return argv.find((arg) => arg === 'check' || arg === 'verify' || arg === 'backtest')
}

async function verifyCommand(command: CliCommand, io: CliIo, redactor: Redactor, out: Print, err: Print): Promise<number> {
  const { gate, watch } = toVerifySettings(command.raw, CLI_NAMES, CLI_WATCH_NAMES, io.cwd)
  registerSecrets(gate, redactor)
  // Progress on stderr as it happens; the report on stdout at the end.
  const { report } = await runVerify({ gate, watch }, { clock: io.clock ?? systemClock, onProgress: (line) => err(`${line}\n`) })
  out(renderVerify(report, command.format))
  if (command.format !== 'text') err(`${report.summary}\n`)
  return report.exitCode
}

async function backtestCommand(command: CliCommand, io: CliIo, redactor: Redactor, out: Print, err: Print): Promise<number> {
  const { gate, backtest } = toBacktestSettings(command.raw, io.cwd)
  registerSecrets(gate, redactor)
  const { report } = await runBacktest({ gate, from: backtest.from, to: backtest.to, stepSeconds: backtest.stepSeconds })
  if (backtest.chart) {
    const file = resolve(io.cwd, backtest.chart)
    try {
      await writeFile(file, redactor.redact(backtestChart(report)))
    } catch (error) {
      throw new Error(`--chart: cannot write ${backtest.chart}: ${(error as NodeJS.ErrnoException).code ?? describeError(error)}`, { cause: error })
    }
    err(`chart written to ${backtest.chart}\n`)
  }
  out(command.format === 'json' ? { json: report } : backtestText(report))
  if (report.problems.length > 0) err(`error-budget-gate: ${report.problems.length} range quer${report.problems.length === 1 ? 'y' : 'ies'} failed: the backtest is incomplete (exit 2)\n`)
  return report.exitCode
}

/** Runs the CLI and returns its exit code. Every output goes through the redactor. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const redactor = new Redactor()
  for (const name of ['PROMETHEUS_TOKEN', 'PROMETHEUS_PASSWORD']) redactor.add(io.env[name])
  redactor.addHeaderValues(io.env.PROMETHEUS_HEADERS)
  const print = (write: (text: string) => void): Print => (output) =>
    write(typeof output === 'string' ? redactor.redact(output) : `${redactor.json(output.json, 2)}\n`)
  const out = print(io.stdout)
  const err = print(io.stderr)
  if (isValidateCommand(argv)) return await validateCli(argv, io, redactor, out, err)
  let format = requestedFormat(argv)
  try {
    const command = parseCliArgs(argv, io.env)
    format = command.format
    if (command.command === 'help') {
      out(`${CLI_USAGE}\n`)
      return 0
    }
    if (command.command === 'version') {
      out(`${typeof EBG_VERSION === 'string' ? EBG_VERSION : 'development'}\n`)
      return 0
    }
    if (command.command === 'verify') return await verifyCommand(command, io, redactor, out, err)
    if (command.command === 'backtest') return await backtestCommand(command, io, redactor, out, err)
    const settings = toGateSettings(command.raw, CLI_NAMES, io.cwd)
    registerSecrets(settings, redactor)
    const { report } = await evaluate(settings)
    out(render(report, format))
    if (format !== 'text') err(`${report.decision}: ${report.reasons[0] ?? ''}\n`)
    return report.exitCode
  } catch (error) {
    // Flags that could not be read: still one report on stdout for --format json.
    const now = Math.floor(Date.now() / 1000)
    if (format === 'json') {
      const which = requestedCommand(argv)
      if (which === 'verify') out(renderVerify(buildVerifyErrorReport(describeError(error), { onError: 'fail', dryRun: false, configFiles: [], since: now }), 'json'))
      else if (which === 'backtest') out({ json: { kind: 'backtest', exitCode: EXIT_ERROR, problems: [describeError(error)] } })
      else out(render(usageErrorReport(error, { evaluationTime: now, onError: 'fail', dryRun: false }), 'json'))
    }
    err(`error-budget-gate: ${describeError(error)}\n`)
    return EXIT_ERROR
  }
}
