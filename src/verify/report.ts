// The verify report: JSON for scripts and the action's `report` output, text for logs, markdown
// for the job summary. Pure.
import { sloId } from '../config/model.js'
import { formatDuration } from '../duration.js'
import { exitCodeFor, type OnError } from '../outcome.js'
import { formatBurn, formatPercent } from '../policy/decide.js'
import type { Decision } from '../policy/settings.js'
import { escapeMarkdown } from '../report/markdown.js'
import { formatObjective, oneLine } from '../report/format.js'
import { isoTime } from '../report/model.js'
import type { DeployCost, PollReading, VerifyDecision, WatchOptions, WatchResult } from './watch.js'

export interface VerifySloReport {
  id: string
  service: string
  name: string
  objective: number
  window: string
  decision: VerifyDecision
  reasons: string[]
  threshold: number
  /** Burn over the watch window before the deploy started. */
  baselineBurn: number | null
  peakBurn: number | null
  cost: DeployCost | null
  costProblem?: string
  budgetRemaining: number | null
}

export interface VerifyReport {
  kind: 'verify'
  /** pass: the watch ended cleanly; rollback: an SLO is burning; error: could not tell (fail closed). */
  decision: VerifyDecision
  reasons: string[]
  /** One line: the action's `summary` output. */
  summary: string
  dryRun: boolean
  onError: OnError
  exitCode: number
  deployStartedAt: string
  /** The last poll (the end of the watch, or when it stopped). */
  endedAt: string
  watch: {
    duration: string
    interval: string
    window: string
    consecutive: number
    baseline: boolean
    /** Judged polls made and planned (the poll at the deploy's start is the baseline, not counted). */
    polls: number
    plannedPolls: number
  }
  /** The highest cost across SLOs, in minutes of full outage: "this deploy cost N minutes of error budget". */
  costMinutes: number | null
  /** Lowest remaining budget across SLOs at the end of the watch. */
  budgetRemaining: number | null
  prometheus?: string
  configFiles: string[]
  slos: VerifySloReport[]
  /** Every poll: the first is the burn before the deploy (baseline: true). */
  timeline: Array<{ time: string; baseline?: true; slos: PollReading[] }>
}

export interface VerifyContext {
  options: WatchOptions
  onError: OnError
  dryRun: boolean
  prometheus?: string
  configFiles: string[]
}

export const VERIFY_HEADLINE: Record<VerifyDecision, string> = { pass: 'PASSED', rollback: 'ROLLBACK', error: 'ERROR' }

/** The gate decision a watch result maps to for exit codes: rollback fails like a freeze. */
const AS_DECISION: Record<VerifyDecision, Decision> = { pass: 'allow', rollback: 'freeze', error: 'error' }

function lowest(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null)
  return known.length === 0 ? null : Math.min(...known)
}

function minutes(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 0.1 || value === 0 ? value.toFixed(1) : value.toPrecision(2)
}

/** "this deploy cost 0.4 minutes of error budget (0.93% of checkout/availability's 43.2-minute 30d budget)". */
export function costSentence(id: string, window: string, cost: DeployCost): string {
  return `this deploy cost ${minutes(cost.minutes)} minutes of error budget (${formatPercent(cost.budgetShare)} of ${id}'s ${minutes(cost.budgetMinutes)}-minute ${window} budget) over ${cost.window}`
}

export function buildVerifyReport(result: WatchResult, context: VerifyContext): VerifyReport {
  const { options } = context
  const slos: VerifySloReport[] = result.slos.map((s) => ({
    id: sloId(s.slo),
    service: s.slo.service,
    name: s.slo.name,
    objective: s.slo.objective,
    window: s.slo.window,
    decision: s.decision,
    reasons: s.reasons,
    threshold: s.threshold,
    baselineBurn: s.baselineBurn,
    peakBurn: s.peakBurn,
    cost: s.cost,
    ...(s.costProblem ? { costProblem: s.costProblem } : {}),
    budgetRemaining: s.budgetRemaining
  }))
  const decisive = slos.filter((s) => s.decision === result.decision && s.decision !== 'pass')
  const reasons = decisive.map((s) => `${s.id}: ${s.reasons[0]}`)
  if (result.decision === 'pass') {
    const judged = result.polls.length - 1
    reasons.push(
      `no SLO burned ≥ its threshold over ${options.window} for ${options.consecutive} consecutive poll${options.consecutive === 1 ? '' : 's'} in ${formatDuration(Math.max(1, result.lastPoll - result.since))} (${judged} poll${judged === 1 ? '' : 's'})`
    )
  }
  const costly = slos.filter((s) => s.cost !== null).sort((a, b) => b.cost!.budgetShare - a.cost!.budgetShare)[0]
  if (costly) reasons.push(costSentence(costly.id, costly.window, costly.cost!))
  const exitCode = exitCodeFor(AS_DECISION[result.decision], { onError: context.onError, dryRun: context.dryRun })
  const report: VerifyReport = {
    kind: 'verify',
    decision: result.decision,
    reasons,
    summary: '',
    dryRun: context.dryRun,
    onError: context.onError,
    exitCode,
    deployStartedAt: isoTime(result.since),
    endedAt: isoTime(result.lastPoll),
    watch: {
      duration: formatDuration(options.durationSeconds),
      interval: formatDuration(options.intervalSeconds),
      window: options.window,
      consecutive: options.consecutive,
      baseline: options.baseline,
      polls: result.polls.length - 1,
      plannedPolls: result.plannedPolls
    },
    costMinutes: costly ? costly.cost!.minutes : null,
    budgetRemaining: lowest(slos.map((s) => s.budgetRemaining)),
    ...(context.prometheus ? { prometheus: context.prometheus } : {}),
    configFiles: context.configFiles,
    slos,
    timeline: result.polls.map((poll) => ({ time: isoTime(poll.time), ...(poll.baseline ? { baseline: true as const } : {}), slos: poll.slos }))
  }
  report.summary = verifySummaryLine(report)
  return report
}

