// OpenSLO documents, read as they are: `openslo/v1` (SLO with an inline or referenced SLI,
// ratioMetric good/total or bad/total or raw, thresholdMetric; Service, DataSource and alerting
// documents tolerated) and `openslo/v1alpha` as Sloth writes it (ratioMetrics, timeWindows with
// count/unit). What the gate cannot evaluate is named: "not supported: …".
//
// OpenSLO leaves the query language to the data source; the gate reads Prometheus-compatible
// sources only, and their `spec.query` is PromQL. A query may hold `{{.window}}` (Sloth's
// convention: it is rendered with each window); with `counter: true` (v1alpha: `incremental:
// true`) a plain selector, or sum(selector), is wrapped in sum(increase(selector[window])).
import { formatDuration } from '../duration.js'
import { defaultPolicyFor } from '../policy/burn-windows.js'
import type { Budgeting, CalendarWindow, SliSpec, Slo } from './model.js'
import { cleanFraction, describeType, type Locate } from './problems.js'
import { counterIncrease, SELECTOR_PATTERN, WINDOW_PLACEHOLDER } from './shared-schema.js'

export const OPENSLO_V1 = 'openslo/v1'
export const OPENSLO_V1ALPHA = 'openslo/v1alpha'

/** Data source types whose queries are PromQL against a Prometheus-compatible HTTP API. */
const PROMETHEUS_TYPES = new Set(['prometheus', 'thanos', 'cortex', 'mimir', 'grafanamimir', 'victoriametrics', 'amazonprometheus', 'sloth'])

