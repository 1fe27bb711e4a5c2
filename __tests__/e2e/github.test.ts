// End to end, the GitHub features (issue 5): the committed dist/index.js under Node 24, run as the
// runner runs it, against the real Prometheus of the Jest global setup and a local fake GitHub
// REST API (harness/fake-github.ts) that records every request. Every recorded request is checked
// against GitHub's OpenAPI description, and none may carry a secret.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'

import { fakeGithub, type FakeGithub, type FakeGithubOptions } from '../harness/fake-github.js'
import { operationIds, requestProblems } from '../harness/github-openapi.js'
import { checkHtml, renderGfm } from '../harness/markdown-html.js'
import { testPrometheus } from '../harness/prometheus.js'
import { FAKE_GITHUB_TOKEN, fixtureFiles, node24, pullRequestEvent, runAction, stackLines, type ActionResult } from '../harness/run-bundle.js'

let prometheusUrl: string
let end: number

beforeAll(() => {
  ;({ url: prometheusUrl, end } = testPrometheus())
  node24()
}, 300_000)

const HEAD = '1'.repeat(40)
const BASE = '2'.repeat(40)
const MERGE_COMMIT = '3'.repeat(40)

const SECRETS = { token: 'tok-gh-e2e-Qw8eRt5yUi1o', header: 'hdr-gh-e2e-Pa9sDf3gHj7k' }

const HEALTHY = fixtureFiles('healthy.yaml')['slos/healthy.yaml']!
const INCIDENT = fixtureFiles('incident-10d.yaml')['slos/incident-10d.yaml']!
/** The incident's SLO with a 90% objective: its spent budget would pass. */
const WEAKENED = INCIDENT.replace('objective: 99.9', 'objective: 90')

