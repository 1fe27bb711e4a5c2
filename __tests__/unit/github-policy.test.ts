// Policy from the protected branch: config patterns matched against the base commit's file list
// exactly as the loader matches them on disk, the files read at the base commit, and the pull
// request's own policy edits listed (not applied).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { glob } from 'tinyglobby'

import { loadSloFiles } from '../../src/config/load.js'
import { ConfigError, UsageError } from '../../src/errors.js'
import { connectGithub, type GithubApi } from '../../src/github/client.js'
import { describePullRequestPolicy, fetchBasePolicy, matchConfigPatterns, policyChanges, repoRelative } from '../../src/github/policy-source.js'
import { Redactor } from '../../src/redact.js'
import { fakeGithub, type FakeGithub, type FakeGithubOptions } from '../harness/fake-github.js'
import { operationIds, requestProblems } from '../harness/github-openapi.js'

const TOKEN = 'ghs_unitFakeToken0123456789'
const REPO = { owner: 'acme', repo: 'shop' }
const BASE = { sha: '2'.repeat(40), ref: 'main' }

const FILES = [
  'README.md',
  'slos/a.yaml',
  'slos/b.yml',
  'slos/sub/c.yaml',
  'slos/.hidden.yaml',
  'services/checkout/slos.yaml',
  'services/payments/slos.yaml',
  'services/payments/extra/slos.yaml',
  '.github/slos.yaml',
  'weird name [1].yaml',
  'a/b/c/d/e.yaml'
]

