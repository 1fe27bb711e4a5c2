// Event facts (which commit a status goes on, which base a policy comes from) and the GitHub
// feature inputs.
import { describe, expect, it } from '@jest/globals'

import { UsageError } from '../../src/errors.js'
import { baseCommit, eventFacts, readEventPayload } from '../../src/github/event.js'
import { branchMatches, toGithubOptions } from '../../src/github/options.js'

const HEAD = '1'.repeat(40)
const BASE = '2'.repeat(40)
const MERGE = '3'.repeat(40)
const GROUP_HEAD = '4'.repeat(40)

const ENV = {
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_SHA: MERGE,
  GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
  GITHUB_SERVER_URL: 'https://ghe.example.com',
  GITHUB_RUN_ID: '1000'
}

function pullRequest(headRepo: string | null = 'acme/shop') {
  return {
    number: 42,
    pull_request: {
      number: 42,
      head: { sha: HEAD, ref: 'feature', repo: headRepo === null ? null : { full_name: headRepo } },
      base: { sha: BASE, ref: 'main', repo: { full_name: 'acme/shop' } }
    },
    repository: { default_branch: 'main' }
  }
}

describe('eventFacts', () => {
  it('pull_request: the status goes on the head commit, not the merge commit GITHUB_SHA', () => {
    const facts = eventFacts({ ...ENV, GITHUB_EVENT_NAME: 'pull_request' }, pullRequest())
    expect(facts).toEqual({
      eventName: 'pull_request',
      owner: 'acme',
      repo: 'shop',
      sha: HEAD,
      pullRequest: { number: 42, headSha: HEAD, baseSha: BASE, baseRef: 'main', headRepo: 'acme/shop', fromFork: false },
      defaultBranch: 'main',
      apiUrl: 'https://ghe.example.com/api/v3',
      runUrl: 'https://ghe.example.com/acme/shop/actions/runs/1000'
    })
    expect(baseCommit(facts)).toEqual({ sha: BASE, ref: 'main' })
  })

  it('pull_request_target too; a fork (or a deleted fork) is marked', () => {
    expect(eventFacts({ ...ENV, GITHUB_EVENT_NAME: 'pull_request_target' }, pullRequest('someone/shop')).pullRequest?.fromFork).toBe(true)
    expect(eventFacts({ ...ENV, GITHUB_EVENT_NAME: 'pull_request' }, pullRequest(null)).pullRequest?.fromFork).toBe(true)
    expect(eventFacts({ ...ENV, GITHUB_EVENT_NAME: 'pull_request' }, pullRequest('ACME/Shop')).pullRequest?.fromFork).toBe(false)
  })

  it('merge_group: the merge group head commit, and its base for the policy', () => {
    const facts = eventFacts(
      { ...ENV, GITHUB_EVENT_NAME: 'merge_group', GITHUB_SHA: GROUP_HEAD },
      { merge_group: { head_sha: GROUP_HEAD, head_ref: 'refs/heads/gh-readonly-queue/main/pr-42-abc', base_sha: BASE, base_ref: 'refs/heads/main' } }
    )
    expect(facts.sha).toBe(GROUP_HEAD)
    expect(facts.mergeGroup).toEqual({ headSha: GROUP_HEAD, baseSha: BASE, baseRef: 'main' })
    expect(baseCommit(facts)).toEqual({ sha: BASE, ref: 'main' })
  })

  it('other events: GITHUB_SHA, and no base', () => {
    const facts = eventFacts({ ...ENV, GITHUB_EVENT_NAME: 'push' }, { repository: { default_branch: 'main' } })
    expect(facts.sha).toBe(MERGE)
    expect(facts.pullRequest).toBeUndefined()
    expect(baseCommit(facts)).toBeUndefined()
    // A pull_request payload on another event is not taken for one.
    expect(eventFacts({ ...ENV, GITHUB_EVENT_NAME: 'schedule' }, pullRequest()).sha).toBe(MERGE)
  })

  it('ignores malformed payloads instead of trusting them', () => {
    const bad = { pull_request: { number: 'x', head: { sha: 'not-a-sha' }, base: { sha: BASE } } }
    const facts = eventFacts({ ...ENV, GITHUB_EVENT_NAME: 'pull_request' }, bad)
    expect(facts.pullRequest).toBeUndefined()
    expect(facts.sha).toBe(MERGE)
    expect(eventFacts({}, {})).toEqual({ eventName: '', owner: '', repo: '', sha: '', apiUrl: 'https://api.github.com' })
  })

  it('reads the payload file, and takes a missing or broken one for none', () => {
    expect(readEventPayload({ GITHUB_EVENT_PATH: '/e.json' }, () => '{"number": 1}')).toEqual({ number: 1 })
    expect(readEventPayload({ GITHUB_EVENT_PATH: '/e.json' }, () => 'not json')).toEqual({})
    expect(readEventPayload({ GITHUB_EVENT_PATH: '/nonexistent/e.json' })).toEqual({})
    expect(readEventPayload({})).toEqual({})
  })
})

describe('toGithubOptions', () => {
  it('has off-by-default reporting and base-branch policy by default', () => {
    expect(toGithubOptions({})).toEqual({ token: '', comment: 'off', status: 'off', statusName: 'error-budget-gate', policySource: 'base', branches: [] })
  })

  it('reads every value, case-insensitively, and lists of branches', () => {
    expect(
      toGithubOptions({ token: 't', comment: 'On-Change', status: 'CHECK-RUN', statusName: ' budget ', policySource: 'workspace', branches: 'main\nrelease/*, refs/heads/prod' })
    ).toEqual({ token: 't', comment: 'on-change', status: 'check-run', statusName: 'budget', policySource: 'workspace', branches: ['main', 'release/*', 'prod'] })
  })

  it.each([
    [{ comment: 'yes' }, /^comment: expected off, always, on-change or not-allow, got "yes"$/],
    [{ status: 'check' }, /^status: expected off, commit-status or check-run, got "check"$/],
    [{ policySource: 'pr' }, /^policy-source: expected base or workspace, got "pr"$/],
    [{ statusName: 'a\nb' }, /^status-name: expected one line/],
    [{ statusName: 'x'.repeat(101) }, /^status-name: expected one line of at most 100 characters/],
    [{ branches: 'main dev' }, /^branches: "main dev" is not a branch name/]
  ])('refuses %j', (raw, message) => {
    expect(() => toGithubOptions(raw)).toThrow(UsageError)
    expect(() => toGithubOptions(raw)).toThrow(message)
  })
})

describe('branchMatches', () => {
  it.each([
    ['main', ['main'], true],
    ['main', ['master'], false],
    ['release/1.2', ['release/*'], true],
    ['release/1.2/hotfix', ['release/*'], false],
    ['release/1.2/hotfix', ['release/**'], true],
    ['mainline', ['main'], false],
    ['a.b', ['a*b'], true],
    ['axb', ['a.b'], false]
  ] as const)('%s in %j: %s', (branch, patterns, expected) => {
    expect(branchMatches(branch, [...patterns])).toBe(expected)
  })
})
