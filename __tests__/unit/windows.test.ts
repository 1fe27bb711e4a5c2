// Per-SLO windows: burn-rate windows and thresholds for 7d, 28d, 30d and 90d SLOs, checked
// against the published tables in the reference corpus (expected.json: Sloth's generated rules
// and golden files, Pyrra's unit tests, the SRE workbook).
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'

import { parseSloText } from '../../src/config/load.js'
import { parseDuration } from '../../src/duration.js'
import { burnWindowsFor } from '../../src/plan.js'
import {
  burnFactor,
  defaultPolicyFor,
  GOOGLE_BURN_RULES,
  pyrraBurnRules,
  scaleBudgetShareRules,
  sreBurnRules
} from '../../src/policy/burn-windows.js'
import { DEFAULT_POLICY } from '../../src/policy/settings.js'
import { SHARED } from '../harness/shared.js'

interface Case {
  id: string
  inputs: Record<string, unknown>
  expected: Record<string, unknown>
}

const CORPUS = `${SHARED}/corpus`
const cases: Case[] = JSON.parse(readFileSync(`${CORPUS}/expected.json`, 'utf8')) as Case[]
const corpusCase = (id: string): Case => {
  const found = cases.find((c) => c.id === id)
  if (!found) throw new Error(`expected.json has no case ${id}`)
  return found
}

const DAY = 86400
const seconds = (text: string) => parseDuration(text)!
const ORDER = ['page_quick', 'page_slow', 'ticket_quick', 'ticket_slow'] as const

describe("Sloth's rule: threshold = errorBudgetPercent × period_hours / 100 / long_window_hours", () => {
  it('gives 14.4, 6, 3 and 1 over 30 days with Google\'s windows (sloth-google-30d-burn-factors), the default policy', () => {
    const c = corpusCase('sloth-google-30d-burn-factors')
    const windows = c.inputs.windows as Record<string, { errorBudgetPercent: number; short: string; long: string }>
    const period = seconds(c.inputs.sloPeriod as string)
    for (const key of ORDER) expect(burnFactor(windows[key].errorBudgetPercent, period, seconds(windows[key].long))).toBe(c.expected[key])
    const rules = sreBurnRules(period)
    expect(rules.map((r) => [r.long, r.short, r.threshold])).toEqual(ORDER.map((key) => [windows[key].long, windows[key].short, c.expected[key]]))
    expect(rules).toEqual(DEFAULT_POLICY.burnRateRules)
    expect(defaultPolicyFor(period)).toBe(DEFAULT_POLICY)
  })

  it('gives 13.44, 5.6, 2.8 and 0.933 over 28 days, windows unchanged (sloth-google-28d-burn-factors), to the bit', () => {
    const c = corpusCase('sloth-google-28d-burn-factors')
    expect(c.expected['slo:time_period:days']).toBe(28)
    const rules = sreBurnRules(28 * DAY)
    expect(rules.map((r) => r.threshold)).toEqual(ORDER.map((key) => c.expected[key]))
    expect(rules.map((r) => [r.long, r.short])).toEqual(GOOGLE_BURN_RULES.map((r) => [r.long, r.short]))
  })

  it("reads Sloth's custom 7-day AlertWindows file and gives 13.44, 3.5, 1.4 and 0.98 (sloth-custom-7d-burn-factors)", () => {
    const c = corpusCase('sloth-custom-7d-burn-factors')
    const windows = parseSloText(readFileSync(`${CORPUS}/specs/sloth/windows_7d.yaml`, 'utf8'), 'windows_7d.yaml')
    expect(windows.problems).toEqual([])
    for (const key of ORDER) {
      const w = c.inputs[key] as { errorBudgetPercent: number; long: string }
      expect(burnFactor(w.errorBudgetPercent, 7 * DAY, seconds(w.long))).toBe(c.expected[key])
    }
    // Those are also the defaults for periods under 28 days.
    expect(sreBurnRules(7 * DAY).map((r) => r.threshold)).toEqual(ORDER.map((key) => c.expected[key]))
  })

  it("gives 14.4, 4.8, 3 and 1 for Sloth's custom-30d example (sloth-custom-30d-burn-factors-derived)", () => {
    const c = corpusCase('sloth-custom-30d-burn-factors-derived')
    const rules = scaleBudgetShareRules(
      ORDER.map((key) => {
        const w = c.inputs[key] as { errorBudgetPercent: number; short: string; long: string }
        return { name: key, budgetPercent: w.errorBudgetPercent, long: w.long, short: w.short, decision: 'warn' as const }
      }),
      30 * DAY
    )
    for (const [i, key] of ORDER.entries()) expect(rules[i].threshold).toBeCloseTo(c.expected[key] as number, 12)
  })

  it('agrees with the SRE workbook: 2% of a 30-day budget in 1h is 14.4x, 5% in 6h 6x, 10% in 3d 1x (tables 5-6 and 5-8)', () => {
    const rows = corpusCase('sre-wb-table-5-8-multiwindow').expected.rows as { long: string; burn_rate: number; budget_consumed: number }[]
    for (const row of rows) {
      expect(burnFactor(row.budget_consumed * 100, 30 * DAY, seconds(row.long))).toBeCloseTo(row.burn_rate, 12)
      // budget consumed when the alert fires = burn rate × window / period
      expect((row.burn_rate * seconds(row.long)) / (30 * DAY)).toBeCloseTo(row.budget_consumed, 12)
    }
    // "5% of 30d in 1h -> 36"
    expect(burnFactor(5, 30 * DAY, 3600)).toBe(36)
  })

  it('scales to 90 days: 43.2, 18, 9 and 3', () => {
    expect(sreBurnRules(90 * DAY).map((r) => [r.long, r.short, r.threshold])).toEqual([
      ['1h', '5m', 43.2],
      ['6h', '30m', 18],
      ['1d', '2h', 9],
      ['3d', '6h', 3]
    ])
  })

  it('drops rules whose long window is longer than the SLO window (a 1-day SLO has no 3-day rule)', () => {
    const rules = sreBurnRules(DAY)
    expect(rules.map((r) => r.long)).toEqual(['1h', '6h', '1d'])
    expect(rules[0].threshold).toBeCloseTo(1.92, 12)
  })
})

