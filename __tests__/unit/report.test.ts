// Reports: the JSON report contract (PRODUCT.md), exit codes, the text report, and the markdown
// job summary (escaping, size limit).
import { describe, expect, it } from '@jest/globals'

import type { SliSpec } from '../../src/config/model.js'
import type { QueryOutcome } from '../../src/engine/readings.js'
import { EXIT_ERROR, EXIT_FREEZE, EXIT_OK, exitCodeFor, type OnError } from '../../src/outcome.js'
import type { Decision } from '../../src/policy/settings.js'
import { formatObjective, summaryLine } from '../../src/report/format.js'
import { escapeMarkdown, markdownReport, SUMMARY_LIMIT_BYTES } from '../../src/report/markdown.js'
import { buildErrorReport, isoTime } from '../../src/report/model.js'
import { textReport } from '../../src/report/text.js'
import { AT, FROZEN, HEALTHY, makeSlo, MILLION, NO_DATA, sampleReport, vector, WARNED } from '../harness/sample-report.js'

// Reports built through the real pipeline from given counts (shared with the GitHub tests).
// 30d HEALTHY: 200 errors of 1e6 → r 0.0002 → 20% consumed, 80% left; every burn window 0.2x.
const report = sampleReport

const SLI: SliSpec = {
  kind: 'events',
  bad: 'errors',
  badQuery: 'sum(increase(http_requests_total{code=~"5.."}[{{.window}}]))',
  totalQuery: 'sum(increase(http_requests_total[{{.window}}]))'
}
const WITH_SLI = { sli: SLI }

