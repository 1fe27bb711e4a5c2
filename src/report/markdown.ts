// The job summary, the PR comment and the check-run summary: a headline with the why, one table
// per service (budget left as a bar), the reasons, and the working (queries, evaluation time and
// raw numbers) collapsed. Kept under a size limit (GitHub's 1 MiB job summary by default) however
// many SLOs there are. Everything that comes from a file or a server is escaped.
import { FINDING_NAMES } from '../engine/readings.js'
import { worstDecision, type Decision } from '../policy/settings.js'
import { enforcementNote, formatBudgetLeft, formatBurnRates, formatObjective, formatSli, HEADLINE } from './format.js'
import type { GateReport, SloReport } from './model.js'

/** GitHub's job summary limit is 1 MiB per step; leave room for anything else in the step. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 64 * 1024

const ICON = { allow: '🟢', warn: '🟡', freeze: '🔴', error: '⛔' } as const

export interface MarkdownOptions {
  /** The collapsed per-SLO queries and raw numbers (default true). */
  workings?: boolean
  /** A link to the workflow run that produced the report (for the PR comment and check run). */
  runUrl?: string
  /** Budget burn-down charts (src/github/burndown.ts), and a note when they are left out. */
  burnDowns?: BurnDown[]
  burnDownNote?: string
}

/** One SLO's remaining budget (fraction) at instants (unix seconds) over its window. */
export interface BurnDown {
  id: string
  window: string
  points: Array<{ time: number; remaining: number | null }>
}

/** Text Mermaid takes inside a quoted title or label: no quotes, brackets or directives. */
function mermaidText(text: string): string {
  return text.replace(/[^\w ./:+-]/g, '_').slice(0, 80)
}

/** A Mermaid xychart of one SLO's remaining budget in percent (GitHub renders ```mermaid blocks). */
export function burnDownChart(chart: BurnDown): string {
  const known = chart.points.filter((p): p is { time: number; remaining: number } => p.remaining !== null && Number.isFinite(p.remaining))
  if (known.length < 2) return ''
  const span = known[known.length - 1]!.time - known[0]!.time
  const label = (time: number) => {
    const iso = new Date(time * 1000).toISOString()
    return span >= 2 * 86400 ? iso.slice(5, 10) : iso.slice(11, 16)
  }
  const values = known.map((p) => Number((p.remaining * 100).toFixed(1)))
  const low = Math.min(0, Math.floor(Math.min(...values) / 10) * 10)
  const high = Math.max(100, Math.ceil(Math.max(...values) / 10) * 10)
  return [
    '```mermaid',
    'xychart-beta',
    `    title "${mermaidText(chart.id)}: budget left over ${mermaidText(chart.window)} (%)"`,
    `    x-axis [${known.map((p) => `"${label(p.time)}"`).join(', ')}]`,
    `    y-axis "budget left (%)" ${low} --> ${high}`,
    `    line [${values.join(', ')}]`,
    '```'
  ].join('\n')
}

function burnDownSection(report: GateReport, options: MarkdownOptions): string {
  const charts = (options.burnDowns ?? []).map(burnDownChart).filter((chart) => chart !== '')
  if (charts.length === 0) return options.burnDownNote ? `_${escapeMarkdown(options.burnDownNote)}_\n` : ''
  const open = report.decision === 'allow' ? '' : ' open'
  const lines = [`<details${open}><summary>📉 Budget left over the SLO window (${charts.length} chart${charts.length === 1 ? '' : 's'}, from range queries)</summary>`, '']
  for (const chart of charts) lines.push(chart, '')
  if (options.burnDownNote) lines.push(`_${escapeMarkdown(options.burnDownNote)}_`, '')
  lines.push('</details>', '')
  return lines.join('\n')
}

/** Escapes text for a table cell or inline position: no HTML, no table breaks, no mentions. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200b')
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
}

/**
 * Escapes text inside raw HTML (a `<summary>` line is an HTML block: markdown escapes are not
 * read there, so `\\<` would stay a real `<`). Entities instead; mentions broken as above.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/@/g, '@\u200b')
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
}

function codeBlock(text: string, language = 'promql'): string {
  const fence = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)))
  return `${fence}${language}\n${text}\n${fence}`
}

/** Cells of the budget bar: one per 10% of the budget. */
const BAR_CELLS = 10

/**
 * The share of the budget left as a bar of ten cells: `████████░░` is 80% left. An overspent
 * budget (below 0) is an empty bar marked ⚠; more than the whole budget cannot happen.
 */
export function budgetBar(remaining: number | null): string {
  if (remaining === null || !Number.isFinite(remaining)) return ''
  const filled = Math.min(BAR_CELLS, Math.max(0, Math.round(remaining * BAR_CELLS)))
  // A sliver of budget left still shows one cell; only a spent budget shows none.
  const cells = remaining > 0 && filled === 0 ? 1 : filled
  return `${'█'.repeat(cells)}${'░'.repeat(BAR_CELLS - cells)}${remaining < 0 ? ' ⚠' : ''}`
}

