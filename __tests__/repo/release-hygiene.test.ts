// What a newcomer (and the release workflow) expects of the repository itself: a licence, a
// changelog in the Keep a Changelog format that the release workflow can read, a security
// policy with a threat model, and the README sections on releases and support.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { parseWorkflow, readText, repoPath, repositoryWorkflows } from './repo-files.js'

const pkg = JSON.parse(readText('package.json')) as { version: string; license: string }
const changelog = readText('CHANGELOG.md')

describe('LICENSE', () => {
  it('is the MIT licence, as package.json says', () => {
    expect(readText('LICENSE').split('\n')[0]).toBe('MIT License')
    expect(pkg.license).toBe('MIT')
  })
})

describe('CHANGELOG.md', () => {
  const headings = [...changelog.matchAll(/^## (.*)$/gm)].map((match) => match[1]!)

  it('follows Keep a Changelog and semantic versioning', () => {
    expect(changelog.startsWith('# Changelog\n')).toBe(true)
    expect(changelog).toMatch(/keepachangelog\.com/)
    expect(changelog).toMatch(/semver\.org/)
    expect(headings.length).toBeGreaterThan(0)
    for (const heading of headings) expect(heading).toMatch(/^\[(Unreleased|\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?)\]( - (\d{4}-\d{2}-\d{2}|Unreleased))?$/)
    for (const section of changelog.matchAll(/^### (.*)$/gm)) expect(['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security']).toContain(section[1])
  })

  it('has a section for the version in package.json', () => {
    expect(headings.some((heading) => heading.startsWith(`[${pkg.version}] - `))).toBe(true)
  })

  it('lists versions newest first', () => {
    const versions = headings.map((heading) => /^\[(\d+)\.(\d+)\.(\d+)/.exec(heading)).filter((match) => match !== null)
    const keys = versions.map((match) => Number(match[1]) * 1e6 + Number(match[2]) * 1e3 + Number(match[3]))
    expect(keys).toEqual([...keys].sort((a, b) => b - a))
  })

  it('gives the release workflow notes to publish once the version is dated', () => {
    // Run release.yml's own "Release notes and assets" step on a copy where this version is
    // released today, as a maintainer would prepare it.
    const release = parseWorkflow(repositoryWorkflows().find((source) => source.file === '.github/workflows/release.yml')!)
    const step = release.jobs.release!.steps!.find((candidate) => candidate.name === 'Release notes and assets')!
    const verify = release.jobs.verify!.steps!.find((candidate) => candidate.name === 'Check the tag, package.json and CHANGELOG.md agree')!
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebg-release-'))
    try {
      const dated = changelog.replace(`## [${pkg.version}] - Unreleased`, `## [${pkg.version}] - 2026-12-01`)
      fs.writeFileSync(path.join(dir, 'CHANGELOG.md'), dated)
      fs.mkdirSync(path.join(dir, 'dist'))
      fs.writeFileSync(path.join(dir, 'dist', 'cli.js'), '// cli\n')
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', VERSION: pkg.version, RUNNER_TEMP: path.join(dir, 'tmp') }
      fs.mkdirSync(env.RUNNER_TEMP)
      const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], { cwd: dir, env, encoding: 'utf8' })
      expect(result.stderr).toBe('')
      expect(result.status).toBe(0)
      const notes = fs.readFileSync(path.join(env.RUNNER_TEMP, 'notes.md'), 'utf8')
      expect(notes).toMatch(/^### Added$/m)
      expect(notes).not.toMatch(/^## /m)
      expect(fs.readdirSync(path.join(env.RUNNER_TEMP, 'assets')).sort()).toEqual(['SHA256SUMS', `error-budget-gate-${pkg.version}.mjs`])
      // The verify job's CHANGELOG check accepts the dated heading (the same grep, extracted).
      const grep = /grep -Eq "([^"]+)" CHANGELOG\.md/.exec(verify.run!)
      expect(grep).not.toBeNull()
      const check = spawnSync('bash', ['-c', `version=${pkg.version}; grep -Eq "${grep![1]}" CHANGELOG.md`], { cwd: dir, encoding: 'utf8' })
      expect(check.status).toBe(0)
      const undated = spawnSync('bash', ['-c', `version=${pkg.version}; grep -Eq "${grep![1]}" ${repoPath('CHANGELOG.md')}`], { encoding: 'utf8' })
      // Today's CHANGELOG says "Unreleased": the release workflow would refuse to publish it.
      expect(undated.status).toBe(changelog.includes(`## [${pkg.version}] - Unreleased`) ? 1 : 0)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('SECURITY.md', () => {
  const security = readText('SECURITY.md')

  it('says how to report a vulnerability privately', () => {
    expect(security).toMatch(/^## Reporting a vulnerability$/m)
    expect(security).toMatch(/Report a vulnerability/)
  })

  it('summarises the threat model: what is enforced and what is not', () => {
    expect(security).toMatch(/^## Threat model$/m)
    expect(security).toMatch(/fails closed/i)
    expect(security).toMatch(/redacted/i)
    // Honest about what the action does not do yet.
    expect(security).toMatch(/A pull request cannot change its own policy: not enforced by the action/)
  })
})

describe('README', () => {
  const readme = readText('README.md')

  it('documents examples, releases and versioning, support policy and development', () => {
    for (const heading of ['## Examples', '## Releases and versioning', '## Support policy', '## Development']) expect(readme).toContain(`\n${heading}\n`)
  })

  it('states the semantic versioning and major tag policy', () => {
    expect(readme).toMatch(/semantic versioning/i)
    expect(readme).toMatch(/major tag `vX` moves/)
  })

  it('states which Prometheus versions are tested and which API it uses', () => {
    expect(readme).toMatch(/Prometheus 2\.42/)
    expect(readme).toMatch(/`\/api\/v1\/query`/)
  })
})

describe('scripts/release.sh', () => {
  it('is valid bash', () => {
    const result = spawnSync('bash', ['-n', repoPath('scripts/release.sh')], { encoding: 'utf8' })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
  })
})
