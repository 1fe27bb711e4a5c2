// Fuzzing the parsers with fast-check: random and mutated YAML into the SLO loader (every
// supported format: native, Sloth, Sloth on Kubernetes, OpenSLO, Pyrra) and random and mutated
// JSON into the Prometheus response parsers. None may throw: each input is either accepted or
// refused with clean problems, every one naming the file (and where known the line, document and
// field), or a non-empty message for a response.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { parseSloText } from '../../src/config/load.js'
import { parseInstantBody, parseRangeBody } from '../../src/prometheus/response.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const FILE = 'slos/fuzz.yaml'

/** Every YAML file under these folders: the valid seeds that mutations start from. */
function yamlFiles(...dirs: string[]): string[] {
  const files: string[] = []
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (/\.ya?ml$/.test(entry.name)) files.push(full)
    }
  }
  for (const dir of dirs) walk(path.join(ROOT, dir))
  return files.sort()
}

const SEEDS = yamlFiles('__tests__/fixtures', 'examples/slos', 'examples/monorepo').map((file) => fs.readFileSync(file, 'utf8'))

/** Runs per property: enough to find shallow crashes on every CI run without slowing it down. */
const RUNS = Number(process.env.EBG_FUZZ_RUNS ?? 300)

function expectCleanProblems(result: { slos: unknown[]; problems: string[] }): void {
  expect(Array.isArray(result.slos)).toBe(true)
  for (const problem of result.problems) {
    expect(typeof problem).toBe('string')
    // Every problem says where: the file, then (when known) ":line" and "(document N, field)".
    expect(problem.startsWith(FILE)).toBe(true)
    expect(problem.length).toBeGreaterThan(FILE.length + 5)
    // A message, not a dump: no stack, no "[object Object]".
    expect(problem).not.toMatch(/\n\s+at |\[object Object\]/)
  }
  // Refused or accepted, never silently empty: a file with no SLO and no problem would pass the gate.
  expect(result.slos.length + result.problems.length).toBeGreaterThan(0)
}

/** A text edit: delete, insert or replace a slice, duplicate or drop a line, swap two lines. */
const textMutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.string(), fc.constantFrom(':', '- ', '  ', '\n', '{', '[', '"', "'", '&a', '*a', '!!binary', '---\n', '\t', '{{.window}}', '%', '#', '?', '|', '>', '@', '`', '\u0000', '\ufeff')) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }), text: fc.string() }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('drop-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines' as const), at: fc.nat(), other: fc.nat() })
)
type TextMutation = typeof textMutation extends fc.Arbitrary<infer T> ? T : never

function mutate(text: string, mutation: TextMutation): string {
  const at = mutation.at % (text.length + 1)
  const lines = text.split('\n')
  const line = mutation.at % lines.length
  switch (mutation.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + mutation.length)
    case 'insert':
      return text.slice(0, at) + mutation.text + text.slice(at)
    case 'replace':
      return text.slice(0, at) + mutation.text + text.slice(at + mutation.length)
    case 'duplicate-line':
      return [...lines.slice(0, line + 1), ...lines.slice(line)].join('\n')
    case 'drop-line':
      return [...lines.slice(0, line), ...lines.slice(line + 1)].join('\n')
    case 'swap-lines': {
      const other = mutation.other % lines.length
      const swapped = [...lines]
      ;[swapped[line], swapped[other]] = [swapped[other]!, swapped[line]!]
      return swapped.join('\n')
    }
  }
}

/** YAML scalars and structures in the shapes SLO files use, nested a little. */
const yamlValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 99.9, 100, Number.POSITIVE_INFINITY, '30d', '5m', 'x', '', '{{.window}}', 'sum(rate(x[{{.window}}]))', 'error-budget-gate/v1', 'prometheus/v1', 'openslo/v1', 'pyrra.dev/v1alpha1', 'sloth.slok.dev/v1'),
    fc.string(),
    fc.double(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string(), fc.constantFrom('apiVersion', 'version', 'kind', 'service', 'slos', 'services', 'name', 'objective', 'window', 'sli', 'events', 'counters', 'raw', 'errorQuery', 'goodQuery', 'totalQuery', 'errorRatioQuery', 'policy', 'budget', 'burnRates', 'metadata', 'spec', 'indicator', 'ratioMetric', 'objectives', 'target', 'timeWindow', 'error_query', 'total_query', 'error_ratio_query')),
      tie('value'),
      { maxKeys: 6 }
    )
  )
})).value

