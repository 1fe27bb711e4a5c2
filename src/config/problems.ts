// Where a problem is (file:line, document, field) and how zod issues read as sentences. Shared
// by every format's reader, so all of them name places the same way.
import { isMap, isScalar, type Document, type LineCounter } from 'yaml'
import type { z } from 'zod'

/** "file:line (document N, field.path)" for a field path inside the current document. */
export type Locate = (path?: (string | number)[]) => string

export function locate(doc: Document, lines: LineCounter, file: string, document: number, path: (string | number)[]): string {
  // A missing field has no node: point at the closest enclosing one that exists.
  let range: Range | undefined
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

export function formatPath(path: (string | number | symbol)[]): string {
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

export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `${typeof value} ${JSON.stringify(value)}`
}

export function valueAt(value: unknown, path: (string | number)[]): unknown {
  let current = value
  for (const key of path) current = (current as Record<string | number, unknown> | undefined)?.[key]
  return current
}

export interface IssueOptions {
  /** The apiVersion the document must have, for a clearer message on a literal mismatch. */
  apiVersion?: string
  /** Fields the issues' paths are relative to (a list item's index, a nested spec). */
  prefix?: (string | number)[]
}

export function describeIssues(issues: z.core.$ZodIssue[], where: Locate, document: unknown, options: IssueOptions = {}): string[] {
  const prefix = options.prefix ?? []
  return issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
    const full = [...prefix, ...path]
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `\`${k}\``).join(', ')
      return `${where(full)}: unknown field${issue.keys.length > 1 ? 's' : ''} ${keys} (check the spelling; see the SLO file format in the README)`
    }
    if (issue.code === 'invalid_value' && path.length === 1 && path[0] === 'apiVersion' && options.apiVersion) {
      return `${where(full)}: expected apiVersion ${options.apiVersion}`
    }
    if (issue.code === 'invalid_type') {
      // Zod does not carry the input in issues: look at the document to tell "missing" from "wrong type".
      if (isMissing(document, path)) return `${where(full)}: missing required field: ${issue.message}`
      return `${where(full)}: ${issue.message}; got ${describeType(valueAt(document, path))}`
    }
    return `${where(full)}: ${issue.message}`
  })
}

export function firstLine(text: string): string {
  return text.split('\n')[0]
}

/** 99.9 → 0.999 exactly as written (99.9 / 100 is 0.9990000000000001 in binary floating point). */
export function percentToFraction(percent: number): number {
  return Number((percent / 100).toPrecision(12))
}

/** A fraction as written (0.999), without float noise from arithmetic on it. */
export function cleanFraction(fraction: number): number {
  return Number(fraction.toPrecision(12))
}
