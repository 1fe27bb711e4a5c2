// Pyrra `pyrra.dev/v1alpha1` `ServiceLevelObjective` documents, read as they are (the same
// objects Pyrra reads from Kubernetes or from its filesystem mode). Fields that only shape
// Pyrra's own rules and alerts (alerting, partial_response_strategy, ruleOutput, …) are ignored.
import * as z from 'zod'
import { parseDuration } from '../duration.js'
import { name, SELECTOR_PATTERN } from './shared-schema.js'

export const PYRRA_API_VERSION = 'pyrra.dev/v1alpha1'

const selector = z
  .string({ error: 'expected a metric selector such as http_requests_total{job="api"}' })
  .trim()
  .min(1, { error: 'expected a metric selector, got an empty string' })
  .regex(SELECTOR_PATTERN, {
    error: 'expected a plain metric selector such as http_requests_total{job="api",code=~"5.."} (Pyrra wraps it in increase(...[window]) itself)'
  })

const metric = z.looseObject({ metric: selector })
const grouping = z.array(z.string({ error: 'expected a label name' })).optional()

/** Pyrra's target: a string holding a percentage ("99.9"); a plain number is read the same way. */
const target = z
  .union([z.string(), z.number()], { error: 'expected the target as a percentage string, e.g. "99.9"' })
  .transform((value, ctx) => {
    const number = typeof value === 'number' ? value : /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN
    if (Number.isNaN(number)) {
      ctx.addIssue({ code: 'custom', message: `expected the target as a percentage string, e.g. "99.9", got ${JSON.stringify(value)}` })
      return z.NEVER
    }
    if (!(number > 0 && number < 100)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a percentage strictly between 0 and 100 (e.g. "99.9"), got ${JSON.stringify(value)}${number >= 100 ? ': a target of 100% leaves no error budget to spend' : ''}`
      })
      return z.NEVER
    }
    if (number < 1) {
      ctx.addIssue({ code: 'custom', message: `the target is a percentage: write "${Number((number * 100).toPrecision(12))}" for ${Number((number * 100).toPrecision(12))}%, not ${JSON.stringify(value)}` })
      return z.NEVER
    }
    return number
  })

export const pyrraDocumentSchema = z.looseObject({
  apiVersion: z.literal(PYRRA_API_VERSION),
  kind: z.literal('ServiceLevelObjective', { error: 'expected kind ServiceLevelObjective' }),
  metadata: z.looseObject({ name, namespace: z.string().optional() }),
  spec: z.looseObject({
    description: z.string().optional(),
    target,
    window: z
      .string({ error: 'expected a window such as "28d" or "4w"' })
      .refine((text) => parseDuration(text) !== undefined, {
        error: (issue) => `expected a window such as "28d" or "4w", got ${JSON.stringify(issue.input)}`
      }),
    indicator: z.looseObject({
      ratio: z.looseObject({ errors: metric, total: metric, grouping }).optional(),
      latency: z.looseObject({ success: metric, total: metric, grouping }).optional(),
      latencyNative: z.unknown().optional(),
      bool_gauge: z.looseObject({ metric: selector, grouping }).optional()
    })
  })
})

export type PyrraDocument = z.infer<typeof pyrraDocumentSchema>

/**
 * Prometheus 3 writes classic-histogram `le` values as floats (le="1" becomes le="1.0"). Like
 * Pyrra, match both spellings of a whole-number bound: le="1" becomes le=~"1(\.0)?".
 */
export function normaliseLe(selector: string): string {
  return selector.replace(/\ble\s*=\s*"(\d+)"/g, (_, bound: string) => `le=~"${bound}(\\.0)?"`)
}