/** The report when the watch could not run (invalid configuration or flags): exit 2. */
export function buildVerifyErrorReport(message: string, context: Omit<VerifyContext, 'options'> & { options?: WatchOptions; since: number }): VerifyReport {
  const report: VerifyReport = {
    kind: 'verify',
    decision: 'error',
    reasons: [message],
    summary: '',
    dryRun: context.dryRun,
    onError: context.onError,
    exitCode: 2,
    deployStartedAt: isoTime(context.since),
    endedAt: isoTime(context.since),
    watch: {
      duration: context.options ? formatDuration(context.options.durationSeconds) : '',
      interval: context.options ? formatDuration(context.options.intervalSeconds) : '',
      window: context.options?.window ?? '',
      consecutive: context.options?.consecutive ?? 0,
      baseline: context.options?.baseline ?? false,
      polls: 0,
      plannedPolls: 0
    },
    costMinutes: null,
    budgetRemaining: null,
    ...(context.prometheus ? { prometheus: context.prometheus } : {}),
    configFiles: context.configFiles,
    slos: [],
    timeline: []
  }
  report.summary = verifySummaryLine(report)
  return report
}

function enforcementNote(report: VerifyReport): string | undefined {
  if (report.dryRun && report.decision !== 'pass' && report.exitCode === 0) return 'dry run: reported, not enforced'
  if (report.decision === 'error' && report.onError !== 'fail' && report.exitCode === 0) return `on-error is "${report.onError}": the error does not fail the step`
  return undefined
}

export function verifySummaryLine(report: VerifyReport): string {
  const note = enforcementNote(report)
  const main = report.reasons[0] ?? ''
  const cost = report.decision !== 'pass' && report.costMinutes !== null ? `; this deploy cost ${minutes(report.costMinutes)} minutes of error budget` : ''
  return oneLine(`${VERIFY_HEADLINE[report.decision]}: ${main}${cost}${note ? ` [${note}]` : ''}`)
}

function cell(reading: PollReading, baseline: boolean): string {
  if (reading.burn === null) return `? (${reading.status})`
  let text = formatBurn(reading.burn)
  if (reading.excess !== undefined && reading.excess !== null && !baseline) {
    text += ` (${reading.excess < 0 ? '−' : '+'}${formatBurn(Math.abs(reading.excess))} vs before)`
  }
  if (reading.status === 'no-traffic') text += ' no events'
  if (reading.over) text += ` ▲${reading.streak}`
  return text
}

function costCell(slo: VerifySloReport): string {
  if (!slo.cost) return 'unknown'
  return `${minutes(slo.cost.minutes)} min (${formatPercent(slo.cost.budgetShare)})`
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)))
  return rows.map((row) => row.map((text, c) => (c === row.length - 1 ? text : text.padEnd(widths[c]))).join('  ').trimEnd())
}

/** A poll line for live progress: time, poll number and each SLO's burn. */
export function pollLine(poll: { time: number; baseline?: true; slos: PollReading[] }, judged: number, planned: number, ids: readonly string[]): string {
  const label = poll.baseline ? 'before the deploy' : `poll ${judged}/${planned}`
  return oneLine(`${isoTime(poll.time)}  ${label}: ${poll.slos.map((reading, i) => `${ids[i]} ${cell(reading, poll.baseline === true)}`).join(', ')}`)
}

