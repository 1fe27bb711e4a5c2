// The report people read in a terminal or a CI log.
import { enforcementNote, formatBudgetLeft, formatBurnRates, formatObjective, formatSli, HEADLINE, oneLine } from './format.js'
import type { GateReport } from './model.js'

/**
 * A CI log line the GitHub runner cannot take for a workflow command: it reads "::name::" at
 * the start of a line (after spaces) and the legacy "##[name]" anywhere in it. SLO names and
 * server messages come from files and servers, not from us.
 */
function inert(line: string): string {
  return line.replace(/^(\s*):/, '$1\u200b:').replaceAll('##[', '#\u200b#[')
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)))
  return rows.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd())
}

export function textReport(report: GateReport): string {
  const lines: string[] = []
  const note = enforcementNote(report)
  lines.push(`${HEADLINE[report.decision]}${note ? ` (${note})` : ''}`)
  for (const reason of report.reasons) lines.push(`  ${oneLine(reason)}`)
  lines.push('')
  lines.push(`Evaluated at ${report.evaluatedAt}${report.prometheus ? ` against ${report.prometheus}` : ''}`)
  if (report.slos.length > 0) {
    lines.push('')
    const rows = [['SLO', 'objective', 'window', 'SLI', 'budget left', 'burn rates', 'decision']]
    for (const slo of report.slos) {
      rows.push([oneLine(slo.id), formatObjective(slo.objective), slo.window, formatSli(slo), formatBudgetLeft(slo), formatBurnRates(slo), slo.decision])
    }
    lines.push(...table(rows))
    lines.push('')
    for (const slo of report.slos) {
      lines.push(`${oneLine(slo.id)}: ${slo.decision}`)
      for (const reason of slo.reasons) lines.push(`  - ${oneLine(reason)}`)
      if (slo.period) {
        lines.push(`  period: ${slo.period.start} to ${slo.period.end}, ${slo.period.remaining} (${(slo.period.remainingFraction * 100).toFixed(1)}%) of it left; the budget is for the whole period`)
      }
      for (const note of slo.notes ?? []) lines.push(`  note: ${oneLine(note)}`)
      for (const window of slo.windows) {
        for (const warning of window.warnings ?? []) lines.push(`  ! ${window.window}: server warning: ${oneLine(warning)}`)
      }
    }
  }
  return `${lines.map(inert).join('\n')}\n`
}
