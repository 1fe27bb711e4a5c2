// The JSON Schema of the native format, generated from the zod schema the loader validates
// with (so the two cannot disagree). Shipped as schema/error-budget-gate.schema.json for editors
// (YAML language server: `# yaml-language-server: $schema=...`; draft-07, which every editor
// reads); `npm run schema` rewrites it and a test fails when it is stale.
import * as z from 'zod'
import { nativeDocumentSchema } from './native.js'

export function nativeJsonSchema(): Record<string, unknown> {
  // io: 'input' describes what a file may contain (before transforms such as "25%" → 0.25).
  const generated = z.toJSONSchema(nativeDocumentSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>
  const { $schema, ...rest } = generated
  return {
    $schema,
    title: 'error-budget-gate SLO file (apiVersion: error-budget-gate/v1)',
    description:
      'SLOs and their error-budget policy, read by the error-budget-gate action and CLI. Generated from the zod schema in src/config/native.ts: do not edit by hand (npm run schema).',
    ...rest
  }
}

/** The file's text: stable key order, two-space indent, a final newline. */
export function nativeJsonSchemaText(): string {
  return `${JSON.stringify(nativeJsonSchema(), null, 2)}\n`
}