describe('buildReport: the JSON contract', () => {
  it('has the promised fields with their names and meanings', () => {
    const json = JSON.parse(JSON.stringify(report([{ slo: makeSlo(), counts: HEALTHY }])))
    expect(json.decision).toBe('allow')
    expect(json.evaluatedAt).toBe('2026-11-20T00:00:00Z')
    expect(json.reasons).toEqual(['all 1 SLO within budget and not burning fast'])
    expect(json.slos).toHaveLength(1)
    const slo = json.slos[0]
    expect(slo.service).toBe('checkout')
    expect(slo.name).toBe('requests-availability')
    // a fraction, not a percentage
    expect(slo.objective).toBe(0.999)
    expect(slo.window).toBe('30d')
    expect(slo.decision).toBe('allow')
    expect(slo.errorRatio).toBeCloseTo(0.0002, 15)
    expect(slo.budget.remaining).toBeCloseTo(0.8, 12)
    expect(slo.budget.consumed).toBeCloseTo(0.2, 12)
    expect(Object.keys(slo.burnRates)).toEqual(expect.arrayContaining(['5m', '1h', '6h', '3d']))
    for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d']) expect(slo.burnRates[w]).toBeCloseTo(0.2, 12)
    expect(slo.reasons).toEqual(['20.0% of the 30d error budget consumed, 80.0% left (34.6 min of 43.2 min of full outage)'])
  })

  it('keeps extra detail: id, SLI, budget minutes, sources, windows with queries and raw numbers', () => {
    const r = report([{ slo: makeSlo(WITH_SLI), counts: HEALTHY }])
    expect(r.exitCode).toBe(0)
    expect(r.exempt).toBe(false)
    expect(r.budgetRemaining).toBeCloseTo(0.8, 12)
    expect(r.queryCount).toBe(16)
    expect(r.prometheus).toBe('http://127.0.0.1:9090')
    expect(r.configFiles).toEqual(['slos/checkout.yaml'])
    const slo = r.slos[0]
    expect(slo.id).toBe('checkout/requests-availability')
    expect(slo.sli).toBeCloseTo(0.9998, 15)
    expect(slo.budget.totalMinutes).toBeCloseTo(43.2, 10)
    expect(slo.budget.remainingMinutes).toBeCloseTo(34.56, 10)
    expect(slo.source).toBe('slos/checkout.yaml (document 1, slos[0])')
    expect(slo.windows.map((w) => w.window)).toEqual(['30d', '5m', '30m', '1h', '2h', '6h', '1d', '3d'])
    expect(slo.windows[0]).toEqual({
      window: '30d',
      status: 'ok',
      errorRatio: expect.closeTo(0.0002, 15),
      burnRate: expect.closeTo(0.2, 12),
      bad: 200,
      total: MILLION,
      queries: { bad: 'sum(increase(http_requests_total{code=~"5.."}[30d]))', total: 'sum(increase(http_requests_total[30d]))' }
    })
  })

  it('does not clamp an overspent budget', () => {
    // 1500 errors of 1e6 at 99.9% → consumed 1.5, remaining -0.5 (-21.6 min)
    const r = report([{ slo: makeSlo(), counts: FROZEN }])
    expect(r.decision).toBe('freeze')
    expect(r.exitCode).toBe(1)
    expect(r.slos[0].budget.consumed).toBeCloseTo(1.5, 12)
    expect(r.slos[0].budget.remaining).toBeCloseTo(-0.5, 12)
    expect(r.slos[0].budget.remainingMinutes).toBeCloseTo(-21.6, 10)
    expect(r.budgetRemaining).toBeCloseTo(-0.5, 12)
  })

  it('reports unknowns as null, with the problem, and the lowest known budget across SLOs', () => {
    const r = report([
      { slo: makeSlo({ name: 'a' }), counts: NO_DATA },
      { slo: makeSlo({ name: 'b' }), counts: WARNED },
      { slo: makeSlo({ name: 'c' }), counts: HEALTHY }
    ])
    expect(r.decision).toBe('error')
    expect(r.exitCode).toBe(2)
    const [a, b] = r.slos
    expect(a.decision).toBe('error')
    expect(a.errorRatio).toBeNull()
    expect(a.sli).toBeNull()
    expect(a.budget).toEqual({ remaining: null, consumed: null, totalMinutes: expect.closeTo(43.2, 10), remainingMinutes: null })
    expect(a.windows[0].status).toBe('no-data')
    expect(a.windows[0].problem).toContain('sum(increase(http_requests_total{service="checkout",slo="a"}[30d]))')
    expect(b.decision).toBe('warn')
    // lowest across SLOs: b has 20% left
    expect(r.budgetRemaining).toBeCloseTo(0.2, 12)
  })

  it('reports an objective as the fraction it is (99.99% → 0.9999)', () => {
    const r = report([{ slo: makeSlo({ objective: 0.9999 }) }])
    expect(r.slos[0].objective).toBe(0.9999)
    expect(r.slos[0].budget.totalMinutes).toBeCloseTo(4.32, 10)
  })

  it('keys burn rates by canonical window text; a 3d SLO still has "3d"', () => {
    const r = report([{ slo: makeSlo({ window: '3d', windowSeconds: 3 * 86400 }), counts: { '3d': [300, MILLION] } }])
    expect(Object.keys(r.slos[0].burnRates)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d'])
    expect(r.slos[0].burnRates['3d']).toBeCloseTo(0.3, 12)
    expect(r.slos[0].budget.consumed).toBeCloseTo(0.3, 12)
  })

  it('reports notes and server warnings per window, once each', () => {
    const warned: QueryOutcome = { ok: true, result: { resultType: 'vector', samples: [{ labels: {}, value: 10 }], warnings: ['PromQL info: metric might not be a counter'] } }
    const r = report([{ slo: makeSlo(), counts: { '1h': [vector(), warned], '5m': [warned, warned] } }])
    const hour = r.slos[0].windows.find((w) => w.window === '1h')!
    expect(hour.notes).toEqual(['errors query returned no series over 1h; counted as 0 errors'])
    expect(hour.warnings).toEqual(['PromQL info: metric might not be a counter'])
    expect(r.slos[0].windows.find((w) => w.window === '5m')!.warnings).toEqual(['PromQL info: metric might not be a counter'])
    expect(r.slos[0].windows[0]).not.toHaveProperty('warnings')
  })

  it('reports dry run and on-error as given, with the exit code they imply', () => {
    expect(report([{ slo: makeSlo(), counts: FROZEN }], { dryRun: true }).exitCode).toBe(0)
    expect(report([{ slo: makeSlo(), counts: NO_DATA }], { onError: 'warn' }).exitCode).toBe(0)
    const r = report([{ slo: makeSlo(), counts: NO_DATA }], { onError: 'allow', dryRun: true })
    expect(r.onError).toBe('allow')
    expect(r.dryRun).toBe(true)
    expect(r.decision).toBe('error')
  })

  it('the error report (invalid configuration) always exits 2, even in dry run', () => {
    const r = buildErrorReport('slos.yaml: slos[0].objective: expected a percentage', { evaluatedAt: AT, onError: 'allow', dryRun: true, configFiles: [] })
    expect(r.decision).toBe('error')
    expect(r.exitCode).toBe(2)
    expect(r.reasons).toEqual(['slos.yaml: slos[0].objective: expected a percentage'])
    expect(r.slos).toEqual([])
    expect(r.budgetRemaining).toBeNull()
  })

  it('isoTime drops milliseconds only when there are none', () => {
    expect(isoTime(AT)).toBe('2026-11-20T00:00:00Z')
    expect(isoTime(AT + 1.5)).toBe('2026-11-20T00:00:01.500Z')
  })
})

describe('exitCodeFor', () => {
  it.each([
    ['allow', 'fail', false, EXIT_OK],
    ['warn', 'fail', false, EXIT_OK],
    ['freeze', 'fail', false, EXIT_FREEZE],
    ['error', 'fail', false, EXIT_ERROR],
    ['error', 'warn', false, EXIT_OK],
    ['error', 'allow', false, EXIT_OK],
    ['freeze', 'warn', false, EXIT_FREEZE],
    ['freeze', 'allow', false, EXIT_FREEZE],
    ['allow', 'fail', true, EXIT_OK],
    ['freeze', 'fail', true, EXIT_OK],
    ['error', 'fail', true, EXIT_OK]
  ] as [Decision, OnError, boolean, number][])('%s with on-error %s, dry-run %s → %d', (decision, onError, dryRun, code) => {
    expect(exitCodeFor(decision, { onError, dryRun })).toBe(code)
  })

  it('uses the documented numbers', () => {
    expect([EXIT_OK, EXIT_FREEZE, EXIT_ERROR]).toEqual([0, 1, 2])
  })
})

describe('summaryLine', () => {
  it('says the decision and the first reason', () => {
    expect(summaryLine(report([{ slo: makeSlo(), counts: HEALTHY }]))).toBe('ALLOWED: all 1 SLO within budget and not burning fast')
  })

  it('counts the SLOs that decided', () => {
    const r = report([
      { slo: makeSlo({ name: 'a' }), counts: FROZEN },
      { slo: makeSlo({ name: 'b' }), counts: HEALTHY },
      { slo: makeSlo({ name: 'c' }), counts: WARNED }
    ])
    expect(summaryLine(r)).toMatch(/^FROZEN \(1 of 3 SLOs\): checkout\/a: error budget exhausted: 150\.0% of the 30d error budget consumed, -50\.0% left/)
  })

  it('says when the decision is not enforced', () => {
    expect(summaryLine(report([{ slo: makeSlo(), counts: FROZEN }], { dryRun: true }))).toMatch(/^FROZEN .*\[dry run: reported, not enforced\]$/)
    expect(summaryLine(report([{ slo: makeSlo(), counts: NO_DATA }], { onError: 'warn' }))).toMatch(/^ERROR .*\[on-error is "warn": the error does not fail the step\]$/)
  })

  it('is one line', () => {
    const r = report([{ slo: makeSlo({ name: 'multi\nline' }), counts: FROZEN }])
    expect(summaryLine(r)).not.toContain('\n')
  })
})

describe('formatObjective', () => {
  it.each([
    [0.999, '99.9%'],
    [0.9999, '99.99%'],
    [0.99, '99%'],
    [0.9, '90%'],
    [0.995, '99.5%'],
    [0.99999, '99.999%']
  ])('%d → %s', (objective, text) => {
    expect(formatObjective(objective)).toBe(text)
  })
})

describe('textReport', () => {
  const r = report([
    { slo: makeSlo({ name: 'availability' }), counts: HEALTHY },
    { slo: makeSlo({ name: 'errors-spent' }), counts: FROZEN },
    { slo: makeSlo({ service: 'search', name: 'latency', objective: 0.99 }), counts: NO_DATA }
  ])
  const text = textReport(r)
  const lines = text.split('\n')

  it('starts with the headline and the reasons', () => {
    expect(lines[0]).toBe('ERROR')
    expect(lines[1]).toMatch(/^ {2}search\/latency: no data over the 30d SLO window/)
    expect(text).toContain('Evaluated at 2026-11-20T00:00:00Z against http://127.0.0.1:9090')
  })

  it('has a table with one row per SLO', () => {
    const header = lines.findIndex((l) => l.startsWith('SLO '))
    expect(header).toBeGreaterThan(0)
    expect(lines[header]).toMatch(/^SLO\s+objective\s+window\s+SLI\s+budget left\s+burn rates\s+decision$/)
    const rows = lines.slice(header + 1, header + 4)
    expect(rows[0]).toMatch(/^checkout\/availability\s+99\.9%\s+30d\s+99\.980%\s+80\.0% \(34\.6 min\)\s+5m 0\.20x, 1h 0\.20x, 6h 0\.20x, 1d 0\.20x, 3d 0\.20x\s+allow$/)
    expect(rows[1]).toMatch(/^checkout\/errors-spent\s+99\.9%\s+30d\s+99\.850%\s+-50\.0% \(-21\.6 min\)\s+.*\s+freeze$/)
    expect(rows[2]).toMatch(/^search\/latency\s+99%\s+30d\s+unknown\s+unknown\s+.*\s+error$/)
    expect(lines[header + 4]).toBe('')
    // columns line up
    const decisionColumn = lines[header].indexOf('decision')
    for (const row of rows) expect(row.length).toBeGreaterThan(decisionColumn)
  })

  it('lists the reasons per SLO', () => {
    expect(text).toMatch(/checkout\/errors-spent: freeze\n {2}- error budget exhausted: 150\.0%/)
    expect(text).toMatch(/search\/latency: error\n {2}- no data over the 30d SLO window: total query returned no series/)
  })

  it('shows server warnings', () => {
    const warned: QueryOutcome = { ok: true, result: { resultType: 'vector', samples: [{ labels: {}, value: 10 }], warnings: ['partial response'] } }
    expect(textReport(report([{ slo: makeSlo(), counts: { '1h': [warned, warned] } }]))).toContain('  ! 1h: server warning: partial response')
  })

  it('shows the enforcement note on the headline', () => {
    expect(textReport(report([{ slo: makeSlo(), counts: FROZEN }], { dryRun: true })).split('\n')[0]).toBe('FROZEN (dry run: reported, not enforced)')
  })

  it('keeps each SLO on one row even when a name holds a line break or terminal escapes', () => {
    const odd = textReport(report([{ slo: makeSlo({ name: 'evil\n::error::injected\u001b[31m' }), counts: HEALTHY }]))
    const rows = odd.split('\n').filter((l) => l.includes('injected'))
    // the table row, the per-SLO heading: nothing else, and nothing on a line of its own
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatch(/^checkout\/evil ::error::injected \[31m\s+99\.9%/)
    expect(odd).not.toContain('\u001b')
  })

  it('never prints a line the Actions runner would take for a workflow command', () => {
    const problem: QueryOutcome = { ok: false, error: 'HTTP 500: oops\n::add-mask::x\n##[error]fake' }
    const odd = textReport(
      report([
        { slo: makeSlo({ service: '::warning::svc', name: 'a' }), counts: { '30d': [vector(0), problem] } },
        { slo: makeSlo({ service: 'svc', name: '##[group]b' }), counts: HEALTHY }
      ])
    )
    for (const line of odd.split('\n')) {
      expect(line.trimStart().startsWith('::')).toBe(false)
      expect(line).not.toContain('##[')
    }
    // still readable: the names are there
    expect(odd).toContain('::warning::svc/a')
  })

  it('reports no SLOs without a table', () => {
    const empty = textReport(buildErrorReport('no SLO files matched "slos/*.yaml"', { evaluatedAt: AT, onError: 'fail', dryRun: false, configFiles: [] }))
    expect(empty).toBe('ERROR\n  no SLO files matched "slos/*.yaml"\n\nEvaluated at 2026-11-20T00:00:00Z\n')
  })
})

describe('escapeMarkdown', () => {
  it('escapes table breaks, HTML comments and mentions', () => {
    expect(escapeMarkdown('a|b')).toBe('a\\|b')
    expect(escapeMarkdown('<!-- hidden -->')).not.toContain('<!--')
    // A backslash before < makes it a literal character: no HTML tag, no comment.
    expect(escapeMarkdown('<!-- hidden -->')).toBe('\\<\\!-- hidden --\\>')
    expect(escapeMarkdown('<script>x</script>')).not.toMatch(/(?<!\\)</)
    expect(escapeMarkdown('@everyone')).not.toContain('@everyone')
    expect(escapeMarkdown('@org/team')).not.toMatch(/@org/)
    expect(escapeMarkdown('a\nb\r\nc')).toBe('a b c')
    expect(escapeMarkdown('**bold** [link](http://x)')).toBe('\\*\\*bold\\*\\* \\[link\\]\\(http://x\\)')
  })
})

describe('markdownReport', () => {
  it('has a headline, the reasons, one row per SLO and the workings', () => {
    const r = report([
      { slo: makeSlo({ name: 'availability' }), counts: HEALTHY },
      { slo: makeSlo({ name: 'spent' }), counts: FROZEN }
    ])
    const md = markdownReport(r)
    expect(md.split('\n')[0]).toBe('## 🔴 Error budget gate: FROZEN')
    expect(md).toContain('- checkout/spent: error budget exhausted')
    const rows = md.split('\n').filter((l) => /^\| (🟢|🔴|🟡|⛔)/.test(l))
    expect(rows).toHaveLength(2)
    // One table per service: the service is the heading, each row an SLO of it, budget left as a bar.
    expect(md).toContain('### 🔴 checkout: freeze (2 SLOs)')
    expect(rows[0]).toBe('| 🟢 allow | availability | 99.9% | 30d | 99.980% | ████████░░ 80.0% (34.6 min) | 5m 0.20x, 1h 0.20x, 6h 0.20x, 1d 0.20x, 3d 0.20x |')
    expect(rows[1]).toMatch(/^\| 🔴 freeze \| spent \| 99\.9% \| 30d \| 99\.850% \| ░░░░░░░░░░ ⚠ -50\.0% \(-21\.6 min\) \|/)
    expect(md).toContain('<details><summary>checkout/spent: queries and raw numbers</summary>')
    expect(md).toContain('sum(increase(http_requests_total{service="checkout",slo="spent"}[30d]))')
    expect(md).toContain('Evaluated at 2026-11-20T00:00:00Z against http://127.0.0.1:9090. Exit code 1.')
  })

  it('escapes |, <!-- and @everyone in names so they cannot break the table, hide text or ping', () => {
    const slo = makeSlo({ service: 'pay|ments <!-- x', name: '@everyone look <img src=x>' })
    const md = markdownReport(report([{ slo, counts: FROZEN }]))
    // Outside code blocks (where text is literal) no < is left unescaped and no mention remains.
    const prose = md.replace(/^(`{3,})promql\n[\s\S]*?\n\1$/gm, '')
    expect(prose).toContain('pay\\|ments \\<\\!-- x')
    expect(prose).not.toMatch(/(?<!\\)<(?!\/?(details|summary)>)/)
    expect(prose).not.toMatch(/@everyone/)
    expect(prose).toContain('@\u200beveryone')
    // the queries (with the names in them) are still shown, literally, in code blocks
    expect(md).toContain('```promql\nsum(increase(http_requests_total{service="pay|ments <!-- x",slo="@everyone look <img src=x>"}[30d]))\n```')
    const row = md.split('\n').find((l) => l.startsWith('| 🔴'))!
    // 7 cells: 8 unescaped pipes
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(8)
  })

  it('renders queries in a fence longer than any backtick run inside them', () => {
    const slo = makeSlo({ sli: { ...SLI, totalQuery: 'sum(increase(x{a="```"}[{{.window}}]))' } })
    const md = markdownReport(report([{ slo }]))
    expect(md).toContain('````promql\nsum(increase(x{a="```"}[30d]))\n````')
  })

  it('stays under the 1 MiB job summary limit with 2,000 SLOs, keeping every row', () => {
    const entries = Array.from({ length: 2000 }, (_, i) => ({ slo: makeSlo({ name: `slo-${String(i).padStart(4, '0')}-with-a-rather-long-descriptive-name` }), counts: i % 2 ? FROZEN : HEALTHY }))
    const r = report(entries)
    const md = markdownReport(r)
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES)
    expect(SUMMARY_LIMIT_BYTES).toBeLessThan(1024 * 1024)
    expect(md.split('\n').filter((l) => /^\| (🟢|🔴)/.test(l))).toHaveLength(2000)
  })

  it('truncates to a small limit: drops workings, then reasons, then rows, and says so', () => {
    const entries = Array.from({ length: 50 }, (_, i) => ({ slo: makeSlo({ name: `slo-${i}` }), counts: i === 0 ? FROZEN : HEALTHY }))
    const r = report(entries)
    const full = markdownReport(r)
    expect(full).toContain('<details>')

    const noWorkings = markdownReport(r, Buffer.byteLength(full) - 1)
    expect(Buffer.byteLength(noWorkings)).toBeLessThan(Buffer.byteLength(full))
    expect(noWorkings).not.toContain('<details>')
    expect(noWorkings.split('\n').filter((l) => l.startsWith('| 🟢') || l.startsWith('| 🔴'))).toHaveLength(50)

    const limit = 3000
    const small = markdownReport(r, limit)
    expect(Buffer.byteLength(small)).toBeLessThanOrEqual(limit)
    const shown = small.split('\n').filter((l) => l.startsWith('| 🟢') || l.startsWith('| 🔴')).length
    expect(shown).toBeGreaterThan(0)
    expect(shown).toBeLessThan(50)
    expect(small).toContain(`_${50 - shown} more SLOs not shown (summary size limit); the JSON report has them all._`)
    expect(small.split('\n')[0]).toBe('## 🔴 Error budget gate: FROZEN')
  })

  it('stays under a small limit even when the reasons alone exceed it (2,000 frozen SLOs)', () => {
    const entries = Array.from({ length: 2000 }, (_, i) => ({ slo: makeSlo({ name: `slo-${i}` }), counts: FROZEN }))
    const r = report(entries)
    for (const limit of [4000, 20_000, 100_000]) {
      const md = markdownReport(r, limit)
      expect(Buffer.byteLength(md)).toBeLessThanOrEqual(limit)
      expect(md.split('\n')[0]).toBe('## 🔴 Error budget gate: FROZEN')
      expect(md).toMatch(/not shown/)
    }
  })

  it('never exceeds even a limit too small for the headline', () => {
    const r = report([{ slo: makeSlo(), counts: FROZEN }])
    for (const limit of [0, 10, 50, 200]) expect(Buffer.byteLength(markdownReport(r, limit))).toBeLessThanOrEqual(limit)
    // whole characters only: the 4-byte icon is not split
    expect(markdownReport(r, 5)).toBe('## ')
    expect(markdownReport(r, 7)).toBe('## 🔴')
  })

  it('shows the enforcement note', () => {
    expect(markdownReport(report([{ slo: makeSlo(), counts: FROZEN }], { dryRun: true })).split('\n')[0]).toBe(
      '## 🔴 Error budget gate: FROZEN (dry run: reported, not enforced)'
    )
  })
})
