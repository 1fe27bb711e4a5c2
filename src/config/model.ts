// The one SLO model every supported file format is loaded into.
import type { PolicySettings } from '../policy/settings.js'

/**
 * How the SLI is read. Queries are PromQL templates in which `{{.window}}` stands for the
 * window being evaluated (Sloth's convention); counter selectors are wrapped by the planner.
 */
export type SliSpec =
  | { kind: 'events'; bad: 'errors' | 'good'; badQuery: string; totalQuery: string }
  | { kind: 'ratio'; errorRatioQuery: string }

/** An SLI read from the recording rules Sloth or Pyrra evaluate (src/config/recorded.ts). */
export interface RecordedSli {
  source: 'sloth' | 'pyrra'
  /** The windows with a recorded series, when only those can be read (Pyrra's burn-rate windows). */
  windows?: string[]
  /** The SLO window's error-ratio query, when it is not the SLI rendered with the window (Pyrra's increase series). */
  sloWindowRatioQuery?: string
}

/** The file formats SLOs are read from. */
export type SloFormat = 'native' | 'sloth' | 'openslo' | 'pyrra'

export interface SloSource {
  file: string
  /** 1-based index of the YAML document in the file. */
  document: number
  format: SloFormat
  /** Field path of the SLO inside the document, e.g. "slos[2]". */
  path: string
}

/**
 * How the budget is counted (OpenSLO's budgeting methods). Absent means Occurrences: the error
 * ratio is bad events / total events over the window, request-weighted.
 */
export type Budgeting =
  /** A slice is good when its SLI meets `sliceTarget`; the budget counts bad slices. */
  | { method: 'Timeslices'; sliceSeconds: number; sliceTarget: number }
  /** The SLI is the mean of the slices' ratios; every slice weighs the same. */
  | { method: 'RatioTimeslices'; sliceSeconds: number }

/** A calendar-aligned window: the budget is for the whole period, which starts afresh each time. */
export interface CalendarWindow {
  unit: 'week' | 'month' | 'quarter' | 'year'
  /** Periods of `count` units (OpenSLO `duration: 2w`); 1 for the usual week/month/quarter. */
  count: number
  /** IANA time zone the periods are aligned in, e.g. Europe/Berlin. */
  timeZone: string
  /**
   * Wall-clock start of one period in `timeZone` ("2022-01-01T12:00:00"), from OpenSLO's
   * `calendar.startTime`; absent: weeks start Monday 00:00, months on the 1st, quarters in
   * January, April, July and October, years on January 1st.
   */
  anchor?: string
}

export interface Slo {
  service: string
  name: string
  description?: string
  /** Fraction, e.g. 0.999. */
  objective: number
  /**
   * Canonical window text ("30d") and its length. For a calendar window: the unit's nominal
   * length (a month is 30d), used to scale burn-rate thresholds.
   */
  window: string
  windowSeconds: number
  sli: SliSpec
  policy: PolicySettings
  source: SloSource
  /** Absent: Occurrences. */
  budgeting?: Budgeting
  /** Absent: a rolling window of `window`. */
  calendar?: CalendarWindow
  /** What the loader wants the report to say about how the file was read (e.g. Pyrra grouping). */
  notes?: string[]
  /** Read from Sloth's or Pyrra's recording rules (native `sli.recorded`). */
  recorded?: RecordedSli
}

export function sloId(slo: Pick<Slo, 'service' | 'name'>): string {
  return `${slo.service}/${slo.name}`
}