describe("Pyrra's rule: thresholds 14, 7, 2 and 1; windows scaled with the SLO window, rounded to the minute", () => {
  it.each([
    ['pyrra-windows-28d', 28],
    ['pyrra-windows-7d', 7],
    ['pyrra-windows-14d', 14]
  ])('%s', (id, days) => {
    const expected = corpusCase(id).expected.windows as { long: string; short: string; factor: number; severity: string }[]
    expect(pyrraBurnRules(days * DAY).map((r) => [r.long, r.short, r.threshold, r.decision])).toEqual(
      expected.map((w) => [w.long, w.short, w.factor, w.severity === 'critical' ? 'freeze' : 'warn'])
    )
  })
})

describe('every SLO keeps its own window', () => {
  const doc = (window: string, policy = '') => `apiVersion: error-budget-gate/v1
service: checkout
slos:
  - name: availability
    objective: 99.9
    window: ${window}
${policy}    sli:
      counters:
        errors: http_requests_total{code="500"}
        total: http_requests_total
`
  const load = (text: string) => {
    const { slos, problems } = parseSloText(text, 'slos.yaml')
    expect(problems).toEqual([])
    return slos[0]
  }

  it.each([
    ['7d', [13.44, 3.5, 1.4000000000000001, 0.98]],
    ['28d', [13.44, 5.6000000000000005, 2.8000000000000003, 0.9333333333333333]],
    ['30d', [14.4, 6, 3, 1]],
    ['90d', [43.2, 18, 9, 3]]
  ])('a native %s SLO gets thresholds for its window', (window, thresholds) => {
    const slo = load(doc(window))
    expect(slo.policy.burnRateRules.map((r) => r.threshold)).toEqual(thresholds)
    expect(burnWindowsFor(slo)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d'])
  })

  it('scales budgetPercent rules of a native policy to the SLO window, and keeps explicit thresholds as written', () => {
    const policy = `    policy:
      burnRates:
        - { long: 1h, short: 5m, budgetPercent: 2, decision: freeze }
        - { name: deploy guard, long: 2h, short: 10m, threshold: 10, decision: freeze }
`
    const rules = load(doc('28d', policy)).policy.burnRateRules
    expect(rules).toEqual([
      { name: 'freeze: 2% of the budget within 1h (burn ≥ 13.44x over 1h and 5m)', long: '1h', short: '5m', threshold: 13.44, decision: 'freeze' },
      { name: 'deploy guard', long: '2h', short: '10m', threshold: 10, decision: 'freeze' }
    ])
  })

  it('needs exactly one of threshold or budgetPercent', () => {
    const { problems } = parseSloText(doc('30d', '    policy:\n      burnRates:\n        - { long: 1h, short: 5m, threshold: 14.4, budgetPercent: 2, decision: freeze }\n'), 'bad.yaml')
    expect(problems).toEqual([
      "bad.yaml:9 (document 1, slos[0].policy.burnRates[0]): give exactly one of threshold (a burn rate, e.g. 14.4) or budgetPercent (a share of the SLO window's budget spent within the long window, e.g. 2)"
    ])
  })
})
