// Sloth's Kubernetes documents, read as they are: `sloth.slok.dev/v1` `PrometheusServiceLevel`
// (the CRD form of a prometheus/v1 spec, with camelCase SLI fields) and `AlertWindows` (the
// burn-rate windows Sloth uses for one SLO period, e.g. examples/windows/7d.yaml).
import * as z from 'zod'
import { parseDuration } from '../duration.js'
import type { BudgetShareRule } from '../policy/burn-windows.js'
import { name, objectivePercent, windowedQuery } from './shared-schema.js'
import { slothAlerting } from './sloth.js'

export const SLOTH_K8S_API_VERSION = 'sloth.slok.dev/v1'

const k8sSli = z
  .looseObject({
    events: z.looseObject({ errorQuery: windowedQuery, totalQuery: windowedQuery }).optional(),
    raw: z.looseObject({ errorRatioQuery: windowedQuery }).optional(),
    plugin: z.unknown().optional()
  })
  .refine((sli) => sli.plugin === undefined, {
    error: 'Sloth SLI plugins run Go code inside Sloth and cannot be evaluated by the gate: write the SLI as sli.events or sli.raw',
    path: ['plugin']
  })
  .refine((sli) => sli.plugin !== undefined || (sli.events === undefined) !== (sli.raw === undefined), {
    error: 'give exactly one of sli.events (errorQuery and totalQuery) or sli.raw (errorRatioQuery)'
  })

const k8sSlo = z.looseObject({
  name,
  objective: objectivePercent,
  description: z.string().optional(),
  sli: k8sSli,
  alerting: slothAlerting.optional()
})

export const slothK8sDocumentSchema = z.looseObject({
  apiVersion: z.literal(SLOTH_K8S_API_VERSION),
  kind: z.literal('PrometheusServiceLevel'),
  metadata: z.looseObject({ name: z.string().optional(), namespace: z.string().optional() }).optional(),
  spec: z.looseObject({
    service: name,
    slos: z.array(k8sSlo).min(1, { error: 'expected at least one SLO' })
  })
})

export type SlothK8sDocument = z.infer<typeof slothK8sDocumentSchema>

const duration = z
  .string({ error: 'expected a duration such as "5m" or "1h"' })
  .refine((text) => parseDuration(text) !== undefined, {
    error: (issue) => `expected a duration such as "5m" or "1h", got ${JSON.stringify(issue.input)}`
  })

const alertWindow = z.looseObject({
  errorBudgetPercent: z
    .number({ error: 'expected the share of the period\'s budget, in percent (e.g. 2)' })
    .positive({ error: 'expected a percentage above 0' })
    .max(100, { error: 'expected a percentage of at most 100' }),
  shortWindow: duration,
  longWindow: duration
})

export const slothAlertWindowsSchema = z.looseObject({
  apiVersion: z.literal(SLOTH_K8S_API_VERSION),
  kind: z.literal('AlertWindows'),
  spec: z.looseObject({
    sloPeriod: duration,
    page: z.looseObject({ quick: alertWindow, slow: alertWindow }),
    ticket: z.looseObject({ quick: alertWindow, slow: alertWindow })
  })
})

export type SlothAlertWindows = z.infer<typeof slothAlertWindowsSchema>

/** The burn-rate rules an AlertWindows document stands for: page freezes, ticket warns. */
export function alertWindowRules(doc: SlothAlertWindows): BudgetShareRule[] {
  const rule = (label: string, w: z.infer<typeof alertWindow>, decision: 'freeze' | 'warn'): BudgetShareRule => ({
    name: label,
    budgetPercent: w.errorBudgetPercent,
    long: w.longWindow,
    short: w.shortWindow,
    decision
  })
  return [
    rule('page: fast burn', doc.spec.page.quick, 'freeze'),
    rule('page: sustained burn', doc.spec.page.slow, 'freeze'),
    rule('ticket: fast burn', doc.spec.ticket.quick, 'warn'),
    rule('ticket: slow burn', doc.spec.ticket.slow, 'warn')
  ]
}