const SEVERITY: Record<Decision, number> = { allow: 0, warn: 1, freeze: 2, error: 3 }

/** What the decision means for a change, in one sentence, with how many SLOs made it. */
export function whyLine(report: GateReport): string {
  const count = report.slos.length
  const deciding = report.slos.filter((slo) => slo.decision === report.decision).length
  const of = `${deciding} of ${count} SLO${count === 1 ? '' : 's'}`
  let line: string
  switch (report.decision) {
    case 'allow':
      line = `Changes may ship: ${count === 1 ? 'the SLO is' : `all ${count} SLOs are`} within budget and not burning fast.`
      break
    case 'warn':
      line = `Changes may ship, with a warning: ${of} ${deciding === 1 ? 'is' : 'are'} low on budget or burning faster than sustainable.`
      break
    case 'freeze':
      line = `Changes are frozen: ${of} ${deciding === 1 ? 'has' : 'have'} spent the error budget or ${deciding === 1 ? 'is' : 'are'} burning it fast. Only fixes and rollbacks should ship until it recovers.`
      break
    case 'error':
      line =
        count === 0
          ? 'The gate could not evaluate the SLOs.'
          : `The gate could not decide: ${of} had no usable data. This is never read as a pass.`
      break
  }
  if (report.exempt) line += ` This change is exempt: it goes through despite the ${report.decision}, which still stands.`
  return line
}

function row(slo: SloReport): string {
  const cells = [
    `${ICON[slo.decision]} ${slo.decision}`,
    escapeMarkdown(slo.name),
    formatObjective(slo.objective),
    slo.window,
    formatSli(slo),
    `${budgetBar(slo.budget.remaining)} ${formatBudgetLeft(slo)}`.trim(),
    formatBurnRates(slo)
  ]
  return `| ${cells.join(' | ')} |`
}

const TABLE_HEAD = ['| decision | SLO | objective | window | SLI | budget left | burn rates |', '|---|---|---|---|---|---|---|']

/** SLOs grouped by service: the worst service first, services and SLOs otherwise in file order. */
function byService(slos: SloReport[]): Array<{ service: string; decision: Decision; slos: SloReport[] }> {
  const groups = new Map<string, SloReport[]>()
  for (const slo of slos) groups.set(slo.service, [...(groups.get(slo.service) ?? []), slo])
  return [...groups.entries()]
    .map(([service, members]) => ({ service, decision: worstDecision(members.map((s) => s.decision)), slos: members }))
    .sort((a, b) => SEVERITY[b.decision] - SEVERITY[a.decision])
}

function formatNumber(value: number | null): string {
  if (value === null) return '–'
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)))
}

function details(slo: SloReport): string {
  const lines = [`<details><summary>${escapeHtml(slo.id)}: queries and raw numbers</summary>`, '']
  lines.push(`Source: ${escapeMarkdown(slo.source)}`, '')
  lines.push('| window | status | error ratio | burn | bad | total |', '|---|---|---|---|---|---|')
  for (const w of slo.windows) {
    lines.push(`| ${w.window} | ${w.status}${w.finding ? ` (${FINDING_NAMES[w.finding]})` : ''} | ${formatNumber(w.errorRatio)} | ${formatNumber(w.burnRate)} | ${formatNumber(w.bad)} | ${formatNumber(w.total)} |`)
  }
  const problems = slo.windows.flatMap((w) => [
    ...(w.problem ? [`${w.window}: ${w.problem}`] : []),
    ...(w.notes ?? []).map((note) => `${w.window}: ${note}`),
    ...(w.warnings ?? []).map((warning) => `${w.window}: server warning: ${warning}`)
  ])
  if (problems.length > 0) lines.push('', ...problems.map((p) => `- ${escapeMarkdown(p)}`))
  const first = slo.windows[0]
  if (first) {
    lines.push('', `Queries over the ${first.window} SLO window (other windows differ only in the range):`, '')
    for (const query of Object.values(first.queries)) lines.push(codeBlock(query), '')
  }
  lines.push('</details>', '')
  return lines.join('\n')
}

/** Where the policy came from on a pull request, and what the pull request tried to change. */
function policyLines(report: GateReport): string[] {
  const policy = report.policy
  if (!policy) return []
  const lines: string[] = []
  if (policy.source === 'base') {
    const branch = policy.ref ? `**${escapeMarkdown(policy.ref)}**` : 'of the pull request'
    const commit = policy.sha ? ` at ${escapeMarkdown(policy.sha.slice(0, 12))}` : ''
    lines.push(`🔒 SLO files and policy read from the base branch ${branch}${commit}, not from this pull request.`)
  } else {
    lines.push('SLO files and policy read from the checked-out workspace.')
  }
  const changed = policy.changedInPullRequest ?? []
  if (changed.length > 0) {
    lines.push('', `**Policy changes in this PR (not applied):** ${changed.length} file${changed.length === 1 ? '' : 's'} matching \`config\`:`, '')
    for (const change of changed) lines.push(`- ${escapeMarkdown(change.file)} (${escapeMarkdown(change.status)})`)
    lines.push('', '_They take effect once merged into the base branch._')
  }
  if (policy.changesNote) lines.push('', `_${escapeMarkdown(policy.changesNote)}_`)
  lines.push('')
  return lines
}

