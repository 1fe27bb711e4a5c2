// The `policy:` block of native files: every number of the default policy can be overridden,
// per document and per SLO. Later levels override earlier ones field by field; a `burnRates`
// list replaces the inherited list whole (rules are read as a set, not merged one by one).
import { z } from 'zod'
import { parseDuration } from '../duration.js'
import type { BurnRateRule, PolicySettings } from '../policy/settings.js'

const duration = z
  .string({ error: 'expected a duration such as "5m", "1h" or "3d"' })
  .refine((text) => parseDuration(text) !== undefined, {
    error: (issue) => `expected a duration such as "5m", "1h" or "3d", got ${JSON.stringify(issue.input)}`
  })

/** A budget fraction, given as a number (0.25) or a percentage string ("25%"). */
const budgetFraction = z.union(
  [
    z
      .number()
      .min(-10, { error: 'expected a budget fraction from -10 to 1 (e.g. 0.25 for 25%)' })
      .max(1, { error: 'expected a budget fraction from -10 to 1 (e.g. 0.25 for 25%): 1 is the whole budget' }),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?%$/)
      .transform((text) => Number(text.slice(0, -1)) / 100)
  ],
  { error: 'expected a budget fraction between -10 and 1 (e.g. 0.25) or a percentage string (e.g. "25%")' }
)

const burnRateRule = z
  .strictObject({
    name: z.string().min(1).optional(),
    long: duration,
    short: duration,
    threshold: z
      .number({ error: 'expected a burn-rate threshold (a positive number, e.g. 14.4)' })
      .positive({ error: 'expected a burn-rate threshold above 0 (e.g. 14.4)' }),
    decision: z.enum(['freeze', 'warn'], { error: 'expected "freeze" or "warn"' })
  })
  .refine(
    (rule) => {
      // An unreadable duration is already reported on its own field.
      const short = parseDuration(rule.short)
      const long = parseDuration(rule.long)
      return short === undefined || long === undefined || short < long
    },
    {
      error: 'the short window must be shorter than the long window',
      path: ['short']
    }
  )

export const policySchema = z.strictObject({
  budget: z
    .strictObject({
      freezeAtOrBelow: budgetFraction.optional(),
      warnBelow: budgetFraction.optional()
    })
    .optional(),
  burnRates: z.array(burnRateRule).optional(),
  noData: z.enum(['error', 'freeze', 'warn'], { error: 'expected "error", "freeze" or "warn" (no data never allows)' }).optional()
})

export type PolicyOverride = z.infer<typeof policySchema>

export function applyPolicyOverride(base: PolicySettings, override: PolicyOverride | undefined): PolicySettings {
  if (!override) return base
  return {
    freezeWhenBudgetRemainingAtMost: override.budget?.freezeAtOrBelow ?? base.freezeWhenBudgetRemainingAtMost,
    warnWhenBudgetRemainingBelow: override.budget?.warnBelow ?? base.warnWhenBudgetRemainingBelow,
    burnRateRules: override.burnRates ? override.burnRates.map(toRule) : base.burnRateRules,
    onNoData: override.noData ?? base.onNoData
  }
}

function toRule(rule: NonNullable<PolicyOverride['burnRates']>[number]): BurnRateRule {
  return {
    name: rule.name ?? `${rule.decision}: burn ≥ ${rule.threshold}x over ${rule.long} and ${rule.short}`,
    long: rule.long,
    short: rule.short,
    threshold: rule.threshold,
    decision: rule.decision
  }
}
