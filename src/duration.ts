// Prometheus-style durations ("5m", "1h30m", "30d"). Windows are keyed by their canonical
// text in reports, so parse and format must round-trip ("60m" is reported as "1h").

const UNIT_SECONDS: Record<string, number> = {
  y: 365 * 86400,
  w: 7 * 86400,
  d: 86400,
  h: 3600,
  m: 60,
  s: 1,
  ms: 0.001
}

const DURATION_PATTERN = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/

/** Seconds in a Prometheus duration, or undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim())
  if (!match || text.trim() === '') return undefined
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms']
  let seconds = 0
  units.forEach((unit, i) => {
    const amount = match[2 + i * 2]
    if (amount !== undefined) seconds += Number(amount) * UNIT_SECONDS[unit]
  })
  return seconds > 0 ? seconds : undefined
}

/**
 * Canonical text of a duration, using the largest units that divide it. Sub-second parts are
 * kept as milliseconds ("500ms", "1s500ms"), so that every parsed duration round-trips.
 */
export function formatDuration(seconds: number): string {
  if (!(seconds > 0) || !Number.isFinite(seconds)) return '0s'
  let rest = Math.round(seconds * 1000)
  let text = ''
  // Weeks and years are left out on purpose: "30d" reads better than "4w2d".
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = Math.round(UNIT_SECONDS[unit] * 1000)
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`
      rest %= size
    }
  }
  return text === '' ? '0s' : text
}

/** Normalises a duration's text ("60m" → "1h"), or undefined when it is not a duration. */
export function canonicalDuration(text: string): string | undefined {
  const seconds = parseDuration(text)
  return seconds === undefined ? undefined : formatDuration(seconds)
}
