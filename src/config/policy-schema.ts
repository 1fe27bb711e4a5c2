// The `policy:` block of native files: every number of the default policy can be overridden,
// per document and per SLO. Later levels override earlier ones field by field; a `burnRates`
// list replaces the inherited list whole (rules are read as a set, not merged one by one).
import * as z from 'zod'
import { parseDuration } from '../duration.js'
import { burnFactor } from '../policy/burn-windows.js'
import type { BurnRateRule, PolicySettings } from '../policy/settings.js'

const duration = z
  .string({ error: 'expected a duration such as "5m", "1h" or "3d"' })
  .refine((text) => parseDuration(text) !== undefined, {
    error: (issue) => `expected a duration such as "5m", "1h" or "3d", got ${JSON.stringify(issue.input)}`
  })
  .meta({ pattern: '^([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$' })

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
      .positive({ error: 'expected a burn-rate threshold above 0 (e.g. 14.4)' })
      .optional(),
    /** The SRE-workbook way: this share (percent) of the SLO window's budget spent within `long`. */
    budgetPercent: z
      .number({ error: 'expected the share of the budget in percent (e.g. 2 for 2% of the budget)' })
      .positive({ error: 'expected a share of the budget above 0 (e.g. 2 for 2%)' })
      .max(100, { error: 'expected a share of the budget of at most 100 (percent)' })
      .optional(),
    decision: z.enum(['freeze', 'warn'], { error: 'expected "freeze" or "warn"' })
  })
  .refine((rule) => (rule.threshold === undefined) !== (rule.budgetPercent === undefined), {
    error: 'give exactly one of threshold (a burn rate, e.g. 14.4) or budgetPercent (a share of the SLO window\'s budget spent within the long window, e.g. 2)'
  })
  .meta({ oneOf: [{ required: ['threshold'] }, { required: ['budgetPercent'] }] })
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
  noData: z.enum(['error', 'freeze', 'warn'], { error: 'expected "error", "freeze" or "warn" (no data never allows)' }).optional(),
  invalidData: z.enum(['error', 'freeze', 'warn'], { error: 'expected "error", "freeze" or "warn" (invalid data never allows)' }).optional()
})

export type PolicyOverride = z.infer<typeof policySchema>

/** `periodSeconds`: the SLO window, which budgetPercent rules are scaled to (Sloth's rule; default 30 days). */
export function applyPolicyOverride(base: PolicySettings, override: PolicyOverride | undefined, periodSeconds = 30 * 86400): PolicySettings {
  if (!override) return base
  return {
    freezeWhenBudgetRemainingAtMost: override.budget?.freezeAtOrBelow ?? base.freezeWhenBudgetRemainingAtMost,
    warnWhenBudgetRemainingBelow: override.budget?.warnBelow ?? base.warnWhenBudgetRemainingBelow,
    burnRateRules: override.burnRates ? override.burnRates.map((rule) => toRule(rule, periodSeconds)) : base.burnRateRules,
    onNoData: override.noData ?? base.onNoData,
    onInvalidData: override.invalidData ?? base.onInvalidData
  }
}

function toRule(rule: NonNullable<PolicyOverride['burnRates']>[number], periodSeconds: number): BurnRateRule {
  if (rule.budgetPercent !== undefined) {
    const threshold = burnFactor(rule.budgetPercent, periodSeconds, parseDuration(rule.long)!)
    return {
      name: rule.name ?? `${rule.decision}: ${rule.budgetPercent}% of the budget within ${rule.long} (burn ≥ ${Number(threshold.toPrecision(6))}x over ${rule.long} and ${rule.short})`,
      long: rule.long,
      short: rule.short,
      threshold,
      decision: rule.decision
    }
  }
  return {
    name: rule.name ?? `${rule.decision}: burn ≥ ${rule.threshold}x over ${rule.long} and ${rule.short}`,
    long: rule.long,
    short: rule.short,
    threshold: rule.threshold!,
    decision: rule.decision
  }
}
