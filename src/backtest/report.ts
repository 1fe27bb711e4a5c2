// The backtest report: a JSON document (what scripts read) and the text people read. Pure.
import { sloId, type Slo } from '../config/model.js'
import { formatDuration } from '../duration.js'
import type { Decision } from '../policy/settings.js'
import { oneLine } from '../report/format.js'
import { isoTime } from '../report/model.js'
import type { BacktestStep } from './replay.js'
import { overallStats, sloStats, type DecisionStats, type Period } from './summary.js'

export interface PeriodReport {
  start: string
  /** The first step after the period; null when it lasts to the end of the backtest. */
  end: string | null
  ongoing: boolean
  hours: number
  causes: string[]
  reason: string
}

export interface StatsReport {
  /** Hours per decision (steps × step length). */
  hours: Record<Decision, number>
  freeze: {
    hours: number
    days: number
    /** Share of the backtest's time spent frozen (0..1). */
    share: number
    /** Number of freezes. */
    count: number
  }
  /** How often the decision switched into or out of freeze: the flapping a deploy pipeline sees. */
  toggles: number
  /** How often the decision changed at all. */
  decisionChanges: number
  freezes: PeriodReport[]
}

export interface BacktestSloReport extends StatsReport {
  id: string
  service: string
  name: string
  objective: number
  window: string
}

export interface TimelineEntry {
  time: string
  decision: Decision
  /** Lowest remaining budget across SLOs (null when none could be computed). */
  budgetRemaining: number | null
  /** One per SLO, in the order of `slos`. */
  slos: Array<{ decision: Decision; budgetRemaining: number | null; burnRates: Record<string, number | null>; causes: string[] }>
}

export interface BacktestReport extends StatsReport {
  kind: 'backtest'
  /** First and last step. */
  from: string
  to: string
  step: string
  stepSeconds: number
  steps: number
  prometheus?: string
  configFiles: string[]
  queryCount: number
  /** Range requests sent. */
  requests: number
  slos: BacktestSloReport[]
  /** Queries that could not be read over (part of) the range; those steps decided per the policy's noData. */
  problems: string[]
  /** 0 when every range query was answered; 2 when some failed (the backtest is incomplete). */
  exitCode: number
  timeline: TimelineEntry[]
}

export interface BacktestContext {
  stepSeconds: number
  prometheus?: string
  configFiles: string[]
  queryCount: number
  requests: number
  problems: string[]
}

const HOUR = 3600

function round(value: number, digits = 4): number {
  return Number(value.toFixed(digits))
}

function periodReport(period: Period): PeriodReport {
  return {
    start: isoTime(period.start),
    end: period.end === null ? null : isoTime(period.end),
    ongoing: period.end === null,
    hours: round(period.seconds / HOUR),
    causes: period.causes,
    reason: period.reason
  }
}

function statsReport(stats: DecisionStats, totalSeconds: number): StatsReport {
  const hours = Object.fromEntries(Object.entries(stats.seconds).map(([d, s]) => [d, round(s / HOUR)])) as Record<Decision, number>
  return {
    hours,
    freeze: {
      hours: round(stats.seconds.freeze / HOUR),
      days: round(stats.seconds.freeze / HOUR / 24),
      share: totalSeconds > 0 ? round(stats.seconds.freeze / totalSeconds, 6) : 0,
      count: stats.freezes.length
    },
    toggles: stats.toggles,
    decisionChanges: stats.changes,
    freezes: stats.freezes.map(periodReport)
  }
}

function lowest(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null)
  return known.length === 0 ? null : Math.min(...known)
}

