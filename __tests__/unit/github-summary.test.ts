// The job summary a person reads in ten seconds (issue 5): headline and why, one table per
// service with the budget as a bar, the policy source, the working collapsed; rendered to HTML
// (GFM, as GitHub does) and checked well-formed, also with hostile names and at the size limit.
import { describe, expect, it } from '@jest/globals'

import { budgetBar, burnDownChart, markdownReport, SUMMARY_LIMIT_BYTES, whyLine, type BurnDown } from '../../src/report/markdown.js'
import { checkHtml, renderGfm } from '../harness/markdown-html.js'
import { AT, FROZEN, HEALTHY, NO_DATA, WARNED, makeSlo, sampleReport } from '../harness/sample-report.js'

describe('budgetBar', () => {
  it.each([
    [1, '██████████'],
    [0.8, '████████░░'],
    [0.25, '███░░░░░░░'],
    [0.04, '█░░░░░░░░░'],
    [0.001, '█░░░░░░░░░'],
    [0, '░░░░░░░░░░'],
    [-0.5, '░░░░░░░░░░ ⚠'],
    [null, '']
  ] as const)('%s → %s', (remaining, bar) => {
    expect(budgetBar(remaining)).toBe(bar)
  })
})

describe('whyLine', () => {
  it('says what the decision means for a change, and how many SLOs made it', () => {
    expect(whyLine(sampleReport([{ slo: makeSlo(), counts: HEALTHY }]))).toBe('Changes may ship: the SLO is within budget and not burning fast.')
    const three = [makeSlo({ name: 'a' }), makeSlo({ name: 'b' }), makeSlo({ name: 'c' })]
    expect(whyLine(sampleReport(three.map((slo) => ({ slo, counts: HEALTHY }))))).toMatch(/^Changes may ship: all 3 SLOs are within budget/)
    expect(whyLine(sampleReport([{ slo: three[0]!, counts: WARNED }, { slo: three[1]! }]))).toMatch(/^Changes may ship, with a warning: 1 of 2 SLOs is low/)
    expect(whyLine(sampleReport([{ slo: three[0]!, counts: FROZEN }, { slo: three[1]!, counts: FROZEN }, { slo: three[2]! }]))).toMatch(
      /^Changes are frozen: 2 of 3 SLOs have spent the error budget or are burning it fast\. Only fixes and rollbacks/
    )
    expect(whyLine(sampleReport([{ slo: three[0]!, counts: NO_DATA }]))).toMatch(/^The gate could not decide: 1 of 1 SLO had no usable data\. This is never read as a pass\.$/)
  })

  it('shows an exemption without hiding the decision', () => {
    const report = { ...sampleReport([{ slo: makeSlo(), counts: FROZEN }]), exempt: true }
    expect(whyLine(report)).toMatch(/^Changes are frozen: .* This change is exempt: it goes through despite the freeze, which still stands\.$/)
    expect(markdownReport(report).split('\n')[0]).toBe('## 🔴 Error budget gate: FROZEN')
  })
})

