// The job summary (and, later, the PR comment): a headline, one row per SLO, the reasons, and
// the working (queries and raw numbers) collapsed. Kept under GitHub's 1 MiB summary limit.
import { enforcementNote, formatBudgetLeft, formatBurnRates, formatObjective, formatSli, HEADLINE } from './format.js'
import type { GateReport, SloReport } from './model.js'

/** GitHub's job summary limit is 1 MiB per step; leave room for anything else in the step. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 64 * 1024

const ICON = { allow: '🟢', warn: '🟡', freeze: '🔴', error: '⛔' } as const

/** Escapes text for a table cell or inline position: no HTML, no table breaks, no mentions. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200b')
    .replace(/\r?\n/g, ' ')
}

function codeBlock(text: string): string {
  const fence = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)))
  return `${fence}promql\n${text}\n${fence}`
}

function row(slo: SloReport): string {
  const cells = [
    `${ICON[slo.decision]} ${slo.decision}`,
    escapeMarkdown(slo.service),
    escapeMarkdown(slo.name),
    formatObjective(slo.objective),
    slo.window,
    formatSli(slo),
    formatBudgetLeft(slo),
    formatBurnRates(slo)
  ]
  return `| ${cells.join(' | ')} |`
}

function details(slo: SloReport): string {
  const lines = [`<details><summary>${escapeMarkdown(slo.id)}: queries and raw numbers</summary>`, '']
  lines.push(`Source: ${escapeMarkdown(slo.source)}`, '')
  lines.push('| window | status | error ratio | burn | bad | total |', '|---|---|---|---|---|---|')
  for (const w of slo.windows) {
    lines.push(`| ${w.window} | ${w.status} | ${w.errorRatio ?? '–'} | ${w.burnRate ?? '–'} | ${w.bad ?? '–'} | ${w.total ?? '–'} |`)
  }
  const first = slo.windows[0]
  if (first) {
    lines.push('', `Queries over the ${first.window} SLO window (other windows differ only in the range):`, '')
    for (const query of Object.values(first.queries)) lines.push(codeBlock(query), '')
  }
  lines.push('</details>', '')
  return lines.join('\n')
}

export function markdownReport(report: GateReport, limitBytes = SUMMARY_LIMIT_BYTES): string {
  const note = enforcementNote(report)
  const head: string[] = [`## ${ICON[report.decision]} Error budget gate: ${HEADLINE[report.decision]}${note ? ` (${escapeMarkdown(note)})` : ''}`, '']
  for (const reason of report.reasons) head.push(`- ${escapeMarkdown(reason)}`)
  head.push('')
  if (report.slos.length > 0) {
    head.push('| decision | service | SLO | objective | window | SLI | budget left | burn rates |', '|---|---|---|---|---|---|---|---|')
  }
  const rows = report.slos.map(row)
  const reasons = report.slos
    .filter((slo) => slo.decision !== 'allow')
    .map((slo) => `**${escapeMarkdown(slo.id)}** (${slo.decision}):\n${slo.reasons.map((r) => `- ${escapeMarkdown(r)}`).join('\n')}\n`)
  const footer = `\nEvaluated at ${report.evaluatedAt}${report.prometheus ? ` against ${escapeMarkdown(report.prometheus)}` : ''}. Exit code ${report.exitCode}.\n`
  const workings = report.slos.map(details)

  const size = (parts: string[]) => Buffer.byteLength(parts.join('\n'))
  const assemble = (rowCount: number, withReasons: boolean, withWorkings: boolean): string[] => {
    const parts = [...head, ...rows.slice(0, rowCount)]
    if (rowCount < rows.length) parts.push('', `_${rows.length - rowCount} more SLOs not shown (summary size limit); the JSON report has them all._`)
    parts.push('')
    if (withReasons) parts.push(...reasons)
    parts.push(footer)
    if (withWorkings) parts.push(...workings)
    return parts
  }
  // Drop the least important parts first: the workings, then the per-SLO reasons, then rows.
  for (const [withReasons, withWorkings] of [[true, true], [true, false], [false, false]] as const) {
    const parts = assemble(rows.length, withReasons, withWorkings)
    if (size(parts) <= limitBytes) return parts.join('\n')
  }
  let count = rows.length
  while (count > 0 && size(assemble(count, false, false)) > limitBytes) count = Math.floor(count / 2)
  return assemble(count, false, false).join('\n')
}
