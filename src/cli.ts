// The command-line entry: `error-budget-gate check ...`. Thin: parse flags, run, print.
import { describeError } from './errors.js'
import { markdownReport } from './report/markdown.js'
import type { GateReport } from './report/model.js'
import { textReport } from './report/text.js'
import { evaluate, registerSecrets, usageErrorReport } from './run.js'
import { Redactor } from './redact.js'
import { CLI_NAMES, CLI_USAGE, parseCliArgs, toGateSettings, type ReportFormat } from './settings.js'
import { EXIT_ERROR } from './outcome.js'

declare const EBG_VERSION: string | undefined

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: NodeJS.ProcessEnv
  cwd: string
}

function render(report: GateReport, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`
  if (format === 'markdown') return markdownReport(report)
  return textReport(report)
}

/** The format asked for, read loosely: used only when the flags themselves are invalid. */
function requestedFormat(argv: string[]): ReportFormat {
  const index = argv.indexOf('--format')
  const value = index >= 0 ? argv[index + 1] : argv.find((a) => a.startsWith('--format='))?.slice('--format='.length)
  return value === 'json' ? 'json' : 'text'
}

/** Runs the CLI and returns its exit code. Every output goes through the redactor. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const redactor = new Redactor()
  for (const name of ['PROMETHEUS_TOKEN', 'PROMETHEUS_PASSWORD']) redactor.add(io.env[name])
  redactor.addHeaderValues(io.env.PROMETHEUS_HEADERS)
  const out = (text: string) => io.stdout(redactor.redact(text))
  const err = (text: string) => io.stderr(redactor.redact(text))
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
    const settings = toGateSettings(command.raw, CLI_NAMES, io.cwd)
    registerSecrets(settings, redactor)
    const { report } = await evaluate(settings)
    out(render(report, format))
    if (format !== 'text') err(`${report.decision}: ${report.reasons[0] ?? ''}\n`)
    return report.exitCode
  } catch (error) {
    // Flags that could not be read: still one report on stdout for --format json.
    const report = usageErrorReport(error, { evaluationTime: Math.floor(Date.now() / 1000), onError: 'fail', dryRun: false })
    if (format === 'json') out(render(report, 'json'))
    err(`error-budget-gate: ${describeError(error)}\n`)
    return EXIT_ERROR
  }
}