describe('markdownReport: the ten-second read', () => {
  const report = sampleReport([
    { slo: makeSlo({ service: 'checkout', name: 'availability' }), counts: HEALTHY },
    { slo: makeSlo({ service: 'checkout', name: 'latency' }), counts: WARNED },
    { slo: makeSlo({ service: 'payments', name: 'availability' }), counts: FROZEN }
  ])
  const md = markdownReport(report)
  const lines = md.split('\n')

  it('starts with the headline, then why, then the reasons', () => {
    expect(lines[0]).toBe('## 🔴 Error budget gate: FROZEN')
    expect(lines[2]).toMatch(/^\*\*Changes are frozen: 1 of 3 SLOs has spent the error budget/)
    expect(lines[4]).toMatch(/^- payments\/availability: error budget exhausted/)
  })

  it('has one table per service, the worst service first, with the budget as a bar', () => {
    const headings = lines.filter((line) => line.startsWith('### '))
    expect(headings).toEqual(['### 🔴 payments: freeze (1 SLO)', '### 🟡 checkout: warn (2 SLOs)'])
    const checkout = lines.slice(lines.indexOf(headings[1]!))
    expect(checkout[2]).toBe('| decision | SLO | objective | window | SLI | budget left | burn rates |')
    expect(checkout[4]).toMatch(/^\| 🟢 allow \| availability \| 99\.9% \| 30d \| 99\.980% \| ████████░░ 80\.0% \(34\.6 min\) \|/)
    expect(checkout[5]).toMatch(/^\| 🟡 warn \| latency \| .* \| ██░░░░░░░░ 20\.0% \(8\.6 min\) \|/)
  })

  it('collapses the working: evaluation time, server, files, queries and raw counts', () => {
    expect(md).toContain('<details><summary>How this was evaluated</summary>')
    expect(md).toContain('- Evaluation time: 2026-11-20T00:00:00Z')
    expect(md).toContain('- Prometheus: http://127.0.0.1:9090')
    expect(md).toContain('- SLO files: slos/checkout.yaml')
    expect(md).toContain('<details><summary>payments/availability: queries and raw numbers</summary>')
    expect(md).toMatch(/\| 30d \| ok \| 0\.0015 \| 1\.5 \| 1500 \| 1000000 \|/)
  })

  it('renders to well-formed HTML', () => {
    const html = renderGfm(md)
    expect(checkHtml(html).problems).toEqual([])
    expect(html).toContain('<h2>🔴 Error budget gate: FROZEN</h2>')
    expect((html.match(/<table>/g) ?? []).length).toBe(2 + 3) // two services, three raw-number tables
    expect((html.match(/<details>/g) ?? []).length).toBe(4)
  })

  it('leaves out the working and links the run when asked (the PR comment)', () => {
    const short = markdownReport(report, SUMMARY_LIMIT_BYTES, { workings: false, runUrl: 'https://github.com/acme/shop/actions/runs/1000' })
    expect(short).not.toContain('<details>')
    expect(short).toContain('[Workflow run](https://github.com/acme/shop/actions/runs/1000)')
    expect(checkHtml(renderGfm(short)).problems).toEqual([])
    // A run URL that is not a plain http(s) URL is left out rather than risk breaking the link.
    expect(markdownReport(report, SUMMARY_LIMIT_BYTES, { runUrl: 'javascript:alert(1)' })).not.toContain('Workflow run')
    expect(markdownReport(report, SUMMARY_LIMIT_BYTES, { runUrl: 'https://x/a) [y](https://evil' })).not.toContain('Workflow run')
  })
})

describe('markdownReport: policy read from the base branch', () => {
  it('says where the policy came from and lists the PR’s policy changes as not applied', () => {
    const report = sampleReport([{ slo: makeSlo(), counts: HEALTHY }])
    report.policy = {
      source: 'base',
      ref: 'main',
      sha: '2222222222222222222222222222222222222222',
      changedInPullRequest: [
        { file: 'slos/checkout.yaml', status: 'modified' },
        { file: 'slos/<!-- hidden -->@everyone.yaml', status: 'added' }
      ]
    }
    const md = markdownReport(report)
    expect(md).toContain('🔒 SLO files and policy read from the base branch **main** at 222222222222, not from this pull request.')
    expect(md).toContain('**Policy changes in this PR (not applied):** 2 files matching `config`:')
    expect(md).toContain('- slos/checkout.yaml (modified)')
    expect(md).not.toContain('<!-- hidden')
    expect(md).not.toContain('@everyone')
    const { problems, comments, text } = checkHtml(renderGfm(md))
    expect(problems).toEqual([])
    expect(comments).toEqual([])
    expect(text).toContain('slos/<!-- hidden -->@\u200beveryone.yaml (added)')
    expect(checkHtml(renderGfm(md)).prose).not.toMatch(/@everyone/)
  })

  it('says when the files came from the workspace', () => {
    const report = { ...sampleReport([{ slo: makeSlo(), counts: HEALTHY }]), policy: { source: 'workspace' as const } }
    expect(markdownReport(report)).toContain('SLO files and policy read from the checked-out workspace.')
  })
})

