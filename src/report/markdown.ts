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

/** The longest prefix of `text` whose UTF-8 encoding fits in `limitBytes` (whole characters). */
function truncateBytes(text: string, limitBytes: number): string {
  if (Buffer.byteLength(text) <= limitBytes) return text
  let low = 0
  let high = text.length
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (Buffer.byteLength(text.slice(0, mid)) <= limitBytes) low = mid
    else high = mid - 1
  }
  // Do not split a surrogate pair.
  const end = low > 0 && /[\uD800-\uDBFF]/.test(text[low - 1]) ? low - 1 : low
  return text.slice(0, end)
}

/** The largest n in [0, max] for which fits(n) holds, given fits is monotone (true, then false). */
function largestFitting(max: number, fits: (n: number) => boolean): number {
  let low = 0
  let high = max
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (fits(mid)) low = mid
    else high = mid - 1
  }
  return low
}

export function markdownReport(report: GateReport, limitBytes = SUMMARY_LIMIT_BYTES): string {
  const note = enforcementNote(report)
  const headline = [`## ${ICON[report.decision]} Error budget gate: ${HEADLINE[report.decision]}${note ? ` (${escapeMarkdown(note)})` : ''}`, '']
  const gateReasons = report.reasons.map((reason) => `- ${escapeMarkdown(reason)}`)
  const tableHead = report.slos.length > 0 ? ['| decision | service | SLO | objective | window | SLI | budget left | burn rates |', '|---|---|---|---|---|---|---|---|'] : []
  const rows = report.slos.map(row)
  const reasons = report.slos
    .filter((slo) => slo.decision !== 'allow')
    .map((slo) => `**${escapeMarkdown(slo.id)}** (${slo.decision}):\n${slo.reasons.map((r) => `- ${escapeMarkdown(r)}`).join('\n')}\n`)
  const footer = `\nEvaluated at ${report.evaluatedAt}${report.prometheus ? ` against ${escapeMarkdown(report.prometheus)}` : ''}. Exit code ${report.exitCode}.\n`
  const workings = report.slos.map(details)

  const assemble = (reasonCount: number, rowCount: number, withReasons: boolean, withWorkings: boolean): string => {
    const parts = [...headline, ...gateReasons.slice(0, reasonCount)]
    if (reasonCount < gateReasons.length) parts.push(`- _${gateReasons.length - reasonCount} more not shown (summary size limit); the JSON report has them all._`)
    parts.push('', ...tableHead, ...rows.slice(0, rowCount))
    if (rowCount < rows.length) parts.push('', `_${rows.length - rowCount} more SLOs not shown (summary size limit); the JSON report has them all._`)
    parts.push('')
    if (withReasons) parts.push(...reasons)
    parts.push(footer)
    if (withWorkings) parts.push(...workings)
    return parts.join('\n')
  }
  const fits = (text: string) => Buffer.byteLength(text) <= limitBytes
  // Drop the least important parts first: the workings, then the per-SLO reasons, then table
  // rows, then the overall reasons (the headline and footer always stay).
  for (const [withReasons, withWorkings] of [[true, true], [true, false], [false, false]] as const) {
    const text = assemble(gateReasons.length, rows.length, withReasons, withWorkings)
    if (fits(text)) return text
  }
  if (fits(assemble(gateReasons.length, 0, false, false))) {
    return assemble(gateReasons.length, largestFitting(rows.length, (n) => fits(assemble(gateReasons.length, n, false, false))), false, false)
  }
  const reasonCount = largestFitting(gateReasons.length, (n) => fits(assemble(n, 0, false, false)))
  // Below the size of a headline and a footer, nothing readable fits: cut the text itself.
  return truncateBytes(assemble(reasonCount, 0, false, false), limitBytes)
}
