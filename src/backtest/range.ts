// Range queries for a backtest: every distinct query of the plan over every step, in chunks the
// server accepts, turned back into what an instant query at each step would have answered.
//
// A range query evaluates its expression at start, start + step, … exactly as an instant query at
// each of those times: the matrix holds, per series, the value at each step where the series had
// one. So the instant vector at step k is, for every series, its point at that step (a series
// with no point there is absent, as it would be from the instant answer).
import { mapWithLimit } from '../concurrency.js'
import { describeError } from '../errors.js'
import type { QueryOutcome } from '../engine/readings.js'
import type { RangeQuery } from '../prometheus/client.js'
import type { RangeResult, Sample } from '../prometheus/response.js'
import { chunkSteps, type Chunk } from './steps.js'

/** A step time and a returned timestamp match when they differ by less than this (seconds). */
const TIME_TOLERANCE = 0.0005

/**
 * The instant answers of one chunk, one per step, or a sentence saying why the matrix does not
 * fit the steps asked for (a server that evaluated other instants).
 */
export function splitMatrix(result: RangeResult, chunk: Chunk, step: number): QueryOutcome[] | string {
  const samples: Sample[][] = Array.from({ length: chunk.count }, () => [])
  for (const series of result.series) {
    for (const [time, value] of series.points) {
      const index = Math.round((time - chunk.start) / step)
      if (index < 0 || index >= chunk.count || Math.abs(chunk.start + index * step - time) > TIME_TOLERANCE) {
        return `the server answered the range query with a point at ${time}, which is not one of the steps asked for (${chunk.start} + k × ${step}s): is it aligning the range differently?`
      }
      samples[index].push({ labels: series.labels, value })
    }
  }
  return samples.map((stepSamples) => ({ ok: true, result: { resultType: 'vector', samples: stepSamples, warnings: result.warnings } }))
}

export interface RangeRun {
  /** Per distinct query, its outcome at every step (in the order of the steps). */
  outcomes: Map<string, QueryOutcome[]>
  /** Range requests made (one per query and chunk, not counting the client's retries). */
  calls: number
  /** Each distinct failure once: a query whose range could not be read, and why. */
  failures: string[]
}

export interface RangeRunOptions {
  /** Requests in flight at once. */
  concurrency: number
  /** Most points per range query (default and maximum: Prometheus' 11,000). */
  maxPoints?: number
}

/**
 * Evaluates every distinct query at every step with range queries, chunked so no request has
 * more than `maxPoints` points per series. Never throws: a chunk that fails gives its steps that
 * failure, as the instant queries at those steps would have failed.
 */
export async function runRangeQueries(client: RangeQuery, queries: readonly string[], times: readonly number[], step: number, options: RangeRunOptions): Promise<RangeRun> {
  const distinct = [...new Set(queries)]
  const chunks = chunkSteps(times, step, options.maxPoints)
  const outcomes = new Map<string, QueryOutcome[]>(distinct.map((query) => [query, new Array<QueryOutcome>(times.length)]))
  const failures = new Set<string>()
  const jobs = distinct.flatMap((query) => chunks.map((chunk) => ({ query, chunk })))
  await mapWithLimit(jobs, options.concurrency, async ({ query, chunk }) => {
    const target = outcomes.get(query)!
    let answers: QueryOutcome[] | string
    try {
      answers = splitMatrix(await client.queryRange(query, chunk.start, chunk.end, step), chunk, step)
    } catch (error) {
      answers = describeError(error)
    }
    if (typeof answers === 'string') {
      failures.add(`${answers} — query: ${query}`)
      const failure: QueryOutcome = { ok: false, error: answers }
      for (let i = 0; i < chunk.count; i++) target[chunk.offset + i] = failure
      return
    }
    answers.forEach((answer, i) => (target[chunk.offset + i] = answer))
  })
  return { outcomes, calls: jobs.length, failures: [...failures] }
}