const servers: FakeGithub[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function github(options: Partial<FakeGithubOptions> = {}): Promise<FakeGithub> {
  const server = await fakeGithub({ token: FAKE_GITHUB_TOKEN, ...options })
  servers.push(server)
  return server
}

function messages(result: ActionResult, command: string): string[] {
  return result.commands.filter((c) => c.command === command).map((c) => c.message)
}

interface Run {
  server: FakeGithub
  inputs?: Record<string, string>
  files?: Record<string, string>
  event?: object
  eventName?: string
}

function gate({ server, inputs = {}, files, event, eventName }: Run): Promise<ActionResult> {
  return runAction({
    inputs: {
      'prometheus-url': prometheusUrl,
      config: 'slos/*.yaml',
      'evaluation-time': String(end),
      'prometheus-token': SECRETS.token,
      'prometheus-headers': `X-Scope-OrgID: ${SECRETS.header}`,
      ...inputs
    },
    files: files ?? {},
    apiUrl: server.url,
    ...(event ? { event } : {}),
    ...(eventName ? { eventName } : {})
  })
}

/** Every request the action sent is a real GitHub operation with a well-formed body, and carries no secret but the token header. */
function expectCleanRequests(server: FakeGithub, result?: ActionResult): void {
  expect(server.requests.flatMap(requestProblems)).toEqual([])
  for (const request of server.requests) {
    expect(request.headers.authorization).toBe(`token ${FAKE_GITHUB_TOKEN}`)
    const text = JSON.stringify({ path: request.path, query: request.query, body: request.body })
    for (const secret of [...Object.values(SECRETS), FAKE_GITHUB_TOKEN]) expect(text.includes(secret) ? `${request.path} contains ${secret}` : 'clean').toBe('clean')
  }
  for (const list of Object.values(server.comments)) {
    for (const comment of list) for (const secret of [...Object.values(SECRETS), FAKE_GITHUB_TOKEN]) expect(comment.body).not.toContain(secret)
  }
  if (result) {
    const stdout = result.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n')
    for (const secret of [...Object.values(SECRETS), FAKE_GITHUB_TOKEN]) {
      for (const text of [stdout, result.stderr, result.summary, result.outputFile]) expect(text.includes(secret) ? `contains ${secret}` : 'clean').toBe('clean')
    }
    expect(stackLines(result.stdout)).toEqual([])
    expect(stackLines(result.stderr)).toEqual([])
  }
}

describe('sticky comment and commit status on a pull request', () => {
  test('the first run comments and sets the status on the head commit; the second updates the same comment', async () => {
    const server = await github({ commits: { [BASE]: { 'slos/incident-10d.yaml': INCIDENT } } })
    const inputs = { comment: 'always', status: 'commit-status' }
    const first = await gate({ server, inputs, files: { 'slos/incident-10d.yaml': INCIDENT } })
    expect(first.exitCode).toBe(1)
    expect(first.outputs.decision).toBe('freeze')
    expect(server.comments[42]).toHaveLength(1)
    const comment = server.comments[42]![0]!
    expect(comment.login).toBe('github-actions[bot]')
    expect(comment.body).toMatch(/^<!-- error-budget-gate:sticky-comment config=[0-9a-f]{12} -->\n<!-- error-budget-gate:decision=freeze -->\n## 🔴 Error budget gate: FROZEN\n/)
    expect(checkHtml(renderGfm(comment.body)).problems).toEqual([])
    // The status is on the pull request's head commit, not on GITHUB_SHA (the merge commit).
    expect(server.statuses).toEqual([
      expect.objectContaining({ sha: HEAD, state: 'failure', context: 'error-budget-gate', target_url: 'https://github.com/acme/shop/actions/runs/1000' })
    ])
    expect(server.statuses.some((status) => status.sha === MERGE_COMMIT)).toBe(false)
    // The job summary has the burn-down chart (range queries against the real Prometheus), open
    // on a freeze, ending at the gate's own evaluation.
    expect(first.summary).toContain('<details open><summary>📉 Budget left over the SLO window (1 chart, from range queries)</summary>')
    expect(first.summary).toMatch(/```mermaid\nxychart-beta\n {4}title "incident-10d\/requests-availability: budget left over 30d \(%\)"\n/)
    const remaining = (JSON.parse(first.outputs.report!) as { budgetRemaining: number }).budgetRemaining
    const line = /^ {4}line \[(.*)\]$/m.exec(first.summary)![1]!.split(', ').map(Number)
    expect(line.length).toBeGreaterThanOrEqual(30)
    expect(line.at(-1)).toBeCloseTo(remaining * 100, 1)
    // Before the incident ten days ago most of the budget was left; now it is spent.
    expect(line[0]).toBeGreaterThan(50)
    expect(line.at(-1)).toBeLessThan(0)
    expect(checkHtml(renderGfm(first.summary)).problems).toEqual([])
    expectCleanRequests(server, first)

    // The freeze is lifted on the base branch: the next run updates the same comment in place.
    server.options.commits![BASE] = { 'slos/healthy.yaml': HEALTHY }
    const second = await gate({ server, inputs, files: { 'slos/healthy.yaml': HEALTHY } })
    expect(second.exitCode).toBe(0)
    expect(second.outputs.decision).toBe('allow')
    expect(server.comments[42]).toHaveLength(1)
    expect(server.comments[42]![0]!.id).toBe(comment.id)
    expect(server.comments[42]![0]!.body).toMatch(/decision=allow -->\n## 🟢 Error budget gate: ALLOWED/)
    expect(server.statuses.map((status) => [status.sha, status.state])).toEqual([
      [HEAD, 'failure'],
      [HEAD, 'success']
    ])
    const writes = operationIds(server.requests).filter((id) => !/\/(get|list)/.test(id))
    expect(writes).toEqual(['repos/create-commit-status', 'issues/create-comment', 'repos/create-commit-status', 'issues/update-comment'])
    expect(messages(second, 'warning')).toEqual([])
    expectCleanRequests(server, second)
  })

  test('quiet mode on-change: no comment on an allowed pull request', async () => {
    const server = await github({ commits: { [BASE]: { 'slos/healthy.yaml': HEALTHY } } })
    const result = await gate({ server, inputs: { comment: 'on-change' }, files: { 'slos/healthy.yaml': HEALTHY } })
    expect(result.exitCode).toBe(0)
    expect(server.comments[42]).toBeUndefined()
    expect(operationIds(server.requests)).not.toContain('issues/create-comment')
    expectCleanRequests(server, result)
  })

  test('hostile SLO names cannot ping or inject markup into the comment', async () => {
    const hostile = HEALTHY.replace(/^service: .*$/m, 'service: "@everyone <!-- x --> <img src=x>"')
    const server = await github({ commits: { [BASE]: { 'slos/hostile.yaml': hostile } } })
    const result = await gate({ server, inputs: { comment: 'always' }, files: { 'slos/hostile.yaml': hostile } })
    expect(result.outputs.decision).toBe('allow')
    const body = server.comments[42]![0]!.body
    const { problems, comments, prose } = checkHtml(renderGfm(body))
    expect(problems).toEqual([])
    expect(comments).toHaveLength(2)
    expect(prose).not.toContain('@everyone')
    expect(checkHtml(renderGfm(result.summary)).problems).toEqual([])
    expectCleanRequests(server, result)
  })
})

describe('policy from the base branch', () => {
  test('a pull request that weakens its SLO file is still judged by the base branch’s file', async () => {
    const server = await github({
      commits: { [BASE]: { 'slos/incident-10d.yaml': INCIDENT, 'README.md': '# shop' } },
      pullFiles: { 42: [{ filename: 'src/app.ts', status: 'modified' }, { filename: 'slos/incident-10d.yaml', status: 'modified' }] }
    })
    const files = { 'slos/incident-10d.yaml': WEAKENED }

    // With the pull request's own (checked-out) file, the weakened objective would pass...
    const own = await gate({ server, inputs: { 'policy-source': 'workspace' }, files })
    expect(own.outputs.decision).toBe('allow')
    expect(server.requests).toEqual([])

    // ...but by default the base branch's file decides.
    const result = await gate({ server, files })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.decision).toBe('freeze')
    const report = JSON.parse(result.outputs.report!) as { configFiles: string[]; policy: unknown; slos: Array<{ objective: number }> }
    expect(report.slos[0]!.objective).toBe(0.999)
    expect(report.configFiles).toEqual(['slos/incident-10d.yaml'])
    expect(report.policy).toEqual({ source: 'base', ref: 'main', sha: BASE, changedInPullRequest: [{ file: 'slos/incident-10d.yaml', status: 'modified' }] })
    expect(operationIds(server.requests)).toEqual(['git/get-tree', 'repos/get-content', 'pulls/list-files'])
    expect(server.requests[0]!.path).toBe(`/repos/acme/shop/git/trees/${BASE}`)
    expect(server.requests[1]!.query.ref).toBe(BASE)
    expect(result.summary).toContain('🔒 SLO files and policy read from the base branch **main** at 222222222222, not from this pull request.')
    expect(result.summary).toContain('**Policy changes in this PR (not applied):** 1 file matching `config`:')
    expect(result.summary).toContain('- slos/incident-10d.yaml (modified)')
    expect(messages(result, 'warning').join('\n')).toMatch(/this pull request changes slos\/incident-10d\.yaml \(modified\); the gate uses the base branch's version/)
    expectCleanRequests(server, result)
  })

  test('a pull request that adds an SLO file does not add it to the gate; deleting one does not remove it', async () => {
    const server = await github({
      commits: { [BASE]: { 'slos/incident-10d.yaml': INCIDENT } },
      pullFiles: { 42: [{ filename: 'slos/incident-10d.yaml', status: 'removed' }, { filename: 'slos/healthy.yaml', status: 'added' }] }
    })
    const result = await gate({ server, files: { 'slos/healthy.yaml': HEALTHY } })
    expect(result.outputs.decision).toBe('freeze')
    expect((JSON.parse(result.outputs.report!) as { configFiles: string[] }).configFiles).toEqual(['slos/incident-10d.yaml'])
    expectCleanRequests(server, result)
  })

  test('when the base branch cannot be read, the decision is error, never the pull request’s files', async () => {
    const server = await github({ failWith: 502 })
    const result = await gate({ server, files: { 'slos/healthy.yaml': HEALTHY } })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.decision).toBe('error')
    expect(messages(result, 'error').join('\n')).toMatch(/could not read the SLO files from the base branch through the GitHub API: .*HTTP 502/)
    // on-error applies, as to a failed query.
    const warned = await gate({ server, files: { 'slos/healthy.yaml': HEALTHY }, inputs: { 'on-error': 'warn' } })
    expect(warned.exitCode).toBe(0)
    expect(warned.outputs.decision).toBe('error')
    expectCleanRequests(server, warned)
  })

  test('merge_group: the policy of the queue’s base, the check run on the merge group’s head', async () => {
    const GROUP_HEAD = '4'.repeat(40)
    const server = await github({ commits: { [BASE]: { 'slos/incident-10d.yaml': INCIDENT } } })
    const event = {
      action: 'checks_requested',
      merge_group: { head_sha: GROUP_HEAD, head_ref: 'refs/heads/gh-readonly-queue/main/pr-42-abc', base_sha: BASE, base_ref: 'refs/heads/main' },
      repository: { name: 'shop', full_name: 'acme/shop', owner: { login: 'acme' }, default_branch: 'main' }
    }
    const result = await gate({ server, event, eventName: 'merge_group', inputs: { status: 'check-run', 'status-name': 'budget' }, files: { 'slos/incident-10d.yaml': WEAKENED } })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.decision).toBe('freeze')
    expect(server.checkRuns).toEqual([expect.objectContaining({ head_sha: GROUP_HEAD, name: 'budget', status: 'completed', conclusion: 'failure' })])
    const annotations = server.checkRuns[0]!.output.annotations as Array<{ path: string; start_line: number; annotation_level: string }>
    expect(annotations).toEqual([expect.objectContaining({ path: 'slos/incident-10d.yaml', start_line: 5, annotation_level: 'failure' })])
    expect(operationIds(server.requests)).toEqual(['git/get-tree', 'repos/get-content', 'checks/create'])
    expectCleanRequests(server, result)
  })
})

describe('fork pull requests: a read-only token', () => {
  const forkEvent = () => {
    const event = pullRequestEvent() as { pull_request: { head: { repo: object } } }
    event.pull_request.head.repo = { name: 'shop', full_name: 'someone/shop', owner: { login: 'someone' }, fork: true }
    return event
  }

  test.each([
    ['incident-10d.yaml', 'freeze', 1],
    ['healthy.yaml', 'allow', 0]
  ] as const)('%s: the 403s warn; the decision and the exit code are what they would be anyway', async (file, decision, exitCode) => {
    const content = fixtureFiles(file)[`slos/${file}`]!
    const server = await github({ readOnly: true, commits: { [BASE]: { [`slos/${file}`]: content } } })
    const result = await gate({ server, event: forkEvent(), inputs: { comment: 'always', status: 'check-run' }, files: { [`slos/${file}`]: content } })
    expect(result.exitCode).toBe(exitCode)
    expect(result.outputs.decision).toBe(decision)
    const warnings = messages(result, 'warning').filter((w) => w.startsWith('error-budget-gate: could not publish'))
    expect(warnings).toHaveLength(2)
    for (const warning of warnings) expect(warning).toMatch(/HTTP 403: Resource not accessible by integration\. This pull request comes from a fork, whose GITHUB_TOKEN is read-only: the decision is in the job summary/)
    // The summary still has the decision; the base branch was still read (reads are allowed).
    expect(result.summary).toMatch(new RegExp(`^## .*${decision === 'freeze' ? 'FROZEN' : 'ALLOWED'}`, 'm'))
    expect(server.requests.some((r) => r.path.includes('/contents/'))).toBe(true)
    expect(server.checkRuns).toEqual([])
    expectCleanRequests(server, result)
  })
})

describe('mode refresh: no stale green checks', () => {
  const pulls = [
    ...Array.from({ length: 5 }, (_, i) => ({ number: 100 + i, headSha: String.fromCharCode(97 + i).repeat(40), base: 'main' })),
    { number: 200, headSha: 'f'.repeat(40), base: 'develop' }
  ]
  const scheduleEvent = { schedule: '*/15 * * * *', repository: { name: 'shop', full_name: 'acme/shop', owner: { login: 'acme' }, default_branch: 'main' } }

  test('a freeze sets a failing status on the head commit of every open pull request into the protected branch (paginated)', async () => {
    const server = await github({ pulls, maxPerPage: 2 })
    const result = await gate({ server, event: scheduleEvent, eventName: 'schedule', inputs: { mode: 'refresh' }, files: fixtureFiles('incident-10d.yaml') })
    expect(result.outputs.decision).toBe('freeze')
    expect(result.exitCode).toBe(1)
    expect(server.statuses.map((s) => s.sha).sort()).toEqual(pulls.filter((p) => p.base === 'main').map((p) => p.headSha))
    expect(new Set(server.statuses.map((s) => `${s.state} ${s.context}`))).toEqual(new Set(['failure error-budget-gate']))
    expect(server.requests.filter((r) => r.path === '/repos/acme/shop/pulls')).toHaveLength(3)
    expect(result.summary).toMatch(/### Refresh: commit-status `error-budget-gate` set on 5 open pull requests/)
    expect(result.summary).toContain('- #104 at eeeeeeeeeeee')
    // No comment, no base-branch read: a refresh judges by the checked-out protected branch.
    expect(operationIds(server.requests).filter((id) => id !== 'pulls/list' && id !== 'repos/create-commit-status')).toEqual([])
    expectCleanRequests(server, result)
  })

  test('a lifted freeze sets them back to success, on several branches', async () => {
    const server = await github({ pulls })
    const result = await gate({
      server,
      event: scheduleEvent,
      eventName: 'workflow_dispatch',
      inputs: { mode: 'refresh', branches: 'main, develop' },
      files: fixtureFiles('healthy.yaml')
    })
    expect(result.exitCode).toBe(0)
    expect(server.statuses).toHaveLength(6)
    expect(new Set(server.statuses.map((s) => s.state))).toEqual(new Set(['success']))
    expectCleanRequests(server, result)
  })
})

describe('the plain path', () => {
  test('no GitHub feature on a push: not one request to the GitHub API', async () => {
    const server = await github()
    const result = await gate({ server, eventName: 'push', event: { repository: { default_branch: 'main' } }, files: fixtureFiles('healthy.yaml') })
    expect(result.exitCode).toBe(0)
    expect(server.requests).toEqual([])
  })

  test('an invalid comment input is a usage error naming it', async () => {
    const server = await github()
    const result = await gate({ server, inputs: { comment: 'sometimes' }, files: fixtureFiles('healthy.yaml') })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.decision).toBe('error')
    expect(messages(result, 'error').join('\n')).toMatch(/comment: expected off, always, on-change or not-allow, got "sometimes"/)
    expect(server.requests).toEqual([])
  })
})

afterAll(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})
