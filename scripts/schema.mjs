// Writes schema/error-budget-gate.schema.json, the JSON Schema of the native SLO format,
// generated from the zod schema (src/config/json-schema.ts). `--check` only compares, and
// fails when the committed file is stale (the unit test __tests__/unit/schema.test.ts does too).
import { build } from 'esbuild'
import { mkdir, readFile, writeFile } from 'node:fs/promises'

const root = new URL('..', import.meta.url).pathname
const target = `${root}schema/error-budget-gate.schema.json`

const result = await build({
  stdin: {
    contents: "import { nativeJsonSchemaText } from './src/config/json-schema.ts'\nexport const text = nativeJsonSchemaText()\n",
    resolveDir: root,
    loader: 'ts'
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'warning'
})
const code = result.outputFiles[0].text
const { text } = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '')
  if (current !== text) {
    console.error('schema/error-budget-gate.schema.json is stale: run npm run schema')
    process.exit(1)
  }
  console.log('schema/error-budget-gate.schema.json is current')
} else {
  await mkdir(`${root}schema`, { recursive: true })
  await writeFile(target, text)
  console.log(`wrote ${target}`)
}
