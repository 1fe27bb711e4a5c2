// The shipped JSON Schema of the native format (schema/error-budget-gate.schema.json) is the one
// generated from the zod schema the loader uses, and it accepts the native files the loader
// accepts and rejects the mistakes an editor should underline.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
// ajv 6 (draft-07) is in the dev dependency tree through ESLint; the schema targets draft-07.
import Ajv from 'ajv'

import { nativeJsonSchema, nativeJsonSchemaText } from '../../src/config/json-schema.js'
import { parseSloText } from '../../src/config/load.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const shipped = readFileSync(`${root}schema/error-budget-gate.schema.json`, 'utf8')

function nativeDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(`${root}${file}`, 'utf8'))
    .flatMap((doc) => (Array.isArray(doc) ? doc : [doc]))
    .map((doc) => doc.toJS() as unknown)
    .filter((value): value is Record<string, unknown> => typeof value === 'object' && value !== null && (value as Record<string, unknown>).apiVersion === 'error-budget-gate/v1')
}

describe('schema/error-budget-gate.schema.json', () => {
  it('is current: generated from the zod schema (run `npm run schema` after changing src/config/native.ts or the policy)', () => {
    expect(shipped).toBe(nativeJsonSchemaText())
  })

  const ajv = new Ajv({ allErrors: true })
  const validate = ajv.compile(nativeJsonSchema())

  it.each([
    '__tests__/fixtures/slos/healthy.yaml',
    '__tests__/fixtures/slos/latency.yaml',
    '__tests__/fixtures/slos/multi.yaml',
    '__tests__/fixtures/formats/native.yaml',
    'examples/slos/native.yaml',
    'examples/slos/demo.yaml'
  ])('accepts %s, as the loader does', (file) => {
    const docs = nativeDocuments(file)
    expect(docs.length).toBeGreaterThan(0)
    expect(parseSloText(readFileSync(`${root}${file}`, 'utf8'), file).problems).toEqual([])
    for (const doc of docs) {
      const ok = validate(doc)
      expect(ok ? [] : validate.errors).toEqual([])
    }
  })

  const base = {
    apiVersion: 'error-budget-gate/v1',
    service: 'checkout',
    slos: [{ name: 'a', objective: 99.9, window: '28d', sli: { counters: { errors: 'e_total{code="500"}', total: 'e_total' } } }]
  }
  const slo = base.slos[0]

  it.each([
    ['an unknown field', { ...base, slo: [] }],
    ['a misspelt SLO field', { ...base, slos: [{ ...slo, objectve: 99.9 }] }],
    ['an objective of 100', { ...base, slos: [{ ...slo, objective: 100 }] }],
    ['an objective written as a fraction', { ...base, slos: [{ ...slo, objective: 0.999 }] }],
    ['a window that is not a duration', { ...base, slos: [{ ...slo, window: '30 days' }] }],
    ['a query without {{.window}}', { ...base, slos: [{ ...slo, sli: { events: { errorQuery: 'sum(rate(e[5m]))', totalQuery: 'sum(rate(t[{{.window}}]))' } } }] }],
    ['errors and good both given', { ...base, slos: [{ ...slo, sli: { counters: { errors: 'e', good: 'g', total: 't' } } }] }],
    ['two SLI forms', { ...base, slos: [{ ...slo, sli: { counters: slo.sli.counters, raw: { errorRatioQuery: 'x[{{.window}}]' } } }] }],
    ['a burn-rate rule with threshold and budgetPercent', { ...base, policy: { burnRates: [{ long: '1h', short: '5m', threshold: 14.4, budgetPercent: 2, decision: 'freeze' }] } }],
    ['service and services together', { ...base, services: [{ name: 'x', slos: base.slos }] }],
    ['another apiVersion', { ...base, apiVersion: 'error-budget-gate/v2' }]
  ])('rejects %s, as the loader does', (_, doc) => {
    expect(validate(doc)).toBe(false)
    expect(parseSloText(JSON.stringify(doc), 'doc.yaml').problems.length).toBeGreaterThan(0)
  })

  it('describes the fields an editor shows on hover', () => {
    const schema = JSON.parse(shipped) as { $schema: string; properties: { slos: { items: { properties: Record<string, { description?: string }> } } } }
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#')
    const fields = schema.properties.slos.items.properties
    expect(fields.objective.description).toMatch(/percentage/)
    expect(fields.window.description).toMatch(/Burn-rate thresholds scale/)
  })
})
