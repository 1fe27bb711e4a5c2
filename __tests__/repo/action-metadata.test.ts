// action.yml is what GitHub (and the Marketplace) read: it must follow the action metadata
// syntax, and its inputs and outputs must be exactly what the code reads and writes and what the
// README documents. Three places that drift apart silently otherwise.
import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import { z } from 'zod'

import { actionOutputs } from '../../src/github/publish.js'
import { Redactor } from '../../src/redact.js'
import { usageErrorReport } from '../../src/run.js'
import { ACTION_NAMES, readActionInputs } from '../../src/settings.js'
import { actionMetadata, listFiles, readText, repoPath } from './repo-files.js'

/**
 * The part of GitHub's action metadata syntax that applies to a JavaScript action
 * (docs: "Metadata syntax for GitHub Actions"), strict: a misspelt key fails here instead of
 * being ignored by the runner. Stricter than GitHub where the project's conventions are:
 * runs.using is node24, and names are kebab-case.
 */
const BRANDING_COLORS = ['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark'] as const
const kebab = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'kebab-case')

const inputSchema = z.strictObject({
  description: z.string().min(1),
  required: z.boolean().optional(),
  // The runner passes inputs as strings: a default must be one (quote '15', 'false').
  default: z.string().optional(),
  deprecationMessage: z.string().min(1).optional()
})

const actionSchema = z.strictObject({
  name: z.string().min(1),
  author: z.string().min(1).optional(),
  description: z.string().min(1),
  inputs: z.record(kebab, inputSchema).optional(),
  // A JavaScript action's outputs have only a description (`value` is for composite actions).
  outputs: z.record(kebab, z.strictObject({ description: z.string().min(1) })).optional(),
  runs: z.strictObject({
    using: z.literal('node24'),
    main: z.string().min(1),
    pre: z.string().min(1).optional(),
    'pre-if': z.string().min(1).optional(),
    post: z.string().min(1).optional(),
    'post-if': z.string().min(1).optional()
  }),
  // The Marketplace requires branding: a Feather icon name and one of nine colours.
  branding: z.strictObject({ icon: kebab, color: z.enum(BRANDING_COLORS) })
})

const action = actionMetadata()
const declaredInputs = Object.keys(action.inputs).sort()
const declaredOutputs = Object.keys(action.outputs).sort()

/**
 * Inputs declared in action.yml that no behaviour reads yet, on purpose (none today: github-token,
 * once reserved, is read by the GitHub features). When the code starts using one of these, this
 * test fails: take it off the list.
 */
const DECLARED_BUT_UNUSED: string[] = []

