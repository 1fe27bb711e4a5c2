// The one SLO model every supported file format is loaded into.
import type { PolicySettings } from '../policy/settings.js'

/**
 * How the SLI is read. Queries are PromQL templates in which `{{.window}}` stands for the
 * window being evaluated (Sloth's convention); counter selectors are wrapped by the planner.
 */
export type SliSpec =
  | { kind: 'events'; bad: 'errors' | 'good'; badQuery: string; totalQuery: string }
  | { kind: 'ratio'; errorRatioQuery: string }

export interface SloSource {
  file: string
  /** 1-based index of the YAML document in the file. */
  document: number
  format: 'native' | 'sloth'
  /** Field path of the SLO inside the document, e.g. "slos[2]". */
  path: string
}

export interface Slo {
  service: string
  name: string
  description?: string
  /** Fraction, e.g. 0.999. */
  objective: number
  /** Canonical window text ("30d") and its length. */
  window: string
  windowSeconds: number
  sli: SliSpec
  policy: PolicySettings
  source: SloSource
}

export function sloId(slo: Pick<Slo, 'service' | 'name'>): string {
  return `${slo.service}/${slo.name}`
}
