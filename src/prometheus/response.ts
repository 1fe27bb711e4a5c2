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

const envelope = z.looseObject({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
  infos: z.array(z.string()).optional()
})

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

export function parseSampleValue(text: string): number | undefined {
  if (text === 'NaN') return NaN
  if (text === '+Inf' || text === 'Inf') return Infinity
  if (text === '-Inf') return -Infinity
  if (text.trim() === '') return undefined
  const value = Number(text)
  return Number.isNaN(value) ? undefined : value
}

/** Parses the body of an instant query (`/api/v1/query`). */
export function parseInstantBody(body: unknown): ParsedBody {
  const outer = envelope.safeParse(body)
  if (!outer.success) return { ok: false, kind: 'invalid', message: 'the body is not a Prometheus API response (no "status" field)' }
  const warnings = [...(outer.data.warnings ?? []), ...(outer.data.infos ?? [])]
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
