// Validates Prometheus HTTP API bodies (also Thanos, Mimir, VictoriaMetrics: same envelope).
// Sample values arrive as strings; "NaN", "+Inf" and "-Inf" are kept as the numbers they are,
// so the engine can name them instead of treating them as data.
import { z } from 'zod'

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

/** Parses the body of an instant query (`/api/v1/query`). */
export function parseInstantBody(body: unknown): ParsedBody {
  const outer = envelope.safeParse(body)
  if (!outer.success) {
    const status = body !== null && typeof body === 'object' && 'status' in body ? (body as { status: unknown }).status : undefined
    return {
      ok: false,
      kind: 'invalid',
      message:
        status === undefined
          ? 'the body is not a Prometheus API response (no "status" field)'
          : `the body is not a Prometheus API response ("status" is ${JSON.stringify(status)}, expected "success" or "error")`
    }
  }
  const warnings = [...(outer.data.warnings ?? []), ...(outer.data.infos ?? [])]
  if (outer.data.isPartial === true) warnings.push(PARTIAL_WARNING)
  if (outer.data.status === 'error') {
    return { ok: false, kind: 'prometheus-error', errorType: outer.data.errorType ?? 'unknown', message: outer.data.error ?? 'no error text given' }
  }
  const inner = data.safeParse(outer.data.data)
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
