// Our own SLO format (apiVersion: error-budget-gate/v1). Strict: unknown fields are errors,
// because a misspelt field silently ignored is a policy silently not applied. The `.meta()`
// annotations go into the generated JSON Schema (src/config/json-schema.ts), for editors.
import * as z from 'zod'
import { parseDuration } from '../duration.js'
import { policySchema } from './policy-schema.js'
import { recordedSchema } from './recorded.js'
import { name, objectivePercent, SELECTOR_PATTERN, windowedQuery } from './shared-schema.js'

export const NATIVE_API_VERSION = 'error-budget-gate/v1'

/** Prometheus durations as parseDuration reads them ("30d", "4w", "1h30m"), for the JSON Schema. */
export const DURATION_JSON_PATTERN = '^([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$'
const WINDOW_JSON_PATTERN = '\\{\\{\\s*\\.window\\s*\\}\\}'

/** A counter selector such as `http_requests_total{code=~"5.."}`; the planner wraps it. */
const counterSelector = z
  .string({ error: 'expected a counter selector such as http_requests_total{job="api"}' })
  .trim()
  .regex(SELECTOR_PATTERN, {
    error: 'expected a plain counter selector such as http_requests_total{job="api",code=~"5.."} (no functions and no range: the gate wraps it in sum(increase(...[window])))'
  })
  .refine((text) => text.length > 0, { error: 'expected a counter selector, got an empty string' })
  .meta({ description: 'A plain counter selector (no functions, no range), e.g. http_requests_total{service="checkout",code="500"}: the gate queries sum(increase(<selector>[window])).', minLength: 1 })

const query = (description: string) => windowedQuery.meta({ description, pattern: WINDOW_JSON_PATTERN })

const sliSchema = z
  .strictObject({
    events: z
      .strictObject({
        errorQuery: query('PromQL counting failed events over {{.window}}, e.g. sum(increase(http_requests_total{code="500"}[{{.window}}])).').optional(),
        goodQuery: query('PromQL counting good events over {{.window}} (instead of errorQuery).').optional(),
        totalQuery: query('PromQL counting all events over {{.window}}.')
      })
      .refine((events) => (events.errorQuery === undefined) !== (events.goodQuery === undefined), {
        error: 'give exactly one of errorQuery or goodQuery, with totalQuery'
      })
      .meta({ description: 'Event queries: errorQuery or goodQuery, and totalQuery, each a PromQL template with {{.window}}.', oneOf: [{ required: ['errorQuery'] }, { required: ['goodQuery'] }] })
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
      .meta({ description: 'Counter selectors: errors or good, and total.', oneOf: [{ required: ['errors'] }, { required: ['good'] }] })
      .optional(),
    raw: z
      .strictObject({ errorRatioQuery: query('PromQL returning errors/total (0 to 1) over {{.window}}.') })
      .meta({ description: 'One error-ratio query. Prefer counters or events: the report cannot show event counts for a ratio.' })
      .optional(),
    recorded: recordedSchema.optional()
  })
  .refine((sli) => [sli.events, sli.counters, sli.raw, sli.recorded].filter((x) => x !== undefined).length === 1, {
    error: 'give exactly one of sli.events (errorQuery or goodQuery, and totalQuery), sli.counters (errors or good, and total), sli.raw (errorRatioQuery) or sli.recorded (sloth or pyrra)'
  })
  .meta({ description: 'The SLI, in exactly one form: counters, events, raw or recorded.', oneOf: [{ required: ['counters'] }, { required: ['events'] }, { required: ['raw'] }, { required: ['recorded'] }] })

const sloSchema = z.strictObject({
  name: name.meta({ description: 'The SLO name; service/name must be unique across all files.' }),
  description: z.string().optional(),
  objective: objectivePercent.meta({ description: 'The objective as a percentage, e.g. 99.9 (at least 1, below 100).', minimum: 1, exclusiveMaximum: 100 }),
  window: z
    .string({ error: 'expected a duration such as "30d" or "28d"' })
    .refine((text) => parseDuration(text) !== undefined, {
      error: (issue) => `expected a duration such as "30d" or "28d", got ${JSON.stringify(issue.input)}`
    })
    .meta({ description: 'The rolling SLO window (default 30d): a Prometheus duration such as 30d, 28d, 4w or 7d. Burn-rate thresholds scale with it.', pattern: DURATION_JSON_PATTERN, default: '30d' })
    .optional(),
  sli: sliSchema,
  policy: policySchema.optional().meta({ description: 'Policy overrides for this SLO only.' })
})

const serviceSchema = z.strictObject({
  name,
  policy: policySchema.optional().meta({ description: "Policy overrides for this service's SLOs." }),
  slos: z.array(sloSchema).min(1, { error: 'expected at least one SLO' })
})

export const nativeDocumentSchema = z
  .strictObject({
    apiVersion: z.literal(NATIVE_API_VERSION),
    kind: z.literal('SLOs').optional(),
    service: name.optional().meta({ description: 'The service the SLOs of `slos` belong to.' }),
    policy: policySchema.optional().meta({ description: 'Policy overrides for every SLO of this document.' }),
    slos: z.array(sloSchema).min(1, { error: 'expected at least one SLO' }).optional(),
    services: z.array(serviceSchema).min(1, { error: 'expected at least one service' }).optional().meta({ description: 'Several services, each with its name, slos and optional policy (instead of service and slos).' })
  })
  .refine((doc) => (doc.services === undefined) !== (doc.service === undefined && doc.slos === undefined) , {
    error: 'give either `service` with `slos`, or a `services` list (each with name and slos), not both'
  })
  .refine((doc) => doc.services !== undefined || (doc.service !== undefined && doc.slos !== undefined), {
    error: 'a document without `services` needs both `service` and `slos`'
  })
  .meta({ oneOf: [{ required: ['apiVersion', 'service', 'slos'], not: { required: ['services'] } }, { required: ['apiVersion', 'services'], not: { anyOf: [{ required: ['service'] }, { required: ['slos'] }] } }] })

export type NativeDocument = z.infer<typeof nativeDocumentSchema>
export type NativeSlo = z.infer<typeof sloSchema>