let dir: string
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebg-policy-'))
  for (const file of FILES) {
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true })
    fs.writeFileSync(path.join(dir, file), '')
  }
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const servers: FakeGithub[] = []
afterEach(async () => {
  for (const server of servers) expect(server.requests.flatMap(requestProblems)).toEqual([])
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function github(options: Partial<FakeGithubOptions> = {}): Promise<{ server: FakeGithub; api: GithubApi }> {
  const server = await fakeGithub({ token: TOKEN, ...options })
  servers.push(server)
  return { server, api: await connectGithub({ token: TOKEN, apiUrl: server.url, redactor: new Redactor() }) }
}

describe('matchConfigPatterns', () => {
  it.each([
    'slos/*.yaml',
    'slos/**/*.{yaml,yml}',
    'services/*/slos.yaml',
    '**/slos.yaml',
    './slos/*.yaml',
    'slos/?.yaml',
    'services/{checkout,payments}/**/slos.yaml',
    '**/*.yaml',
    'nothing/*.yaml',
    'a/**/e.yaml'
  ])('%s matches what the loader finds on disk', async (pattern) => {
    // The loader's own expansion (tinyglobby over the real files), as in src/config/load.ts.
    const onDisk = (await glob(pattern, { cwd: dir, onlyFiles: true, expandDirectories: false })).sort()
    expect(await matchConfigPatterns([pattern], FILES)).toEqual(onDisk)
  })

  it('takes plain paths as they are, and several patterns once each', async () => {
    expect(await matchConfigPatterns(['slos/a.yaml', './slos/a.yaml', 'slos/missing.yaml', 'slos/*.yaml'], FILES)).toEqual(['slos/a.yaml'])
    expect(await matchConfigPatterns(['weird name [1].yaml'], FILES)).toEqual(['weird name [1].yaml'])
  })

  it('leaves out patterns outside the repository', async () => {
    expect(repoRelative('/etc/slos.yaml')).toBeUndefined()
    expect(repoRelative('../other/slos.yaml')).toBeUndefined()
    expect(repoRelative('slos/../slos/a.yaml')).toBe('slos/a.yaml')
    expect(await matchConfigPatterns(['../*.yaml', '/etc/*.yaml'], FILES)).toEqual([])
  })
})

describe('fetchBasePolicy', () => {
  const baseFiles = {
    'slos/a.yaml': 'apiVersion: error-budget-gate/v1\nservice: a\n',
    'slos/b.yaml': 'apiVersion: error-budget-gate/v1\nservice: b\n',
    'slos/nested/c.yaml': 'not matched by slos/*.yaml',
    'docs/x.md': '# x'
  }

  it('lists the base commit’s files, reads the matching ones at that commit, and writes them out', async () => {
    const { server, api } = await github({ commits: { [BASE.sha]: baseFiles } })
    const into = fs.mkdtempSync(path.join(os.tmpdir(), 'ebg-base-'))
    try {
      const fetched = await fetchBasePolicy(api, REPO, BASE, ['slos/*.yaml'], into)
      expect(fetched.files).toEqual(['slos/a.yaml', 'slos/b.yaml'])
      expect(fs.readFileSync(path.join(into, 'slos', 'a.yaml'), 'utf8')).toBe(baseFiles['slos/a.yaml'])
      expect(fs.existsSync(path.join(into, 'slos', 'nested'))).toBe(false)
      expect(operationIds(server.requests)).toEqual(['git/get-tree', 'repos/get-content', 'repos/get-content'])
      expect(server.requests[0]!.path).toBe(`/repos/acme/shop/git/trees/${BASE.sha}`)
      expect(server.requests.slice(1).map((r) => r.query.ref)).toEqual([BASE.sha, BASE.sha])
    } finally {
      fs.rmSync(into, { recursive: true, force: true })
    }
  })

  it('reads plain paths without listing the tree; one missing at the base is left for the loader to name', async () => {
    const { server, api } = await github({ commits: { [BASE.sha]: baseFiles } })
    const into = fs.mkdtempSync(path.join(os.tmpdir(), 'ebg-base-'))
    try {
      const fetched = await fetchBasePolicy(api, REPO, BASE, ['slos/a.yaml', 'slos/new.yaml'], into)
      expect(fetched.files).toEqual(['slos/a.yaml'])
      expect(operationIds(server.requests)).toEqual(['repos/get-content', 'repos/get-content'])
      await expect(loadSloFiles(['slos/new.yaml'], into)).rejects.toThrow(/slos\/new\.yaml: no such file/)
    } finally {
      fs.rmSync(into, { recursive: true, force: true })
    }
  })

  it('refuses patterns outside the repository (a configuration error)', async () => {
    const { api } = await github({ commits: { [BASE.sha]: baseFiles } })
    await expect(fetchBasePolicy(api, REPO, BASE, ['../elsewhere/*.yaml'], path.join(os.tmpdir(), 'ebg-unused'))).rejects.toThrow(UsageError)
  })

  it('an API failure is an error, never a fallback', async () => {
    const { api } = await github({ failWith: 502 })
    const error = (await fetchBasePolicy(api, REPO, BASE, ['slos/*.yaml'], path.join(os.tmpdir(), 'ebg-unused')).then(() => undefined, (e: unknown) => e)) as Error
    expect(error).not.toBeInstanceOf(ConfigError)
    expect(error.message).toBe(`list the files at ${BASE.sha.slice(0, 12)}: HTTP 502: Server Error`)
  })
})

describe('policy changes in the pull request', () => {
  const changed = [
    { filename: 'src/app.ts', status: 'modified' },
    { filename: 'slos/a.yaml', status: 'modified' },
    { filename: 'slos/new.yaml', status: 'added' },
    { filename: 'docs/slos.yaml', status: 'renamed', previous_filename: 'slos/old.yaml' },
    { filename: 'slos/gone.yaml', status: 'removed' },
    { filename: 'slos/nested/deep.yaml', status: 'added' }
  ]

  it('lists added, changed, removed and renamed files that the patterns name', async () => {
    const files = changed.map((f) => ({ filename: f.filename, status: f.status, ...(f.previous_filename ? { previousFilename: f.previous_filename } : {}) }))
    expect(await policyChanges(files, ['slos/*.yaml'])).toEqual([
      { file: 'slos/a.yaml', status: 'modified' },
      { file: 'slos/new.yaml', status: 'added' },
      { file: 'slos/old.yaml → docs/slos.yaml', status: 'renamed' },
      { file: 'slos/gone.yaml', status: 'removed' }
    ])
  })

  it('pages through the pull request’s files', async () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ filename: `src/file-${i}.ts`, status: 'modified' }))
    const { server, api } = await github({ pullFiles: { 42: [...many, ...changed] }, maxPerPage: 100 })
    const policy = await describePullRequestPolicy(api, REPO, 42, ['slos/**/*.yaml'], BASE)
    expect(policy).toEqual({
      source: 'base',
      ref: 'main',
      sha: BASE.sha,
      changedInPullRequest: [
        { file: 'slos/a.yaml', status: 'modified' },
        { file: 'slos/new.yaml', status: 'added' },
        { file: 'slos/old.yaml → docs/slos.yaml', status: 'renamed' },
        { file: 'slos/gone.yaml', status: 'removed' },
        { file: 'slos/nested/deep.yaml', status: 'added' }
      ]
    })
    expect(operationIds(server.requests)).toEqual(['pulls/list-files', 'pulls/list-files', 'pulls/list-files'])
  })
})
