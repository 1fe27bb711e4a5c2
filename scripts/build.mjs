// Builds the two committed bundles: dist/index.js (the action) and dist/cli.js (the CLI).
// Self-contained ESM for Node >= 20; deterministic, so CI can check dist/ is current.
import { build } from 'esbuild'
import { readFile, writeFile, mkdir, rm } from 'node:fs/promises'

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'))
const root = new URL('..', import.meta.url).pathname

// Dependency code the gate never runs, replaced at bundle time so the bundles start faster
// (parse, compile and module-load time is most of a 1-SLO run; measured with `npm run bench`).
// Each entry names the exact module and, for text patches, the exact text it replaces; the build
// fails if the text is not found (a dependency upgrade changed it) or if an entry matched no
// bundled module at all, so nothing is removed silently, or kept silently.
const SLIM = [
  {
    module: 'zod/v4/locales/index.js',
    why: "error messages in 40+ languages (260 KiB); zod's default, English, is imported by zod itself",
    contents: 'export { default as en } from "./en.js";'
  },
  {
    module: 'axios/lib/adapters/fetch.js',
    why: 'the fetch adapter: on Node, axios uses its http adapter; this one probes Request/Response at load time, which loads undici',
    contents: 'export const getFetch = () => false; export default false;'
  },
  {
    module: 'axios/lib/platform/node/classes/FormData.js',
    why: 'multipart bodies (form-data, mime-types, mime-db: 150 KiB): the client sends url-encoded forms only',
    contents: 'export default class FormData {}'
  },
  {
    module: 'axios/lib/utils.js',
    why: "reads the global FormData at load time, which makes Node load undici; isFormData still recognises FormData by its tag",
    find: "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;",
    replace: 'const FormDataCtor = undefined;'
  },
  {
    module: 'follow-redirects/debug.js',
    why: 'DEBUG=follow-redirects logging (debug, supports-color, tty)',
    contents: 'module.exports = function () {};'
  },
  {
    module: '@actions/core/lib/oidc-utils.js',
    why: "core.getIDToken's OIDC client (@actions/http-client and undici: 400 KiB); the gate never asks for an OIDC token",
    contents:
      "export class OidcClient { static async getIDToken() { throw new Error('error-budget-gate: OIDC tokens are not available in this bundle (scripts/build.mjs)') } }"
  }
]

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/** The esbuild plugin; `check()` after the builds fails unless every entry matched a module. */
function slim(entries) {
  const used = new Set()
  const plugin = {
    name: 'slim',
    setup(build) {
      for (const entry of entries) {
        const filter = new RegExp(`[\\\\/]node_modules[\\\\/]${escape(entry.module).replace(/\\\//g, '[\\\\/]')}$`)
        build.onLoad({ filter }, async (args) => {
          used.add(entry.module)
          if (entry.contents !== undefined) return { contents: entry.contents, loader: 'js' }
          const source = await readFile(args.path, 'utf8')
          if (!source.includes(entry.find)) throw new Error(`build-slim: ${entry.module} no longer contains ${JSON.stringify(entry.find)}: update SLIM in scripts/build.mjs`)
          return { contents: source.replace(entry.find, entry.replace), loader: 'js' }
        })
      }
    }
  }
  /** Throws unless every entry replaced something (call after all builds). */
  const check = () => {
    const unused = entries.filter((entry) => !used.has(entry.module)).map((entry) => entry.module)
    if (unused.length > 0) throw new Error(`build-slim: no bundled module matched ${unused.join(', ')}: update SLIM in scripts/build.mjs`)
  }
  return { plugin, check }
}

const slimming = slim(SLIM)

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
  metafile: true,
  // Dependency code the gate never runs, left out for start-up time (SLIM above).
  plugins: [slimming.plugin]
}

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true })
await mkdir(new URL('../dist', import.meta.url), { recursive: true })
const results = await Promise.all([
  // The action: code only some runs need (the GitHub API client, loaded by a dynamic import when
  // a GitHub feature is on) goes to dist/lazy/, so the plain path does not even parse it.
  build({ ...common, entryPoints: ['src/index.ts'], outdir: 'dist', entryNames: 'index', splitting: true, chunkNames: 'lazy/[name]-[hash]' }),
  build({ ...common, entryPoints: ['src/bin.ts'], outfile: 'dist/cli.js' })
])
slimming.check()
// dist/ runs as ESM even when copied out of the repository.
await writeFile(new URL('../dist/package.json', import.meta.url), '{ "type": "module" }\n')
for (const result of results) {
  for (const [file, info] of Object.entries(result.metafile.outputs)) {
    console.log(`${file}: ${(info.bytes / 1024).toFixed(0)} KiB`)
  }
}
