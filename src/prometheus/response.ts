// Validates Prometheus HTTP API bodies (also Thanos, Mimir, VictoriaMetrics: same envelope).
// Sample values arrive as strings; "NaN", "+Inf" and "-Inf" are kept as the numbers they are,
// so the engine can name them instead of treating them as data.
import * as z from 'zod'

export interface Sample {
  labels: Record<string, string>
  value: number
}

export interface InstantResult {
  resultType: 'vector' | 'scalar'
  samples: Sample[]
  /** Server warnings and infos (partial answers, non-counter hints), shown in the report. */
  warnings: string[]
}

const sampleValue = z.tuple([z.number(), z.string()])

/** Text of a field some servers send as a number (VictoriaMetrics' errorType is its HTTP status). */
const text = z.union([z.string(), z.number(), z.boolean()]).transform(String)

const envelope = z.looseObject({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: text.optional().catch(undefined),
  error: text.optional().catch(undefined),
  warnings: z.array(text).optional().catch(undefined),
  infos: z.array(text).optional().catch(undefined),
  /** VictoriaMetrics cluster: some storage nodes did not answer; the data may be incomplete. */
  isPartial: z.boolean().optional().catch(undefined)
})

const PARTIAL_WARNING =
  'the server marked the response as partial (isPartial: true): some storage nodes did not answer, so the numbers may be incomplete'

const vectorItem = z.looseObject({
  metric: z.record(z.string(), z.string()),
  value: sampleValue.optional(),
  histogram: z.unknown().optional()
})

const data = z.discriminatedUnion('resultType', [
  z.looseObject({ resultType: z.literal('vector'), result: z.array(vectorItem) }),
  z.looseObject({ resultType: z.literal('scalar'), result: sampleValue }),
  z.looseObject({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
  z.looseObject({ resultType: z.literal('string'), result: z.unknown() })
])

export type ParsedBody =
  | { ok: true; result: InstantResult }
  | { ok: false; kind: 'prometheus-error'; errorType: string; message: string }
  | { ok: false; kind: 'invalid'; message: string }

/** A decimal float as Go's strconv.FormatFloat writes it ("0.001", "-0.5", "1e+06", "1.2345678e-67"). */
const FLOAT_PATTERN = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

export function parseSampleValue(text: string): number | undefined {
  if (text === 'NaN') return NaN
  if (text === '+Inf' || text === 'Inf') return Infinity
  if (text === '-Inf') return -Infinity
  // Anything else must be a plain decimal: Number() would also read "", " 5 ", "0x10" and "Infinity".
  return FLOAT_PATTERN.test(text) ? Number(text) : undefined
}

/** Why a body could not be read: the server's own error, or a shape the gate cannot use. */
export type ParseFailure = Extract<ParsedBody, { ok: false }>

/** A value for a message, whatever it is (JSON.stringify throws on a BigInt, returns undefined for a symbol). */
function describeValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(typeof value)
  } catch {
    return `a ${typeof value}`
  }
}

/** The response envelope: its failure, or its warnings and still unchecked `data`. */
function readEnvelope(body: unknown): ParseFailure | { ok: true; warnings: string[]; data: unknown } {
  const outer = envelope.safeParse(body)
  if (!outer.success) {
    const status = body !== null && typeof body === 'object' && 'status' in body ? (body as { status: unknown }).status : undefined
    return {
      ok: false,
      kind: 'invalid',
      message:
        status === undefined
          ? 'the body is not a Prometheus API response (no "status" field)'
          : `the body is not a Prometheus API response ("status" is ${describeValue(status)}, expected "success" or "error")`
    }
  }
  const warnings = [...(outer.data.warnings ?? []), ...(outer.data.infos ?? [])]
  if (outer.data.isPartial === true) warnings.push(PARTIAL_WARNING)
  if (outer.data.status === 'error') {
    // An empty text is no text: the message must still say something.
    return { ok: false, kind: 'prometheus-error', errorType: outer.data.errorType?.trim() || 'unknown', message: outer.data.error?.trim() || 'no error text given' }
  }
  return { ok: true, warnings, data: outer.data.data }
}

