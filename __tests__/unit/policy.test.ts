// The error-budget policy (PRODUCT.md "Default policy"): every row of the table, the exact
// boundaries, multiwindow AND semantics, no-data handling, overrides, and worst-of across SLOs.
//
// Numbers are built from event counts, as Prometheus would return them: 1,000,000 requests per
// window, so at 99.9% (budget fraction 0.001) a burn rate of b is b × 1000 errors:
//   14.4x = 14,400 errors (r = 0.0144);  6x = 6000;  3x = 3000;  1x = 1000.
// Over the 30d SLO window, e errors of 1e6 consume e / 1000 of the budget.
import { describe, expect, it } from '@jest/globals'

import type { SliSpec, Slo } from '../../src/config/model.js'
import { evaluateSlo, type SloEvaluation } from '../../src/engine/evaluate.js'
import type { QueryOutcome } from '../../src/engine/readings.js'
import { planQueries } from '../../src/plan.js'
import { decideGate, decideSlo, formatBurn, formatMinutes, formatPercent } from '../../src/policy/decide.js'
import { DEFAULT_POLICY, worstDecision, type Decision, type PolicySettings } from '../../src/policy/settings.js'

const MONTH = 30 * 86400
const MILLION = 1_000_000

const SLI: SliSpec = {
  kind: 'events',
  bad: 'errors',
  badQuery: 'sum(increase(http_requests_total{code=~"5.."}[{{.window}}]))',
  totalQuery: 'sum(increase(http_requests_total[{{.window}}]))'
}

function makeSlo(overrides: Partial<Slo> = {}): Slo {
  return {
    service: 'checkout',
    name: 'availability',
    objective: 0.999,
    window: '30d',
    windowSeconds: MONTH,
    sli: SLI,
    policy: DEFAULT_POLICY,
    source: { file: 'slos.yaml', document: 1, format: 'native', path: 'slos[0]' },
    ...overrides
  }
}

function vector(...values: number[]): QueryOutcome {
  return { ok: true, result: { resultType: 'vector', samples: values.map((value) => ({ labels: {}, value })), warnings: [] } }
}
const EMPTY = vector()
const failed = (error: string): QueryOutcome => ({ ok: false, error })

type WindowData = number | [number, number] | [QueryOutcome, QueryOutcome]

/**
 * Evaluates an SLO at 1e6 events per window. A number is the burn rate for burn windows, and the
 * consumed budget share for the SLO window; [errors, total] or [errorsAnswer, totalAnswer] as given.
 * Windows not listed: no errors.
 */
function evaluate(data: Record<string, WindowData>, slo: Slo = makeSlo()): SloEvaluation {
  const plan = planQueries([slo]).slos[0]
  const outcomes = new Map<string, QueryOutcome>()
  const budget = Number((1 - slo.objective).toPrecision(12))
  for (const w of plan.windows) {
    const given = data[w.window] ?? 0
    let answers: [QueryOutcome, QueryOutcome]
    if (typeof given === 'number') answers = [vector(Math.round(given * budget * MILLION * 1e6) / 1e6), vector(MILLION)]
    else if (typeof given[0] === 'number') answers = [vector(given[0]), vector(given[1] as number)]
    else answers = given as [QueryOutcome, QueryOutcome]
    outcomes.set(w.badQuery!, answers[0])
    outcomes.set(w.totalQuery!, answers[1])
  }
  return evaluateSlo(plan, outcomes)
}

function decide(data: Record<string, WindowData>, slo?: Slo) {
  return decideSlo(evaluate(data, slo))
}

function withPolicy(policy: Partial<PolicySettings>, overrides: Partial<Slo> = {}): Slo {
  return makeSlo({ policy: { ...DEFAULT_POLICY, ...policy }, ...overrides })
}

