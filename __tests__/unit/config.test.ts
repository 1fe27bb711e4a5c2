// SLO files: native (error-budget-gate/v1) and Sloth (prometheus/v1), read as written, into the
// one SLO model. Bad input must give one clear message per problem, naming the file, the line,
// the document and the field, and every problem in every file must be reported at once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { loadSloFiles, parseSloText } from '../../src/config/load.js'
import type { Slo } from '../../src/config/model.js'
import { ConfigError } from '../../src/errors.js'
import { DEFAULT_POLICY } from '../../src/policy/settings.js'
import { SHARED } from '../harness/shared.js'

const SLOTH_DIR = `${SHARED}/corpus/specs/sloth`
const RAW = "sli: { raw: { errorRatioQuery: 'sum(rate(errors[{{.window}}])) / sum(rate(requests[{{.window}}]))' } }"

/** Parses text that must be valid, failing with the problems when it is not. */
function parseValid(text: string, file = 'slos.yaml'): Slo[] {
  const { slos, problems } = parseSloText(text, file)
  expect(problems).toEqual([])
  return slos
}

function problemsOf(text: string, file = 'bad.yaml'): string[] {
  const { slos, problems } = parseSloText(text, file)
  expect(problems.length).toBeGreaterThan(0)
  // A document with a problem contributes no SLO: nothing half-loaded.
  expect(slos).toEqual([])
  return problems
}

