// Our own SLO format (apiVersion: error-budget-gate/v1). Strict: unknown fields are errors,
// because a misspelt field silently ignored is a policy silently not applied.
import { z } from 'zod'
import { parseDuration } from '../duration.js'
import { policySchema } from './policy-schema.js'
import { name, objectivePercent, windowedQuery } from './shared-schema.js'

export const NATIVE_API_VERSION = 'error-budget-gate/v1'

/** A counter selector such as `http_requests_total{code=~"5.."}`; the planner wraps it. */
const counterSelector = z
  .string({ error: 'expected a counter selector such as http_requests_total{job="api"}' })
  .trim()
  .regex(/^([a-zA-Z_:][a-zA-Z0-9_:]*)?(\{.*\})?$/s, {
    error: 'expected a plain counter selector such as http_requests_total{job="api",code=~"5.."} (no functions and no range: the gate wraps it in sum(increase(...[window])))'
  })
  .refine((text) => text.length > 0, { error: 'expected a counter selector, got an empty string' })

const sliSchema = z
  .strictObject({
    events: z
      .strictObject({
        errorQuery: windowedQuery.optional(),
        goodQuery: windowedQuery.optional(),
        totalQuery: windowedQuery
      })
      .refine((events) => (events.errorQuery === undefined) !== (events.goodQuery === undefined), {
        error: 'give exactly one of errorQuery or goodQuery, with totalQuery'
      })
      .optional(),
    counters: z
      .strictObject({
        errors: counterSelector.optional(),
        good: counterSelector.optional(),
        total: counterSelector
      })
      .refine((counters) => (counters.errors === undefined) !== (counters.good === undefined), {
        error: 'give exactly one of errors or good, with total'
      })
      .optional(),
    raw: z.strictObject({ errorRatioQuery: windowedQuery }).optional()
  })
  .refine((sli) => [sli.events, sli.counters, sli.raw].filter((x) => x !== undefined).length === 1, {
    error: 'give exactly one of sli.events (errorQuery or goodQuery, and totalQuery), sli.counters (errors or good, and total) or sli.raw (errorRatioQuery)'
  })

const sloSchema = z.strictObject({
  name,
  description: z.string().optional(),
  objective: objectivePercent,
  window: z
    .string({ error: 'expected a duration such as "30d" or "28d"' })
    .refine((text) => parseDuration(text) !== undefined, {
      error: (issue) => `expected a duration such as "30d" or "28d", got ${JSON.stringify(issue.input)}`
    })
    .optional(),
  sli: sliSchema,
  policy: policySchema.optional()
})

const serviceSchema = z.strictObject({
  name,
  policy: policySchema.optional(),
  slos: z.array(sloSchema).min(1, { error: 'expected at least one SLO' })
})

export const nativeDocumentSchema = z
  .strictObject({
    apiVersion: z.literal(NATIVE_API_VERSION),
    kind: z.literal('SLOs').optional(),
    service: name.optional(),
    policy: policySchema.optional(),
    slos: z.array(sloSchema).min(1, { error: 'expected at least one SLO' }).optional(),
    services: z.array(serviceSchema).min(1, { error: 'expected at least one service' }).optional()
  })
  .refine((doc) => (doc.services === undefined) !== (doc.service === undefined && doc.slos === undefined) , {
    error: 'give either `service` with `slos`, or a `services` list (each with name and slos), not both'
  })
  .refine((doc) => doc.services !== undefined || (doc.service !== undefined && doc.slos !== undefined), {
    error: 'a document without `services` needs both `service` and `slos`'
  })

export type NativeDocument = z.infer<typeof nativeDocumentSchema>
export type NativeSlo = z.infer<typeof sloSchema>
