// Field schemas shared by every SLO file format.
import * as z from 'zod'

/** Objectives are written as percentages (99.9), as Sloth, Pyrra and most people write them. */
export const objectivePercent = z
  .number({ error: 'expected the objective as a percentage, e.g. 99.9' })
  .refine((value) => value > 0 && value < 100, {
    error: (issue) =>
      `expected a percentage strictly between 0 and 100 (e.g. 99.9), got ${String(issue.input)}: ` +
      (Number(issue.input) >= 100 ? 'an objective of 100% leaves no error budget to spend' : 'an objective must be above 0%'),
    abort: true
  })
  .refine((value) => value >= 1, {
    error: (issue) => {
      const percent = Number((Number(issue.input) * 100).toPrecision(12))
      return `objective is a percentage: write ${percent} for ${percent}%, not ${String(issue.input)}`
    }
  })

export const WINDOW_PLACEHOLDER = /\{\{\s*\.window\s*\}\}/g

/** A PromQL template that must mention `{{.window}}`, or the gate could not vary the window. */
export const windowedQuery = z
  .string({ error: 'expected a PromQL query' })
  .trim()
  .min(1, { error: 'expected a PromQL query, got an empty string' })
  .refine((query) => new RegExp(WINDOW_PLACEHOLDER.source).test(query), {
    error: 'the query must contain {{.window}} where the range goes (e.g. rate(x[{{.window}}])), so that it can be evaluated over each burn-rate window and the SLO window'
  })

export const name = z
  .string({ error: 'expected a name' })
  .trim()
  .min(1, { error: 'expected a non-empty name' })

/** A plain series selector such as `http_requests_total{job="api",code=~"5.."}`: no functions, no range. */
export const SELECTOR_PATTERN = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?(\{.*\})?$/s

/** Wraps a counter selector so that it counts events over the window being evaluated. */
export function counterIncrease(selector: string): string {
  return `sum(increase(${selector.trim()}[{{.window}}]))`
}
