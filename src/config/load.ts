// Reads SLO files (several files, several YAML documents each, any supported format) into the
// one SLO model. Every problem in every file is collected, so a user fixes them in one pass.
import { readFile } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { glob, isDynamicPattern } from 'tinyglobby'
import { isMap, isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml'
import type { z } from 'zod'
import { formatDuration, parseDuration } from '../duration.js'
import { ConfigError } from '../errors.js'
import { DEFAULT_POLICY } from '../policy/settings.js'
import { sloId, type Slo, type SloSource } from './model.js'
import { NATIVE_API_VERSION, nativeDocumentSchema, type NativeDocument, type NativeSlo } from './native.js'
import { applyPolicyOverride, type PolicyOverride } from './policy-schema.js'
import { SLOTH_DEFAULT_WINDOW, SLOTH_VERSION, slothDocumentSchema, type SlothDocument } from './sloth.js'

const DEFAULT_WINDOW = '30d'

export interface LoadedConfig {
  files: string[]
  slos: Slo[]
}

/** Expands files and globs (relative to cwd) and loads every SLO in them. */
export async function loadSloFiles(patterns: string[], cwd: string = process.cwd()): Promise<LoadedConfig> {
  const { files, problems } = await expandPatterns(patterns, cwd)
  const slos: Slo[] = []
  for (const file of files) {
    let text: string
    try {
      text = await readFile(resolve(cwd, file), 'utf8')
    } catch (error) {
      problems.push(`${file}: ${readFailure((error as NodeJS.ErrnoException).code, cwd)}`)
      continue
    }
    const parsed = parseSloText(text, file)
    problems.push(...parsed.problems)
    slos.push(...parsed.slos)
  }
  problems.push(...findDuplicates(slos))
  if (problems.length > 0) throw new ConfigError(formatProblems(problems))
  return { files, slos }
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

/** Parses one file's text. Pure: used directly by unit tests. */
export function parseSloText(text: string, file: string): { slos: Slo[]; problems: string[] } {
  const lineCounter = new LineCounter()
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false })
  const problems: string[] = []
  const slos: Slo[] = []
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
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${where()}: expected a mapping (an SLO document), got ${Array.isArray(value) ? 'a list' : typeof value}`)
      return
    }
    const record = value as Record<string, unknown>
    const format = detectFormat(record)
    if (typeof format === 'string' && format !== 'native' && format !== 'sloth') {
      problems.push(`${where()}: ${format}`)
      return
    }
    if (format === 'native') {
      const result = nativeDocumentSchema.safeParse(record)
      if (!result.success) return problems.push(...describeIssues(result.error.issues, where, record))
      slos.push(...fromNative(result.data, file, index + 1))
    } else {
      const result = slothDocumentSchema.safeParse(record)
      if (!result.success) return problems.push(...describeIssues(result.error.issues, where, record))
      slos.push(...fromSloth(result.data, file, index + 1))
    }
  })
  if (contentDocuments === 0) {
    // An empty file must not turn into a gate with nothing to check, which would pass.
    problems.push(`${file}: the file has no SLO documents (it is empty or only comments)`)
  }
  return { slos, problems }
}

function detectFormat(doc: Record<string, unknown>): 'native' | 'sloth' | string {
  if (doc.apiVersion === NATIVE_API_VERSION) return 'native'
  if (doc.version === SLOTH_VERSION) return 'sloth'
  const apiVersion = typeof doc.apiVersion === 'string' ? doc.apiVersion : undefined
  const version = typeof doc.version === 'string' ? doc.version : undefined
  const supported = `supported: \`apiVersion: ${NATIVE_API_VERSION}\` (native) and \`version: ${SLOTH_VERSION}\` (Sloth)`
  if (apiVersion?.startsWith('sloth.slok.dev/') || apiVersion?.startsWith('openslo/') || apiVersion?.startsWith('pyrra.dev/')) {
    return `${apiVersion}${doc.kind ? ` ${String(doc.kind)}` : ''} documents are not supported yet (${supported})`
  }
  if (apiVersion !== undefined) return `unknown apiVersion ${JSON.stringify(apiVersion)} (${supported})`
  if (version !== undefined) return `unknown version ${JSON.stringify(version)} (${supported})`
  return `not an SLO document: no \`apiVersion\` or \`version\` field (${supported})`
}

type Locate = (path?: (string | number)[]) => string

function locate(doc: Document, lines: LineCounter, file: string, document: number, path: (string | number)[]): string {
  // A missing field has no node: point at the closest enclosing one that exists.
  let range: [number, number, number] | undefined
  for (let depth = path.length; depth >= 0 && !range; depth--) range = fieldRange(doc, path.slice(0, depth))
  const pos = range ? lines.linePos(range[0]) : undefined
  const field = path.length > 0 ? `, ${formatPath(path)}` : ''
  return `${file}${pos ? `:${pos.line}` : ''} (document ${document}${field})`
}