/** Parses the body of an instant query (`/api/v1/query`). */
export function parseInstantBody(body: unknown): ParsedBody {
  const outer = readEnvelope(body)
  if (!outer.ok) return outer
  const warnings = outer.warnings
  const inner = data.safeParse(outer.data)
  if (!inner.success) return { ok: false, kind: 'invalid', message: 'the response has no valid data.resultType/data.result' }
  const parsed = inner.data
  switch (parsed.resultType) {
    case 'matrix':
      return { ok: false, kind: 'invalid', message: 'the query returned a range vector (matrix); an instant vector was expected: remove the trailing [range] or wrap it in a function such as increase()' }
    case 'string':
      return { ok: false, kind: 'invalid', message: 'the query returned a string; a number was expected' }
    case 'scalar': {
      const value = parseSampleValue(parsed.result[1])
      if (value === undefined) return { ok: false, kind: 'invalid', message: `the scalar value ${JSON.stringify(parsed.result[1])} is not a number` }
      return { ok: true, result: { resultType: 'scalar', samples: [{ labels: {}, value }], warnings } }
    }
    case 'vector': {
      const samples: Sample[] = []
      for (const item of parsed.result) {
        if (!item.value) {
          return {
            ok: false,
            kind: 'invalid',
            message: item.histogram !== undefined
              ? 'the query returned a native histogram; wrap it in histogram_count() or histogram_sum() to get a number'
              : 'a series in the result has no value'
          }
        }
        const value = parseSampleValue(item.value[1])
        if (value === undefined) return { ok: false, kind: 'invalid', message: `the sample value ${JSON.stringify(item.value[1])} is not a number` }
        samples.push({ labels: item.metric, value })
      }
      return { ok: true, result: { resultType: 'vector', samples, warnings } }
    }
  }
}

/** Prometheus refuses range queries with more than 11,000 points per series. */
export const MAX_RANGE_POINTS = 11_000

/** One series of a range query: its labels and its [unix seconds, value] points, oldest first. */
export interface RangeSeries {
  labels: Record<string, string>
  points: Array<[time: number, value: number]>
}

/** The answer of a range query (`/api/v1/query_range`): a matrix. */
export interface RangeResult {
  series: RangeSeries[]
  warnings: string[]
}

export type ParsedRangeBody = { ok: true; result: RangeResult } | ParseFailure

const matrixItem = z.looseObject({
  metric: z.record(z.string(), z.string()),
  values: z.array(sampleValue).optional(),
  histograms: z.unknown().optional()
})

const rangeData = z.looseObject({ resultType: z.string(), result: z.unknown() })

/**
 * Parses the body of a range query. Values are read as instant answers are (NaN and ±Inf kept);
 * a series of native histograms, a timestamp out of order or any other result type is refused
 * with a sentence saying what was wrong.
 */
export function parseRangeBody(body: unknown): ParsedRangeBody {
  const outer = readEnvelope(body)
  if (!outer.ok) return outer
  const inner = rangeData.safeParse(outer.data)
  if (!inner.success) return { ok: false, kind: 'invalid', message: 'the response has no valid data.resultType/data.result' }
  if (inner.data.resultType !== 'matrix') {
    return { ok: false, kind: 'invalid', message: `a range query returned ${JSON.stringify(inner.data.resultType)}; a matrix was expected` }
  }
  const items = z.array(matrixItem).safeParse(inner.data.result)
  if (!items.success) return { ok: false, kind: 'invalid', message: 'the matrix in the response is malformed: each series needs "metric" and "values" as [time, "value"] pairs' }
  const series: RangeSeries[] = []
  for (const item of items.data) {
    if (!item.values) {
      return {
        ok: false,
        kind: 'invalid',
        message: item.histograms !== undefined
          ? 'the query returned native histograms; wrap it in histogram_count() or histogram_sum() to get a number'
          : 'a series in the result has no values'
      }
    }
    const points: Array<[number, number]> = []
    for (const [time, text] of item.values) {
      const value = parseSampleValue(text)
      if (value === undefined) return { ok: false, kind: 'invalid', message: `the sample value ${JSON.stringify(text)} is not a number` }
      if (!Number.isFinite(time) || (points.length > 0 && time <= points[points.length - 1][0])) {
        return { ok: false, kind: 'invalid', message: `the matrix has timestamps out of order (${time} after ${points[points.length - 1]?.[0] ?? 'none'})` }
      }
      points.push([time, value])
    }
    series.push({ labels: item.metric, points })
  }
  return { ok: true, result: { series, warnings: outer.warnings } }
}
