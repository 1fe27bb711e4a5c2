// Calendar-aligned windows in IANA time zones: where a period starts and ends, how long it is
// across a daylight-saving change, and how much of it is left. Hand-built cases with known
// answers (the offsets are those of the tz database: CET/CEST, EST/EDT, JST, Chile's midnight
// change).
import { describe, expect, it } from '@jest/globals'

import type { CalendarWindow } from '../../src/config/model.js'
import { calendarPeriod, describeCalendar, instantOf, wallClockAt } from '../../src/engine/calendar.js'

const t = (iso: string) => Date.parse(iso) / 1000
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
const HOUR = 3600

function period(at: string, window: Partial<CalendarWindow> & Pick<CalendarWindow, 'unit' | 'timeZone'>) {
  const p = calendarPeriod(t(at), { count: 1, ...window })
  return { start: iso(p.start), end: iso(p.end), hours: p.lengthSeconds / HOUR, elapsed: p.elapsedSeconds, remaining: p.remainingSeconds, fraction: p.elapsedFraction }
}

describe('calendar months in Europe/Berlin', () => {
  it('March 2024 starts at midnight CET and ends at midnight CEST: 31 days less the hour the clocks went forward', () => {
    // 2024-03-31T01:30Z is 03:30 CEST, after the change at 02:00 CET.
    expect(period('2024-03-31T01:30:00Z', { unit: 'month', timeZone: 'Europe/Berlin' })).toMatchObject({
      start: '2024-02-29T23:00:00Z',
      end: '2024-03-31T22:00:00Z',
      hours: 743
    })
  })

  it('a month boundary is local midnight, not UTC midnight: 23:59:59 UTC on April 30 is already May in Berlin', () => {
    const april = period('2024-04-30T21:59:59Z', { unit: 'month', timeZone: 'Europe/Berlin' })
    expect(april).toMatchObject({ start: '2024-03-31T22:00:00Z', end: '2024-04-30T22:00:00Z', hours: 720, remaining: 1 })
    const may = period('2024-04-30T22:30:00Z', { unit: 'month', timeZone: 'Europe/Berlin' })
    expect(may).toMatchObject({ start: '2024-04-30T22:00:00Z', end: '2024-05-31T22:00:00Z', hours: 744, elapsed: 1800 })
    // The same instant in UTC is still April.
    expect(period('2024-04-30T22:30:00Z', { unit: 'month', timeZone: 'UTC' })).toMatchObject({ start: '2024-04-01T00:00:00Z', end: '2024-05-01T00:00:00Z' })
  })

  it('October has 31 days and an hour (the clocks go back)', () => {
    expect(period('2024-10-15T12:00:00Z', { unit: 'month', timeZone: 'Europe/Berlin' })).toMatchObject({ start: '2024-09-30T22:00:00Z', end: '2024-10-31T23:00:00Z', hours: 745 })
  })

  it('says how much of the period is left', () => {
    const p = calendarPeriod(t('2024-04-16T22:00:00Z'), { unit: 'month', count: 1, timeZone: 'Europe/Berlin' })
    expect(p.elapsedSeconds).toBe(16 * 24 * HOUR)
    expect(p.remainingSeconds).toBe(14 * 24 * HOUR)
    expect(p.elapsedFraction).toBeCloseTo(16 / 30, 12)
  })
})

describe('calendar weeks anchored at an OpenSLO startTime (America/New_York)', () => {
  const window = { unit: 'week' as const, timeZone: 'America/New_York', anchor: '2022-01-01T12:00:00' }

  it('weeks run Saturday noon to Saturday noon local time; the one with the spring change has 167 hours', () => {
    expect(period('2024-03-12T00:00:00Z', window)).toMatchObject({ start: '2024-03-09T17:00:00Z', end: '2024-03-16T16:00:00Z', hours: 167 })
  })

  it('and the one with the autumn change 169 hours', () => {
    expect(period('2024-11-05T00:00:00Z', window)).toMatchObject({ start: '2024-11-02T16:00:00Z', end: '2024-11-09T17:00:00Z', hours: 169 })
  })

  it('an instant exactly at a boundary belongs to the period it starts', () => {
    expect(period('2024-03-16T16:00:00Z', window)).toMatchObject({ start: '2024-03-16T16:00:00Z', elapsed: 0 })
  })

  it('counts 2-week periods from the anchor', () => {
    const twoWeeks = { ...window, count: 2 }
    // 2022-01-01 + 58 × 2 weeks = 2024-03-23 (Saturday).
    expect(period('2024-03-25T00:00:00Z', twoWeeks)).toMatchObject({ start: '2024-03-23T16:00:00Z', end: '2024-04-06T16:00:00Z', hours: 336 })
  })
})

describe('other units and zones', () => {
  it('ISO weeks start on Monday at midnight by default', () => {
    expect(period('2024-03-13T00:00:00Z', { unit: 'week', timeZone: 'UTC' })).toMatchObject({ start: '2024-03-11T00:00:00Z', end: '2024-03-18T00:00:00Z', hours: 168 })
  })

  it('quarters begin in January, April, July and October (Asia/Tokyo, UTC+9, no DST)', () => {
    expect(period('2025-02-10T00:00:00Z', { unit: 'quarter', timeZone: 'Asia/Tokyo' })).toMatchObject({ start: '2024-12-31T15:00:00Z', end: '2025-03-31T15:00:00Z', hours: 90 * 24 })
  })

  it('years, and months anchored on the 31st (clamped to the end of shorter months)', () => {
    expect(period('2024-06-01T00:00:00Z', { unit: 'year', timeZone: 'UTC' })).toMatchObject({ start: '2024-01-01T00:00:00Z', end: '2025-01-01T00:00:00Z', hours: 366 * 24 })
    expect(period('2024-02-15T00:00:00Z', { unit: 'month', timeZone: 'UTC', anchor: '2024-01-31T00:00:00' })).toMatchObject({ start: '2024-01-31T00:00:00Z', end: '2024-02-29T00:00:00Z' })
  })

  it('a period whose local midnight does not exist (Chile moves 00:00 to 01:00) starts when the day does', () => {
    expect(period('2024-09-10T00:00:00Z', { unit: 'week', timeZone: 'America/Santiago', anchor: '2024-01-07T00:00:00' })).toMatchObject({
      start: '2024-09-08T04:00:00Z',
      end: '2024-09-15T03:00:00Z',
      hours: 167
    })
  })
})

describe('wall clocks', () => {
  it('an autumn hour that happens twice is its first occurrence; a spring hour that does not is when the clocks jump to', () => {
    expect(iso(instantOf({ year: 2024, month: 10, day: 27, hour: 1, minute: 30, second: 0 }, 'Europe/London'))).toBe('2024-10-27T00:30:00Z')
    expect(iso(instantOf({ year: 2024, month: 3, day: 31, hour: 1, minute: 30, second: 0 }, 'Europe/London'))).toBe('2024-03-31T01:00:00Z')
    expect(wallClockAt(t('2024-03-31T01:30:00Z'), 'Europe/London')).toEqual({ year: 2024, month: 3, day: 31, hour: 2, minute: 30, second: 0 })
  })

  it('names a window for the report', () => {
    expect(describeCalendar({ unit: 'month', count: 1, timeZone: 'Europe/Berlin' })).toBe('calendar month (Europe/Berlin)')
    expect(describeCalendar({ unit: 'week', count: 2, timeZone: 'America/New_York', anchor: '2022-01-01T12:00:00' })).toBe('calendar 2 weeks from 2022-01-01 12:00:00 (America/New_York)')
  })
})