/** Kinds that carry no SLO: read and otherwise ignored (the gate has its own policy and reports). */
const TOLERATED_KINDS = new Set(['Service', 'DataSource', 'SLI', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget'])

const DAY = 86400

/** One OpenSLO document (or one item of a top-level list of documents), as found in a file. */
export interface OpenSloDocument {
  version: 'v1' | 'v1alpha'
  record: Record<string, unknown>
  where: Locate
  /** Path of the document inside the YAML document: [] or [index] for a list item. */
  prefix: (string | number)[]
  file: string
  document: number
}

/** Documents that SLOs may refer to by name: SLIs and data sources, across every file loaded. */
export interface OpenSloRegistry {
  slis: Map<string, OpenSloDocument>
  dataSources: Map<string, OpenSloDocument>
}

type Path = (string | number)[]
type Rec = Record<string, unknown>

class Problems {
  readonly list: string[] = []
  constructor(private readonly where: Locate, private readonly prefix: Path) {}
  add(path: Path, message: string): void {
    this.list.push(`${this.where([...this.prefix, ...path])}: ${message}`)
  }
}

function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

/** The kind of an OpenSLO document, and a problem when the document cannot be used at all. */
export function openSloKind(doc: OpenSloDocument): string | undefined {
  return str(doc.record.kind)
}

/** Checks a document's kind and records SLIs and data sources in the registry; SLOs are converted later. */
export function registerOpenSlo(doc: OpenSloDocument, registry: OpenSloRegistry): string[] {
  const problems = new Problems(doc.where, doc.prefix)
  const kind = openSloKind(doc)
  const metadataName = isRecord(doc.record.metadata) ? str(doc.record.metadata.name) : undefined
  if (kind === undefined) {
    problems.add(['kind'], `missing required field: expected an OpenSLO kind (SLO, SLI, Service, DataSource, …)`)
  } else if (kind !== 'SLO' && !TOLERATED_KINDS.has(kind)) {
    problems.add(['kind'], `unknown OpenSLO kind ${JSON.stringify(kind)} (expected SLO, SLI, Service, DataSource, AlertPolicy, AlertCondition or AlertNotificationTarget)`)
  } else if ((kind === 'SLI' || kind === 'DataSource') && doc.version === 'v1') {
    if (metadataName === undefined) problems.add(['metadata', 'name'], `missing required field: expected the ${kind}'s name`)
    else {
      const map = kind === 'SLI' ? registry.slis : registry.dataSources
      const first = map.get(metadataName)
      if (first) {
        problems.add(['metadata', 'name'], `${kind} "${metadataName}" is defined twice; the first is in ${first.where(first.prefix)}: references to it would be ambiguous`)
      } else map.set(metadataName, doc)
    }
  }
  return problems.list
}

// ---------------------------------------------------------------------------------------------
// Windows

const SHORTHAND = /^(\d+)([mhdwMQY])$/
const SHORTHAND_SECONDS: Record<string, number> = { m: 60, h: 3600, d: DAY, w: 7 * DAY }
const CALENDAR_UNITS: Record<string, CalendarWindow['unit']> = { w: 'week', M: 'month', Q: 'quarter', Y: 'year' }
const NOMINAL_SECONDS: Record<CalendarWindow['unit'], number> = { week: 7 * DAY, month: 30 * DAY, quarter: 91 * DAY, year: 365 * DAY }

interface Window {
  window: string
  windowSeconds: number
  calendar?: CalendarWindow
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** OpenSLO's startTime ("2022-01-01 12:00:00", no zone) as "2022-01-01T12:00:00", or undefined. */
function wallClock(value: unknown): string | undefined {
  const text = value instanceof Date ? value.toISOString().slice(0, 19) : typeof value === 'string' ? value.trim() : ''
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(:\d{2})?)$/.exec(text)
  if (!match) return undefined
  return `${match[1]}T${match[2]}${match[3] ? '' : ':00'}`
}

function calendarWindow(
  unit: CalendarWindow['unit'],
  count: number,
  calendar: unknown,
  problems: Problems,
  path: Path
): Window | undefined {
  if (!isRecord(calendar)) {
    problems.add([...path, 'calendar'], 'missing required field: a calendar-aligned window needs calendar.startTime and calendar.timeZone')
    return undefined
  }
  const timeZone = str(calendar.timeZone)
  if (timeZone === undefined) {
    problems.add([...path, 'calendar', 'timeZone'], 'missing required field: expected an IANA time zone such as Europe/Berlin or UTC')
    return undefined
  }
  if (!validTimeZone(timeZone)) {
    problems.add([...path, 'calendar', 'timeZone'], `unknown time zone ${JSON.stringify(timeZone)}: expected an IANA time zone such as Europe/Berlin or UTC`)
    return undefined
  }
  const anchor = calendar.startTime === undefined ? undefined : wallClock(calendar.startTime)
  if (calendar.startTime !== undefined && anchor === undefined) {
    problems.add([...path, 'calendar', 'startTime'], `expected a date and time without a zone, e.g. "2022-01-01 00:00:00", got ${describeType(calendar.startTime)}`)
    return undefined
  }
  const seconds = NOMINAL_SECONDS[unit] * count
  return { window: formatDuration(seconds), windowSeconds: seconds, calendar: { unit, count, timeZone, ...(anchor ? { anchor } : {}) } }
}

/** openslo/v1 `timeWindow` (exactly one item: duration shorthand, isRolling, calendar). */
function v1Window(spec: Rec, problems: Problems): Window | undefined {
  const list = spec.timeWindow
  if (list === undefined) {
    problems.add(['spec', 'timeWindow'], 'missing required field: expected one time window, e.g. [{ duration: 28d, isRolling: true }]')
    return undefined
  }
  if (!Array.isArray(list) || list.length !== 1 || !isRecord(list[0])) {
    problems.add(['spec', 'timeWindow'], `expected a list with exactly one time window, got ${Array.isArray(list) ? `${list.length} items` : describeType(list)}`)
    return undefined
  }
  const item = list[0]
  const path: Path = ['spec', 'timeWindow', 0]
  const duration = typeof item.duration === 'string' ? item.duration.trim() : undefined
  const match = duration === undefined ? null : SHORTHAND.exec(duration)
  if (!match) {
    problems.add([...path, 'duration'], `expected a duration shorthand such as 28d, 4w, 1M or 1Q, got ${describeType(item.duration)}`)
    return undefined
  }
  const count = Number(match[1])
  const unit = match[2]
  if (count <= 0) {
    problems.add([...path, 'duration'], `expected a window longer than 0, got ${duration}`)
    return undefined
  }
  const rolling = typeof item.isRolling === 'boolean' ? item.isRolling : item.calendar === undefined
  if (rolling) {
    if (SHORTHAND_SECONDS[unit] === undefined) {
      problems.add([...path, 'duration'], `not supported: a rolling window of ${duration} (months, quarters and years vary in length): write it in days, e.g. 30d or 90d, or make it calendar-aligned`)
      return undefined
    }
    const seconds = count * SHORTHAND_SECONDS[unit]
    return { window: formatDuration(seconds), windowSeconds: seconds }
  }
  if (unit === 'm') {
    problems.add([...path, 'duration'], `a calendar-aligned window of ${duration} is ${count} minute${count === 1 ? '' : 's'}: write ${count}M for ${count === 1 ? 'a month' : `${count} months`} (OpenSLO's shorthand: m minutes, M months)`)
    return undefined
  }
  if (CALENDAR_UNITS[unit] === undefined) {
    problems.add([...path, 'duration'], `not supported: a calendar-aligned window of ${duration}: calendar windows are weeks (w), months (M), quarters (Q) or years (Y)`)
    return undefined
  }
  return calendarWindow(CALENDAR_UNITS[unit], count, item.calendar, problems, path)
}

const V1ALPHA_UNITS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: DAY, week: 7 * DAY }
const V1ALPHA_CALENDAR: Record<string, CalendarWindow['unit']> = { week: 'week', month: 'month', quarter: 'quarter', year: 'year' }

/** openslo/v1alpha `timeWindows` (count and unit); absent: Sloth's default period, 30 days. */
function v1alphaWindow(spec: Rec, problems: Problems): Window | undefined {
  const list = spec.timeWindows
  if (list === undefined) return { window: '30d', windowSeconds: 30 * DAY }
  if (!Array.isArray(list) || list.length !== 1 || !isRecord(list[0])) {
    problems.add(['spec', 'timeWindows'], `expected a list with exactly one time window, got ${Array.isArray(list) ? `${list.length} items` : describeType(list)}`)
    return undefined
  }
  const item = list[0]
  const path: Path = ['spec', 'timeWindows', 0]
  const count = item.count
  if (typeof count !== 'number' || !Number.isInteger(count) || count <= 0) {
    problems.add([...path, 'count'], `expected a whole number of units above 0, got ${describeType(count)}`)
    return undefined
  }
  const unit = typeof item.unit === 'string' ? item.unit.trim().toLowerCase() : undefined
  if (unit === undefined || (V1ALPHA_UNITS[unit] === undefined && V1ALPHA_CALENDAR[unit] === undefined)) {
    problems.add([...path, 'unit'], `expected Second, Minute, Hour, Day, Week, Month, Quarter or Year, got ${describeType(item.unit)}`)
    return undefined
  }
  const rolling = typeof item.isRolling === 'boolean' ? item.isRolling : item.calendar === undefined
  if (rolling) {
    if (V1ALPHA_UNITS[unit] === undefined) {
      problems.add([...path, 'unit'], `not supported: a rolling window of ${count} ${item.unit as string} (months, quarters and years vary in length): write it in days, or make it calendar-aligned`)
      return undefined
    }
    const seconds = count * V1ALPHA_UNITS[unit]
    return { window: formatDuration(seconds), windowSeconds: seconds }
  }
  if (V1ALPHA_CALENDAR[unit] === undefined) {
    problems.add([...path, 'unit'], `not supported: a calendar-aligned window of ${count} ${item.unit as string}: calendar windows are weeks, months, quarters or years`)
    return undefined
  }
  return calendarWindow(V1ALPHA_CALENDAR[unit], count, item.calendar, problems, path)
}

// ---------------------------------------------------------------------------------------------
// Objectives

interface Objective {
  index: number
  target: number
  op?: string
  value?: number
  timeSliceTarget?: number
  timeSliceSeconds?: number
  record: Rec
}

function objectiveTarget(objective: Rec, problems: Problems, path: Path): number | undefined {
  const { target, targetPercent } = objective
  if (target !== undefined && targetPercent !== undefined) {
    problems.add(path, 'give either target (a fraction, e.g. 0.999) or targetPercent (e.g. 99.9), not both')
    return undefined
  }
  if (target === undefined && targetPercent === undefined) {
    problems.add([...path, 'target'], 'missing required field: expected the objective as a fraction, e.g. target: 0.999 (or targetPercent: 99.9)')
    return undefined
  }
  if (target !== undefined) {
    if (typeof target !== 'number' || !(target > 0 && target < 1)) {
      const hint = typeof target === 'number' && target >= 1 && target < 100 ? `: target is a fraction, write ${cleanFraction(target / 100)} for ${target}% (or use targetPercent)` : target === 1 ? ': an objective of 100% leaves no error budget to spend' : ''
      problems.add([...path, 'target'], `expected a fraction strictly between 0 and 1 (e.g. 0.999), got ${describeType(target)}${hint}`)
      return undefined
    }
    return cleanFraction(target)
  }
  if (typeof targetPercent !== 'number' || !(targetPercent > 0 && targetPercent < 100)) {
    problems.add([...path, 'targetPercent'], `expected a percentage strictly between 0 and 100 (e.g. 99.9), got ${describeType(targetPercent)}`)
    return undefined
  }
  return cleanFraction(targetPercent / 100)
}

function readObjectives(spec: Rec, problems: Problems): Objective[] | undefined {
  const list = spec.objectives
  if (!Array.isArray(list) || list.length === 0) {
    problems.add(['spec', 'objectives'], list === undefined ? 'missing required field: expected at least one objective' : `expected a list of at least one objective, got ${describeType(list)}`)
    return undefined
  }
  const objectives: Objective[] = []
  let ok = true
  list.forEach((item, index) => {
    const path: Path = ['spec', 'objectives', index]
    if (!isRecord(item)) {
      problems.add(path, `expected an objective (a mapping), got ${describeType(item)}`)
      ok = false
      return
    }
    if (item.indicator !== undefined || item.indicatorRef !== undefined || item.compositeWeight !== undefined) {
      problems.add(path, 'not supported: composite SLOs (objectives with their own indicator, indicatorRef or compositeWeight)')
      ok = false
      return
    }
    const target = objectiveTarget(item, problems, path)
    if (target === undefined) {
      ok = false
      return
    }
    const objective: Objective = { index, target, record: item }
    if (item.op !== undefined) objective.op = typeof item.op === 'string' ? item.op : '?'
    if (typeof item.value === 'number') objective.value = item.value
    if (typeof item.timeSliceTarget === 'number') objective.timeSliceTarget = item.timeSliceTarget
    if (item.timeSliceWindow !== undefined) {
      const match = typeof item.timeSliceWindow === 'string' ? SHORTHAND.exec(item.timeSliceWindow.trim()) : null
      const seconds = match && SHORTHAND_SECONDS[match[2]] !== undefined ? Number(match[1]) * SHORTHAND_SECONDS[match[2]] : undefined
      if (seconds === undefined || seconds <= 0) {
        problems.add([...path, 'timeSliceWindow'], `expected a slice length such as 1m or 5m, got ${describeType(item.timeSliceWindow)}`)
        ok = false
        return
      }
      objective.timeSliceSeconds = seconds
    }
    objectives.push(objective)
  })
  return ok ? objectives : undefined
}

function budgetingFor(method: string, objective: Objective, version: OpenSloDocument['version'], problems: Problems): Budgeting | null | undefined {
  const path: Path = ['spec', 'objectives', objective.index]
  if (method === 'Occurrences') return null
  // openslo/v1alpha has no timeSliceWindow: slices are a minute, as in its examples.
  if (objective.timeSliceSeconds === undefined && version === 'v1alpha') objective.timeSliceSeconds = 60
  if (objective.timeSliceSeconds === undefined) {
    problems.add([...path, 'timeSliceWindow'], `missing required field: budgetingMethod ${method} needs the slice length, e.g. timeSliceWindow: 1m`)
    return undefined
  }
  if (method === 'RatioTimeslices') return { method, sliceSeconds: objective.timeSliceSeconds }
  const target = objective.timeSliceTarget
  if (target === undefined || !(target > 0 && target <= 1)) {
    problems.add([...path, 'timeSliceTarget'], `${target === undefined ? 'missing required field: ' : ''}budgetingMethod Timeslices needs the share of good events that makes a slice good, a fraction in (0, 1], e.g. timeSliceTarget: 0.95${target === undefined ? '' : `; got ${target}`}`)
    return undefined
  }
  return { method: 'Timeslices', sliceSeconds: objective.timeSliceSeconds, sliceTarget: cleanFraction(target) }
}

// ---------------------------------------------------------------------------------------------
// SLIs

interface Query {
  query: string
  path: Path
  problems: Problems
}

const hasWindow = (query: string) => new RegExp(WINDOW_PLACEHOLDER.source).test(query)

/** A counter query as a selector the gate can wrap: a selector, or sum(selector). */
function counterSelector(query: string): string | undefined {
  const text = query.trim()
  if (SELECTOR_PATTERN.test(text)) return text
  const sum = /^sum\s*\(\s*(.*?)\s*\)$/s.exec(text)
  if (sum && SELECTOR_PATTERN.test(sum[1]) && sum[1] !== '') return sum[1]
  return undefined
}

/** The PromQL of a metric source (v1): resolves the data source type, checks it is Prometheus-compatible. */
function v1Query(metric: unknown, registry: OpenSloRegistry, problems: Problems, path: Path): Query | undefined {
  if (!isRecord(metric) || !isRecord(metric.metricSource)) {
    problems.add([...path, 'metricSource'], `missing required field: expected metricSource with type and spec.query, got ${describeType(isRecord(metric) ? metric.metricSource : metric)}`)
    return undefined
  }
  const source = metric.metricSource
  const sourcePath = [...path, 'metricSource']
  let type = str(source.type)
  const ref = str(source.metricSourceRef)
  if (type === undefined && ref !== undefined) {
    const dataSource = registry.dataSources.get(ref)
    if (dataSource === undefined) {
      problems.add([...sourcePath, 'metricSourceRef'], `no DataSource named ${JSON.stringify(ref)} was loaded, and metricSource has no type: give type: Prometheus, or load the file with the DataSource too`)
      return undefined
    }
    type = isRecord(dataSource.record.spec) ? str(dataSource.record.spec.type) : undefined
  }
  if (type === undefined) {
    problems.add([...sourcePath, 'type'], 'missing required field: expected the data source type, e.g. type: Prometheus')
    return undefined
  }
  if (!PROMETHEUS_TYPES.has(type.toLowerCase())) {
    problems.add([...sourcePath, 'type'], `not supported: metric source type ${JSON.stringify(type)}: the gate reads Prometheus-compatible APIs (Prometheus, Thanos, Cortex, Mimir, VictoriaMetrics)`)
    return undefined
  }
  const query = isRecord(source.spec) ? str(source.spec.query) : undefined
  if (query === undefined) {
    problems.add([...sourcePath, 'spec', 'query'], 'missing required field: expected the PromQL query in metricSource.spec.query')
    return undefined
  }
  return { query, path: [...sourcePath, 'spec', 'query'], problems }
}

/** The PromQL of a v1alpha query (source, queryType, query). */
function v1alphaQuery(metric: unknown, problems: Problems, path: Path): Query | undefined {
  if (!isRecord(metric)) {
    problems.add(path, `missing required field: expected source, queryType and query, got ${describeType(metric)}`)
    return undefined
  }
  const source = str(metric.source)
  if (source === undefined || !PROMETHEUS_TYPES.has(source.toLowerCase())) {
    problems.add([...path, 'source'], source === undefined ? 'missing required field: expected source: prometheus' : `not supported: source ${JSON.stringify(source)}: the gate reads Prometheus-compatible APIs (source: prometheus)`)
    return undefined
  }
  const query = str(metric.query)
  if (query === undefined) {
    problems.add([...path, 'query'], 'missing required field: expected the PromQL query')
    return undefined
  }
  return { query, path: [...path, 'query'], problems }
}

/** Event queries as templates over {{.window}}. */
function eventTemplates(numerator: Query, total: Query, counter: boolean, counterField: string): [string, string] | undefined {
  const windowed = [hasWindow(numerator.query), hasWindow(total.query)]
  if (windowed[0] && windowed[1]) return [numerator.query, total.query]
  if (windowed[0] !== windowed[1]) {
    const without = windowed[0] ? total : numerator
    without.problems.add(without.path, 'both queries must use {{.window}}, or neither (with ' + counterField + ': true and plain counter selectors)')
    return undefined
  }
  if (!counter) {
    numerator.problems.add(
      numerator.path,
      `not supported: queries without {{.window}} that are not counters (${counterField} is not true): the gate counts events over each window, so write the range as {{.window}} (e.g. sum(increase(x[{{.window}}]))), or set ${counterField}: true for counter selectors`
    )
    return undefined
  }
  const result: string[] = []
  for (const q of [numerator, total]) {
    const selector = counterSelector(q.query)
    if (selector === undefined) {
      q.problems.add(q.path, `not supported: with ${counterField}: true the query must be a counter selector or sum(selector), which the gate wraps in sum(increase(selector[window])); got ${JSON.stringify(q.query)}. Write the range as {{.window}} instead`)
      return undefined
    }
    result.push(counterIncrease(selector))
  }
  return [result[0], result[1]]
}

const OPS: Record<string, string> = { lt: '<', lte: '<=', gt: '>', gte: '>=' }

/** A threshold SLI: the share of 1-minute evaluations of the query that meet the objective. */
function thresholdSli(query: Query, objective: Objective, problems: Problems): SliSpec | undefined {
  const path: Path = ['spec', 'objectives', objective.index]
  const op = objective.op === undefined ? undefined : OPS[objective.op]
  if (op === undefined) {
    problems.add([...path, 'op'], `${objective.op === undefined ? 'missing required field: ' : ''}a thresholdMetric objective needs op: lt, lte, gt or gte${objective.op === undefined ? '' : `; got ${JSON.stringify(objective.op)}`}`)
    return undefined
  }
  if (objective.value === undefined) {
    problems.add([...path, 'value'], 'missing required field: a thresholdMetric objective needs the value to compare with')
    return undefined
  }
  return { kind: 'ratio', errorRatioQuery: `1 - avg_over_time(((${query.query}) ${op} bool ${objective.value})[{{.window}}:1m])` }
}

type SliBuilder = (objective: Objective) => SliSpec | undefined

/** openslo/v1 SLI spec (ratioMetric or thresholdMetric) → a function of the objective. */
function v1Sli(sliSpec: Rec, registry: OpenSloRegistry, problems: Problems, path: Path): SliBuilder | undefined {
  const ratio = sliSpec.ratioMetric
  const threshold = sliSpec.thresholdMetric
  if ((ratio === undefined) === (threshold === undefined)) {
    problems.add(path, 'give exactly one of ratioMetric or thresholdMetric')
    return undefined
  }
  if (threshold !== undefined) {
    const query = v1Query(threshold, registry, problems, [...path, 'thresholdMetric'])
    return query && ((objective) => thresholdSli(query, objective, problems))
  }
  if (!isRecord(ratio)) {
    problems.add([...path, 'ratioMetric'], `expected a mapping, got ${describeType(ratio)}`)
    return undefined
  }
  const ratioPath = [...path, 'ratioMetric']
  if (ratio.raw !== undefined) {
    if (ratio.good !== undefined || ratio.bad !== undefined || ratio.total !== undefined) {
      problems.add(ratioPath, 'give either raw (with rawType) or good/bad with total, not both')
      return undefined
    }
    const rawType = ratio.rawType
    if (rawType !== 'success' && rawType !== 'failure') {
      problems.add([...ratioPath, 'rawType'], `${rawType === undefined ? 'missing required field: ' : ''}raw needs rawType: success (the query is good/total) or failure (bad/total)${rawType === undefined ? '' : `; got ${describeType(rawType)}`}`)
      return undefined
    }
    const query = v1Query(ratio.raw, registry, problems, [...ratioPath, 'raw'])
    if (!query) return undefined
    if (!hasWindow(query.query)) {
      problems.add(query.path, 'not supported: a raw ratio without {{.window}}: the gate needs the ratio over each window; write the range as {{.window}}')
      return undefined
    }
    const sli: SliSpec = { kind: 'ratio', errorRatioQuery: rawType === 'failure' ? query.query : `1 - (${query.query})` }
    return () => sli
  }
  if ((ratio.good === undefined) === (ratio.bad === undefined) || ratio.total === undefined) {
    problems.add(ratioPath, 'give exactly one of good or bad, with total (or raw with rawType)')
    return undefined
  }
  const bad = ratio.good === undefined ? 'errors' : 'good'
  const numerator = v1Query(bad === 'good' ? ratio.good : ratio.bad, registry, problems, [...ratioPath, bad === 'good' ? 'good' : 'bad'])
  const total = v1Query(ratio.total, registry, problems, [...ratioPath, 'total'])
  if (!numerator || !total) return undefined
  const templates = eventTemplates(numerator, total, ratio.counter === true, 'counter')
  if (!templates) return undefined
  const sli: SliSpec = { kind: 'events', bad, badQuery: templates[0], totalQuery: templates[1] }
  return () => sli
}

// ---------------------------------------------------------------------------------------------
// SLOs

function sloName(metadata: unknown, problems: Problems): string | undefined {
  const name = isRecord(metadata) ? str(metadata.name) : undefined
  if (name === undefined) problems.add(['metadata', 'name'], 'missing required field: expected the SLO name')
  return name
}

/** Converts one OpenSLO SLO document into the gate's SLOs (one per objective). */
export function openSloSlos(doc: OpenSloDocument, registry: OpenSloRegistry): { slos: Slo[]; problems: string[] } {
  const problems = new Problems(doc.where, doc.prefix)
  const record = doc.record
  const name = sloName(record.metadata, problems)
  if (!isRecord(record.spec)) {
    problems.add(['spec'], `missing required field: expected the SLO spec, got ${describeType(record.spec)}`)
    return { slos: [], problems: problems.list }
  }
  const spec = record.spec
  const service = str(spec.service)
  if (service === undefined) problems.add(['spec', 'service'], `missing required field: expected the name of the service${spec.service === undefined ? '' : `, got ${describeType(spec.service)}`}`)
  const method = spec.budgetingMethod
  const methods = ['Occurrences', 'Timeslices', 'RatioTimeslices']
  if (typeof method !== 'string' || !methods.includes(method)) {
    problems.add(['spec', 'budgetingMethod'], `${method === undefined ? 'missing required field: ' : ''}expected Occurrences, Timeslices or RatioTimeslices${method === undefined ? '' : `, got ${describeType(method)}`}`)
  }
  const window = doc.version === 'v1' ? v1Window(spec, problems) : v1alphaWindow(spec, problems)
  const objectives = readObjectives(spec, problems)

  // The SLI: v1 inline (indicator.spec) or referenced (indicatorRef); v1alpha per objective or indicator.thresholdMetric.
  let builder: SliBuilder | undefined
  if (doc.version === 'v1') builder = v1SliOf(spec, registry, problems)
  else builder = v1alphaSliOf(spec, problems)

  if (problems.list.length > 0 || !name || !service || !window || !objectives || !builder) return { slos: [], problems: problems.list }
  const slos: Slo[] = []
  for (const objective of objectives) {
    const sli = builder(objective)
    const budgeting = budgetingFor(method as string, objective, doc.version, problems)
    if (!sli || budgeting === undefined) continue
    if (budgeting && isThreshold(sli)) {
      problems.add(['spec', 'budgetingMethod'], `not supported: budgetingMethod ${budgeting.method} with a thresholdMetric (use Occurrences: the share of 1-minute evaluations that meet the objective)`)
      continue
    }
    // Sloth names each objective of a v1alpha SLO <name>-<index>; its recording rules carry that name.
    const objectiveName = doc.version === 'v1alpha' || objectives.length > 1 ? `${name}-${objective.index}` : name
    slos.push({
      service,
      name: objectiveName,
      ...(str(spec.description) ? { description: str(spec.description) } : {}),
      objective: objective.target,
      window: window.window,
      windowSeconds: window.windowSeconds,
      sli,
      policy: defaultPolicyFor(window.windowSeconds),
      source: {
        file: doc.file,
        document: doc.document,
        format: 'openslo',
        path: `${doc.prefix.map((p) => `[${p}].`).join('')}spec.objectives[${objective.index}]`
      },
      ...(budgeting ? { budgeting } : {}),
      ...(window.calendar ? { calendar: window.calendar } : {})
    })
  }
  if (problems.list.length > 0) return { slos: [], problems: problems.list }
  return { slos, problems: [] }
}

function isThreshold(sli: SliSpec): boolean {
  return sli.kind === 'ratio' && sli.errorRatioQuery.startsWith('1 - avg_over_time((')
}

function v1SliOf(spec: Rec, registry: OpenSloRegistry, problems: Problems): SliBuilder | undefined {
  const inline = spec.indicator
  const ref = spec.indicatorRef
  if ((inline === undefined) === (ref === undefined)) {
    problems.add(['spec'], inline === undefined ? 'missing required field: expected indicator (an inline SLI) or indicatorRef (the name of an SLI document)' : 'give either indicator or indicatorRef, not both')
    return undefined
  }
  if (inline !== undefined) {
    if (!isRecord(inline) || !isRecord(inline.spec)) {
      problems.add(['spec', 'indicator', 'spec'], 'missing required field: expected the inline SLI as indicator.spec (with ratioMetric or thresholdMetric)')
      return undefined
    }
    return v1Sli(inline.spec, registry, problems, ['spec', 'indicator', 'spec'])
  }
  const name = str(ref)
  const sliDoc = name === undefined ? undefined : registry.slis.get(name)
  if (!sliDoc) {
    problems.add(['spec', 'indicatorRef'], `no SLI document named ${JSON.stringify(ref)} was loaded: load the file that defines it too (SLI documents are looked up across every --config file)`)
    return undefined
  }
  if (!isRecord(sliDoc.record.spec)) {
    problems.add(['spec', 'indicatorRef'], `the SLI document ${JSON.stringify(name)} (${sliDoc.where(sliDoc.prefix)}) has no spec`)
    return undefined
  }
  // Problems inside the referenced SLI are reported where that SLI is written.
  const sliProblems = new Problems(sliDoc.where, sliDoc.prefix)
  const builder = v1Sli(sliDoc.record.spec, registry, sliProblems, ['spec'])
  const wrapped: SliBuilder | undefined = builder && ((objective) => {
    const sli = builder(objective)
    problems.list.push(...sliProblems.list.splice(0))
    return sli
  })
  problems.list.push(...sliProblems.list.splice(0))
  return wrapped
}

function v1alphaSliOf(spec: Rec, problems: Problems): SliBuilder | undefined {
  const indicator = isRecord(spec.indicator) ? spec.indicator : undefined
  const threshold = indicator?.thresholdMetric
  const thresholdQuery = threshold === undefined ? undefined : v1alphaQuery(threshold, problems, ['spec', 'indicator', 'thresholdMetric'])
  if (threshold !== undefined && !thresholdQuery) return undefined
  return (objective) => {
    const path: Path = ['spec', 'objectives', objective.index]
    const ratio = objective.record.ratioMetrics
    if (ratio === undefined) {
      if (thresholdQuery) return thresholdSli(thresholdQuery, objective, problems)
      problems.add([...path, 'ratioMetrics'], 'missing required field: expected ratioMetrics (good or bad, and total), or spec.indicator.thresholdMetric')
      return undefined
    }
    if (!isRecord(ratio)) {
      problems.add([...path, 'ratioMetrics'], `expected a mapping, got ${describeType(ratio)}`)
      return undefined
    }
    if ((ratio.good === undefined) === (ratio.bad === undefined) || ratio.total === undefined) {
      problems.add([...path, 'ratioMetrics'], 'give exactly one of good or bad, with total')
      return undefined
    }
    const bad = ratio.good === undefined ? 'errors' : 'good'
    const numerator = v1alphaQuery(bad === 'good' ? ratio.good : ratio.bad, problems, [...path, 'ratioMetrics', bad === 'good' ? 'good' : 'bad'])
    const total = v1alphaQuery(ratio.total, problems, [...path, 'ratioMetrics', 'total'])
    if (!numerator || !total) return undefined
    const templates = eventTemplates(numerator, total, ratio.incremental === true, 'incremental')
    return templates && { kind: 'events', bad, badQuery: templates[0], totalQuery: templates[1] }
  }
}
