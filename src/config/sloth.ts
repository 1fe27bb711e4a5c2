// Sloth `prometheus/v1` specs, read as they are. Sloth ignores fields it does not know, so we
// do too (its files carry alerting, labels and plugin blocks that do not affect the budget);
// what we do read is validated strictly.
import * as z from 'zod'
import { name, objectivePercent, windowedQuery } from './shared-schema.js'

export const SLOTH_VERSION = 'prometheus/v1'
/** Sloth's default SLO period (its --default-slo-period). */
export const SLOTH_DEFAULT_WINDOW = '30d'

/**
 * The alerting block: the gate does not alert, but Sloth refuses a spec whose alerts have no
 * name (unless both are disabled), so a file Sloth rejects is rejected here too.
 */
export const slothAlerting = z
  .looseObject({
    name: z.string().optional(),
    pageAlert: z.looseObject({ disable: z.boolean().optional() }).optional(),
    ticketAlert: z.looseObject({ disable: z.boolean().optional() }).optional(),
    page_alert: z.looseObject({ disable: z.boolean().optional() }).optional(),
    ticket_alert: z.looseObject({ disable: z.boolean().optional() }).optional()
  })
  .refine(
    (alerting) => {
      const page = alerting.pageAlert ?? alerting.page_alert
      const ticket = alerting.ticketAlert ?? alerting.ticket_alert
      const enabled = page?.disable !== true || ticket?.disable !== true
      return !enabled || alerting.name === undefined || alerting.name.trim() !== ''
    },
    { error: 'expected a non-empty alert name while the page or ticket alert is enabled (Sloth rejects this spec too)', path: ['name'] }
  )

const slothSli = z
  .looseObject({
    events: z.looseObject({ error_query: windowedQuery, total_query: windowedQuery }).optional(),
    raw: z.looseObject({ error_ratio_query: windowedQuery }).optional(),
    plugin: z.unknown().optional()
  })
  .refine((sli) => sli.plugin === undefined, {
    error: 'Sloth SLI plugins run Go code inside Sloth and cannot be evaluated by the gate: write the SLI as sli.events or sli.raw',
    path: ['plugin']
  })
  // With a plugin, the message above says it all.
  .refine((sli) => sli.plugin !== undefined || (sli.events === undefined) !== (sli.raw === undefined), {
    error: 'give exactly one of sli.events (error_query and total_query) or sli.raw (error_ratio_query)'
  })

const slothSlo = z.looseObject({
  name,
  objective: objectivePercent,
  description: z.string().optional(),
  sli: slothSli,
  alerting: slothAlerting.optional()
})

export const slothDocumentSchema = z.looseObject({
  version: z.literal(SLOTH_VERSION),
  service: name,
  slos: z.array(slothSlo).min(1, { error: 'expected at least one SLO' })
})

export type SlothDocument = z.infer<typeof slothDocumentSchema>