async function loadError(patterns: string[], cwd: string): Promise<ConfigError> {
  try {
    await loadSloFiles(patterns, cwd)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error(`expected loadSloFiles(${JSON.stringify(patterns)}) to fail`)
}

function nativeDoc(slos: string, head = 'service: checkout'): string {
  return `apiVersion: error-budget-gate/v1\n${head}\nslos:\n${slos}`
}

describe('native format', () => {
  it('reads service + slos with every SLI kind, as the one SLO model', () => {
    const slos = parseValid(
      nativeDoc(`  - name: errors-events
    description: Requests that do not fail
    objective: 99.9
    sli:
      events:
        errorQuery: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        totalQuery: sum(rate(http_requests_total[{{.window}}]))
  - name: good-events
    objective: 99.5
    window: 28d
    sli:
      events:
        goodQuery: sum(rate(http_requests_total{code!~"5.."}[{{ .window }}]))
        totalQuery: sum(rate(http_requests_total[{{ .window }}]))
  - name: error-counters
    objective: 99.95
    window: 4w
    sli:
      counters:
        errors: http_requests_total{job="api",code=~"5.."}
        total: http_requests_total{job="api"}
  - name: good-counters
    objective: 99
    sli:
      counters:
        good: http_requests_total{job="api",code!~"5.."}
        total: http_requests_total{job="api"}
  - name: ratio
    objective: 99.99
    window: 7d
    ${RAW}
`),
      'checkout.yaml'
    )
    expect(slos.map((slo) => slo.name)).toEqual(['errors-events', 'good-events', 'error-counters', 'good-counters', 'ratio'])
    const [errorsEvents, goodEvents, errorCounters, goodCounters, ratio] = slos

    expect(errorsEvents).toEqual({
      service: 'checkout',
      name: 'errors-events',
      description: 'Requests that do not fail',
      objective: 0.999,
      window: '30d',
      windowSeconds: 30 * 86400,
      sli: {
        kind: 'events',
        bad: 'errors',
        badQuery: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
        totalQuery: 'sum(rate(http_requests_total[{{.window}}]))'
      },
      policy: DEFAULT_POLICY,
      source: { file: 'checkout.yaml', document: 1, format: 'native', path: 'slos[0]' }
    })
    expect(goodEvents.sli).toEqual({
      kind: 'events',
      bad: 'good',
      badQuery: 'sum(rate(http_requests_total{code!~"5.."}[{{ .window }}]))',
      totalQuery: 'sum(rate(http_requests_total[{{ .window }}]))'
    })
    expect([goodEvents.objective, goodEvents.window, goodEvents.windowSeconds]).toEqual([0.995, '28d', 28 * 86400])
    // Counter selectors are wrapped, so the budget is request-weighted over the window.
    expect(errorCounters.sli).toEqual({
      kind: 'events',
      bad: 'errors',
      badQuery: 'sum(increase(http_requests_total{job="api",code=~"5.."}[{{.window}}]))',
      totalQuery: 'sum(increase(http_requests_total{job="api"}[{{.window}}]))'
    })
    // "4w" is the same window as "28d", and is reported as such.
    expect([errorCounters.objective, errorCounters.window]).toEqual([0.9995, '28d'])
    expect(goodCounters.sli).toEqual({
      kind: 'events',
      bad: 'good',
      badQuery: 'sum(increase(http_requests_total{job="api",code!~"5.."}[{{.window}}]))',
      totalQuery: 'sum(increase(http_requests_total{job="api"}[{{.window}}]))'
    })
    expect(goodCounters.objective).toBe(0.99)
    expect(ratio.sli).toEqual({ kind: 'ratio', errorRatioQuery: 'sum(rate(errors[{{.window}}])) / sum(rate(requests[{{.window}}]))' })
    expect([ratio.objective, ratio.window, ratio.windowSeconds]).toEqual([0.9999, '7d', 7 * 86400])
    expect(slos.map((slo) => slo.source.path)).toEqual(['slos[0]', 'slos[1]', 'slos[2]', 'slos[3]', 'slos[4]'])
  })

  it('keeps objectives exactly as written (99.9 is 0.999, not 0.9990000000000001)', () => {
    const objectives = [99, 99.5, 99.9, 99.95, 99.99, 99.999, 95.7, 90, 1]
    const text = nativeDoc(objectives.map((objective, i) => `  - name: s${i}\n    objective: ${objective}\n    ${RAW}\n`).join(''))
    expect(parseValid(text).map((slo) => slo.objective)).toEqual([0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999, 0.957, 0.9, 0.01])
  })

  it('reads the services list form, with SLOs under each service', () => {
    const slos = parseValid(`apiVersion: error-budget-gate/v1
kind: SLOs
services:
  - name: checkout
    slos:
      - name: availability
        objective: 99.9
        ${RAW}
  - name: search
    slos:
      - name: availability
        objective: 99.5
        ${RAW}
      - name: latency
        objective: 99
        ${RAW}
`)
    expect(slos.map((slo) => [slo.service, slo.name, slo.objective, slo.source.path])).toEqual([
      ['checkout', 'availability', 0.999, 'services[0].slos[0]'],
      ['search', 'availability', 0.995, 'services[1].slos[0]'],
      ['search', 'latency', 0.99, 'services[1].slos[1]']
    ])
  })

  it('merges policy overrides field by field: document, then service, then SLO', () => {
    const slos = parseValid(`apiVersion: error-budget-gate/v1
policy:
  budget:
    warnBelow: 0.5
  noData: warn
services:
  - name: checkout
    policy:
      budget:
        freezeAtOrBelow: "10%"
    slos:
      - name: inherits-document-and-service
        objective: 99.9
        ${RAW}
      - name: overrides-at-slo
        objective: 99.9
        policy:
          budget:
            warnBelow: "40%"
          noData: freeze
          burnRates:
            - { long: 2h, short: 10m, threshold: 10, decision: freeze }
            - { name: slow, long: 2d, short: 4h, threshold: 2, decision: warn }
        ${RAW}
  - name: search
    slos:
      - name: document-only
        objective: 99
        ${RAW}
`)
    const [inherits, overrides, documentOnly] = slos
    expect(inherits.policy).toEqual({
      freezeWhenBudgetRemainingAtMost: 0.1,
      warnWhenBudgetRemainingBelow: 0.5,
      burnRateRules: DEFAULT_POLICY.burnRateRules,
      onNoData: 'warn',
      onInvalidData: 'error'
    })
    expect(overrides.policy).toEqual({
      freezeWhenBudgetRemainingAtMost: 0.1,
      warnWhenBudgetRemainingBelow: 0.4,
      // A burnRates list replaces the inherited list whole.
      burnRateRules: [
        { name: 'freeze: burn ≥ 10x over 2h and 10m', long: '2h', short: '10m', threshold: 10, decision: 'freeze' },
        { name: 'slow', long: '2d', short: '4h', threshold: 2, decision: 'warn' }
      ],
      onNoData: 'freeze',
      onInvalidData: 'error'
    })
    // The service-level override of checkout does not leak into search.
    expect(documentOnly.policy).toEqual({ ...DEFAULT_POLICY, warnWhenBudgetRemainingBelow: 0.5, onNoData: 'warn' })
  })

  it('applies a document policy in the service + slos form, and leaves the defaults alone elsewhere', () => {
    const [withPolicy] = parseValid(nativeDoc(`  - name: a\n    objective: 99.9\n    ${RAW}\n`, 'service: checkout\npolicy:\n  budget:\n    freezeAtOrBelow: -0.5'))
    expect(withPolicy.policy).toEqual({ ...DEFAULT_POLICY, freezeWhenBudgetRemainingAtMost: -0.5 })
    const [plain] = parseValid(nativeDoc(`  - name: a\n    objective: 99.9\n    ${RAW}\n`))
    expect(plain.policy).toEqual(DEFAULT_POLICY)
  })

  it('reads several documents per file, of both formats, numbering them from 1', () => {
    const text = `# leading comment
${nativeDoc(`  - name: a\n    objective: 99.9\n    ${RAW}\n`)}---
version: prometheus/v1
service: search
slos:
  - name: b
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(e[{{.window}}]))
        total_query: sum(rate(t[{{.window}}]))
---
# an empty document between separators is fine
---
${nativeDoc(`  - name: c\n    objective: 99\n    ${RAW}\n`, 'service: cart')}`
    const slos = parseValid(text, 'multi.yaml')
    expect(slos.map((slo) => [slo.service, slo.name, slo.source.document, slo.source.format])).toEqual([
      ['checkout', 'a', 1, 'native'],
      ['search', 'b', 2, 'sloth'],
      ['cart', 'c', 4, 'native']
    ])
  })
})

describe('Sloth prometheus/v1 specs from the real corpus', () => {
  const files = [
    ...readdirSync(SLOTH_DIR).filter((f) => f.endsWith('.yaml')),
    ...readdirSync(join(SLOTH_DIR, 'validate')).map((f) => `validate/${f}`)
  ].sort()
  const isPrometheusV1 = (file: string) => /^version:\s*"?prometheus\/v1"?\s*$/m.test(readFileSync(join(SLOTH_DIR, file), 'utf8'))
  const parse = (file: string) => parseSloText(readFileSync(join(SLOTH_DIR, file), 'utf8'), file)

  /** prometheus/v1 files that must be rejected, and a fragment each message must hold. */
  const rejected: Record<string, RegExp> = {
    'validate/validate_bad_bad-aa.yaml': /validate_bad_bad-aa\.yaml:28 \(document 1, slos\[1\]\.objective\): .*got 101: an objective of 100% leaves no error budget/,
    'validate/validate_bad_bad-ab.yaml': /validate_bad_bad-ab\.yaml:28 \(document 1, slos\[1\]\.objective\): .*got 101/,
    'validate/validate_bad_bad-ba.yaml': /validate_bad_bad-ba\.yaml:28 \(document 1, slos\[1\]\.objective\): .*got 101/,
    'validate/validate_bad_bad-multi.yaml': /validate_bad_bad-multi\.yaml:77 \(document 2, slos\[1\]\.sli\): give exactly one of sli\.events .* or sli\.raw/,
    'plugin-getting-started.yaml': /plugin-getting-started\.yaml:\d+ \(document 1, slos\[0\]\.sli\.plugin\): Sloth SLI plugins run Go code inside Sloth and cannot be evaluated by the gate: write the SLI as sli\.events or sli\.raw/
  }

  it('holds the files this test expects (the corpus was not moved)', () => {
    expect(files.length).toBeGreaterThan(30)
    expect(files.filter(isPrometheusV1).length).toBeGreaterThanOrEqual(20)
    for (const file of Object.keys(rejected)) expect(files).toContain(file)
  })

  it.each(files.filter((f) => isPrometheusV1(f) && !(f in rejected)))('loads %s as it is', (file) => {
    const { slos, problems } = parse(file)
    expect(problems).toEqual([])
    expect(slos.length).toBeGreaterThan(0)
    for (const slo of slos) {
      expect(slo.source).toMatchObject({ file, format: 'sloth' })
      expect(slo.window).toBe('30d')
      expect(slo.objective).toBeGreaterThan(0)
      expect(slo.objective).toBeLessThan(1)
      expect(slo.policy).toEqual(DEFAULT_POLICY)
    }
  })

  it.each(Object.entries(rejected))('rejects %s naming the file, the document and the field', (file, message) => {
    const { problems } = parse(file)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(message)
  })

  // The Kubernetes CRD, OpenSLO and AlertWindows files of this directory: __tests__/unit/formats.test.ts.

  it('reads getting-started.yaml field by field', () => {
    const [slo] = parse('getting-started.yaml').slos
    expect(slo).toEqual({
      service: 'myservice',
      name: 'requests-availability',
      description: 'Common SLO based on availability for HTTP request responses.',
      objective: 0.999,
      window: '30d',
      windowSeconds: 30 * 86400,
      sli: {
        kind: 'events',
        bad: 'errors',
        badQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))',
        totalQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))'
      },
      policy: DEFAULT_POLICY,
      source: { file: 'getting-started.yaml', document: 1, format: 'sloth', path: 'slos[0]' }
    })
  })

  it('reads a raw SLI (raw-home-wifi.yaml) and several documents (multifile.yaml)', () => {
    const [raw] = parse('raw-home-wifi.yaml').slos
    expect(raw.sli.kind).toBe('ratio')
    expect(raw.sli.kind === 'ratio' && raw.sli.errorRatioQuery).toContain('{{.window}}')
    expect(parse('multifile.yaml').slos.map((slo) => [slo.service, slo.name, slo.source.document])).toEqual([
      ['myservice', 'requests-availability', 1],
      ['myservice2', 'requests-availability', 2]
    ])
    expect(parse('validate/validate_good_good-multi.yaml').slos.map((slo) => [slo.service, slo.name, slo.objective])).toEqual([
      ['svc01', 'slo1', 0.999],
      ['svc01', 'slo02', 0.95],
      ['svc02', 'slo1', 0.9999],
      ['svc02', 'slo02', 0.95]
    ])
  })

  it('rejects the same SLO in two files (validate_with_duplicates), naming both places', async () => {
    const error = await loadError(
      ['validate/validate_with_duplicates_prom_bad-prom-1-original.yaml', 'validate/validate_with_duplicates_prom_bad-prom-1-duplicate.yaml'],
      SLOTH_DIR
    )
    expect(error.message).toContain('(2 problems)')
    for (const name of ['slo1', 'slo02']) {
      expect(error.message).toContain(
        `validate/validate_with_duplicates_prom_bad-prom-1-duplicate.yaml (document 1, slos[${name === 'slo1' ? 0 : 1}]): SLO "svc01/${name}" is defined twice; the first is in validate/validate_with_duplicates_prom_bad-prom-1-original.yaml (document 1, slos[${name === 'slo1' ? 0 : 1}])`
      )
    }
  })

  it('rejects the same SLO in two documents of one file', async () => {
    const error = await loadError(['validate/validate_with_duplicates_bad-prom-multi-duplicates.yaml'], SLOTH_DIR)
    expect(error.message).toMatch(/\(document 2, slos\[0\]\): SLO "svc01\/slo1" is defined twice; the first is in \S+ \(document 1, slos\[0\]\)/)
    expect(error.message).toMatch(/\(document 2, slos\[1\]\): SLO "svc01\/slo02" is defined twice; the first is in \S+ \(document 1, slos\[1\]\)/)
  })
})