/** The collapsed "how this was evaluated" block: evaluation time, server, files, query count. */
function evaluationDetails(report: GateReport): string {
  const lines = ['<details><summary>How this was evaluated</summary>', '']
  lines.push(`- Evaluation time: ${report.evaluatedAt} (every query is evaluated at this one instant)`)
  if (report.prometheus) lines.push(`- Prometheus: ${escapeMarkdown(report.prometheus)}`)
  if (report.configFiles.length > 0) lines.push(`- SLO files: ${report.configFiles.map(escapeMarkdown).join(', ')}`)
  lines.push(`- Queries: ${report.queryCount} distinct`)
  lines.push('- Budget consumed = error ratio over the SLO window / (1 − objective); burn rate over w = error ratio over w / (1 − objective)')
  if (report.dryRun) lines.push('- Dry run: the decision is reported, not enforced')
  lines.push('', '</details>', '')
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

export function markdownReport(report: GateReport, limitBytes = SUMMARY_LIMIT_BYTES, options: MarkdownOptions = {}): string {
  const note = enforcementNote(report)
  const headline = [`## ${ICON[report.decision]} Error budget gate: ${HEADLINE[report.decision]}${note ? ` (${escapeMarkdown(note)})` : ''}`, '']
  const why = [`**${escapeMarkdown(whyLine(report))}**`, '']
  const gateReasons = report.reasons.map((reason) => `- ${escapeMarkdown(reason)}`)
  const policy = policyLines(report)
  // Rows in display order, each with its service (a heading precedes each service's rows).
  const rows = byService(report.slos).flatMap((group) => group.slos.map((slo) => ({ group, text: row(slo) })))
  const reasons = report.slos
    .filter((slo) => slo.decision !== 'allow')
    .map((slo) => `**${escapeMarkdown(slo.id)}** (${slo.decision}):\n${slo.reasons.map((r) => `- ${escapeMarkdown(r)}`).join('\n')}\n`)
  const run = options.runUrl && /^https?:\/\/[^\s()<>]+$/.test(options.runUrl) ? ` [Workflow run](${options.runUrl}).` : ''
  const footer = `\nEvaluated at ${report.evaluatedAt}${report.prometheus ? ` against ${escapeMarkdown(report.prometheus)}` : ''}. Exit code ${report.exitCode}.${run}\n`
  const workings = options.workings === false ? [] : [evaluationDetails(report), ...report.slos.map(details)]
  const chart = burnDownSection(report, options)

  const tables = (rowCount: number): string[] => {
    const lines: string[] = []
    let current: (typeof rows)[number]['group'] | undefined
    for (const { group, text } of rows.slice(0, rowCount)) {
      if (group !== current) {
        if (current) lines.push('')
        const count = group.slos.length
        lines.push(`### ${ICON[group.decision]} ${escapeMarkdown(group.service)}: ${group.decision} (${count} SLO${count === 1 ? '' : 's'})`, '', ...TABLE_HEAD)
        current = group
      }
      lines.push(text)
    }
    return lines
  }

  const assemble = (reasonCount: number, rowCount: number, withReasons: boolean, withWorkings: boolean, withCharts = withReasons): string => {
    const parts = [...headline, ...why, ...gateReasons.slice(0, reasonCount)]
    if (reasonCount < gateReasons.length) parts.push(`- _${gateReasons.length - reasonCount} more not shown (summary size limit); the JSON report has them all._`)
    parts.push('', ...policy, ...tables(rowCount))
    if (rowCount < rows.length) parts.push('', `_${rows.length - rowCount} more SLOs not shown (summary size limit); the JSON report has them all._`)
    parts.push('')
    if (withReasons) parts.push(...reasons)
    parts.push(footer)
    if (withCharts && chart) parts.push(chart)
    if (withWorkings) parts.push(...workings)
    return parts.join('\n')
  }
  const fits = (text: string) => Buffer.byteLength(text) <= limitBytes
  // Drop the least important parts first: the workings, then the per-SLO reasons, then table
  // rows, then the overall reasons (the headline, the why and the footer always stay).
  // Drop order: the workings, then the charts, then the per-SLO reasons, then rows.
  for (const [withReasons, withWorkings, withCharts] of [
    [true, true, true],
    [true, false, true],
    [true, false, false],
    [false, false, false]
  ] as const) {
    const text = assemble(gateReasons.length, rows.length, withReasons, withWorkings, withCharts)
    if (fits(text)) return text
  }
  if (fits(assemble(gateReasons.length, 0, false, false))) {
    return assemble(gateReasons.length, largestFitting(rows.length, (n) => fits(assemble(gateReasons.length, n, false, false))), false, false)
  }
  const reasonCount = largestFitting(gateReasons.length, (n) => fits(assemble(n, 0, false, false)))
  // Below the size of a headline and a footer, nothing readable fits: cut the text itself.
  return truncateBytes(assemble(reasonCount, 0, false, false), limitBytes)
}
