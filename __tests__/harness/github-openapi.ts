// Checks recorded requests against GitHub's published OpenAPI description (the @octokit/openapi
// package's api.github.com.json): the method and path name a real operation, the query parameters
// are ones it declares, with valid values, and the JSON body matches its request schema (required
// fields, types, enums, lengths and item counts; properties it does not declare are reported too).
import fs from 'node:fs'
import path from 'node:path'

import { REPO_ROOT } from './run-bundle.js'
import type { RecordedRequest } from './fake-github.js'

type Schema = {
  $ref?: string
  type?: string
  nullable?: boolean
  enum?: unknown[]
  required?: string[]
  properties?: Record<string, Schema>
  additionalProperties?: boolean | Schema
  items?: Schema
  maxItems?: number
  minItems?: number
  maxLength?: number
  minLength?: number
  oneOf?: Schema[]
  anyOf?: Schema[]
  allOf?: Schema[]
}

interface Parameter {
  $ref?: string
  name: string
  in: 'path' | 'query' | 'header'
  required?: boolean
  schema?: Schema
}

interface Operation {
  operationId: string
  parameters?: Parameter[]
  requestBody?: { content: Record<string, { schema: Schema }> }
}

interface Spec {
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, Schema>; parameters: Record<string, Parameter> }
}

let spec: Spec | undefined

function loadSpec(): Spec {
  spec ??= JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', '@octokit', 'openapi', 'generated', 'api.github.com.json'), 'utf8')) as Spec
  return spec
}

function resolve<T extends { $ref?: string }>(item: T): T {
  let current: T = item
  for (let depth = 0; current.$ref && depth < 20; depth++) {
    const [, , kind, name] = current.$ref.split('/')
    current = (loadSpec().components as unknown as Record<string, Record<string, T>>)[kind!]![name!]!
  }
  return current
}

/** The operation for a method and a concrete path, with its path parameters' values. */
export function findOperation(method: string, concretePath: string): { template: string; operation: Operation } | undefined {
  const paths = loadSpec().paths
  for (const [template, methods] of Object.entries(paths)) {
    const operation = methods[method.toLowerCase()]
    if (!operation) continue
    const params = (operation.parameters ?? []).map(resolve)
    const regex = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
      const multi = params.find((p) => p.name === name && p.in === 'path') as (Parameter & { 'x-multi-segment'?: boolean }) | undefined
      return multi?.['x-multi-segment'] ? '(.+)' : '([^/]+)'
    })
    if (new RegExp(`^${regex}$`).test(concretePath)) return { template, operation }
  }
  return undefined
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** Problems of a value against a schema; empty when it matches. */
export function validate(value: unknown, raw: Schema, where: string): string[] {
  const schema = resolve(raw)
  if (schema.allOf) return schema.allOf.flatMap((part) => validate(value, part, where))
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key]
    if (options) {
      const results = options.map((option) => validate(value, option, where))
      if (!results.some((problems) => problems.length === 0)) return [`${where}: matches none of its ${key} options (${results.map((r) => r[0]).join(' | ')})`]
      if (!schema.type && !schema.properties) return []
    }
  }
  if (value === null) return schema.nullable || schema.type === 'null' || schema.type === undefined ? [] : [`${where}: null where ${schema.type} is expected`]
  const actual = typeOf(value)
  if (schema.type && !(schema.type === actual || (schema.type === 'number' && actual === 'integer'))) return [`${where}: ${actual} where ${schema.type} is expected`]
  const problems: string[] = []
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`)
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && value.length > schema.maxLength) problems.push(`${where}: ${value.length} characters, at most ${schema.maxLength} allowed`)
    if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${where}: ${value.length} characters, at least ${schema.minLength} required`)
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${where}: ${value.length} items, at most ${schema.maxItems} allowed`)
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${where}: ${value.length} items, at least ${schema.minItems} required`)
    if (schema.items) value.forEach((item, i) => problems.push(...validate(item, schema.items!, `${where}[${i}]`)))
  }
  if (actual === 'object' && (schema.properties || schema.required)) {
    const object = value as Record<string, unknown>
    for (const name of schema.required ?? []) if (!(name in object)) problems.push(`${where}.${name}: required, missing`)
    for (const [name, item] of Object.entries(object)) {
      const property = schema.properties?.[name]
      if (property) problems.push(...validate(item, property, `${where}.${name}`))
      else if (schema.additionalProperties === undefined || schema.additionalProperties === false) problems.push(`${where}.${name}: not a property of this request`)
    }
  }
  return problems
}

/** Problems of one recorded request against GitHub's OpenAPI description; empty when it matches. */
export function requestProblems(request: RecordedRequest): string[] {
  const label = `${request.method} ${request.path}`
  const found = findOperation(request.method, request.path)
  if (!found) return [`${label}: no such operation in GitHub's REST API`]
  const { operation } = found
  const params = (operation.parameters ?? []).map(resolve)
  const problems: string[] = []
  for (const [name, value] of Object.entries(request.query)) {
    const param = params.find((p) => p.in === 'query' && p.name === name)
    if (!param) {
      problems.push(`${label} (${operation.operationId}): unknown query parameter ${name}`)
      continue
    }
    const schema = param.schema ? resolve(param.schema) : {}
    const typed = schema.type === 'integer' || schema.type === 'number' ? Number(value) : schema.type === 'boolean' ? value === 'true' : value
    if ((schema.type === 'integer' && !Number.isInteger(typed)) || (schema.type === 'boolean' && !['true', 'false'].includes(value))) {
      problems.push(`${label}: query ${name}=${value} is not a ${schema.type}`)
    } else {
      problems.push(...validate(typed, schema, `${label} query ${name}`))
    }
  }
  for (const param of params) {
    if (param.in === 'query' && param.required && !(param.name in request.query)) problems.push(`${label}: query parameter ${param.name} is required`)
  }
  const body = operation.requestBody?.content['application/json']?.schema
  if (request.body !== undefined) {
    if (!body) problems.push(`${label} (${operation.operationId}): sends a body, the operation takes none`)
    else problems.push(...validate(request.body, body, `${label} body`))
  }
  return problems
}

/** The operation ids of recorded requests, in order (e.g. "repos/create-commit-status"). */
export function operationIds(requests: RecordedRequest[]): string[] {
  return requests.map((request) => findOperation(request.method, request.path)?.operation.operationId ?? `${request.method} ${request.path}`)
}