describe('bad input gets a clear error naming the file, line, document and field', () => {
  it('reports malformed YAML with file:line:column', () => {
    const problems = problemsOf(`apiVersion: error-budget-gate/v1\nservice: checkout\nslos: a: b\n`, 'broken.yaml')
    expect(problems[0]).toMatch(/^broken\.yaml:3:\d+ \(document 1\): invalid YAML: /)
    const duplicateKey = problemsOf(`apiVersion: error-budget-gate/v1\nservice: a\nservice: b\n`, 'dup.yaml')
    expect(duplicateKey).toEqual(['dup.yaml:3:1 (document 1): invalid YAML: Map keys must be unique'])
    const tabs = problemsOf('apiVersion: error-budget-gate/v1\nservice: a\nslos:\n\t- name: x\n', 'tabs.yaml')
    expect(tabs[0]).toMatch(/^tabs\.yaml:4:1 \(document 1\): invalid YAML: Tabs are not allowed/)
  })

  it('reports YAML that only fails when resolved (unknown alias, alias bomb) instead of crashing', () => {
    expect(problemsOf('apiVersion: error-budget-gate/v1\nservice: *nope\n', 'alias.yaml')[0]).toMatch(
      /^alias\.yaml:1 \(document 1\): invalid YAML: Unresolved alias.*nope/
    )
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]']
    for (const [name, previous] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']]) {
      bomb.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`)
    }
    expect(problemsOf(bomb.join('\n'), 'bomb.yaml')[0]).toMatch(/^bomb\.yaml:1 \(document 1\): invalid YAML: Excessive alias count/)
  })

  it('names unknown fields at every level, with their lines', () => {
    const problems = problemsOf(`apiVersion: error-budget-gate/v1
service: checkout
sloz: []
slos:
  - name: a
    objectve: 99.9
    objective: 99.9
    sli:
      counters: { errors: 'e{code="5xx"}', total: t, totl: x }
`)
    expect(problems).toEqual(
      expect.arrayContaining([
        'bad.yaml:1 (document 1): unknown field `sloz` (check the spelling; see the SLO file format in the README)',
        'bad.yaml:5 (document 1, slos[0]): unknown field `objectve` (check the spelling; see the SLO file format in the README)',
        'bad.yaml:9 (document 1, slos[0].sli.counters): unknown field `totl` (check the spelling; see the SLO file format in the README)'
      ])
    )
    expect(problems).toHaveLength(3)
  })

  it('names an unknown field in a policy block', () => {
    expect(problemsOf(nativeDoc(`  - name: a\n    objective: 99.9\n    policy: { budget: { warnBellow: 0.3 } }\n    ${RAW}\n`))).toEqual([
      'bad.yaml:6 (document 1, slos[0].policy.budget): unknown field `warnBellow` (check the spelling; see the SLO file format in the README)'
    ])
  })

  it.each([
    ['100', /slos\[0\]\.objective\): expected a percentage strictly between 0 and 100 \(e\.g\. 99\.9\), got 100: an objective of 100% leaves no error budget to spend/],
    ['101', /got 101: an objective of 100% leaves no error budget/],
    ['0', /slos\[0\]\.objective\): expected a percentage strictly between 0 and 100 \(e\.g\. 99\.9\), got 0: an objective must be above 0%/],
    ['-5', /got -5: an objective must be above 0%/],
    ['0.999', /slos\[0\]\.objective\): objective is a percentage: write 99\.9 for 99\.9%, not 0\.999$/],
    ['0.957', /write 95\.7 for 95\.7%, not 0\.957$/],
    ['"99.9"', /slos\[0\]\.objective\): expected the objective as a percentage, e\.g\. 99\.9; got string "99\.9"$/]
  ])('explains the objective %s', (objective, message) => {
    const problems = problemsOf(nativeDoc(`  - name: a\n    objective: ${objective}\n    ${RAW}\n`))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^bad\.yaml:5 \(document 1, /)
    expect(problems[0]).toMatch(message)
  })

  it('says a missing objective is missing, at the line of its SLO', () => {
    expect(problemsOf(nativeDoc(`  - name: a\n    ${RAW}\n`))).toEqual([
      'bad.yaml:4 (document 1, slos[0].objective): missing required field: expected the objective as a percentage, e.g. 99.9'
    ])
  })

  it.each([
    ['"30 days"', 'expected a duration such as "30d" or "28d", got "30 days"'],
    ['5x', 'expected a duration such as "30d" or "28d", got "5x"'],
    ['30', 'expected a duration such as "30d" or "28d"; got number 30']
  ])('rejects the window %s', (window, message) => {
    expect(problemsOf(nativeDoc(`  - name: a\n    objective: 99.9\n    window: ${window}\n    ${RAW}\n`))).toEqual([
      `bad.yaml:6 (document 1, slos[0].window): ${message}`
    ])
  })

  it('rejects bad burn-rate rules once per problem', () => {
    const problems = problemsOf(`apiVersion: error-budget-gate/v1
service: checkout
policy:
  burnRates:
    - { long: 1h, short: 5x, threshold: 14.4, decision: freeze }
    - { long: 1h, short: 2h, threshold: 14.4, decision: freeze }
    - { long: 1h, short: 5m, threshold: 0, decision: page }
slos:
  - name: a
    objective: 99.9
    ${RAW}
`)
    expect(problems).toEqual([
      'bad.yaml:5 (document 1, policy.burnRates[0].short): expected a duration such as "5m", "1h" or "3d", got "5x"',
      'bad.yaml:6 (document 1, policy.burnRates[1].short): the short window must be shorter than the long window',
      'bad.yaml:7 (document 1, policy.burnRates[2].threshold): expected a burn-rate threshold above 0 (e.g. 14.4)',
      'bad.yaml:7 (document 1, policy.burnRates[2].decision): expected "freeze" or "warn"'
    ])
  })

  it('rejects budget thresholds and noData values it cannot use', () => {
    const problems = problemsOf(nativeDoc(`  - name: a\n    objective: 99.9\n    ${RAW}\n`, 'service: checkout\npolicy:\n  budget: { warnBelow: 2, freezeAtOrBelow: "x%" }\n  noData: allow'))
    expect(problems).toEqual([
      'bad.yaml:4 (document 1, policy.budget.freezeAtOrBelow): expected a budget fraction between -10 and 1 (e.g. 0.25) or a percentage string (e.g. "25%")',
      'bad.yaml:4 (document 1, policy.budget.warnBelow): expected a budget fraction from -10 to 1 (e.g. 0.25 for 25%): 1 is the whole budget',
      'bad.yaml:5 (document 1, policy.noData): expected "error", "freeze" or "warn" (no data never allows)'
    ])
  })

  it('requires totalQuery with errorQuery', () => {
    expect(problemsOf(nativeDoc(`  - name: a\n    objective: 99.9\n    sli:\n      events:\n        errorQuery: sum(rate(e[{{.window}}]))\n`))).toEqual([
      'bad.yaml:7 (document 1, slos[0].sli.events.totalQuery): missing required field: expected a PromQL query'
    ])
  })

  it('requires {{.window}} in every query, naming the query', () => {
    const problems = problemsOf(nativeDoc(`  - name: a
    objective: 99.9
    sli:
      events:
        errorQuery: sum(rate(e[5m]))
        totalQuery: sum(rate(t[{{.window}}]))
  - name: b
    objective: 99.9
    sli: { raw: { errorRatioQuery: 'sum(rate(e[1h])) / sum(rate(t[1h]))' } }
`))
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/^bad\.yaml:8 \(document 1, slos\[0\]\.sli\.events\.errorQuery\): the query must contain \{\{\.window\}\} where the range goes/)
    expect(problems[1]).toMatch(/^bad\.yaml:12 \(document 1, slos\[1\]\.sli\.raw\.errorRatioQuery\): the query must contain \{\{\.window\}\}/)
  })

  it('rejects both errorQuery and goodQuery, and SLIs of two kinds or none', () => {
    const problems = problemsOf(nativeDoc(`  - name: both
    objective: 99.9
    sli:
      events:
        errorQuery: sum(rate(e[{{.window}}]))
        goodQuery: sum(rate(g[{{.window}}]))
        totalQuery: sum(rate(t[{{.window}}]))
  - name: two-kinds
    objective: 99.9
    sli:
      raw: { errorRatioQuery: 'x[{{.window}}]' }
      counters: { errors: e, total: t }
  - name: none
    objective: 99.9
    sli: {}
  - name: function-in-counter
    objective: 99.9
    sli: { counters: { errors: 'rate(e[5m])', total: t } }
`))
    expect(problems).toEqual([
      'bad.yaml:7 (document 1, slos[0].sli.events): give exactly one of errorQuery or goodQuery, with totalQuery',
      'bad.yaml:13 (document 1, slos[1].sli): give exactly one of sli.events (errorQuery or goodQuery, and totalQuery), sli.counters (errors or good, and total), sli.raw (errorRatioQuery) or sli.recorded (sloth or pyrra)',
      'bad.yaml:18 (document 1, slos[2].sli): give exactly one of sli.events (errorQuery or goodQuery, and totalQuery), sli.counters (errors or good, and total), sli.raw (errorRatioQuery) or sli.recorded (sloth or pyrra)',
      'bad.yaml:21 (document 1, slos[3].sli.counters.errors): expected a plain counter selector such as http_requests_total{job="api",code=~"5.."} (no functions and no range: the gate wraps it in sum(increase(...[window])))'
    ])
  })

  it('explains a Sloth SLI plugin once, and Sloth field problems by their Sloth names', () => {
    const problems = problemsOf(`version: prometheus/v1
service: checkout
slos:
  - name: plugin
    objective: 99.9
    sli:
      plugin:
        id: sloth-common/availability
  - name: no-total
    objective: 0.99
    sli:
      events:
        error_query: sum(rate(e[{{.window}}]))
`)
    expect(problems).toEqual([
      'bad.yaml:7 (document 1, slos[0].sli.plugin): Sloth SLI plugins run Go code inside Sloth and cannot be evaluated by the gate: write the SLI as sli.events or sli.raw',
      'bad.yaml:10 (document 1, slos[1].objective): objective is a percentage: write 99 for 99%, not 0.99',
      'bad.yaml:12 (document 1, slos[1].sli.events.total_query): missing required field: expected a PromQL query'
    ])
  })

  it('says what a document is missing to be a native or Sloth document', () => {
    expect(problemsOf('service: checkout\n')).toEqual([
      'bad.yaml:1 (document 1): not an SLO document: no `apiVersion` or `version` field (supported: `apiVersion: error-budget-gate/v1` (native), ' +
        'Sloth `version: prometheus/v1` and `apiVersion: sloth.slok.dev/v1` PrometheusServiceLevel, OpenSLO `apiVersion: openslo/v1` and `openslo/v1alpha`, ' +
        'Pyrra `apiVersion: pyrra.dev/v1alpha1` ServiceLevelObjective)'
    ])
    expect(problemsOf('apiVersion: error-budget-gate/v2\nservice: a\n')[0]).toContain('unknown apiVersion "error-budget-gate/v2"')
    expect(problemsOf('version: prometheus/v2\nservice: a\n')[0]).toContain('unknown version "prometheus/v2"')
    // Other formats are read (__tests__/unit/formats.test.ts): a Pyrra document is checked as one.
    expect(problemsOf('apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\n')[0]).toContain('missing required field')
    expect(problemsOf('- a\n- b\n')).toEqual(['bad.yaml:1 (document 1): expected a mapping (an SLO document), got a list'])
    expect(problemsOf('just text\n')).toEqual(['bad.yaml:1 (document 1): expected a mapping (an SLO document), got string'])
    expect(problemsOf('apiVersion: error-budget-gate/v1\nslos: []\n')).toEqual(
      expect.arrayContaining(['bad.yaml:2 (document 1, slos): expected at least one SLO'])
    )
    expect(problemsOf(nativeDoc(`  - name: a\n    objective: 99.9\n    ${RAW}\n`, 'service: ""'))).toEqual(['bad.yaml:2 (document 1, service): expected a non-empty name'])
  })

  it('treats an empty file as an error, never as "no SLO, nothing to check"', () => {
    expect(problemsOf('', 'empty.yaml')).toEqual(['empty.yaml: the file has no SLO documents (it is empty or only comments)'])
    expect(problemsOf('# only a comment\n---\n---\n', 'comments.yaml')).toEqual(['comments.yaml: the file has no SLO documents (it is empty or only comments)'])
  })

  it('reports every problem of every document of a file, not just the first', () => {
    const { slos, problems } = parseSloText(
      `${nativeDoc(`  - name: a\n    objective: 100\n    ${RAW}\n`)}---\n- a list\n---\n${nativeDoc(`  - name: ok\n    objective: 99.9\n    ${RAW}\n`, 'service: fine')}---\nkey: [unclosed\n`,
      'mixed.yaml'
    )
    expect(problems).toHaveLength(3)
    expect(problems[0]).toMatch(/^mixed\.yaml:5 \(document 1, slos\[0\]\.objective\): .*got 100/)
    expect(problems[1]).toBe('mixed.yaml:8 (document 2): expected a mapping (an SLO document), got a list')
    expect(problems[2]).toMatch(/^mixed\.yaml:\d+:\d+ \(document 4\): invalid YAML: /)
    // The valid document still parses (loadSloFiles refuses the whole set when any problem exists).
    expect(slos.map((slo) => slo.service)).toEqual(['fine'])
  })
})

describe('loadSloFiles', () => {
  let dir: string
  const valid = (service: string, name = 'availability') => nativeDoc(`  - name: ${name}\n    objective: 99.9\n    ${RAW}\n`, `service: ${service}`)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ebg-config-'))
    await mkdir(join(dir, 'slos', 'team'), { recursive: true })
    await writeFile(join(dir, 'slos', 'checkout.yaml'), valid('checkout'))
    await writeFile(join(dir, 'slos', 'search.yml'), `${valid('search')}---\n${valid('search', 'latency')}`)
    await writeFile(join(dir, 'slos', 'team', 'cart.yaml'), valid('cart'))
    await writeFile(join(dir, 'slos', 'notes.txt'), 'not yaml at all: [')
    await mkdir(join(dir, 'bad'))
    await writeFile(join(dir, 'bad', 'one.yaml'), nativeDoc(`  - name: a\n    objective: 100\n    ${RAW}\n`, 'service: one'))
    await writeFile(join(dir, 'bad', 'two.yaml'), 'apiVersion: error-budget-gate/v1\nservice: two\nslos: a: b\n')
    await writeFile(join(dir, 'bad', 'three.yaml'), valid('checkout'))
  })

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('expands globs relative to cwd, in a stable order, and reads several files', async () => {
    const loaded = await loadSloFiles(['slos/*.yaml', 'slos/*.yml', 'slos/team/*.yaml'], dir)
    expect(loaded.files).toEqual(['slos/checkout.yaml', 'slos/search.yml', 'slos/team/cart.yaml'])
    expect(loaded.slos.map((slo) => `${slo.source.file}#${slo.source.document} ${slo.service}/${slo.name}`)).toEqual([
      'slos/checkout.yaml#1 checkout/availability',
      'slos/search.yml#1 search/availability',
      'slos/search.yml#2 search/latency',
      'slos/team/cart.yaml#1 cart/availability'
    ])
  })

  it('reads a file once however it is named (path, ./path, glob, absolute glob)', async () => {
    const loaded = await loadSloFiles(['slos/checkout.yaml', './slos/checkout.yaml', 'slos/**/*.yaml', `${dir}/slos/check*.yaml`], dir)
    expect(loaded.files).toEqual(['slos/checkout.yaml', 'slos/team/cart.yaml'])
    expect(loaded.slos).toHaveLength(2)
  })

  it('shows absolute globs as absolute paths', async () => {
    const loaded = await loadSloFiles([`${dir}/slos/team/*.yaml`], '/')
    expect(loaded.files).toEqual([`${dir}/slos/team/cart.yaml`])
  })

  it('fails on a glob matching nothing, naming it and where it looked', async () => {
    const error = await loadError(['slos/*.json'], dir)
    expect(error.message).toBe(`Invalid SLO configuration: slos/*.json: no file matches this pattern (looked in ${dir})`)
  })

  it('fails on a missing file and on a directory, saying which', async () => {
    expect((await loadError(['slos/missing.yaml'], dir)).message).toBe(`Invalid SLO configuration: slos/missing.yaml: no such file (looked in ${dir})`)
    expect((await loadError(['slos'], dir)).message).toBe('Invalid SLO configuration: slos: is a directory: give the files in it with a glob, e.g. dir/*.yaml')
  })

  it('fails when no pattern is given', async () => {
    expect((await loadError([' ', ''], dir)).message).toMatch(/^No SLO files given: pass --config <file\|glob>/)
  })

  it('reports every problem across all files at once, nothing lost', async () => {
    const error = await loadError(['slos/checkout.yaml', 'bad/*.yaml', 'nothing/*.yaml', 'missing.yaml'], dir)
    const lines = error.message.split('\n')
    expect(lines[0]).toBe('Invalid SLO configuration (5 problems):')
    expect(lines.slice(1)).toEqual([
      `  - nothing/*.yaml: no file matches this pattern (looked in ${dir})`,
      expect.stringMatching(/^ {2}- bad\/one\.yaml:5 \(document 1, slos\[0\]\.objective\): .*got 100: an objective of 100% leaves no error budget to spend$/),
      expect.stringMatching(/^ {2}- bad\/two\.yaml:3:\d+ \(document 1\): invalid YAML: /),
      `  - missing.yaml: no such file (looked in ${dir})`,
      // bad/three.yaml repeats slos/checkout.yaml's SLO: both places are named.
      '  - bad/three.yaml (document 1, slos[0]): SLO "checkout/availability" is defined twice; the first is in slos/checkout.yaml (document 1, slos[0]). SLO names must be unique within a service.'
    ])
  })
})