describe('markdownReport: hostile names and sizes still render well-formed', () => {
  const hostile = [
    makeSlo({ service: 'pay|ments <!-- x', name: '@everyone look <img src=x onerror=alert(1)>' }),
    makeSlo({ service: '<details><summary>', name: '</details></table>`code` **bold** [link](javascript:x)' }),
    makeSlo({ service: '### heading\n- list', name: 'line\r\nbreak & ampersand "quotes"' })
  ]

  it('with hostile service and SLO names', () => {
    const md = markdownReport(sampleReport(hostile.map((slo) => ({ slo, counts: FROZEN }))))
    const { problems, comments, text, prose } = checkHtml(renderGfm(md))
    expect(problems).toEqual([])
    expect(comments).toEqual([])
    // Outside code blocks (the queries, which quote the names literally and ping nobody).
    expect(prose).not.toMatch(/@everyone/)
    // The names are shown, literally.
    expect(text).toContain('look <img src=x onerror=alert(1)>')
    expect(text).toContain('</details></table>`code` **bold** [link](javascript:x)')
  })

  it.each([SUMMARY_LIMIT_BYTES, 200_000, 20_000, 3_000])('2,000 SLOs at a %d-byte limit', (limit) => {
    const entries = Array.from({ length: 2000 }, (_, i) => ({
      slo: makeSlo({ service: `svc-${i % 40}`, name: `slo-${String(i).padStart(4, '0')}-<b>@team` }),
      counts: i % 3 === 0 ? FROZEN : i % 3 === 1 ? WARNED : HEALTHY
    }))
    const md = markdownReport(sampleReport(entries), limit)
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(limit)
    expect(md.split('\n')[0]).toBe('## 🔴 Error budget gate: FROZEN')
    expect(checkHtml(renderGfm(md)).problems).toEqual([])
  })

  it('an error report without SLOs', () => {
    const md = markdownReport({ ...sampleReport([]), decision: 'error', reasons: ['no SLO files matched "slos/*.yaml"'], exitCode: 2 })
    expect(md.split('\n')[0]).toBe('## ⛔ Error budget gate: ERROR')
    expect(md).toContain('**The gate could not evaluate the SLOs.**')
    expect(checkHtml(renderGfm(md)).problems).toEqual([])
  })
})

describe('burn-down charts', () => {
  const day = 86400
  const chart: BurnDown = {
    id: 'checkout/availability',
    window: '30d',
    points: Array.from({ length: 30 }, (_, i) => ({ time: AT - (29 - i) * day, remaining: i === 3 ? null : 1 - i * 0.05 }))
  }

  it('draws the remaining budget in percent as a Mermaid xychart, leaving out unknown points', () => {
    const text = burnDownChart(chart)
    const lines = text.split('\n')
    expect(lines[0]).toBe('```mermaid')
    expect(lines[1]).toBe('xychart-beta')
    expect(lines[2]).toBe('    title "checkout/availability: budget left over 30d (%)"')
    expect(lines[3]).toMatch(/^ {4}x-axis \["10-22", "10-23", "10-24", "10-26", /)
    expect(lines[4]).toBe('    y-axis "budget left (%)" -50 --> 100')
    expect(lines[5]).toMatch(/^ {4}line \[100, 95, 90, 80, 75, /)
    expect(lines[5]).toMatch(/, -45\]$/)
    expect(lines[6]).toBe('```')
  })

  it('labels hours for short windows; nothing to draw from fewer than two known points', () => {
    expect(burnDownChart({ id: 'a/b', window: '1h', points: [{ time: AT - 120, remaining: 0.5 }, { time: AT, remaining: 0.4 }] })).toContain('x-axis ["23:58", "00:00"]')
    expect(burnDownChart({ id: 'a/b', window: '1h', points: [{ time: AT, remaining: 0.4 }, { time: AT + 60, remaining: null }] })).toBe('')
  })

  it('cannot be broken out of by a name', () => {
    const text = burnDownChart({ ...chart, id: 'x" ]\n```\n<img src=x> %%{init: {}}%%' })
    expect(text.split('\n')).toHaveLength(7)
    expect(text.split('\n')[2]).toBe('    title "x_ _______img src_x_ ___init: _____: budget left over 30d (%)"')
  })

  it('go in the summary (open unless allowed), before the workings, and are dropped before the reasons', () => {
    const report = sampleReport([{ slo: makeSlo({ name: 'availability' }), counts: FROZEN }])
    const md = markdownReport(report, SUMMARY_LIMIT_BYTES, { burnDowns: [chart] })
    expect(md).toContain('<details open><summary>📉 Budget left over the SLO window (1 chart, from range queries)</summary>')
    expect(md.indexOf('```mermaid')).toBeLessThan(md.indexOf('How this was evaluated'))
    expect(checkHtml(renderGfm(md)).problems).toEqual([])
    const noWorkings = markdownReport(report, SUMMARY_LIMIT_BYTES, { workings: false, burnDowns: [chart] })
    const tight = markdownReport(report, Buffer.byteLength(noWorkings) - 1, { burnDowns: [chart] })
    expect(tight).not.toContain('```mermaid')
    expect(tight).toContain('**checkout/availability** (freeze):')
    expect(markdownReport(report, SUMMARY_LIMIT_BYTES, { burnDowns: [], burnDownNote: 'No burn-down charts: 12 SLOs' })).toContain('_No burn-down charts: 12 SLOs_')
  })
})
