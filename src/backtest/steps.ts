// The instants a backtest evaluates, and how they are split into range queries. Pure.
//
// Steps are whole multiples of the step from the unix epoch (hourly steps fall on the hour,
// daily ones at 00:00 UTC), so they read well and every Prometheus-compatible server evaluates
// exactly the instants asked for (VictoriaMetrics aligns range queries to the step anyway).
import { MAX_RANGE_POINTS } from '../prometheus/response.js'

/** Most steps a backtest evaluates (10 years of hourly steps): beyond that, use a longer step. */
export const MAX_STEPS = 100_000

/** The aligned instants in [from, to], oldest first: every multiple of `step` seconds. */
export function stepTimes(from: number, to: number, step: number): number[] {
  if (!(step > 0) || !Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError(`invalid backtest range: from ${from}, to ${to}, step ${step}`)
  const first = Math.ceil(from / step)
  const last = Math.floor(to / step)
  if (last - first + 1 > MAX_STEPS) throw new RangeError(`a backtest of more than ${MAX_STEPS} steps: use a longer step`)
  const times: number[] = []
  for (let k = first; k <= last; k++) times.push(k * step)
  return times
}

export interface Chunk {
  /** Index of the chunk's first step in the whole list. */
  offset: number
  start: number
  end: number
  /** Steps in the chunk. */
  count: number
}

/**
 * Consecutive steps split into range queries of at most `maxPoints` points each (Prometheus
 * refuses more than 11,000 points per series).
 */
export function chunkSteps(times: readonly number[], step: number, maxPoints: number = MAX_RANGE_POINTS): Chunk[] {
  const size = Math.max(1, Math.min(Math.floor(maxPoints), MAX_RANGE_POINTS))
  const chunks: Chunk[] = []
  for (let offset = 0; offset < times.length; offset += size) {
    const count = Math.min(size, times.length - offset)
    chunks.push({ offset, start: times[offset], end: times[offset] + (count - 1) * step, count })
  }
  return chunks
}
