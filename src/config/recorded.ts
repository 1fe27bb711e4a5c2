// SLIs read from the recording rules Sloth or Pyrra already evaluate, instead of raw counters
// (native `sli.recorded`). Each window reads the series recorded for it:
//
// - Sloth: slo:sli_error:ratio_rate<window>{sloth_service, sloth_slo}, for the SLO period and
//   every alert window. Sloth's period series is the mean of its 5-minute ratios (sum_over_time /
//   count_over_time of ratio_rate5m): every 5 minutes weigh the same however many requests they
//   had, which under-counts errors that come with traffic peaks. The report says so.
// - Pyrra: <metric>:increase<window>{slo} over the SLO window (request-weighted: errors and total
//   are summed increases), and <metric>:burnrate<window>{slo} (an error ratio) for Pyrra's
//   burn-rate windows, which scale with the SLO window.
//
// Window names are written as Prometheus and Sloth/Pyrra write them: 28d is "4w", 7d "1w".
import * as z from 'zod'
import { pyrraBurnRules } from '../policy/burn-windows.js'
import type { RecordedSli, SliSpec } from './model.js'
import { name } from './shared-schema.js'

/** Label matchers as written inside braces: `code=~"5..",job="api"` (no braces). */
const matchers = z
  .string({ error: 'expected label matchers such as code=~"5.." (without braces)' })
  .trim()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*".*"(\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*".*")*$/s, {
    error: 'expected label matchers such as code=~"5.." or le="0.2" (without braces)'
  })

const metricName = z
  .string({ error: 'expected the metric name Pyrra records under, e.g. http_requests for http_requests:increase4w' })
  .trim()
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: 'expected a metric name such as http_requests (the part before :increase4w and :burnrate5m)' })

export const recordedSchema = z
  .strictObject({
    sloth: z
      .strictObject({
        service: name.meta({ description: "The sloth_service label of Sloth's recording rules." }),
        slo: name.meta({ description: "The sloth_slo label (the SLO's name; <name>-<index> for OpenSLO specs)." })
      })
      .meta({ description: "Read Sloth's slo:sli_error:ratio_rate<window> series." })
      .optional(),
    pyrra: z
      .strictObject({
        slo: name.meta({ description: 'The slo label of the recording rules (the ServiceLevelObjective name).' }),
        metric: metricName.meta({ description: 'The name before :increase<window> and :burnrate<window>, e.g. http_requests.' }),
        errors: matchers.meta({ description: 'Matchers selecting the errors among the recorded increases, e.g. code=~"5.." (ratio indicators).' }).optional(),
        good: matchers.meta({ description: 'Matchers selecting the good events, e.g. le="0.2" (latency indicators); with total.' }).optional(),
        total: matchers.meta({ description: 'Matchers selecting all events when they differ from the good ones, e.g. le="" (latency).' }).optional(),
        matchers: matchers.meta({ description: 'Extra matchers for every recorded series, e.g. namespace="monitoring".' }).optional()
      })
      .refine((pyrra) => (pyrra.errors === undefined) !== (pyrra.good === undefined), { error: 'give exactly one of errors or good' })
      .meta({ description: "Read Pyrra's <metric>:increase<window> and <metric>:burnrate<window> series." })
      .optional()
  })
  .refine((recorded) => (recorded.sloth === undefined) !== (recorded.pyrra === undefined), { error: 'give exactly one of recorded.sloth or recorded.pyrra' })
  .meta({ description: 'Read the SLI from the recording rules Sloth or Pyrra already evaluate.' })

export type RecordedConfig = z.infer<typeof recordedSchema>

/** A duration as Prometheus (and so Sloth and Pyrra) print it: weeks and years only when exact, "4w", "1h30m", "30d". */
export function prometheusDurationName(seconds: number): string {
  let ms = Math.round(seconds * 1000)
  if (ms <= 0) return '0s'
  let text = ''
  const units: [string, number, boolean][] = [
    ['y', 365 * 86400000, true],
    ['w', 7 * 86400000, true],
    ['d', 86400000, false],
    ['h', 3600000, false],
    ['m', 60000, false],
    ['s', 1000, false],
    ['ms', 1, false]
  ]
  for (const [unit, size, exact] of units) {
    if (exact && ms % size !== 0) continue
    const count = Math.floor(ms / size)
    if (count > 0) {
      text += `${count}${unit}`
      ms -= count * size
    }
  }
  return text
}

/** Where a window's name goes in a recorded series' name. */
export const WINDOW_NAME_PLACEHOLDER = /\{\{\.windowName\}\}/g

const quote = (text: string) => JSON.stringify(text)

export interface RecordedSliResult {
  sli: SliSpec
  recorded: RecordedSli
  notes: string[]
}

export function recordedSli(config: RecordedConfig, windowSeconds: number): RecordedSliResult {
  if (config.sloth) {
    const selector = `{sloth_service=${quote(config.sloth.service)},sloth_slo=${quote(config.sloth.slo)}}`
    return {
      sli: { kind: 'ratio', errorRatioQuery: `slo:sli_error:ratio_rate{{.windowName}}${selector}` },
      recorded: { source: 'sloth' },
      notes: [
        `SLI read from Sloth's recording rules (slo:sli_error:ratio_rate<window>). Sloth's ${prometheusDurationName(windowSeconds)} series is an unweighted mean of 5-minute error ratios: ` +
          'quiet and busy 5 minutes weigh the same, so errors during traffic peaks are under-counted (and errors at quiet times over-counted) compared with the request-weighted ratio the gate computes from counters'
      ]
    }
  }
  const pyrra = config.pyrra!
  const extra = pyrra.matchers ? `,${pyrra.matchers}` : ''
  const series = (matchersText?: string) => `${pyrra.metric}:increase{{.windowName}}{slo=${quote(pyrra.slo)}${extra}${matchersText ? `,${matchersText}` : ''}}`
  const sloWindowRatioQuery = pyrra.errors
    ? `sum(${series(pyrra.errors)} or vector(0)) / sum(${series(pyrra.total)})`
    : `1 - sum(${series(pyrra.good)}) / sum(${series(pyrra.total)})`
  const windows = [...new Set(pyrraBurnRules(windowSeconds).flatMap((rule) => [rule.long, rule.short]))]
  return {
    sli: { kind: 'ratio', errorRatioQuery: `${pyrra.metric}:burnrate{{.windowName}}{slo=${quote(pyrra.slo)}${extra}}` },
    recorded: { source: 'pyrra', windows, sloWindowRatioQuery },
    notes: [`SLI read from Pyrra's recording rules: ${pyrra.metric}:increase${prometheusDurationName(windowSeconds)} over the SLO window (request-weighted), ${pyrra.metric}:burnrate<window> for Pyrra's burn-rate windows`]
  }
}
