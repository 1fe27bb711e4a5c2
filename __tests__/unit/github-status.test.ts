// The commit status and the check run: state and conclusion follow the step's result, a stable
// name, annotations (at most 50 per request) on the SLO files; every request checked against
// GitHub's OpenAPI description (and the checker itself checked to catch a bad one).
import { afterEach, describe, expect, it } from '@jest/globals'

import { connectGithub, type GithubApi } from '../../src/github/client.js'
import { annotations, checkConclusion, commitState, publishStatus, sloLine, sourceFile, statusDescription } from '../../src/github/status.js'
import { Redactor } from '../../src/redact.js'
import type { GateReport } from '../../src/report/model.js'
import { fakeGithub, type FakeGithub, type FakeGithubOptions, type RecordedRequest } from '../harness/fake-github.js'
import { operationIds, requestProblems } from '../harness/github-openapi.js'
import { FROZEN, HEALTHY, NO_DATA, WARNED, makeSlo, sampleReport } from '../harness/sample-report.js'

const TOKEN = 'ghs_unitFakeToken0123456789'
const REPO = { owner: 'acme', repo: 'shop' }
const SHA = '1'.repeat(40)

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

const report = (counts: typeof HEALTHY, extra: Partial<GateReport> = {}, context = {}) => ({ ...sampleReport([{ slo: makeSlo(), counts }], context), ...extra })

describe('state and conclusion follow the step result', () => {
  it.each([
    ['allow', report(HEALTHY), 'success', 'success'],
    ['warn', report(WARNED), 'success', 'neutral'],
    ['freeze', report(FROZEN), 'failure', 'failure'],
    ['error', report(NO_DATA), 'error', 'failure'],
    ['error with on-error warn', report(NO_DATA, {}, { onError: 'warn' }), 'success', 'neutral'],
    ['freeze in a dry run', report(FROZEN, {}, { dryRun: true }), 'success', 'neutral'],
    ['freeze, exempt', report(FROZEN, { exempt: true, exitCode: 0 }), 'success', 'neutral']
  ] as const)('%s → status %s, check %s', (_name, r, state, conclusion) => {
    expect(commitState(r)).toBe(state)
    expect(checkConclusion(r)).toBe(conclusion)
  })

  it('describes the decision in one short line', () => {
    expect(statusDescription(report(FROZEN))).toMatch(/^FROZEN \(1 of 1 SLO\): checkout\/requests-availability: error budget exhausted/)
    expect(statusDescription(report(FROZEN)).length).toBeLessThanOrEqual(140)
    expect(statusDescription(report(FROZEN))).toMatch(/…$/)
  })
})

describe('annotations', () => {
  const file = ['apiVersion: error-budget-gate/v1', 'service: checkout', 'slos:', '  - name: availability', '    objective: 99.9', "  - name: 'latency'", '    objective: 99'].join('\n')

  it('finds the line of an SLO in its file, or uses line 1', () => {
    expect(sloLine(file, 'availability')).toBe(4)
    expect(sloLine(file, 'latency')).toBe(6)
    expect(sloLine(file, 'missing')).toBe(1)
    expect(sloLine(undefined, 'availability')).toBe(1)
  })

  it('one per SLO that warns, freezes or errs, on its file', () => {
    const r = sampleReport([
      { slo: makeSlo({ name: 'availability' }), counts: HEALTHY },
      { slo: makeSlo({ name: 'latency', source: { file: 'slos/checkout.yaml', document: 1, format: 'native', path: 'slos[1]' } }), counts: WARNED },
      { slo: makeSlo({ name: 'spent', source: { file: 'slos/other.yaml', document: 2, format: 'native', path: 'slos[0]' } }), counts: FROZEN }
    ])
    expect(sourceFile(r.slos[2]!)).toBe('slos/other.yaml')
    const list = annotations(r, (path) => (path === 'slos/checkout.yaml' ? file : undefined))
    expect(list).toEqual([
      {
        path: 'slos/checkout.yaml',
        start_line: 6,
        end_line: 6,
        annotation_level: 'warning',
        title: 'checkout/latency: WARNING',
        message: expect.stringMatching(/^error budget low: /)
      },
      {
        path: 'slos/other.yaml',
        start_line: 1,
        end_line: 1,
        annotation_level: 'failure',
        title: 'checkout/spent: FROZEN',
        message: expect.stringMatching(/^error budget exhausted: /)
      }
    ])
  })
})