type Range = [number, number, number]

/** Where a field is written: its key's line for a mapping entry (the value may start below). */
function fieldRange(doc: Document, path: (string | number)[]): Range | undefined {
  if (path.length === 0) return (doc.contents as { range?: Range } | null)?.range
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true)
  const key = path[path.length - 1]
  if (isMap(parent)) {
    const pair = parent.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === key)
    const keyRange = (pair?.key as { range?: Range } | null | undefined)?.range
    if (keyRange) return keyRange
  }
  return (doc.getIn(path, true) as { range?: Range } | null | undefined)?.range
}

function formatPath(path: (string | number | symbol)[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('')
}

/** Whether the value at `path` is absent from the parsed document. */
function isMissing(value: unknown, path: (string | number)[]): boolean {
  let current = value
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !(key in current)) return true
    current = (current as Record<string | number, unknown>)[key]
  }
  return current === undefined || current === null
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `${typeof value} ${JSON.stringify(value)}`
}

function valueAt(value: unknown, path: (string | number)[]): unknown {
  let current = value
  for (const key of path) current = (current as Record<string | number, unknown> | undefined)?.[key]
  return current
}

function describeIssues(issues: z.core.$ZodIssue[], where: Locate, document: unknown): string[] {
  return issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `\`${k}\``).join(', ')
      return `${where(path)}: unknown field${issue.keys.length > 1 ? 's' : ''} ${keys} (check the spelling; see the SLO file format in the README)`
    }
    if (issue.code === 'invalid_value' && path.length === 1 && path[0] === 'apiVersion') {
      return `${where(path)}: expected apiVersion ${NATIVE_API_VERSION}`
    }
    if (issue.code === 'invalid_type') {
      // Zod does not carry the input in issues: look at the document to tell "missing" from "wrong type".
      if (isMissing(document, path)) return `${where(path)}: missing required field: ${issue.message}`
      return `${where(path)}: ${issue.message}; got ${describeType(valueAt(document, path))}`
    }
    return `${where(path)}: ${issue.message}`
  })
}

function firstLine(text: string): string {
  return text.split('\n')[0]
}

/** 99.9 → 0.999 exactly as written (99.9 / 100 is 0.9990000000000001 in binary floating point). */
export function percentToFraction(percent: number): number {
  return Number((percent / 100).toPrecision(12))
}

function fromNative(doc: NativeDocument, file: string, document: number): Slo[] {
  const docPolicy = applyPolicyOverride(DEFAULT_POLICY, doc.policy)
  const groups = doc.services
    ? doc.services.map((service, i) => ({ service: service.name, policy: service.policy, slos: service.slos, path: `services[${i}].slos` }))
    : [{ service: doc.service!, policy: undefined as PolicyOverride | undefined, slos: doc.slos!, path: 'slos' }]
  return groups.flatMap((group) =>
    group.slos.map((slo, i) => {
      const window = slo.window ?? DEFAULT_WINDOW
      return {
        service: group.service,
        name: slo.name,
        description: slo.description,
        objective: percentToFraction(slo.objective),
        window: formatDuration(parseDuration(window)!),
        windowSeconds: parseDuration(window)!,
        sli: nativeSli(slo.sli),
        policy: applyPolicyOverride(applyPolicyOverride(docPolicy, group.policy), slo.policy),
        source: { file, document, format: 'native', path: `${group.path}[${i}]` } satisfies SloSource
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
  const wrap = (selector: string) => `sum(increase(${selector}[{{.window}}]))`
  const bad = counters.errors !== undefined ? 'errors' : 'good'
  return { kind: 'events', bad, badQuery: wrap((counters.errors ?? counters.good)!), totalQuery: wrap(counters.total) }
}

function fromSloth(doc: SlothDocument, file: string, document: number): Slo[] {
  return doc.slos.map((slo, i) => ({
    service: doc.service,
    name: slo.name,
    description: slo.description,
    objective: percentToFraction(slo.objective),
    window: SLOTH_DEFAULT_WINDOW,
    windowSeconds: parseDuration(SLOTH_DEFAULT_WINDOW)!,
    sli: slo.sli.events
      ? { kind: 'events', bad: 'errors', badQuery: slo.sli.events.error_query, totalQuery: slo.sli.events.total_query }
      : { kind: 'ratio', errorRatioQuery: slo.sli.raw!.error_ratio_query },
    policy: DEFAULT_POLICY,
    source: { file, document, format: 'sloth', path: `slos[${i}]` }
  }))
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
