// Small formatting helpers shared by the text and markdown reports.
import type { Decision } from '../policy/settings.js'
import type { GateReport, SloReport } from './model.js'
import { formatBurn, formatMinutes, formatPercent } from '../policy/decide.js'

export { formatBurn, formatMinutes, formatPercent }

export const HEADLINE: Record<Decision, string> = { allow: 'ALLOWED', warn: 'WARNING', freeze: 'FROZEN', error: 'ERROR' }

/**
 * Text for one line of plain output: line breaks and other control characters (terminal escape
 * sequences included) become spaces, so a name or a server's message cannot add or fake lines.
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
}

/** Burn windows shown in tables, when the SLO has them. */
export const TABLE_BURN_WINDOWS = ['5m', '1h', '6h', '1d', '3d']

export function formatObjective(objective: number): string {
  // 0.999 → "99.9%", 0.9999 → "99.99%": as many digits as the objective has.
  return `${Number((objective * 100).toFixed(6))}%`
}

export function formatSli(slo: SloReport): string {
  if (slo.sli === null) return slo.windows[0]?.status === 'no-traffic' ? 'no events' : 'unknown'
  const digits = Math.max(2, String(Number((slo.objective * 100).toFixed(6))).split('.')[1]?.length ?? 0) + 1
  return `${(slo.sli * 100).toFixed(digits)}%`
}

export function formatBudgetLeft(slo: SloReport): string {
  if (slo.budget.remaining === null) return 'unknown'
  return `${formatPercent(slo.budget.remaining)} (${formatMinutes(slo.budget.remainingMinutes!)})`
}

export function formatBurnRates(slo: SloReport): string {
  return TABLE_BURN_WINDOWS.filter((w) => w in slo.burnRates)
    .map((w) => {
      const burn = slo.burnRates[w]
      return `${w} ${burn === null ? '?' : formatBurn(burn)}`
    })
    .join(', ')
}

/** What the step or command will do, when it differs from the decision's face value. */
export function enforcementNote(report: GateReport): string | undefined {
  // Invalid configuration fails even a dry run (exit 2): no "not enforced" note then.
  if (report.dryRun && report.decision !== 'allow' && report.exitCode === 0) return 'dry run: reported, not enforced'
  if (report.decision === 'error' && report.onError !== 'fail') return `on-error is "${report.onError}": the error does not fail the step`
  return undefined
}

/** One line: the `summary` output and the first line people see. */
export function summaryLine(report: GateReport): string {
  const note = enforcementNote(report)
  const count = report.slos.length
  const affected = report.slos.filter((s) => s.decision === report.decision).length
  const scope = report.decision === 'allow' || count === 0 ? '' : ` (${affected} of ${count} SLO${count === 1 ? '' : 's'})`
  return oneLine(`${HEADLINE[report.decision]}${scope}: ${report.reasons[0] ?? ''}${note ? ` [${note}]` : ''}`)
}
