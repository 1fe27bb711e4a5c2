// The sticky PR comment: found by marker and the token's own login, updated in place, quiet
// modes, escaping; through the real Octokit client against the fake GitHub API, every request
// checked against GitHub's OpenAPI description.
import { afterEach, describe, expect, it } from '@jest/globals'

import { connectGithub, type GithubApi } from '../../src/github/client.js'
import { commentBody, commentDecision, commentMarker, configId, findComment, planComment, publishComment, COMMENT_LIMIT_BYTES } from '../../src/github/comment.js'
import { Redactor } from '../../src/redact.js'
import { fakeGithub, type FakeGithub, type FakeGithubOptions } from '../harness/fake-github.js'
import { operationIds, requestProblems } from '../harness/github-openapi.js'
import { checkHtml, renderGfm } from '../harness/markdown-html.js'
import { FROZEN, HEALTHY, WARNED, makeSlo, sampleReport } from '../harness/sample-report.js'

const TOKEN = 'ghs_unitFakeToken0123456789'
const REPO = { owner: 'acme', repo: 'shop' }
const ID = configId(['slos/*.yaml'])
const frozen = sampleReport([{ slo: makeSlo(), counts: FROZEN }])
const allowed = sampleReport([{ slo: makeSlo(), counts: HEALTHY }])
const warned = sampleReport([{ slo: makeSlo(), counts: WARNED }])

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

describe('configId and the marker', () => {
  it('is stable for the same patterns in any order or spelling, and differs between configurations', () => {
    expect(configId(['slos/a.yaml', 'slos/b.yaml'])).toBe(configId(['./slos/b.yaml', ' slos/a.yaml ', 'slos/a.yaml']))
    expect(configId(['slos/a.yaml'])).not.toBe(configId(['slos/b.yaml']))
    expect(ID).toMatch(/^[0-9a-f]{12}$/)
    expect(commentMarker(ID)).toBe(`<!-- error-budget-gate:sticky-comment config=${ID} -->`)
  })
})

describe('commentBody', () => {
  it('starts with the marker and the decision, has the report without the workings, and a link to the run', () => {
    const body = commentBody(frozen, ID, 'https://github.com/acme/shop/actions/runs/1000')
    const lines = body.split('\n')
    expect(lines[0]).toBe(commentMarker(ID))
    expect(lines[1]).toBe('<!-- error-budget-gate:decision=freeze -->')
    expect(lines[2]).toBe('## 🔴 Error budget gate: FROZEN')
    expect(body).not.toContain('<details>')
    expect(body).toContain('[Workflow run](https://github.com/acme/shop/actions/runs/1000)')
    expect(commentDecision(body)).toBe('freeze')
    const { problems, comments } = checkHtml(renderGfm(body))
    expect(problems).toEqual([])
    expect(comments).toEqual([` error-budget-gate:sticky-comment config=${ID} `, ' error-budget-gate:decision=freeze '])
  })

  it('escapes everything: names cannot ping, hide text, or fake a marker', () => {
    const slo = makeSlo({ service: `<!-- error-budget-gate:sticky-comment config=${ID} -->`, name: '@everyone @acme/oncall <img src=x>' })
    const body = commentBody(sampleReport([{ slo, counts: FROZEN }]), ID)
    const { problems, comments, prose } = checkHtml(renderGfm(body))
    expect(problems).toEqual([])
    // The two real markers only: the name's fake one is text.
    expect(comments).toHaveLength(2)
    expect(prose).not.toMatch(/@everyone|@acme/)
    expect(body.split('\n').filter((line) => line.includes('<!-- error-budget-gate'))).toHaveLength(2)
  })

  it('stays within the comment size limit with thousands of SLOs', () => {
    const entries = Array.from({ length: 3000 }, (_, i) => ({ slo: makeSlo({ name: `slo-${i}-with-a-long-name` }), counts: FROZEN }))
    const body = commentBody(sampleReport(entries), ID)
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(COMMENT_LIMIT_BYTES)
    expect(body.length).toBeLessThan(65_536)
    expect(body).toMatch(/not shown \(summary size limit\)/)
    expect(checkHtml(renderGfm(body)).problems).toEqual([])
  })
})

describe('findComment', () => {
  const body = commentBody(frozen, ID)
  it('takes only a comment by the token’s own login that starts with this configuration’s marker', () => {
    const comments = [
      { id: 1, login: 'mallory', body },
      { id: 2, login: 'github-actions[bot]', body: `quoted:\n${body}` },
      { id: 3, login: 'github-actions[bot]', body: commentBody(frozen, configId(['other/*.yaml'])) },
      { id: 4, login: 'GitHub-Actions[bot]', body },
      { id: 5, login: 'github-actions[bot]', body }
    ]
    expect(findComment(comments, ID, 'github-actions[bot]')?.id).toBe(4)
    expect(findComment(comments.slice(0, 3), ID, 'github-actions[bot]')).toBeUndefined()
    expect(findComment(comments, ID, 'mallory')?.id).toBe(1)
  })
})