describe('action.yml', () => {
  it('follows the action metadata syntax', () => {
    const result = actionSchema.safeParse(action)
    expect(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([])
  })

  it('runs a main file that exists and loads as ESM under node24', () => {
    expect(fs.existsSync(repoPath(action.runs.main))).toBe(true)
    // dist/index.js is ESM: the runner's plain `node dist/index.js` needs this beside it.
    const pkg = JSON.parse(readText('dist/package.json')) as { type?: string }
    expect(pkg.type).toBe('module')
  })

  it('gives every optional input a default, and no required input one', () => {
    const problems = Object.entries(action.inputs).flatMap(([name, input]) => {
      if (input.required === true && input.default !== undefined) return [`${name}: required, yet has a default`]
      if (input.required !== true && input.default === undefined) return [`${name}: optional without a default`]
      return []
    })
    expect(problems).toEqual([])
  })

  it('has the Marketplace branding', () => {
    expect(action.branding).toEqual({ icon: expect.any(String), color: expect.any(String) })
  })
})

describe('inputs: action.yml, the code and the README agree', () => {
  /** Names readActionInputs reads (it is called with a getInput that records them). */
  function readBySettings(): string[] {
    const names = new Set<string>()
    readActionInputs((name) => {
      names.add(name)
      return ''
    })
    return [...names].sort()
  }

  /** Input names src/main.ts reads itself: getInput('literal') calls and the SECRET_INPUTS list. */
  function readByMain(): string[] {
    const source = readText('src/main.ts')
    const literals = [...source.matchAll(/getInput\(\s*'([^']+)'\s*\)/g)].map((match) => match[1]!)
    const secretList = /const SECRET_INPUTS\s*=\s*\[([^\]]*)\]/.exec(source)
    expect(secretList).not.toBeNull()
    const secrets = [...secretList![1]!.matchAll(/'([^']+)'/g)].map((match) => match[1]!)
    // Every other getInput call in main.ts passes a variable: the SECRET_INPUTS loop, or the
    // readActionInputs callback. A new kind of call must be taught to this test.
    const calls = [...source.matchAll(/getInput\(([^)]*)\)/g)].map((match) => match[1]!.trim())
    expect(calls.filter((arg) => !/^'[^']+'$/.test(arg)).sort()).toEqual(['name', 'name'])
    return [...new Set([...literals, ...secrets])].sort()
  }

  it('the code reads no input that action.yml does not declare', () => {
    const readAnywhere = new Set([...readBySettings(), ...readByMain()])
    // Any other getInput-style call with a literal name, anywhere in src/.
    for (const file of listFiles('src', (name) => name.endsWith('.ts'))) {
      for (const match of readText(file).matchAll(/\bget(?:Boolean|Multiline)?Input\(\s*'([^']+)'/g)) readAnywhere.add(match[1]!)
    }
    expect([...readAnywhere].filter((name) => !declaredInputs.includes(name))).toEqual([])
  })

  it('every declared input is used by the gate (except the ones reserved on purpose)', () => {
    const used = readBySettings()
    expect(declaredInputs.filter((name) => !used.includes(name))).toEqual([...DECLARED_BUT_UNUSED].sort())
  })

  it('the input names in error messages are declared inputs', () => {
    // ACTION_NAMES is what a message like "query-timeout: expected a whole number" names.
    expect(Object.values(ACTION_NAMES).filter((name) => !declaredInputs.includes(name))).toEqual([])
  })

  it('an input reserved for later is still read, and masked, by src/main.ts', () => {
    for (const name of DECLARED_BUT_UNUSED) {
      expect(declaredInputs).toContain(name)
      expect(readByMain()).toContain(name)
    }
  })

  /** Rows of the markdown table under a README heading: cells, backticks kept. */
  function readmeTable(heading: string): string[][] {
    const readme = readText('README.md')
    const start = readme.indexOf(`\n${heading}\n`)
    expect(start).toBeGreaterThanOrEqual(0)
    const rest = readme.slice(start + heading.length + 2)
    const section = rest.slice(0, rest.search(/\n#{1,3} /) === -1 ? undefined : rest.search(/\n#{1,3} /))
    const rows = section.split('\n').filter((line) => line.startsWith('|'))
    return rows.slice(2).map((row) =>
      row
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim())
    )
  }

  /** `name` → name; `'15'` → 15; '' → '' */
  const unquote = (cell: string): string => cell.replace(/^`(.*)`$/, '$1').replace(/^'(.*)'$/, '$1')

  it('the README inputs table lists exactly the declared inputs, with their required flag and default', () => {
    const rows = readmeTable('### Inputs')
    expect(rows.map((row) => unquote(row[0]!)).sort()).toEqual(declaredInputs)
    for (const [cell, required, fallback] of rows) {
      const name = unquote(cell!)
      const input = action.inputs[name]!
      expect({ name, required }).toEqual({ name, required: input.required === true ? 'yes' : 'no' })
      expect({ name, default: unquote(fallback!) }).toEqual({ name, default: input.default ?? '' })
    }
  })
})

describe('outputs: action.yml, the code and the README agree', () => {
  // Any valid report will do: the output names do not depend on the decision.
  const report = usageErrorReport(new Error('example'), { evaluationTime: 1795132800, onError: 'fail', dryRun: false })

  it('the action writes exactly the declared outputs', () => {
    expect(Object.keys(actionOutputs(report, new Redactor())).sort()).toEqual(declaredOutputs)
  })

  it('no other code writes an output', () => {
    const writers = listFiles('src', (name) => name.endsWith('.ts')).flatMap((file) =>
      [...readText(file).matchAll(/setOutput\(([^,)]*)/g)].map((match) => `${file}: setOutput(${match[1]!.trim()}`)
    )
    // The one call: publishReport writes every entry of actionOutputs(), checked above.
    expect(writers).toEqual(['src/github/publish.ts: setOutput(name'])
  })

  it('the README outputs table lists exactly the declared outputs', () => {
    const readme = readText('README.md')
    const start = readme.indexOf('\n### Outputs\n')
    expect(start).toBeGreaterThanOrEqual(0)
    const rest = readme.slice(start + 1)
    const section = rest.slice(0, rest.slice(1).search(/\n#{1,3} /) + 1)
    const names = section
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .slice(2)
      .map((row) => row.split('|')[1]!.trim().replace(/^`(.*)`$/, '$1'))
    expect(names.sort()).toEqual(declaredOutputs)
  })
})
