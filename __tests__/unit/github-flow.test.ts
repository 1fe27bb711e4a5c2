// The GitHub side of a run: which runs call the API at all, the status on the right commit, the
// refresh of every open pull request (pagination, several branches, globs), and side channels
// that fail (403 from a fork's token, a dead API) turning into warnings, never into a verdict.
import { afterEach, describe, expect, it } from '@jest/globals'

import { connectGithub } from '../../src/github/client.js'
import { eventFacts, type EventFacts } from '../../src/github/event.js'
import { GithubSession, needsGithubApi, type GithubContext } from '../../src/github/flow.js'
import { toGithubOptions, type RawGithubInputs } from '../../src/github/options.js'
import type { GateSettings } from '../../src/gate.js'
import { Redactor } from '../../src/redact.js'
import { fakeGithub, type FakeGithub, type FakeGithubOptions } from '../harness/fake-github.js'
import { operationIds, requestProblems } from '../harness/github-openapi.js'
import { FROZEN, HEALTHY, makeSlo, sampleReport } from '../harness/sample-report.js'

const TOKEN = 'ghs_unitFakeToken0123456789'
const HEAD = '1'.repeat(40)
const BASE = '2'.repeat(40)
const MERGE = '3'.repeat(40)

const servers: FakeGithub[] = []
afterEach(async () => {
  for (const server of servers) expect(server.requests.flatMap(requestProblems)).toEqual([])
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const SETTINGS = { configPatterns: ['slos/*.yaml'], cwd: '/nonexistent' } as GateSettings

function facts(eventName: string, fromFork = false): EventFacts {
  const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_SHA: MERGE, GITHUB_EVENT_NAME: eventName, GITHUB_RUN_ID: '9' }
  const payload = {
    repository: { default_branch: 'main' },
    pull_request: {
      number: 42,
      head: { sha: HEAD, repo: { full_name: fromFork ? 'someone/shop' : 'acme/shop' } },
      base: { sha: BASE, ref: 'main', repo: { full_name: 'acme/shop' } }
    }
  }
  return eventFacts(env, payload)
}

interface Logged {
  info: string[]
  warning: string[]
}

async function session(
  raw: RawGithubInputs,
  eventFactsValue: EventFacts,
  server: Partial<FakeGithubOptions> = {},
  refresh = false
): Promise<{ session: GithubSession; server: FakeGithub; log: Logged }> {
  const fake = await fakeGithub({ token: TOKEN, ...server })
  servers.push(fake)
  const log: Logged = { info: [], warning: [] }
  const redactor = new Redactor()
  const context: GithubContext = {
    options: toGithubOptions({ token: TOKEN, ...raw }),
    facts: { ...eventFactsValue, apiUrl: fake.url },
    redactor,
    log: { info: (m) => log.info.push(m), warning: (m) => log.warning.push(m) },
    tempDir: '/tmp',
    refresh,
    connect: () => connectGithub({ token: TOKEN, apiUrl: fake.url, redactor })
  }
  return { session: new GithubSession(context), server: fake, log }
}

const frozen = sampleReport([{ slo: makeSlo(), counts: FROZEN }])
const allowed = sampleReport([{ slo: makeSlo(), counts: HEALTHY }])

describe('needsGithubApi: the plain path never loads the client', () => {
  it.each([
    ['push, everything off', {}, 'push', false, false],
    ['push, policy-source base (no base on push)', { policySource: 'base' }, 'push', false, false],
    ['pull_request, policy-source workspace', { policySource: 'workspace' }, 'pull_request', false, false],
    ['pull_request, default policy-source base', {}, 'pull_request', false, true],
    ['push, comment always (no pull request)', { comment: 'always', policySource: 'workspace' }, 'push', false, false],
    ['pull_request, comment', { comment: 'always', policySource: 'workspace' }, 'pull_request', false, true],
    ['push, status', { status: 'commit-status' }, 'push', false, true],
    ['schedule, refresh', {}, 'schedule', true, true]
  ] as const)('%s → %s', (_name, raw, event, refresh, expected) => {
    expect(needsGithubApi({ options: toGithubOptions(raw), facts: facts(event), refresh })).toBe(expected)
  })
})

describe('publish', () => {
  it('pull_request: the status goes on the head commit, the comment on the pull request', async () => {
    const { session: s, server, log } = await session({ status: 'commit-status', comment: 'always', policySource: 'workspace' }, facts('pull_request'))
    await s.publish(frozen, SETTINGS)
    expect(server.statuses.map((st) => [st.sha, st.state, st.context])).toEqual([[HEAD, 'failure', 'error-budget-gate']])
    expect(server.comments[42]).toHaveLength(1)
    expect(log.warning).toEqual([])
    expect(log.info.join('\n')).toMatch(/comment on #42 posted/)
  })

  it('push: the status goes on GITHUB_SHA; no comment without a pull request', async () => {
    const { session: s, server, log } = await session({ status: 'check-run', comment: 'always' }, facts('push'))
    await s.publish(allowed, SETTINGS)
    expect(server.checkRuns.map((run) => [run.head_sha, run.conclusion])).toEqual([[MERGE, 'success']])
    expect(operationIds(server.requests)).toEqual(['checks/create'])
    expect(log.info.join('\n')).toMatch(/no pull request comment on a push event/)
  })

  it('a fork’s read-only token: every write is a 403, each a warning naming the fork; publish does not throw', async () => {
    const { session: s, server, log } = await session({ status: 'check-run', comment: 'always', policySource: 'workspace' }, facts('pull_request', true), { readOnly: true })
    await expect(s.publish(frozen, SETTINGS)).resolves.toBeUndefined()
    expect(server.checkRuns).toEqual([])
    expect(log.warning).toHaveLength(2)
    for (const warning of log.warning) {
      expect(warning).toMatch(/HTTP 403: Resource not accessible by integration\. This pull request comes from a fork, whose GITHUB_TOKEN is read-only/)
      expect(warning).toMatch(/The decision is unchanged\.$/)
    }
  })

  it('a missing permission (403, not a fork) names the permission', async () => {
    const { session: s, log } = await session({ status: 'commit-status', policySource: 'workspace' }, facts('pull_request'), { readOnly: true })
    await s.publish(frozen, SETTINGS)
    expect(log.warning[0]).toMatch(/Give the job the permission it needs \(statuses: write\)/)
  })

  it('an API that fails (500) is a warning too', async () => {
    const { session: s, log } = await session({ status: 'commit-status', policySource: 'workspace' }, facts('pull_request'), { failWith: 500 })
    await s.publish(frozen, SETTINGS)
    expect(log.warning).toEqual([expect.stringMatching(/^error-budget-gate: could not publish commit-status "error-budget-gate" on 111111111111: .*HTTP 500: Server Error\. The decision is unchanged\.$/)])
  })
})

describe('refresh: the status on every open pull request', () => {
  const pulls = [
    ...Array.from({ length: 5 }, (_, i) => ({ number: i + 1, headSha: String(i + 1).repeat(40).slice(0, 40).replace(/[^0-9a-f]/g, 'a'), base: 'main' })),
    { number: 6, headSha: 'b'.repeat(40), base: 'release/1.0' },
    { number: 7, headSha: 'c'.repeat(40), base: 'feature-x' },
    // Two pull requests from the same commit get one status.
    { number: 8, headSha: '1'.repeat(40), base: 'main' }
  ]

  it('default branch, paginated: every open pull request into it, each head commit once', async () => {
    const { session: s, server, log } = await session({ status: 'commit-status', statusName: 'budget' }, facts('schedule'), { pulls, maxPerPage: 2 }, true)
    await s.publish(frozen, SETTINGS)
    expect(server.statuses.map((st) => st.sha).sort()).toEqual(['1', '2', '3', '4', '5'].map((d) => d.repeat(40)).sort())
    expect(new Set(server.statuses.map((st) => `${st.state}/${st.context}`))).toEqual(new Set(['failure/budget']))
    expect(server.requests.filter((r) => r.path === '/repos/acme/shop/pulls').map((r) => [r.query.base, r.query.page ?? '1'])).toEqual([
      ['main', '1'],
      ['main', '2'],
      ['main', '3']
    ])
    expect(log.info.at(-1)).toMatch(/refresh: commit-status "budget" set to freeze on 5 open pull requests into main$/)
    expect(s.summaryNotes.join('\n')).toMatch(/### Refresh: commit-status `budget` set on 5 open pull requests/)
  })

  it('branches with a glob: lists all open pull requests and keeps those into matching branches', async () => {
    const { session: s, server } = await session({ branches: 'main\nrelease/*' }, facts('workflow_dispatch'), { pulls }, true)
    await s.publish(allowed, SETTINGS)
    // status off: refresh still sets commit statuses (success now: a lifted freeze unblocks).
    expect(server.statuses).toHaveLength(6)
    expect(new Set(server.statuses.map((st) => st.state))).toEqual(new Set(['success']))
    expect(server.statuses.map((st) => st.sha)).toContain('b'.repeat(40))
    expect(server.statuses.map((st) => st.sha)).not.toContain('c'.repeat(40))
  })

  it('check runs, when asked for', async () => {
    const { session: s, server } = await session({ status: 'check-run', branches: 'release/1.0' }, facts('schedule'), { pulls }, true)
    await s.publish(frozen, SETTINGS)
    expect(server.checkRuns.map((run) => [run.head_sha, run.name, run.conclusion])).toEqual([['b'.repeat(40), 'error-budget-gate', 'failure']])
  })

  it('a failure to list or to set warns and does not throw', async () => {
    const { session: s, log } = await session({}, facts('schedule'), { pulls, failWith: 503 }, true)
    await expect(s.publish(frozen, SETTINGS)).resolves.toBeUndefined()
    expect(log.warning[0]).toMatch(/could not publish listing the open pull requests: .*HTTP 503/)
  })
})
