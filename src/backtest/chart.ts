// The backtest as an SVG chart: a band per row (the overall decision, then each SLO's) coloured
// by decision over time, and the remaining error budget of each SLO as a line below, with the
// freeze (0) and default warn (25%) levels marked. Pure string building, no dependencies.
import type { Decision } from '../policy/settings.js'
import type { BacktestReport } from './report.js'

const WIDTH = 1000
const LEFT = 250
const RIGHT = 20
const TOP = 58
const BAND_HEIGHT = 16
const BAND_GAP = 4
const PLOT_HEIGHT = 220
/** SLO rows and lines drawn at most; the overall band and the lowest budget are always drawn. */
const MAX_SLO_ROWS = 12
const MAX_SLO_LINES = 8

const COLORS: Record<Decision, string> = { allow: '#2da44e', warn: '#d4a72c', freeze: '#cf222e', error: '#6e7781' }
const LINE_COLORS = ['#0969da', '#8250df', '#bf3989', '#1a7f37', '#9a6700', '#0550ae', '#953800', '#57606a']

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
}

function fixed(value: number): string {
  return String(Number(value.toFixed(1)))
}

/** Tick spacing (seconds) giving about `target` ticks over `span`: whole hours or days. */
function tickStep(span: number, target = 8): number {
  const candidates = [3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400, 91 * 86400, 365 * 86400]
  return candidates.find((c) => span / c <= target) ?? candidates[candidates.length - 1]
}