describe('formatting helpers', () => {
  it('formats percentages, burn rates and minutes', () => {
    expect(formatPercent(0.8)).toBe('80.0%')
    expect(formatPercent(0.05)).toBe('5.00%')
    expect(formatPercent(0.001)).toBe('0.100%')
    expect(formatPercent(0)).toBe('0.0%')
    expect(formatPercent(-0.4886)).toBe('-48.9%')
    expect(formatBurn(14.4)).toBe('14.4x')
    expect(formatBurn(6)).toBe('6.00x')
    expect(formatBurn(144)).toBe('144x')
    expect(formatMinutes(43.2)).toBe('43.2 min')
    expect(formatMinutes(-21.108)).toBe('-21.1 min')
    expect(formatMinutes(432)).toBe('432 min')
  })
})

describe('worstDecision', () => {
  it('orders error > freeze > warn > allow', () => {
    expect(worstDecision([])).toBe('allow')
    expect(worstDecision(['allow', 'warn'])).toBe('warn')
    expect(worstDecision(['warn', 'freeze', 'allow'])).toBe('freeze')
    expect(worstDecision(['freeze', 'error', 'warn'])).toBe('error')
    expect(worstDecision(['error', 'allow'])).toBe('error')
  })
})

describe('default policy: one row at a time', () => {
  it('otherwise → allow, with the budget as the reason', () => {
    // 30d: 200 errors of 1e6 → r 0.0002 → 20% consumed, 80% left = 34.56 of 43.2 min
    const verdict = decide({ '30d': [200, MILLION] })
    expect(verdict.decision).toBe('allow')
    expect(verdict.reasons).toEqual(['20.0% of the 30d error budget consumed, 80.0% left (34.6 min of 43.2 min of full outage)'])
  })

  it('budget remaining ≤ 0 → freeze (overspent)', () => {
    // 30d: 1488.6 errors of 1e6 → consumed 1.4886, remaining -48.9%
    const verdict = decide({ '30d': [1488.6, MILLION] })
    expect(verdict.decision).toBe('freeze')
    expect(verdict.reasons[0]).toMatch(/^error budget exhausted: 148.9% of the 30d error budget consumed, -48.9% left \(-21.1 min of 43.2 min of full outage\)$/)
  })

  it('budget remaining exactly 0 → freeze', () => {
    // 30d: 1000 errors of 1e6 → r 0.001 = 1 - 0.999 → consumed exactly 1, remaining 0
    const verdict = decide({ '30d': [1000, MILLION] })
    expect(verdict.decision).toBe('freeze')
    expect(verdict.reasons[0]).toMatch(/exhausted.*0\.0% left/)
  })

  it('budget remaining just above 0 → warn (low), not freeze', () => {
    // 999 errors → 99.9% consumed, 0.1% left
    const verdict = decide({ '30d': [999, MILLION] })
    expect(verdict.decision).toBe('warn')
    expect(verdict.reasons[0]).toMatch(/^error budget low: .*0\.100% left.*warns below 25\.0%/)
  })

  it('budget remaining < 25% → warn', () => {
    // 751 errors → 75.1% consumed, 24.9% left
    const verdict = decide({ '30d': [751, MILLION] })
    expect(verdict.decision).toBe('warn')
    expect(verdict.reasons[0]).toMatch(/24\.9% left/)
  })

  it('budget remaining exactly 25% → allow', () => {
    // 750 errors → r 0.00075 → 75% consumed, exactly 25% left
    expect(decide({ '30d': [750, MILLION] }).decision).toBe('allow')
    // the same at 99%: 7500 errors of 1e6 → r 0.0075 / 0.01 = 0.75
    expect(decide({ '30d': [7500, MILLION] }, makeSlo({ objective: 0.99 })).decision).toBe('allow')
    // and at 99.99%: 75 errors → r 0.000075 / 0.0001 = 0.75
    expect(decide({ '30d': [75, MILLION] }, makeSlo({ objective: 0.9999 })).decision).toBe('allow')
  })

  it('burn ≥ 14.4 over 1h and 5m → freeze, naming both windows and numbers', () => {
    const verdict = decide({ '1h': 20, '5m': 30 })
    expect(verdict.decision).toBe('freeze')
    expect(verdict.reasons[0]).toBe('page: fast burn: burning 20.0x over 1h and 30.0x over 5m (freeze at ≥ 14.4x on both)')
    // the budget is still shown as context
    expect(verdict.reasons[1]).toMatch(/of the 30d error budget consumed/)
  })

  it('burn exactly 14.4 on both 1h and 5m → freeze', () => {
    // 14,400 errors of 1e6 → r 0.0144 → 0.0144 / 0.001 = 14.4 (14.399999999999999 in floats)
    expect(decide({ '1h': [14400, MILLION], '5m': [14400, MILLION] }).decision).toBe('freeze')
    // the same ratio from other counts: 72 of 5000
    expect(decide({ '1h': [144, 10000], '5m': [72, 5000] }).decision).toBe('freeze')
  })

  it('just under 14.4 (14.399) on one window → not freeze: the float slack is tiny', () => {
    expect(decide({ '1h': [14399, MILLION], '5m': [14400, MILLION] }).decision).toBe('allow')
    expect(decide({ '1h': [14400, MILLION], '5m': [14399.99, MILLION] }).decision).toBe('allow')
  })

  it('14.4 on 1h but 14.3 on 5m → not freeze', () => {
    const verdict = decide({ '1h': [14400, MILLION], '5m': [14300, MILLION] })
    expect(verdict.decision).toBe('allow')
    expect(verdict.reasons.join(' ')).not.toMatch(/fast burn/)
  })

  it('14.3 on 1h and 100 on 5m → not freeze (both windows must burn)', () => {
    expect(decide({ '1h': 14.3, '5m': 100 }).decision).toBe('allow')
  })

  it('a spike in the long window only (already over) → not freeze', () => {
    expect(decide({ '1h': 50, '5m': 0 }).decision).toBe('allow')
  })

  it('burn ≥ 6 over 6h and 30m → freeze', () => {
    const verdict = decide({ '6h': 6, '30m': 6 })
    expect(verdict.decision).toBe('freeze')
    expect(verdict.reasons[0]).toBe('page: sustained burn: burning 6.00x over 6h and 6.00x over 30m (freeze at ≥ 6.00x on both)')
  })

  it('6 over 6h but 5.9 over 30m → not freeze', () => {
    expect(decide({ '6h': 6, '30m': 5.9 }).decision).toBe('allow')
    expect(decide({ '6h': 5.99, '30m': 50 }).decision).toBe('allow')
  })

  it('burn ≥ 3 over 1d and 2h → warn', () => {
    const verdict = decide({ '1d': 3, '2h': 3.5 })
    expect(verdict.decision).toBe('warn')
    expect(verdict.reasons[0]).toBe('ticket: fast burn: burning 3.00x over 1d and 3.50x over 2h (warn at ≥ 3.00x on both)')
    expect(decide({ '1d': 2.99, '2h': 3.5 }).decision).toBe('allow')
    expect(decide({ '1d': 3, '2h': 2.99 }).decision).toBe('allow')
  })

  it('burn ≥ 1 over 3d and 6h → warn', () => {
    const verdict = decide({ '3d': 1, '6h': 1 })
    expect(verdict.decision).toBe('warn')
    expect(verdict.reasons[0]).toMatch(/^ticket: slow burn: burning 1\.00x over 3d and 1\.00x over 6h/)
    expect(decide({ '3d': 0.99, '6h': 5 }).decision).toBe('allow')
    expect(decide({ '3d': 2, '6h': 0.99 }).decision).toBe('allow')
  })

  it('no data over the SLO window → error, naming the query', () => {
    const verdict = decide({ '30d': [vector(0), EMPTY] })
    expect(verdict.decision).toBe('error')
    expect(verdict.reasons[0]).toMatch(/^no data over the 30d SLO window: total query returned no series/)
    expect(verdict.reasons[0]).toContain('sum(increase(http_requests_total[30d]))')
  })

  it('no data in every window (a misspelt metric) → error, never allow', () => {
    const data = Object.fromEntries(['30d', '5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => [w, [EMPTY, EMPTY] as WindowData]))
    const verdict = decide(data)
    expect(verdict.decision).toBe('error')
    expect(verdict.reasons.length).toBeGreaterThanOrEqual(1)
  })

  it('the query failed → error, with the error text', () => {
    const verdict = decide({ '30d': [vector(0), failed('connect ECONNREFUSED 127.0.0.1:9090')] })
    expect(verdict.decision).toBe('error')
    expect(verdict.reasons[0]).toMatch(/^query failed over the 30d SLO window: .*ECONNREFUSED/)
  })

  it('invalid data (NaN) over the SLO window → error', () => {
    const verdict = decide({ '30d': [vector(Number.NaN), vector(MILLION)] })
    expect(verdict.decision).toBe('error')
    expect(verdict.reasons[0]).toMatch(/^invalid data \(NaN\) over the 30d SLO window: errors query returned NaN/)
  })

  it('a burn-rate window that could not be read → error (onNoData), naming the rule and the problem', () => {
    const verdict = decide({ '5m': [vector(0), failed('timeout after 10s')] })
    expect(verdict.decision).toBe('error')
    expect(verdict.reasons).toHaveLength(2)
    expect(verdict.reasons[0]).toMatch(/^cannot evaluate "page: fast burn" \(1h\/5m\): total query failed: timeout after 10s/)
    expect(verdict.reasons[0]).toContain('[5m]')
  })

  it('an unreadable burn window errors even when the other window of the rule is calm', () => {
    expect(decide({ '6h': [vector(1), vector(2, 3)] }).decision).toBe('error')
  })

  it('a window without traffic burns nothing: 5m idle, 1h burning 20x → no freeze', () => {
    const verdict = decide({ '1h': 20, '5m': [0, 0] })
    expect(verdict.decision).toBe('allow')
  })

  it('an SLO window without traffic allows, saying so', () => {
    const verdict = decide({ '30d': [0, 0] })
    expect(verdict.decision).toBe('allow')
    expect(verdict.reasons[0]).toBe('no events in the 30d SLO window: nothing has burned the budget')
  })

  it('freeze outranks warn within an SLO, and only the deciding reasons lead', () => {
    // budget low (warn), slow burn (warn), fast burn (freeze)
    const verdict = decide({ '30d': [800, MILLION], '3d': 1, '6h': 1, '1h': 15, '5m': 15 })
    expect(verdict.decision).toBe('freeze')
    expect(verdict.reasons[0]).toMatch(/^page: fast burn/)
    expect(verdict.reasons.join(' ')).not.toMatch(/slow burn|error budget low/)
    // the budget stays as context
    expect(verdict.reasons.at(-1)).toMatch(/^80\.0% of the 30d error budget consumed, 20\.0% left/)
  })

  it('several triggered rules are all given as reasons', () => {
    const verdict = decide({ '30d': [1200, MILLION], '1h': 15, '5m': 15, '6h': 7, '30m': 7 })
    expect(verdict.decision).toBe('freeze')
    expect(verdict.reasons).toHaveLength(3)
    expect(verdict.reasons[0]).toMatch(/exhausted/)
    expect(verdict.reasons.join('\n')).toMatch(/fast burn[\s\S]*sustained burn/)
  })

  it('error outranks freeze within an SLO', () => {
    const verdict = decide({ '30d': [2000, MILLION], '3d': [vector(0), failed('HTTP 500')] })
    expect(verdict.decision).toBe('error')
    expect(verdict.reasons[0]).toMatch(/slow burn.*HTTP 500/)
  })
})

describe('overrides', () => {
  it('custom budget thresholds: freeze at or below 10%, warn below 50%', () => {
    const slo = withPolicy({ freezeWhenBudgetRemainingAtMost: 0.1, warnWhenBudgetRemainingBelow: 0.5 })
    // 900 errors → 10% left: freeze (at the threshold)
    expect(decide({ '30d': [900, MILLION] }, slo).decision).toBe('freeze')
    // 899 errors → 10.1% left: warn
    const warn = decide({ '30d': [899, MILLION] }, slo)
    expect(warn.decision).toBe('warn')
    expect(warn.reasons[0]).toMatch(/warns below 50\.0%/)
    // 500 errors → exactly 50% left: allow
    expect(decide({ '30d': [500, MILLION] }, slo).decision).toBe('allow')
  })

  it('a negative freeze threshold lets a team run overspent until -50%', () => {
    const slo = withPolicy({ freezeWhenBudgetRemainingAtMost: -0.5 })
    expect(decide({ '30d': [1200, MILLION] }, slo).decision).toBe('warn')
    expect(decide({ '30d': [1500, MILLION] }, slo).decision).toBe('freeze')
  })

  it('custom burn-rate rules replace the defaults', () => {
    const slo = withPolicy({ burnRateRules: [{ name: 'deploy guard', long: '2h', short: '10m', threshold: 2, decision: 'freeze' }] })
    // The default 1h/5m rule is gone: 20x there does not freeze.
    expect(decide({ '1h': 20, '5m': 20 }, slo).decision).toBe('allow')
    const verdict = decide({ '2h': 2, '10m': 2.5 }, slo)
    expect(verdict.decision).toBe('freeze')
    expect(verdict.reasons[0]).toBe('deploy guard: burning 2.00x over 2h and 2.50x over 10m (freeze at ≥ 2.00x on both)')
    expect(decide({ '2h': 2, '10m': 1.9 }, slo).decision).toBe('allow')
  })

  it('rule windows written differently (60m, 300s) are the same windows', () => {
    const slo = withPolicy({ burnRateRules: [{ name: 'odd spelling', long: '60m', short: '300s', threshold: 10, decision: 'warn' }] })
    expect(decide({ '1h': 11, '5m': 11 }, slo).decision).toBe('warn')
  })

  it('a rule whose long window is the SLO window reads the SLO window (7d SLO, 7d/1d rule)', () => {
    // 7d SLO at 99.9%: 600 errors of 1e6 → 0.6x over 7d = 60% consumed, 40% left (no budget warn
    // below 25%). Rule: warn at ≥ 0.5x over 7d and 1d; 1d burns 0.6x → warn.
    const slo = withPolicy(
      { burnRateRules: [{ name: 'weekly burn', long: '7d', short: '1d', threshold: 0.5, decision: 'warn' }] },
      { window: '7d', windowSeconds: 7 * 86400 }
    )
    const verdict = decide({ '7d': [600, MILLION], '1d': 0.6 }, slo)
    expect(verdict.decision).toBe('warn')
    expect(verdict.reasons[0]).toBe('weekly burn: burning 0.60x over 7d and 0.60x over 1d (warn at ≥ 0.50x on both)')
    expect(decide({ '7d': [400, MILLION], '1d': 0.6 }, slo).decision).toBe('allow')
  })

  it('a 3d SLO reads its own window for the default 3d/6h rule', () => {
    // 3d SLO: 900 errors of 1e6 → 0.9x over 3d, 10% left → warn on budget; with the budget warn
    // off, the slow-burn rule (≥ 1x) must not fire at 0.9x, and must at 1.0x on a -0.5 freeze.
    const slo = withPolicy({ warnWhenBudgetRemainingBelow: -1, freezeWhenBudgetRemainingAtMost: -1 }, { window: '3d', windowSeconds: 3 * 86400 })
    expect(decide({ '3d': [900, MILLION], '6h': 2 }, slo).decision).toBe('allow')
    const verdict = decide({ '3d': [1000, MILLION], '6h': 2 }, slo)
    expect(verdict.decision).toBe('warn')
    expect(verdict.reasons[0]).toMatch(/^ticket: slow burn: burning 1\.00x over 3d and 2\.00x over 6h/)
  })

  it('onNoData: warn turns no data and unreadable burn windows into warnings', () => {
    const slo = withPolicy({ onNoData: 'warn' })
    const noData = decide({ '30d': [vector(0), EMPTY] }, slo)
    expect(noData.decision).toBe('warn')
    expect(noData.reasons[0]).toMatch(/^no data over the 30d SLO window/)
    expect(decide({ '5m': [vector(0), failed('timeout')] }, slo).decision).toBe('warn')
    // a real freeze still freezes
    expect(decide({ '30d': [vector(0), EMPTY], '1h': 20, '5m': 20 }, slo).decision).toBe('freeze')
  })

  it('onNoData: freeze freezes on no data', () => {
    expect(decide({ '30d': [vector(0), EMPTY] }, withPolicy({ onNoData: 'freeze' })).decision).toBe('freeze')
  })

  it('no burn-rate rules at all: only the budget decides', () => {
    const slo = withPolicy({ burnRateRules: [] })
    expect(decide({ '1h': 100, '5m': 100 }, slo).decision).toBe('allow')
    expect(decide({ '30d': [1000, MILLION] }, slo).decision).toBe('freeze')
  })

  it('thresholds apply to other objectives: 99.99% at 14.4x is r = 0.00144', () => {
    const slo = makeSlo({ objective: 0.9999 })
    // 1440 errors of 1e6 → r 0.00144 → 0.00144 / 0.0001 = 14.4x
    expect(decide({ '1h': [1440, MILLION], '5m': [1440, MILLION] }, slo).decision).toBe('freeze')
    expect(decide({ '1h': [1440, MILLION], '5m': [1430, MILLION] }, slo).decision).toBe('allow')
    // and 90%: 14.4x would be r = 1.44: impossible; 6x is r = 0.6
    const ninety = makeSlo({ objective: 0.9 })
    expect(decide({ '6h': [600000, MILLION], '30m': [600000, MILLION] }, ninety).decision).toBe('freeze')
  })
})

describe('decideGate', () => {
  const ALLOW = { '30d': [100, MILLION] } as Record<string, WindowData>
  const WARN = { '30d': [800, MILLION] } as Record<string, WindowData>
  const FREEZE = { '30d': [1100, MILLION] } as Record<string, WindowData>
  const ERROR = { '30d': [vector(0), EMPTY] } as Record<string, WindowData>
  const DATA: Record<Decision, Record<string, WindowData>> = { allow: ALLOW, warn: WARN, freeze: FREEZE, error: ERROR }

  function gate(decisions: Decision[]) {
    return decideGate(decisions.map((d, i) => evaluate(DATA[d], makeSlo({ name: `slo-${i}-${d}` }))))
  }

  it.each([
    [['allow', 'allow'], 'allow'],
    [['allow', 'warn'], 'warn'],
    [['warn', 'freeze', 'allow'], 'freeze'],
    [['freeze', 'error'], 'error'],
    [['error', 'allow', 'warn', 'freeze'], 'error'],
    [['allow', 'freeze', 'warn'], 'freeze']
  ] as [Decision[], Decision][])('%j → %s', (decisions, expected) => {
    const verdict = gate(decisions)
    expect(verdict.slos.map((s) => s.verdict.decision)).toEqual(decisions)
    expect(verdict.decision).toBe(expected)
  })

  it('gives the reasons of the SLOs that decided, each prefixed by its id', () => {
    const verdict = gate(['warn', 'freeze', 'allow', 'freeze'])
    expect(verdict.reasons).toHaveLength(2)
    expect(verdict.reasons[0]).toMatch(/^checkout\/slo-1-freeze: error budget exhausted: 110\.0% of the 30d error budget consumed, -10\.0% left/)
    expect(verdict.reasons[1]).toMatch(/^checkout\/slo-3-freeze: /)
  })

  it('all allowed: one reason with the count', () => {
    expect(gate(['allow', 'allow']).reasons).toEqual(['all 2 SLOs within budget and not burning fast'])
    expect(gate(['allow']).reasons).toEqual(['all 1 SLO within budget and not burning fast'])
  })

  it('no SLOs at all is an error, never a pass', () => {
    const verdict = decideGate([])
    expect(verdict.decision).toBe('error')
    expect(verdict.reasons[0]).toMatch(/no SLOs/)
  })

  it('keeps every SLO with its evaluation and verdict, in order', () => {
    const verdict = gate(['allow', 'error', 'warn'])
    expect(verdict.slos.map((s) => s.evaluation.slo.name)).toEqual(['slo-0-allow', 'slo-1-error', 'slo-2-warn'])
  })
})