describe('publishStatus against the GitHub API', () => {
  it('commit-status: one status with the stable context, on the given commit', async () => {
    const { server, api } = await github()
    await publishStatus(api, REPO, SHA, report(FROZEN), { kind: 'commit-status', name: 'error-budget-gate', runUrl: 'https://github.com/acme/shop/actions/runs/1' })
    expect(server.statuses).toEqual([
      {
        sha: SHA,
        state: 'failure',
        context: 'error-budget-gate',
        description: expect.stringMatching(/^FROZEN/),
        target_url: 'https://github.com/acme/shop/actions/runs/1'
      }
    ])
    expect(operationIds(server.requests)).toEqual(['repos/create-commit-status'])
  })

  it('check-run: a completed run with the report as summary; 120 annotations go 50 per request', async () => {
    const { server, api } = await github()
    const entries = Array.from({ length: 130 }, (_, i) => ({ slo: makeSlo({ name: `slo-${i}` }), counts: i < 120 ? FROZEN : HEALTHY }))
    await publishStatus(api, REPO, SHA, sampleReport(entries), { kind: 'check-run', name: 'error-budget-gate' })
    expect(operationIds(server.requests)).toEqual(['checks/create', 'checks/update', 'checks/update'])
    const sent = server.requests.map((r: RecordedRequest) => (r.body as { output: { annotations: unknown[] } }).output.annotations.length)
    expect(sent).toEqual([50, 50, 20])
    const [run] = server.checkRuns
    expect(run).toMatchObject({ name: 'error-budget-gate', head_sha: SHA, status: 'completed', conclusion: 'failure' })
    expect(run!.output.annotations).toHaveLength(120)
    expect(run!.output.summary).toMatch(/^## 🔴 Error budget gate: FROZEN/)
    expect(run!.output.summary!.length).toBeLessThanOrEqual(65_535)
  })

  it('fails with a recognisable 403 on a read-only token', async () => {
    const { api } = await github({ readOnly: true })
    await expect(publishStatus(api, REPO, SHA, report(FROZEN), { kind: 'commit-status', name: 'gate' })).rejects.toMatchObject({ status: 403, forbidden: true })
  })
})

describe('the OpenAPI check itself', () => {
  const request = (method: string, path: string, body?: unknown, query: Record<string, string> = {}): RecordedRequest => ({ method, path, query, headers: {}, body })

  it('accepts well-formed requests and reports malformed ones', () => {
    expect(requestProblems(request('POST', `/repos/acme/shop/statuses/${SHA}`, { state: 'success', context: 'x' }))).toEqual([])
    expect(requestProblems(request('POST', `/repos/acme/shop/statuses/${SHA}`, { state: 'green' }))[0]).toMatch(/"green" is not one of/)
    expect(requestProblems(request('POST', `/repos/acme/shop/statuses/${SHA}`, { context: 'x' }))[0]).toMatch(/state: required, missing/)
    expect(requestProblems(request('POST', `/repos/acme/shop/statuses/${SHA}`, { state: 'success', colour: 'x' }))[0]).toMatch(/colour: not a property/)
    expect(requestProblems(request('POST', '/repos/acme/shop/check-runs', { name: 'x', head_sha: SHA, output: { title: 't', summary: 's', annotations: Array(51).fill({ path: 'a', start_line: 1, end_line: 1, annotation_level: 'warning', message: 'm' }) } }))).not.toEqual([])
    expect(requestProblems(request('GET', '/repos/acme/shop/pulls', undefined, { state: 'open', per_page: '100' }))).toEqual([])
    expect(requestProblems(request('GET', '/repos/acme/shop/pulls', undefined, { state: 'opened' }))[0]).toMatch(/"opened" is not one of/)
    expect(requestProblems(request('GET', '/repos/acme/shop/pulls', undefined, { colour: 'x' }))[0]).toMatch(/unknown query parameter colour/)
    expect(requestProblems(request('DELETE', '/repos/acme/shop/statuses/x'))[0]).toMatch(/no such operation/)
  })
})