function tickLabel(seconds: number, step: number): string {
  const iso = new Date(seconds * 1000).toISOString()
  return step >= 86400 ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`
}

export function backtestChart(report: BacktestReport): string {
  const times = report.timeline.map((entry) => Date.parse(entry.time) / 1000)
  const step = report.stepSeconds
  const start = times[0] ?? 0
  const end = (times[times.length - 1] ?? 0) + step
  const plotWidth = WIDTH - LEFT - RIGHT
  const x = (t: number) => LEFT + ((t - start) / Math.max(1, end - start)) * plotWidth

  const sloRows = report.slos.slice(0, MAX_SLO_ROWS)
  const rows: Array<{ label: string; decisions: Decision[] }> = [
    { label: 'overall', decisions: report.timeline.map((e) => e.decision) },
    ...sloRows.map((slo, j) => ({ label: slo.id, decisions: report.timeline.map((e) => e.slos[j].decision) }))
  ]
  const bandsBottom = TOP + rows.length * (BAND_HEIGHT + BAND_GAP) + (report.slos.length > MAX_SLO_ROWS ? 14 : 0)
  const plotTop = bandsBottom + 50
  const plotBottom = plotTop + PLOT_HEIGHT
  const height = plotBottom + 70

  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`)
  parts.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`)
  parts.push(`<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${escapeXml(`Error budget backtest: ${report.from} → ${report.to}, every ${report.step}`)}</text>`)
  const summary = `frozen ${report.freeze.hours} h (${report.freeze.days.toFixed(1)} days, ${(report.freeze.share * 100).toFixed(1)}%) in ${report.freeze.count} freeze${report.freeze.count === 1 ? '' : 's'}, ${report.toggles} toggle${report.toggles === 1 ? '' : 's'}`
  parts.push(`<text x="${LEFT}" y="40" fill="#57606a">${escapeXml(summary)}</text>`)

  // Decision bands: one rectangle per run of equal decisions.
  rows.forEach((row, r) => {
    const y = TOP + r * (BAND_HEIGHT + BAND_GAP)
    parts.push(`<text x="${LEFT - 8}" y="${y + BAND_HEIGHT - 4}" text-anchor="end">${escapeXml(truncate(row.label, 38))}</text>`)
    let from = 0
    for (let i = 1; i <= row.decisions.length; i++) {
      if (i < row.decisions.length && row.decisions[i] === row.decisions[from]) continue
      const x0 = x(times[from])
      const x1 = i < times.length ? x(times[i]) : x(end)
      const decision = row.decisions[from]
      parts.push(`<rect x="${fixed(x0)}" y="${y}" width="${fixed(Math.max(0.5, x1 - x0))}" height="${BAND_HEIGHT}" fill="${COLORS[decision]}"><title>${escapeXml(`${row.label}: ${decision} from ${isoOf(times[from])}`)}</title></rect>`)
      from = i
    }
  })
  if (report.slos.length > MAX_SLO_ROWS) {
    parts.push(`<text x="${LEFT}" y="${bandsBottom - 2}" fill="#57606a">${escapeXml(`${report.slos.length - MAX_SLO_ROWS} more SLOs not drawn; the JSON report has them all`)}</text>`)
  }
  // Legend of the bands.
  let legendX = LEFT
  for (const decision of ['allow', 'warn', 'freeze', 'error'] as Decision[]) {
    parts.push(`<rect x="${legendX}" y="${bandsBottom + 6}" width="10" height="10" fill="${COLORS[decision]}"/>`)
    parts.push(`<text x="${legendX + 14}" y="${bandsBottom + 15}">${decision}</text>`)
    legendX += 70
  }

  // Remaining budget: one line per SLO (or the lowest across SLOs when there are many).
  const lines =
    report.slos.length <= MAX_SLO_LINES
      ? report.slos.map((slo, j) => ({ label: slo.id, values: report.timeline.map((e) => e.slos[j].budgetRemaining) }))
      : [{ label: 'lowest across SLOs', values: report.timeline.map((e) => e.budgetRemaining) }]
  const known = lines.flatMap((line) => line.values.filter((v): v is number => v !== null))
  const yMin = Math.min(0, ...known)
  const yMax = Math.max(1, ...known)
  const y = (value: number) => plotBottom - ((value - yMin) / (yMax - yMin)) * PLOT_HEIGHT
  parts.push(`<text x="${LEFT}" y="${plotTop - 10}" font-weight="bold">Error budget remaining</text>`)
  parts.push(`<rect x="${LEFT}" y="${plotTop}" width="${plotWidth}" height="${PLOT_HEIGHT}" fill="none" stroke="#d0d7de"/>`)
  for (const [level, label, dash] of [
    [1, '100%', ''],
    [0.25, '25% (warn)', ' stroke-dasharray="4 3"'],
    [0, '0 (freeze)', '']
  ] as const) {
    parts.push(`<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${fixed(y(level))}" y2="${fixed(y(level))}" stroke="${level === 0 ? '#cf222e' : '#8c959f'}"${dash}/>`)
    parts.push(`<text x="${LEFT - 8}" y="${fixed(y(level) + 4)}" text-anchor="end" fill="#57606a">${label}</text>`)
  }
  if (yMin < 0) parts.push(`<text x="${LEFT - 8}" y="${fixed(plotBottom)}" text-anchor="end" fill="#57606a">${escapeXml(`${(yMin * 100).toFixed(0)}%`)}</text>`)
  lines.forEach((line, l) => {
    const color = LINE_COLORS[l % LINE_COLORS.length]
    for (const segment of segments(line.values)) {
      const points = segment.map((i) => `${fixed(x(times[i] + step / 2))},${fixed(y(line.values[i]!))}`).join(' ')
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"/>`)
    }
    const ly = plotBottom + 40 + Math.floor(l / 3) * 14
    const lx = LEFT + (l % 3) * 250
    parts.push(`<line x1="${lx}" x2="${lx + 16}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`)
    parts.push(`<text x="${lx + 20}" y="${ly}">${escapeXml(truncate(line.label, 36))}</text>`)
  })

  // Time axis.
  const tick = tickStep(end - start)
  for (let t = Math.ceil(start / tick) * tick; t <= end; t += tick) {
    const tx = fixed(x(t))
    parts.push(`<line x1="${tx}" x2="${tx}" y1="${plotBottom}" y2="${plotBottom + 5}" stroke="#57606a"/>`)
    parts.push(`<text x="${tx}" y="${plotBottom + 18}" text-anchor="middle" fill="#57606a">${tickLabel(t, tick)}</text>`)
  }
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

function isoOf(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text
}

/** Runs of consecutive indexes with a value (null breaks a line). */
function segments(values: readonly (number | null)[]): number[][] {
  const result: number[][] = []
  let current: number[] = []
  values.forEach((value, i) => {
    if (value === null) {
      if (current.length > 0) result.push(current)
      current = []
    } else current.push(i)
  })
  if (current.length > 0) result.push(current)
  return result
}
