// Prometheus-style durations: windows are keyed by their canonical text in reports, so parse and
// format must agree with each other and with Prometheus ("60m" is the same window as "1h").
import { describe, expect, it } from '@jest/globals'

import { canonicalDuration, formatDuration, parseDuration } from '../../src/duration.js'

describe('parseDuration', () => {
  it.each([
    ['5m', 300],
    ['30m', 1800],
    ['1h', 3600],
    ['2h', 7200],
    ['6h', 21600],
    ['1d', 86400],
    ['3d', 259200],
    ['28d', 28 * 86400],
    ['30d', 2592000],
    ['1w', 604800],
    ['1y', 365 * 86400],
    ['90s', 90],
    ['1h30m', 5400],
    ['1d12h', 129600],
    ['1y2w3d4h5m6s', 365 * 86400 + 14 * 86400 + 3 * 86400 + 4 * 3600 + 5 * 60 + 6],
    ['500ms', 0.5],
    ['1s500ms', 1.5],
    ['60m', 3600],
    [' 5m ', 300]
  ])('%j is %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds)
  })

  it.each(['', ' ', '5', '1x', '-5m', '+5m', '5 m', '1.5h', 'm', '5M', '5mm', '1h1d', '0s', '0d', '5m-', 'abc', '1e3s'])(
    'rejects %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined()
    }
  )
})

describe('formatDuration', () => {
  it.each([
    [300, '5m'],
    [3600, '1h'],
    [5400, '1h30m'],
    [86400, '1d'],
    [2592000, '30d'],
    // Weeks and years are not used on output: "30d" and "7d" read better.
    [604800, '7d'],
    [365 * 86400, '365d'],
    [90061, '1d1h1m1s'],
    [59, '59s']
  ])('%d seconds is %j', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text)
  })

  it('keeps sub-second parts instead of rounding them away', () => {
    expect(formatDuration(0.5)).toBe('500ms')
    expect(formatDuration(1.5)).toBe('1s500ms')
    expect(formatDuration(0.001)).toBe('1ms')
  })

  it('formats nothing (or nonsense) as 0s', () => {
    expect(formatDuration(0)).toBe('0s')
    expect(formatDuration(-5)).toBe('0s')
    expect(formatDuration(Number.NaN)).toBe('0s')
  })
})

describe('round trips', () => {
  it.each(['5m', '30m', '1h', '2h', '6h', '1d', '3d', '28d', '30d', '90d', '1h30m', '1d1h1m1s', '45s', '500ms', '2m500ms'])(
    'canonical %j survives parse → format → parse',
    (text) => {
      const seconds = parseDuration(text)!
      expect(formatDuration(seconds)).toBe(text)
      expect(parseDuration(formatDuration(seconds))).toBe(seconds)
    }
  )

  it.each([1, 59, 60, 61, 3599, 3600, 86399, 86400, 86401, 2592000, 123456789])('%d seconds survives format → parse', (seconds) => {
    expect(parseDuration(formatDuration(seconds))).toBe(seconds)
  })

  it.each([
    ['60m', '1h'],
    ['24h', '1d'],
    ['1w', '7d'],
    ['4w2d', '30d'],
    ['720h', '30d'],
    ['90m', '1h30m'],
    ['3600s', '1h'],
    ['1000ms', '1s']
  ])('canonicalDuration(%j) is %j', (text, canonical) => {
    expect(canonicalDuration(text)).toBe(canonical)
  })

  it.each(['', '5', '1x', '-5m'])('canonicalDuration(%j) is undefined', (text) => {
    expect(canonicalDuration(text)).toBeUndefined()
  })
})