export function buildBacktestReport(slos: readonly Slo[], steps: readonly BacktestStep[], context: BacktestContext): BacktestReport {
  const ids = slos.map(sloId)
  const step = context.stepSeconds
  const total = steps.length * step
  return {
    kind: 'backtest',
    from: steps.length > 0 ? isoTime(steps[0].time) : '',
    to: steps.length > 0 ? isoTime(steps[steps.length - 1].time) : '',
    step: formatDuration(step),
    stepSeconds: step,
    steps: steps.length,
    ...(context.prometheus ? { prometheus: context.prometheus } : {}),
    configFiles: context.configFiles,
    queryCount: context.queryCount,
    requests: context.requests,
    ...statsReport(overallStats(steps, ids, step), total),
    slos: slos.map((slo, j) => ({
      id: ids[j],
      service: slo.service,
      name: slo.name,
      objective: slo.objective,
      window: slo.window,
      ...statsReport(sloStats(steps, j, step), total)
    })),
    problems: context.problems,
    exitCode: context.problems.length > 0 ? 2 : 0,
    timeline: steps.map((s) => ({
      time: isoTime(s.time),
      decision: s.decision,
      budgetRemaining: lowest(s.slos.map((slo) => slo.budgetRemaining)),
      slos: s.slos.map((slo) => ({ decision: slo.decision, budgetRemaining: slo.budgetRemaining, burnRates: slo.burnRates, causes: slo.causes }))
    }))
  }
}

/** "241 h (10.0 days)", "30 min", "2.5 h". */
export function formatHours(hours: number): string {
  if (hours === 0) return '0 h'
  if (hours < 1) return `${Number((hours * 60).toFixed(1))} min`
  const text = `${Number(hours.toFixed(hours >= 100 ? 0 : 1))} h`
  return hours >= 24 ? `${text} (${(hours / 24).toFixed(1)} days)` : text
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share * 100 >= 10 || share === 0 ? 0 : 1)}%`
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

function periodLine(period: PeriodReport): string {
  const end = period.ongoing ? 'still frozen at the end' : period.end
  return `${period.start} → ${end}  ${formatHours(period.hours)}`
}

export function backtestText(report: BacktestReport): string {
  const lines: string[] = []
  lines.push(`BACKTEST ${report.from} → ${report.to}, every ${report.step} (${plural(report.steps, 'step')}), ${plural(report.slos.length, 'SLO')}`)
  lines.push(
    `  Frozen ${formatHours(report.freeze.hours)}, ${percent(report.freeze.share)} of the time, in ${plural(report.freeze.count, 'freeze')}; ` +
      `toggled in or out of freeze ${plural(report.toggles, 'time')}.`
  )
  lines.push(`  Time per decision: allow ${formatHours(report.hours.allow)} · warn ${formatHours(report.hours.warn)} · freeze ${formatHours(report.hours.freeze)} · error ${formatHours(report.hours.error)}`)
  if (report.prometheus) lines.push(`  Against ${report.prometheus}, ${plural(report.requests, 'range request')}.`)
  for (const problem of report.problems) lines.push(`  ! query failed: ${oneLine(problem)}`)
  lines.push('')
  if (report.freezes.length === 0) lines.push('No freeze.')
  else {
    lines.push('Freezes:')
    for (const period of report.freezes) {
      lines.push(`  ${periodLine(period)}`)
      for (const cause of period.causes) lines.push(`    - ${oneLine(cause)}`)
    }
  }
  if (report.slos.length > 0) {
    lines.push('')
    const rows = [['SLO', 'allow', 'warn', 'freeze', 'error', 'freezes', 'toggles']]
    const hours = (value: number) => `${Number(value.toFixed(1))} h`
    for (const slo of report.slos) {
      rows.push([
        oneLine(slo.id),
        hours(slo.hours.allow),
        hours(slo.hours.warn),
        hours(slo.hours.freeze),
        hours(slo.hours.error),
        String(slo.freeze.count),
        String(slo.toggles)
      ])
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)))
    for (const row of rows) lines.push(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '))
    for (const slo of report.slos.filter((s) => s.freezes.length > 0)) {
      lines.push('', `${oneLine(slo.id)} freezes:`)
      for (const period of slo.freezes) lines.push(`  ${periodLine(period)}: ${oneLine(period.causes.join(', '))}`)
    }
  }
  // Same guard as the check's text report: a name cannot start a workflow command in a CI log.
  return `${lines.map((line) => line.replace(/^(\s*):/, '$1\u200b:').replaceAll('##[', '#\u200b#[')).join('\n')}\n`
}
