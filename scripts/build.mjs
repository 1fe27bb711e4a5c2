// Builds the two committed bundles: dist/index.js (the action) and dist/cli.js (the CLI).
// Self-contained ESM for Node >= 20; deterministic, so CI can check dist/ is current.
import { build } from 'esbuild'
import { readFile, writeFile, mkdir, rm } from 'node:fs/promises'

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'))
const root = new URL('..', import.meta.url).pathname

// CommonJS dependencies (axios's, yaml's) call require() for Node built-ins; give ESM one.
const banner = "import { createRequire as __ebgCreateRequire } from 'node:module'; const require = __ebgCreateRequire(import.meta.url);"

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  banner: { js: banner },
  define: { EBG_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
  metafile: true
}

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true })
await mkdir(new URL('../dist', import.meta.url), { recursive: true })
const results = await Promise.all([
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' }),
  build({ ...common, entryPoints: ['src/bin.ts'], outfile: 'dist/cli.js' })
])
// dist/ runs as ESM even when copied out of the repository.
await writeFile(new URL('../dist/package.json', import.meta.url), '{ "type": "module" }\n')
for (const result of results) {
  for (const [file, info] of Object.entries(result.metafile.outputs)) {
    console.log(`${file}: ${(info.bytes / 1024).toFixed(0)} KiB`)
  }
}
