// Reads SLO files (several files, several YAML documents each, any supported format) into the
// one SLO model. Every problem in every file is collected, so a user fixes them in one pass.
import { readFileSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { glob, isDynamicPattern } from 'tinyglobby'
import { LineCounter, parseAllDocuments } from 'yaml'
import type { z } from 'zod'
import { formatDuration, parseDuration } from '../duration.js'
import { ConfigError } from '../errors.js'
import { defaultPolicyFor, scaleBudgetShareRules, type BudgetShareRule } from '../policy/burn-windows.js'
import { DEFAULT_POLICY } from '../policy/settings.js'
import { sloId, type Slo, type SloSource } from './model.js'
import { NATIVE_API_VERSION, nativeDocumentSchema, type NativeDocument, type NativeSlo } from './native.js'
import { OPENSLO_V1, OPENSLO_V1ALPHA, openSloKind, openSloSlos, registerOpenSlo, type OpenSloDocument, type OpenSloRegistry } from './openslo.js'
import { applyPolicyOverride, type PolicyOverride } from './policy-schema.js'
import { recordedSli } from './recorded.js'
import { describeIssues, firstLine, locate, percentToFraction, type Locate } from './problems.js'
import { normaliseLe, PYRRA_API_VERSION, pyrraDocumentSchema, type PyrraDocument } from './pyrra.js'
import { counterIncrease } from './shared-schema.js'
import { SLOTH_DEFAULT_WINDOW, SLOTH_VERSION, slothDocumentSchema, type SlothDocument } from './sloth.js'
import {
  alertWindowRules,
  SLOTH_K8S_API_VERSION,
  slothAlertWindowsSchema,
  slothK8sDocumentSchema,
  type SlothK8sDocument
} from './sloth-k8s.js'

const DEFAULT_WINDOW = '30d'

export interface LoadedConfig {
  files: string[]
  slos: Slo[]
}

/** Expands files and globs (relative to cwd) and loads every SLO in them. */
export async function loadSloFiles(patterns: string[], cwd: string = process.cwd()): Promise<LoadedConfig> {
  const { files, slos, problems } = await inspectSloFiles(patterns, cwd)
  if (problems.length > 0) throw new ConfigError(formatProblems(problems))
  return { files, slos }
}

/** Like loadSloFiles, but returns the problems instead of throwing (the validate command lists them by file). */
export async function inspectSloFiles(patterns: string[], cwd: string = process.cwd()): Promise<LoadedConfig & { problems: string[] }> {
  const { files, problems } = await expandPatterns(patterns, cwd)
  const parsedFiles: ParsedFile[] = []
  for (const file of files) {
    let text: string
    try {
      // Synchronous on purpose: a catalogue of 1,000 small files reads in ~8 ms this way, and
      // in ~0.4 s as 1,000 awaited reads (measured by npm run bench).
      text = readFileSync(resolve(cwd, file), 'utf8')
    } catch (error) {
      parsedFiles.push({ file, entries: [], windows: [], problems: [`${file}: ${readFailure((error as NodeJS.ErrnoException).code, cwd)}`] })
      continue
    }
    parsedFiles.push(parseFile(text, file))
  }
  // Files are resolved together: an OpenSLO SLO may refer to an SLI or DataSource in another file.
  const parsed = resolveFiles(parsedFiles)
  problems.push(...parsed.problems)
  const slos = parsed.slos
  problems.push(...findDuplicates(slos))
  return { files, slos, problems }
}

function readFailure(code: string | undefined, cwd: string): string {
  switch (code) {
    case 'ENOENT':
      return `no such file (looked in ${cwd})`
    case 'EISDIR':
      return 'is a directory: give the files in it with a glob, e.g. dir/*.yaml'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied: cannot read the file'
    default:
      return `cannot read the file (${code ?? 'unknown error'})`
  }
}

/** Files named by the patterns, each once, and a problem for every pattern that names none. */
async function expandPatterns(patterns: string[], cwd: string): Promise<{ files: string[]; problems: string[] }> {
  const cleaned = patterns.map((p) => p.trim()).filter((p) => p !== '')
  if (cleaned.length === 0) {
    throw new ConfigError('No SLO files given: pass --config <file|glob> (action input `config`), e.g. --config slos/*.yaml')
  }
  const files: string[] = []
  // The same file reached through two spellings ("a.yaml", "./a.yaml", a glob) is read once.
  const seen = new Set<string>()
  const problems: string[] = []
  for (const pattern of cleaned) {
    const matches = isDynamicPattern(pattern)
      ? (await glob(pattern, { cwd, onlyFiles: true, expandDirectories: false, absolute: isAbsolute(pattern) })).sort()
      : [pattern]
    if (matches.length === 0) problems.push(`${pattern}: no file matches this pattern (looked in ${cwd})`)
    for (const match of matches) {
      const key = resolve(cwd, match)
      if (seen.has(key)) continue
      seen.add(key)
      files.push(match)
    }
  }
  return { files, problems }
}

function formatProblems(problems: string[]): string {
  if (problems.length === 1) return `Invalid SLO configuration: ${problems[0]}`
  return `Invalid SLO configuration (${problems.length} problems):\n${problems.map((p) => `  - ${p}`).join('\n')}`
}

/** Parses one file's text. Pure: used directly by unit tests. References (OpenSLO SLIs and data sources, Sloth AlertWindows) resolve within the file. */
export function parseSloText(text: string, file: string): { slos: Slo[]; problems: string[] } {
  return resolveFiles([parseFile(text, file)])
}

/** Parses several files whose documents may refer to each other (OpenSLO indicatorRef, metricSourceRef). */
export function parseSloTexts(files: { text: string; file: string }[]): { slos: Slo[]; problems: string[] } {
  return resolveFiles(files.map(({ text, file }) => parseFile(text, file)))
}

/** One document's SLOs, in file order: converted at once, or (OpenSLO) once every file is read. */
type Entry = { slo: Slo; slothFormat: boolean } | { openslo: OpenSloDocument }

interface AlertWindowsDoc {
  periodSeconds: number
  rules: BudgetShareRule[]
  where: string
}

interface ParsedFile {
  file: string
  entries: Entry[]
  problems: string[]
  windows: AlertWindowsDoc[]
}

function parseFile(text: string, file: string): ParsedFile {
  const lineCounter = new LineCounter()
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false })
  const parsed: ParsedFile = { file, entries: [], problems: [], windows: [] }
  const { problems } = parsed
  const docs = Array.isArray(documents) ? documents : [documents]
  let contentDocuments = 0
  docs.forEach((doc, index) => {
    const where = (path: (string | number)[] = []) => locate(doc, lineCounter, file, index + 1, path)
    if (doc.errors.length > 0) {
      contentDocuments++
      for (const error of doc.errors) {
        const pos = error.linePos?.[0] ?? (error.pos ? lineCounter.linePos(error.pos[0]) : undefined)
        problems.push(`${file}${pos ? `:${pos.line}:${pos.col}` : ''} (document ${index + 1}): invalid YAML: ${firstLine(error.message)}`)
      }
      return
    }
    let value: unknown
    try {
      value = doc.toJS()
    } catch (error) {
      // Unresolvable aliases and alias bombs ("Excessive alias count") throw here.
      contentDocuments++
      problems.push(`${where()}: invalid YAML: ${firstLine(error instanceof Error ? error.message : String(error))}`)
      return
    }
    if (value === null || value === undefined) return // empty document, e.g. a trailing `---`
    contentDocuments++
    // OpenSLO tools (oslo, the Go SDK) also write several documents as one top-level list.
    if (Array.isArray(value) && value.length > 0 && value.every((item) => isRecord(item) && typeof item.apiVersion === 'string')) {
      value.forEach((item, i) => readDocument(item as Record<string, unknown>, { file, document: index + 1, where, prefix: [i] }, parsed))
      return
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${where()}: expected a mapping (an SLO document), got ${Array.isArray(value) ? 'a list' : typeof value}`)
      return
    }
    readDocument(value as Record<string, unknown>, { file, document: index + 1, where, prefix: [] }, parsed)
  })
  if (contentDocuments === 0) {
    // An empty file must not turn into a gate with nothing to check, which would pass.
    problems.push(`${file}: the file has no SLO documents (it is empty or only comments)`)
  }
  return parsed
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

interface DocumentPlace {
  file: string
  document: number
  where: Locate
  /** [] for a YAML document, [i] for an item of a top-level list. */
  prefix: (string | number)[]
}

function readDocument(record: Record<string, unknown>, place: DocumentPlace, parsed: ParsedFile): void {
  const { problems, entries } = parsed
  const where: Locate = (path = []) => place.where([...place.prefix, ...path])
  const issues = (error: z.ZodError, apiVersion?: string) => problems.push(...describeIssues(error.issues, place.where, record, { apiVersion, prefix: place.prefix }))
  const format = detectFormat(record)
  const prefix = place.prefix.map((p) => `[${p}].`).join('')
  switch (format.format) {
    case 'native': {
      const result = nativeDocumentSchema.safeParse(record)
      if (!result.success) return void issues(result.error, NATIVE_API_VERSION)
      for (const slo of fromNative(result.data, place.file, place.document)) entries.push({ slo, slothFormat: false })
      return
    }
    case 'sloth': {
      const result = slothDocumentSchema.safeParse(record)
      if (!result.success) return void issues(result.error)
      for (const slo of fromSloth(result.data, place.file, place.document)) entries.push({ slo, slothFormat: true })
      return
    }
    case 'sloth-k8s': {
      const result = slothK8sDocumentSchema.safeParse(record)
      if (!result.success) return void issues(result.error)
      for (const slo of fromSlothK8s(result.data, place.file, place.document, prefix)) entries.push({ slo, slothFormat: true })
      return
    }
    case 'sloth-windows': {
      const result = slothAlertWindowsSchema.safeParse(record)
      if (!result.success) return void issues(result.error)
      parsed.windows.push({ periodSeconds: parseDuration(result.data.spec.sloPeriod)!, rules: alertWindowRules(result.data), where: where() })
      return
    }
    case 'pyrra': {
      const result = pyrraDocumentSchema.safeParse(record)
      if (!result.success) return void issues(result.error)
      const converted = fromPyrra(result.data, place.file, place.document, prefix, where)
      problems.push(...converted.problems)
      if (converted.slo) entries.push({ slo: converted.slo, slothFormat: false })
      return
    }
    case 'openslo/v1':
    case 'openslo/v1alpha':
      entries.push({ openslo: { version: format.format === 'openslo/v1' ? 'v1' : 'v1alpha', record, where: place.where, prefix: place.prefix, file: place.file, document: place.document } })
      return
    default:
      problems.push(`${where(format.field ? [format.field] : [])}: ${format.problem}`)
  }
}

/** Phase two, over every file: OpenSLO references and Sloth AlertWindows. */
function resolveFiles(files: ParsedFile[]): { slos: Slo[]; problems: string[] } {
  const problems = files.flatMap((f) => f.problems)
  const registry: OpenSloRegistry = { slis: new Map(), dataSources: new Map() }
  for (const file of files) {
    for (const entry of file.entries) if ('openslo' in entry) problems.push(...registerOpenSlo(entry.openslo, registry))
  }
  const windows = new Map<number, AlertWindowsDoc>()
  for (const doc of files.flatMap((f) => f.windows)) {
    const first = windows.get(doc.periodSeconds)
    if (first) problems.push(`${doc.where}: AlertWindows for the ${formatDuration(doc.periodSeconds)} period are defined twice; the first is in ${first.where}`)
    else windows.set(doc.periodSeconds, doc)
  }
  const slos: Slo[] = []
  for (const file of files) {
    for (const entry of file.entries) {
      let converted: { slo: Slo; slothFormat: boolean }[]
      if ('openslo' in entry) {
        if (openSloKind(entry.openslo) !== 'SLO') continue
        const result = openSloSlos(entry.openslo, registry)
        problems.push(...result.problems)
        converted = result.slos.map((slo) => ({ slo, slothFormat: entry.openslo.version === 'v1alpha' }))
      } else converted = [entry]
      for (const { slo, slothFormat } of converted) {
        const alertWindows = slothFormat ? windows.get(slo.windowSeconds) : undefined
        slos.push(alertWindows ? { ...slo, policy: { ...slo.policy, burnRateRules: scaleBudgetShareRules(alertWindows.rules, slo.windowSeconds) } } : slo)
      }
    }
  }
  return { slos, problems }
}

type Detected =
  | { format: 'native' | 'sloth' | 'sloth-k8s' | 'sloth-windows' | 'pyrra' | 'openslo/v1' | 'openslo/v1alpha' }
  | { format: 'problem'; problem: string; field?: string }

const SUPPORTED_TEXT =
  `supported: \`apiVersion: ${NATIVE_API_VERSION}\` (native), Sloth \`version: ${SLOTH_VERSION}\` and \`apiVersion: ${SLOTH_K8S_API_VERSION}\` PrometheusServiceLevel, ` +
  `OpenSLO \`apiVersion: ${OPENSLO_V1}\` and \`${OPENSLO_V1ALPHA}\`, Pyrra \`apiVersion: ${PYRRA_API_VERSION}\` ServiceLevelObjective`

function detectFormat(doc: Record<string, unknown>): Detected {
  const apiVersion = typeof doc.apiVersion === 'string' ? doc.apiVersion.trim() : undefined
  const version = typeof doc.version === 'string' ? doc.version : undefined
  const kind = typeof doc.kind === 'string' ? doc.kind : undefined
  if (apiVersion === NATIVE_API_VERSION) return { format: 'native' }
  if (apiVersion === undefined && version === SLOTH_VERSION) return { format: 'sloth' }
  if (apiVersion === SLOTH_K8S_API_VERSION) {
    if (kind === 'PrometheusServiceLevel') return { format: 'sloth-k8s' }
    if (kind === 'AlertWindows') return { format: 'sloth-windows' }
    return { format: 'problem', field: 'kind', problem: `not supported: Sloth kind ${JSON.stringify(kind ?? null)} (expected PrometheusServiceLevel, or AlertWindows)` }
  }
  if (apiVersion === OPENSLO_V1) return { format: 'openslo/v1' }
  if (apiVersion === OPENSLO_V1ALPHA) return { format: 'openslo/v1alpha' }
  if (apiVersion !== undefined && /^openslo(\.com)?\//.test(apiVersion)) {
    return { format: 'problem', field: 'apiVersion', problem: `not supported: OpenSLO ${apiVersion} (a draft version): write the SLO as ${OPENSLO_V1} (${SUPPORTED_TEXT})` }
  }
  if (apiVersion === PYRRA_API_VERSION) {
    if (kind === 'ServiceLevelObjective') return { format: 'pyrra' }
    return { format: 'problem', field: 'kind', problem: `not supported: Pyrra kind ${JSON.stringify(kind ?? null)} (expected ServiceLevelObjective)` }
  }
  if (apiVersion?.startsWith('pyrra.dev/') || apiVersion?.startsWith('sloth.slok.dev/')) {
    return { format: 'problem', field: 'apiVersion', problem: `not supported: ${apiVersion}${kind ? ` ${kind}` : ''} (${SUPPORTED_TEXT})` }
  }
  if (apiVersion === 'apiextensions.k8s.io/v1' && kind === 'CustomResourceDefinition') {
    return { format: 'problem', problem: `not an SLO document: a Kubernetes CustomResourceDefinition (the schema of a resource, not an SLO) (${SUPPORTED_TEXT})` }
  }
  if (apiVersion !== undefined) return { format: 'problem', problem: `unknown apiVersion ${JSON.stringify(apiVersion)} (${SUPPORTED_TEXT})` }
  if (version !== undefined) return { format: 'problem', problem: `unknown version ${JSON.stringify(version)} (${SUPPORTED_TEXT})` }
  return { format: 'problem', problem: `not an SLO document: no \`apiVersion\` or \`version\` field (${SUPPORTED_TEXT})` }
}

export { percentToFraction }

function fromNative(doc: NativeDocument, file: string, document: number): Slo[] {
  const groups = doc.services
    ? doc.services.map((service, i) => ({ service: service.name, policy: service.policy, slos: service.slos, path: `services[${i}].slos` }))
    : [{ service: doc.service!, policy: undefined as PolicyOverride | undefined, slos: doc.slos!, path: 'slos' }]
  return groups.flatMap((group) =>
    group.slos.map((slo, i) => {
      const windowSeconds = parseDuration(slo.window ?? DEFAULT_WINDOW)!
      const recorded = slo.sli.recorded ? recordedSli(slo.sli.recorded, windowSeconds) : undefined
      // Pyrra's recorded burn rates exist for Pyrra's windows only: its table is the default there.
      const base = defaultPolicyFor(windowSeconds, recorded?.recorded.source === 'pyrra' ? 'pyrra' : 'sre')
      return {
        service: group.service,
        name: slo.name,
        description: slo.description,
        objective: percentToFraction(slo.objective),
        window: formatDuration(windowSeconds),
        windowSeconds,
        sli: recorded ? recorded.sli : nativeSli(slo.sli),
        policy: applyPolicyOverride(applyPolicyOverride(applyPolicyOverride(base, doc.policy, windowSeconds), group.policy, windowSeconds), slo.policy, windowSeconds),
        source: { file, document, format: 'native', path: `${group.path}[${i}]` } satisfies SloSource,
        ...(recorded ? { recorded: recorded.recorded, notes: recorded.notes } : {})
      }
    })
  )
}

function nativeSli(sli: NativeSlo['sli']): Slo['sli'] {
  if (sli.raw) return { kind: 'ratio', errorRatioQuery: sli.raw.errorRatioQuery }
  if (sli.events) {
    const bad = sli.events.errorQuery !== undefined ? 'errors' : 'good'
    return { kind: 'events', bad, badQuery: (sli.events.errorQuery ?? sli.events.goodQuery)!, totalQuery: sli.events.totalQuery }
  }
  const counters = sli.counters!
  const bad = counters.errors !== undefined ? 'errors' : 'good'
  return { kind: 'events', bad, badQuery: counterIncrease((counters.errors ?? counters.good)!), totalQuery: counterIncrease(counters.total) }
}

/** One Sloth SLO, whichever of its two spellings (prometheus/v1 snake_case, CRD camelCase). */
interface SlothSloFields {
  name: string
  description?: string
  objective: number
  events?: { errorQuery: string; totalQuery: string }
  errorRatioQuery?: string
}

function slothSlo(service: string, slo: SlothSloFields, source: SloSource): Slo {
  return {
    service,
    name: slo.name,
    description: slo.description,
    objective: percentToFraction(slo.objective),
    window: SLOTH_DEFAULT_WINDOW,
    windowSeconds: parseDuration(SLOTH_DEFAULT_WINDOW)!,
    sli: slo.events
      ? { kind: 'events', bad: 'errors', badQuery: slo.events.errorQuery, totalQuery: slo.events.totalQuery }
      : { kind: 'ratio', errorRatioQuery: slo.errorRatioQuery! },
    policy: DEFAULT_POLICY,
    source
  }
}

function fromSloth(doc: SlothDocument, file: string, document: number): Slo[] {
  return doc.slos.map((slo, i) =>
    slothSlo(
      doc.service,
      {
        ...slo,
        events: slo.sli.events && { errorQuery: slo.sli.events.error_query, totalQuery: slo.sli.events.total_query },
        errorRatioQuery: slo.sli.raw?.error_ratio_query
      },
      { file, document, format: 'sloth', path: `slos[${i}]` }
    )
  )
}

function fromSlothK8s(doc: SlothK8sDocument, file: string, document: number, prefix: string): Slo[] {
  return doc.spec.slos.map((slo, i) =>
    slothSlo(
      doc.spec.service,
      { ...slo, events: slo.sli.events, errorRatioQuery: slo.sli.raw?.errorRatioQuery },
      { file, document, format: 'sloth', path: `${prefix}spec.slos[${i}]` }
    )
  )
}

function fromPyrra(doc: PyrraDocument, file: string, document: number, prefix: string, where: Locate): { slo?: Slo; problems: string[] } {
  const { indicator } = doc.spec
  const kinds = (['ratio', 'latency', 'latencyNative', 'bool_gauge'] as const).filter((kind) => indicator[kind] !== undefined)
  if (kinds.length !== 1) {
    return { problems: [`${where(['spec', 'indicator'])}: give exactly one indicator: ratio, latency or bool_gauge${kinds.length > 1 ? ` (got ${kinds.join(', ')})` : ''}`] }
  }
  if (kinds[0] === 'latencyNative') {
    return { problems: [`${where(['spec', 'indicator', 'latencyNative'])}: not supported: latencyNative (native histograms): use latency with a classic histogram's _bucket and _count series`] }
  }
  let sli: Slo['sli']
  let grouping: string[] | undefined
  if (indicator.ratio) {
    sli = { kind: 'events', bad: 'errors', badQuery: counterIncrease(indicator.ratio.errors.metric), totalQuery: counterIncrease(indicator.ratio.total.metric) }
    grouping = indicator.ratio.grouping
  } else if (indicator.latency) {
    sli = { kind: 'events', bad: 'good', badQuery: counterIncrease(normaliseLe(indicator.latency.success.metric)), totalQuery: counterIncrease(indicator.latency.total.metric) }
    grouping = indicator.latency.grouping
  } else {
    const gauge = indicator.bool_gauge!
    // A 0/1 gauge: every sample is an event, good when 1 (Pyrra's count_over_time and sum_over_time).
    sli = { kind: 'events', bad: 'good', badQuery: `sum(sum_over_time(${gauge.metric}[{{.window}}]))`, totalQuery: `sum(count_over_time(${gauge.metric}[{{.window}}]))` }
    grouping = gauge.grouping
  }
  const windowSeconds = parseDuration(doc.spec.window)!
  const notes = grouping && grouping.length > 0
    ? [`Pyrra grouping by ${grouping.join(', ')} is evaluated as one aggregate SLO over all groups: Pyrra alerts per group, so one group burning its budget alone may not show here`]
    : undefined
  return {
    problems: [],
    slo: {
      service: doc.metadata.namespace?.trim() || 'default',
      name: doc.metadata.name,
      ...(doc.spec.description?.trim() ? { description: doc.spec.description.trim() } : {}),
      objective: percentToFraction(doc.spec.target),
      window: formatDuration(windowSeconds),
      windowSeconds,
      sli,
      policy: defaultPolicyFor(windowSeconds, 'pyrra'),
      source: { file, document, format: 'pyrra', path: `${prefix}spec` },
      ...(notes ? { notes } : {})
    }
  }
}

function findDuplicates(slos: Slo[]): string[] {
  const seen = new Map<string, Slo>()
  const problems: string[] = []
  for (const slo of slos) {
    const id = sloId(slo)
    const first = seen.get(id)
    if (first) {
      problems.push(
        `${slo.source.file} (document ${slo.source.document}, ${slo.source.path}): SLO "${id}" is defined twice; the first is in ${first.source.file} (document ${first.source.document}, ${first.source.path}). SLO names must be unique within a service.`
      )
    } else seen.set(id, slo)
  }
  return problems
}