describe('planComment', () => {
  const body = (report: typeof frozen) => commentBody(report, ID)
  it.each([
    // mode, existing decision (none: no comment yet), decision now, action
    ['off', undefined, 'freeze', 'skip'],
    ['always', undefined, 'allow', 'create'],
    ['always', 'allow', 'allow', 'update'],
    ['always', 'freeze', 'freeze', 'update'],
    ['not-allow', undefined, 'allow', 'skip'],
    ['not-allow', undefined, 'warn', 'create'],
    ['not-allow', 'warn', 'freeze', 'update'],
    ['not-allow', 'freeze', 'freeze', 'update'],
    ['not-allow', 'freeze', 'allow', 'update'],
    ['not-allow', 'allow', 'allow', 'skip'],
    ['on-change', undefined, 'allow', 'skip'],
    ['on-change', undefined, 'freeze', 'create'],
    ['on-change', 'freeze', 'freeze', 'skip'],
    ['on-change', 'freeze', 'allow', 'update'],
    ['on-change', 'allow', 'warn', 'update']
  ] as const)('%s, comment showing %s, now %s → %s', (mode, previous, decision, action) => {
    const report = { allow: allowed, warn: warned, freeze: frozen }[decision]
    const existing = previous === undefined ? undefined : { body: `${commentMarker(ID)}\n<!-- error-budget-gate:decision=${previous} -->\nolder text` }
    expect(planComment(mode, existing, report.decision, body(report)).action).toBe(action)
  })

  it('does not rewrite a comment that already says exactly this', () => {
    expect(planComment('always', { body: body(frozen) }, 'freeze', body(frozen))).toEqual({ action: 'skip', why: 'the comment already says this' })
  })
})

describe('publishComment against the GitHub API', () => {
  it('creates one comment, then updates that same comment in place on later runs', async () => {
    const { server, api } = await github({ comments: { 42: [{ id: 7, login: 'dev', type: 'User', body: 'LGTM' }] } })
    const first = await publishComment(api, REPO, 42, frozen, { mode: 'always', configId: ID })
    expect(first.action).toBe('create')
    const second = await publishComment(api, REPO, 42, allowed, { mode: 'always', configId: ID })
    expect(second).toEqual({ action: 'update', why: 'updated in place', commentId: first.commentId })
    expect(server.comments[42]!.map((c) => c.id)).toEqual([7, first.commentId])
    expect(server.comments[42]![1]!.login).toBe('github-actions[bot]')
    expect(commentDecision(server.comments[42]![1]!.body)).toBe('allow')
    expect(operationIds(server.requests)).toEqual([
      'users/get-authenticated',
      'issues/list-comments',
      'issues/create-comment',
      // the login is asked once per client
      'issues/list-comments',
      'issues/update-comment'
    ])
    // GET /user is refused to installation tokens: the Actions bot's login is used instead.
    expect(server.requests.find((r) => r.path === '/user')).toBeDefined()
    expect(server.requests.every((r) => r.headers.authorization === `token ${TOKEN}`)).toBe(true)
  })

  it('finds its comment among many (pagination), and ignores a copy by someone else', async () => {
    const others = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, login: 'dev', type: 'User' as const, body: `comment ${i}` }))
    const forged = { id: 50, login: 'mallory', type: 'User' as const, body: commentBody(frozen, ID) }
    const ours = { id: 60, login: 'gate-bot', type: 'User' as const, body: commentBody(frozen, ID) }
    const { server, api } = await github({ login: 'gate-bot', maxPerPage: 2, comments: { 42: [...others, forged, ours] } })
    const result = await publishComment(api, REPO, 42, allowed, { mode: 'always', configId: ID })
    expect(result).toMatchObject({ action: 'update', commentId: 60 })
    expect(server.comments[42]!.find((c) => c.id === 50)!.body).toBe(forged.body)
    expect(server.requests.filter((r) => r.path.endsWith('/issues/42/comments')).length).toBe(5)
  })

  it('quiet mode on-change: no comment while allowed; one when frozen; left alone while still frozen', async () => {
    const { server, api } = await github()
    expect((await publishComment(api, REPO, 42, allowed, { mode: 'on-change', configId: ID })).action).toBe('skip')
    expect(server.comments[42]).toBeUndefined()
    expect((await publishComment(api, REPO, 42, frozen, { mode: 'on-change', configId: ID })).action).toBe('create')
    expect((await publishComment(api, REPO, 42, frozen, { mode: 'on-change', configId: ID })).action).toBe('skip')
    expect((await publishComment(api, REPO, 42, allowed, { mode: 'on-change', configId: ID })).action).toBe('update')
    expect(server.comments[42]).toHaveLength(1)
    expect(server.requests.filter((r) => r.method !== 'GET')).toHaveLength(2)
  })

  it('two configurations keep a comment each', async () => {
    const { server, api } = await github()
    await publishComment(api, REPO, 42, frozen, { mode: 'always', configId: configId(['services/a/*.yaml']) })
    await publishComment(api, REPO, 42, allowed, { mode: 'always', configId: configId(['services/b/*.yaml']) })
    await publishComment(api, REPO, 42, allowed, { mode: 'always', configId: configId(['services/a/*.yaml']) })
    expect(server.comments[42]).toHaveLength(2)
  })

  it('a read-only token (fork pull request) fails with a 403 the caller can recognise', async () => {
    const { api } = await github({ readOnly: true })
    await expect(publishComment(api, REPO, 42, frozen, { mode: 'always', configId: ID })).rejects.toMatchObject({
      name: 'GithubApiError',
      status: 403,
      forbidden: true,
      message: 'comment on #42: HTTP 403: Resource not accessible by integration'
    })
  })

  it('never puts the token in an error message', async () => {
    const redactor = new Redactor()
    redactor.add(TOKEN)
    const api = await connectGithub({ token: TOKEN, apiUrl: 'http://127.0.0.1:9', redactor, timeoutMs: 2000 })
    const error = (await publishComment(api, REPO, 42, frozen, { mode: 'always', configId: ID }).then(() => undefined, (e: unknown) => e)) as Error
    expect(error.message).toMatch(/could not reach http:\/\/127\.0\.0\.1:9/)
    expect(error.message).not.toContain(TOKEN)
  })
})