describe('parseSloText never throws', () => {
  it('has seeds to mutate', () => {
    expect(SEEDS.length).toBeGreaterThanOrEqual(5)
    // The seeds themselves are valid.
    for (const seed of SEEDS) expect(parseSloText(seed, FILE).problems).toEqual([])
  })

  it('on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        expectCleanProblems(parseSloText(text, FILE))
      }),
      { numRuns: RUNS }
    )
  })

  it('on random YAML documents (JSON is YAML too)', () => {
    fc.assert(
      fc.property(fc.array(yamlValue, { minLength: 1, maxLength: 3 }), fc.boolean(), (docs, asJson) => {
        const text = docs.map((doc) => (asJson ? JSON.stringify(doc) ?? 'null' : toYaml(doc))).join('\n---\n')
        expectCleanProblems(parseSloText(text, FILE))
      }),
      { numRuns: RUNS }
    )
  })

  it('on valid SLO files with random edits', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(textMutation, { minLength: 1, maxLength: 4 }), (seed, mutations) => {
        expectCleanProblems(parseSloText(mutations.reduce(mutate, seed), FILE))
      }),
      { numRuns: RUNS * 2 }
    )
  })

  it('on valid SLO files with one field replaced by a random value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.nat(), yamlValue, (seed, pick, value) => {
        // Replace the value of one `key: value` line, keeping the key and its indentation.
        const lines = seed.split('\n')
        const candidates = lines.map((line, i) => [line, i] as const).filter(([line]) => /^\s*(- )?[\w.]+:\s*\S/.test(line))
        if (candidates.length === 0) return
        const [line, index] = candidates[pick % candidates.length]!
        lines[index] = `${line.slice(0, line.indexOf(':') + 1)} ${JSON.stringify(value) ?? 'null'}`
        expectCleanProblems(parseSloText(lines.join('\n'), FILE))
      }),
      { numRuns: RUNS * 2 }
    )
  })

  it('on the YAML features that have broken parsers: aliases, tags, merge keys, deep nesting', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n')
    for (const text of [
      bomb,
      'apiVersion: error-budget-gate/v1\nservice: *missing\n',
      'apiVersion: !!binary aGVsbG8=\n',
      '<<: {apiVersion: error-budget-gate/v1}\nservice: a\n',
      'apiVersion: error-budget-gate/v1\nservice: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n',
      '- '.repeat(3000) + 'x\n',
      '\ufeffapiVersion: error-budget-gate/v1\n',
      'apiVersion: error-budget-gate/v1\nservice: a\nslos: !!set {a, b}\n',
      'a: 1\na: 2\n'
    ]) {
      expectCleanProblems(parseSloText(text, FILE))
    }
  })
})

/** Minimal YAML writer for the random documents (flow style: every value is valid YAML). */
function toYaml(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? 'null'
}

// ---------------------------------------------------------------------------------------------

const VALID_BODIES: unknown[] = [
  { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1795132800, '43200000'] }] } },
  { status: 'success', data: { resultType: 'vector', result: [{ metric: { service: 'a', code: '500' }, value: [1795132800.5, 'NaN'] }] }, warnings: ['x'] },
  { status: 'success', data: { resultType: 'scalar', result: [1795132800, '+Inf'] } },
  { status: 'success', data: { resultType: 'vector', result: [] }, isPartial: true },
  { status: 'error', errorType: 'bad_data', error: 'parse error' },
  { status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1795132800, '1'], [1795132860, '2']] }] } }
]

function expectCleanParse(parsed: { ok: boolean; message?: string; kind?: string }): void {
  if (parsed.ok) return
  expect(['invalid', 'prometheus-error']).toContain(parsed.kind)
  expect(typeof parsed.message).toBe('string')
  expect(parsed.message!.length).toBeGreaterThan(0)
  expect(parsed.message).not.toMatch(/\[object Object\]|\n\s+at /)
}

/** Replaces the value at a random path of a JSON value with `replacement` (or deletes it). */
function replaceAt(value: unknown, path: number[], replacement: unknown, remove: boolean): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value as Record<string, unknown>)
  if (entries.length === 0) return replacement
  const [key, child] = entries[path[0]! % entries.length]!
  const next = path.length === 1 && remove ? undefined : replaceAt(child, path.slice(1), replacement, remove)
  if (Array.isArray(value)) {
    const copy = [...value]
    if (next === undefined) copy.splice(key as number, 1)
    else copy[key as number] = next
    return copy
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) }
  if (next === undefined) delete copy[key as string]
  else copy[key as string] = next
  return copy
}

describe('the response parsers never throw', () => {
  const parsers = [
    ['parseInstantBody', parseInstantBody],
    ['parseRangeBody', parseRangeBody]
  ] as const

  it.each(parsers)('%s on any value', (_name, parse) => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }), (value) => {
        expectCleanParse(parse(value))
      }),
      { numRuns: RUNS }
    )
  })

  it.each(parsers)('%s on envelopes with any status, errorType and error', (_name, parse) => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true }), fc.option(fc.anything()), fc.option(fc.anything()), (status, errorType, error) => {
        expectCleanParse(parse({ status, errorType, error }))
        expectCleanParse(parse({ status: 'error', errorType, error }))
      }),
      { numRuns: RUNS }
    )
  })

  it.each(parsers)('%s on valid bodies with one part replaced or removed', (_name, parse) => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID_BODIES), fc.array(fc.nat(), { maxLength: 6 }), fc.jsonValue(), fc.boolean(), (body, at, replacement, remove) => {
        expectCleanParse(parse(replaceAt(body, at, replacement, remove)))
      }),
      { numRuns: RUNS * 2 }
    )
  })

  it.each(parsers)('%s on JSON text with random edits (what JSON.parse accepts of it)', (_name, parse) => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID_BODIES.map((b) => JSON.stringify(b))), fc.array(textMutation, { minLength: 1, maxLength: 3 }), (text, mutations) => {
        let body: unknown
        try {
          body = JSON.parse(mutations.reduce(mutate, text))
        } catch {
          return // not JSON: the client reports that itself (__tests__/fault/faults.test.ts)
        }
        expectCleanParse(parse(body))
      }),
      { numRuns: RUNS * 2 }
    )
  })

  it('a sample value is a number, or refused: never a wrong number', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double().map(String), fc.constantFrom('NaN', '+Inf', '-Inf', 'Inf', '1e+06', '0x10', ' 5', '5 ', '', 'Infinity', '1_000')), (text) => {
        const parsed = parseInstantBody({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, text] }] } })
        if (!parsed.ok) return expectCleanParse(parsed)
        const value = parsed.result.samples[0]!.value
        if (text === 'NaN') expect(value).toBeNaN()
        else if (['+Inf', 'Inf'].includes(text)) expect(value).toBe(Infinity)
        else if (text === '-Inf') expect(value).toBe(-Infinity)
        // Anything else accepted is a plain decimal that reads back as the same number.
        else expect(/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text) && value === Number(text)).toBe(true)
      }),
      { numRuns: RUNS }
    )
  })
})