export function verifyText(report: VerifyReport): string {
  const lines: string[] = []
  const note = enforcementNote(report)
  lines.push(`${VERIFY_HEADLINE[report.decision]}${note ? ` (${note})` : ''}`)
  for (const reason of report.reasons) lines.push(`  ${oneLine(reason)}`)
  lines.push('')
  const w = report.watch
  if (w.plannedPolls > 0) {
    lines.push(
      `Watched from ${report.deployStartedAt} (deploy start) to ${report.endedAt}: ${w.polls} of ${w.plannedPolls} polls every ${w.interval} for ${w.duration}, ` +
        `burn over ${w.window}${w.baseline ? ' (judged above the burn before the deploy)' : ''}, ${w.consecutive} consecutive poll${w.consecutive === 1 ? '' : 's'} at or above the threshold call for a rollback`
    )
  }
  if (report.prometheus) lines.push(`Against ${report.prometheus}`)
  if (report.slos.length > 0) {
    lines.push('')
    const rows = [['time', ...report.slos.map((s) => oneLine(s.id))]]
    for (const poll of report.timeline) {
      rows.push([`${poll.time}${poll.baseline ? ' (before)' : ''}`, ...poll.slos.map((reading) => cell(reading, poll.baseline === true))])
    }
    lines.push(...table(rows))
    lines.push('')
    const summary = [['SLO', 'objective', 'threshold', 'before', 'peak', 'deploy cost', 'budget left', 'result']]
    for (const slo of report.slos) {
      summary.push([
        oneLine(slo.id),
        formatObjective(slo.objective),
        formatBurn(slo.threshold),
        slo.baselineBurn === null ? '?' : formatBurn(slo.baselineBurn),
        slo.peakBurn === null ? '?' : formatBurn(slo.peakBurn),
        costCell(slo),
        slo.budgetRemaining === null ? 'unknown' : formatPercent(slo.budgetRemaining),
        slo.decision
      ])
    }
    lines.push(...table(summary))
    for (const slo of report.slos) {
      if (slo.costProblem) lines.push(`  ! ${oneLine(slo.id)}: deploy cost unknown: ${oneLine(slo.costProblem)}`)
    }
  }
  // A name from a file cannot start a workflow command in a CI log.
  return `${lines.map((line) => line.replace(/^(\s*):/, '$1\u200b:').replaceAll('##[', '#\u200b#[')).join('\n')}\n`
}

const ICON: Record<VerifyDecision, string> = { pass: '🟢', rollback: '🔴', error: '⛔' }

export function verifyMarkdown(report: VerifyReport): string {
  const note = enforcementNote(report)
  const lines = [`## ${ICON[report.decision]} Deploy watch: ${VERIFY_HEADLINE[report.decision]}${note ? ` (${escapeMarkdown(note)})` : ''}`, '']
  for (const reason of report.reasons) lines.push(`- ${escapeMarkdown(reason)}`)
  lines.push('')
  if (report.slos.length > 0) {
    lines.push('| result | SLO | objective | threshold | burn before | peak burn | deploy cost | budget left |', '|---|---|---|---|---|---|---|---|')
    for (const slo of report.slos) {
      lines.push(
        `| ${ICON[slo.decision]} ${slo.decision} | ${escapeMarkdown(slo.id)} | ${formatObjective(slo.objective)} | ${formatBurn(slo.threshold)} | ${slo.baselineBurn === null ? '?' : formatBurn(slo.baselineBurn)} | ${slo.peakBurn === null ? '?' : formatBurn(slo.peakBurn)} | ${costCell(slo)} | ${slo.budgetRemaining === null ? 'unknown' : formatPercent(slo.budgetRemaining)} |`
      )
    }
    lines.push('', `<details><summary>Burn rate over ${escapeMarkdown(report.watch.window)} at each poll</summary>`, '')
    lines.push(`| time | ${report.slos.map((s) => escapeMarkdown(s.id)).join(' | ')} |`, `|---|${report.slos.map(() => '---|').join('')}`)
    // GitHub's summary limit is 1 MiB: a watch has at most a few hundred polls.
    for (const poll of report.timeline.slice(0, 2000)) {
      lines.push(`| ${poll.time}${poll.baseline ? ' (before the deploy)' : ''} | ${poll.slos.map((r) => escapeMarkdown(cell(r, poll.baseline === true))).join(' | ')} |`)
    }
    lines.push('', '</details>', '')
  }
  lines.push(`Deploy started ${report.deployStartedAt}; watched until ${report.endedAt}${report.prometheus ? ` against ${escapeMarkdown(report.prometheus)}` : ''}. Exit code ${report.exitCode}.`, '')
  return lines.join('\n')
}
