// Calendar-aligned windows (OpenSLO `isRolling: false`): weeks, months, quarters and years that
// start at a wall-clock time in an IANA time zone. The budget is for the whole period and starts
// afresh with the next one; the period's length follows the calendar (31 days, or 31 days less
// an hour when the clocks go forward). Pure: Intl does the time-zone arithmetic, no I/O.
import type { CalendarWindow } from '../config/model.js'

export interface CalendarPeriod {
  /** Unix seconds: the first instant of the period, and the first instant of the next one. */
  start: number
  end: number
  lengthSeconds: number
  /** From the start to the evaluation time (clamped to the period). */
  elapsedSeconds: number
  remainingSeconds: number
  /** elapsed / length, 0 to 1. */
  elapsedFraction: number
}

/** A wall-clock date and time, without a zone. month 1-12. */
export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric'
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** The wall clock in `timeZone` at an instant (unix seconds). */
export function wallClockAt(seconds: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {}
  for (const part of formatter(timeZone).formatToParts(new Date(seconds * 1000))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value)
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour === 24 ? 0 : parts.hour, minute: parts.minute, second: parts.second }
}

function asUtc(w: WallClock): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) / 1000
}

/** The zone's offset from UTC at an instant, in seconds (3600 for CET). */
function offsetAt(seconds: number, timeZone: string): number {
  return asUtc(wallClockAt(seconds, timeZone)) - Math.floor(seconds)
}

/**
 * The instant a wall-clock time happens in `timeZone`. Twice in an autumn hour: the first
 * (earlier) one. Never in a spring gap: the instant the clocks jump to (00:30 in a gap from
 * 00:00 to 01:00 is 01:00, the period then starts when the day does).
 */
export function instantOf(w: WallClock, timeZone: string): number {
  const naive = asUtc(w)
  const candidates = new Set<number>()
  for (const probe of [naive - 86400, naive, naive + 86400]) candidates.add(naive - offsetAt(probe, timeZone))
  const exact = [...candidates].filter((t) => asUtc(wallClockAt(t, timeZone)) === naive).sort((a, b) => a - b)
  if (exact.length > 0) return exact[0]
  // A gap: the first instant whose wall clock is past the asked-for one.
  const before = naive - offsetAt(naive - 86400, timeZone)
  const after = naive - offsetAt(naive + 86400, timeZone)
  let lo = Math.min(before, after) - 7200
  let hi = Math.max(before, after) + 7200
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (asUtc(wallClockAt(mid, timeZone)) >= naive) hi = mid
    else lo = mid
  }
  return hi
}

/** Adds whole calendar units to a wall clock; a day past the month's end is clamped (Jan 31 + 1 month = Feb 28/29). */
function addUnits(w: WallClock, amount: number, unit: CalendarWindow['unit']): WallClock {
  if (unit === 'week') {
    const date = new Date(Date.UTC(w.year, w.month - 1, w.day + 7 * amount))
    return { ...w, year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }
  }
  const months = amount * (unit === 'month' ? 1 : unit === 'quarter' ? 3 : 12)
  const index = w.year * 12 + (w.month - 1) + months
  const year = Math.floor(index / 12)
  const month = index - year * 12 + 1
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return { ...w, year, month, day: Math.min(w.day, lastDay) }
}

/** "2022-01-01T12:00:00" → a wall clock. */
export function parseWallClock(text: string): WallClock {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text)
  if (!match) throw new Error(`not a wall-clock time: ${text}`)
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number)
  return { year, month, day, hour, minute, second }
}

/** Periods begin at the anchor: OpenSLO's startTime, or Monday / the 1st / January 1st at midnight. */
function anchorOf(window: CalendarWindow): WallClock {
  if (window.anchor) return parseWallClock(window.anchor)
  // 1970-01-05 was a Monday; months, quarters and years count from January 1970.
  return { year: 1970, month: 1, day: window.unit === 'week' ? 5 : 1, hour: 0, minute: 0, second: 0 }
}

const NOMINAL: Record<CalendarWindow['unit'], number> = { week: 7 * 86400, month: 30.436875 * 86400, quarter: 91.310625 * 86400, year: 365.2425 * 86400 }

/** The period that holds the instant `at` (unix seconds). */
export function calendarPeriod(at: number, window: CalendarWindow): CalendarPeriod {
  const anchor = anchorOf(window)
  const startOf = (k: number) => instantOf(addUnits(anchor, k * window.count, window.unit), window.timeZone)
  const origin = startOf(0)
  let k = Math.floor((at - origin) / (NOMINAL[window.unit] * window.count))
  while (startOf(k) > at) k--
  while (startOf(k + 1) <= at) k++
  const start = startOf(k)
  const end = startOf(k + 1)
  const elapsedSeconds = Math.min(Math.max(at - start, 0), end - start)
  return {
    start,
    end,
    lengthSeconds: end - start,
    elapsedSeconds,
    remainingSeconds: end - start - elapsedSeconds,
    elapsedFraction: elapsedSeconds / (end - start)
  }
}

/** "month (Europe/Berlin)", "2 weeks from Saturday 12:00 (America/New_York)": how the report names a calendar window. */
export function describeCalendar(window: CalendarWindow): string {
  const unit = window.count === 1 ? window.unit : `${window.count} ${window.unit}s`
  return `calendar ${unit}${window.anchor ? ` from ${window.anchor.replace('T', ' ')}` : ''} (${window.timeZone})`
}
