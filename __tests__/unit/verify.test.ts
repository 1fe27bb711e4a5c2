// The post-deploy watch with a virtual clock and a scripted SLI: when it calls for a rollback
// (N consecutive polls at or above the threshold, optionally above the burn before the deploy),
// when it passes, how it fails closed, what the deploy cost, and the settings, reports and action
// outputs around it. Against real Prometheus history: __tests__/integration/verify.test.ts.
import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import { parse as parseYaml } from 'yaml'

import type { Slo } from '../../src/config/model.js'
import { UsageError } from '../../src/errors.js'
import { verifyOutputs } from '../../src/github/verify-action.js'
import { DEFAULT_POLICY } from '../../src/policy/settings.js'
import type { InstantQuery } from '../../src/prometheus/client.js'
import type { InstantResult } from '../../src/prometheus/response.js'
import { Redactor } from '../../src/redact.js'
import {
  ACTION_NAMES,
  ACTION_WATCH_NAMES,
  CLI_NAMES,
  CLI_WATCH_NAMES,
  parseCliArgs,
  parseMode,
  readActionInputs,
  toVerifySettings,
  type RawSettings
} from '../../src/settings.js'
import { buildVerifyErrorReport, buildVerifyReport, costSentence, pollLine, verifyMarkdown, verifySummaryLine, verifyText } from '../../src/verify/report.js'
import { pageThreshold, pollTimes, virtualClock, watchDeploy, type WatchOptions } from '../../src/verify/watch.js'

const T0 = 1795129200 // END - 1h
const MINUTE = 60

/** A ratio SLI whose query text is `ratio[<window>]`: the fake client computes the real ratio. */
function makeSlo(overrides: Partial<Slo> = {}): Slo {
  return {
    service: 'checkout',
    name: 'availability',
    objective: 0.999,
    window: '30d',
    windowSeconds: 30 * 86400,
    sli: { kind: 'ratio', errorRatioQuery: 'ratio{service="checkout"}[{{.window}}]' },
    policy: DEFAULT_POLICY,
    source: { file: 'slos.yaml', document: 1, format: 'native', path: 'slos[0]' },
    ...overrides
  }
}

const WINDOW_SECONDS: Record<string, number> = { '5m': 300, '30d': 30 * 86400 }

function seconds(window: string): number {
  if (WINDOW_SECONDS[window]) return WINDOW_SECONDS[window]
  const match = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(window)!
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0)
}

/**
 * An instant-query client over a piecewise-constant error ratio per second, `ratioAt(t)`: the
 * answer for `ratio[w]` at t is the exact average over (t - w, t]. Records every query time.
 */
function scripted(ratioAt: (t: number) => number, options: { failAt?: (t: number) => boolean; emptyAt?: (t: number) => boolean } = {}): InstantQuery & { times: number[] } {
  const times: number[] = []
  return {
    times,
    async query(promql: string, time: number): Promise<InstantResult> {
      times.push(time)
      if (options.failAt?.(time)) throw new Error(`connection refused (at ${time})`)
      if (options.emptyAt?.(time)) return { resultType: 'vector', samples: [], warnings: [] }
      const window = seconds(/\[([^\]]+)\]/.exec(promql)![1])
      let sum = 0
      for (let t = time - window + 1; t <= time; t++) sum += ratioAt(t)
      return { resultType: 'vector', samples: [{ labels: {}, value: sum / window }], warnings: [] }
    }
  }
}

const HEALTHY = () => 0.0001

function options(overrides: Partial<WatchOptions> = {}): WatchOptions {
  return { since: T0, durationSeconds: 10 * MINUTE, intervalSeconds: 30, window: '5m', consecutive: 3, baseline: false, concurrency: 2, batch: false, ...overrides }
}

describe('poll times and thresholds', () => {
  it('polls every interval after the deploy starts, and at the end of the watch', () => {
    const times = pollTimes(T0, 600, 30)
    expect(times).toHaveLength(20)
    expect(times[0]).toBe(T0 + 30)
    expect(times[19]).toBe(T0 + 600)
    expect(pollTimes(T0, 600, 420)).toEqual([T0 + 420, T0 + 600])
    expect(pollTimes(T0, 60, 60)).toEqual([T0 + 60])
  })

  it("defaults each SLO's threshold to its page rule (14.4 with the default policy)", () => {
    expect(pageThreshold(makeSlo())).toBe(14.4)
    const custom = makeSlo({
      policy: {
        ...DEFAULT_POLICY,
        burnRateRules: [
          { name: 'slow', long: '6h', short: '30m', threshold: 6, decision: 'freeze' },
          { name: 'page', long: '1h', short: '5m', threshold: 10, decision: 'freeze' },
          { name: 'ticket', long: '30m', short: '1m', threshold: 2, decision: 'warn' }
        ]
      }
    })
    expect(pageThreshold(custom)).toBe(10)
    expect(pageThreshold(makeSlo({ policy: { ...DEFAULT_POLICY, burnRateRules: [] } }))).toBe(14.4)
  })
})

describe('watchDeploy', () => {
  it('passes a clean watch after its whole duration, keeping pace with the (virtual) clock', async () => {
    const clock = virtualClock(T0 * 1000)
    const client = scripted(HEALTHY)
    const result = await watchDeploy([makeSlo()], options(), client, clock)
    expect(result.decision).toBe('pass')
    expect(result.polls).toHaveLength(21)
    expect(result.polls[0]).toMatchObject({ time: T0, baseline: true })
    expect(result.polls.slice(1).map((p) => p.time)).toEqual(pollTimes(T0, 600, 30))
    expect(result.lastPoll).toBe(T0 + 600)
    // It waited for each poll: 20 sleeps of 30 s, 10 minutes in all.
    expect(clock.slept).toEqual(Array(20).fill(30_000))
    expect(result.slos[0].peakBurn).toBeCloseTo(0.1, 9)
    expect(result.slos[0].baselineBurn).toBeCloseTo(0.1, 9)
    expect(result.slos[0].reasons[0]).toBe('peak burn 0.10x over 5m in 20 polls: never ≥ 14.4x for 3 consecutive polls')
    // 10 minutes at 0.01% errors: 0.001 minutes of full outage.
    expect(result.slos[0].cost).toMatchObject({ window: '10m', seconds: 600, budgetMinutes: 43.2 })
    expect(result.slos[0].cost!.minutes).toBeCloseTo(0.001, 9)
  })

  it('calls for a rollback at the third consecutive poll over the threshold, and stops polling', async () => {
    // 20% errors from 5 minutes after the deploy: the 5m window reaches 14.4x 22 s into the burn.
    const burnStart = T0 + 5 * MINUTE
    const client = scripted((t) => (t > burnStart ? 0.2 : 0.0001))
    const result = await watchDeploy([makeSlo()], options(), client, virtualClock(T0 * 1000))
    expect(result.decision).toBe('rollback')
    const judged = result.polls.slice(1)
    expect(judged.map((p) => p.slos[0].over)).toEqual([...Array(10).fill(false), true, true, true])
    expect(judged.map((p) => p.slos[0].streak).slice(-3)).toEqual([1, 2, 3])
    expect(result.lastPoll).toBe(burnStart + 90)
    // 90 s of 20% errors in the 5m window: 0.2 × 90 / 300 / 0.001 = 60x (plus the 0.01% before).
    expect(result.slos[0].reasons[0]).toBe(`burning 60.1x over 5m (rollback at ≥ 14.4x) for 3 consecutive polls, since ${new Date((burnStart + 30) * 1000).toISOString().replace('.000Z', 'Z')}`)
    // Nothing is queried after the rollback poll but the cost, at that same instant.
    expect(Math.max(...client.times)).toBe(burnStart + 90)
    // Cost over the 6.5 minutes watched: 90 s at 20% + 300 s at 0.01% = 0.3005 minutes of outage.
    const cost = result.slos[0].cost!
    expect(cost.window).toBe('6m30s')
    expect(cost.minutes).toBeCloseTo((90 * 0.2 + 300 * 0.0001) / 60, 9)
    expect(cost.budgetShare).toBeCloseTo(cost.minutes / 43.2, 12)
    expect(cost.burn).toBeCloseTo((cost.minutes / 6.5) / 0.001, 9)
  })

  it('resets the count when a poll dips below the threshold', async () => {
    // Over a 30s window: two polls burning, one not, and again (a flapping error rate).
    const burning = (t: number) => Math.floor((t - T0 - 1) / 30) % 3 !== 2 && t > T0 + 30
    const result = await watchDeploy([makeSlo()], options({ window: '30s' }), scripted((t) => (burning(t) ? 0.5 : 0.0001)), virtualClock(T0 * 1000))
    const streaks = result.polls.slice(1).map((p) => p.slos[0].streak)
    expect(streaks.slice(0, 9)).toEqual([0, 1, 0, 1, 2, 0, 1, 2, 0])
    expect(result.decision).toBe('pass')
    // The same bursts roll back with consecutive: 1.
    const eager = await watchDeploy([makeSlo()], options({ window: '30s', consecutive: 1 }), scripted((t) => (burning(t) ? 0.5 : 0.0001)), virtualClock(T0 * 1000))
    expect(eager.decision).toBe('rollback')
    expect(eager.polls).toHaveLength(3)
  })

  it('with --baseline, judges the burn above the burn before the deploy', async () => {
    // Already burning 20x before the deploy; the deploy changes nothing.
    const steady = () => 0.02
    expect((await watchDeploy([makeSlo()], options(), scripted(steady), virtualClock(T0 * 1000))).decision).toBe('rollback')
    const judged = await watchDeploy([makeSlo()], options({ baseline: true }), scripted(steady), virtualClock(T0 * 1000))
    expect(judged.decision).toBe('pass')
    expect(judged.slos[0].baselineBurn).toBeCloseTo(20, 9)
    expect(judged.polls[1].slos[0].excess).toBeCloseTo(0, 9)
    // The deploy doubles it: 20x more than before, over the threshold.
    const doubled = await watchDeploy([makeSlo()], options({ baseline: true }), scripted((t) => (t > T0 ? 0.04 : 0.02)), virtualClock(T0 * 1000))
    expect(doubled.decision).toBe('rollback')
    expect(doubled.slos[0].reasons[0]).toMatch(/^burning 40\.0x over 5m, 20\.0x above the 20\.0x before the deploy \(rollback at ≥ 14\.4x above the baseline\)/)
    const text = verifyText(buildVerifyReport(doubled, { options: options({ baseline: true }), onError: 'fail', dryRun: false, configFiles: [] }))
    expect(text).toContain('2026-11-19T23:00:00Z (before)  20.0x\n')
    expect(text).toMatch(/2026-11-19T23:05:00Z {11}40\.0x \(\+20\.0x vs before\) ▲3/)
    expect(text).toContain('judged above the burn before the deploy')
  })

  it('uses a threshold given for all SLOs instead of their page thresholds', async () => {
    const result = await watchDeploy([makeSlo()], options({ threshold: 0.05 }), scripted(HEALTHY), virtualClock(T0 * 1000))
    expect(result.slos[0].threshold).toBe(0.05)
    expect(result.decision).toBe('rollback')
  })

  it('fails closed: a failed query or a missing series ends the watch with error at once', async () => {
    const failing = scripted(HEALTHY, { failAt: (t) => t >= T0 + 120 })
    const failed = await watchDeploy([makeSlo()], options(), failing, virtualClock(T0 * 1000))
    expect(failed.decision).toBe('error')
    expect(failed.lastPoll).toBe(T0 + 120)
    expect(failed.slos[0].reasons[0]).toMatch(/^cannot read the 5m burn rate at 2026-11-19T23:02:00Z \(failed\): error-ratio query failed: connection refused/)
    expect(failed.slos[0].costProblem).toMatch(/cannot read the error ratio over the watch \(2m\)/)

    const empty = await watchDeploy([makeSlo()], options(), scripted(HEALTHY, { emptyAt: (t) => t > T0 }), virtualClock(T0 * 1000))
    expect(empty.decision).toBe('error')
    expect(empty.polls).toHaveLength(2)
    expect(empty.slos[0].reasons[0]).toMatch(/\(no-data\): error-ratio query returned no series over 5m/)
  })

  it('with --baseline, cannot judge without the burn before the deploy: error before any poll', async () => {
    const result = await watchDeploy([makeSlo()], options({ baseline: true }), scripted(HEALTHY, { emptyAt: (t) => t === T0 }), virtualClock(T0 * 1000))
    expect(result.decision).toBe('error')
    expect(result.polls).toHaveLength(1)
    expect(result.slos[0].reasons[0]).toMatch(/^cannot read the 5m burn rate before the deploy \(at 2026-11-19T23:00:00Z\), which --baseline compares with/)
  })

  it('reads no events (NaN ratio) as no burn, not as an error', async () => {
    const result = await watchDeploy([makeSlo()], options(), scripted(() => NaN), virtualClock(T0 * 1000))
    expect(result.decision).toBe('pass')
    expect(result.polls[1].slos[0]).toMatchObject({ status: 'no-traffic', burn: 0, over: false })
  })

  it('evaluates polls already in the past at once, and waits only for those still ahead', async () => {
    // The clock says the deploy started 4 minutes ago: 8 polls are due now, 12 are ahead.
    const clock = virtualClock((T0 + 4 * MINUTE) * 1000)
    const result = await watchDeploy([makeSlo()], options(), scripted(HEALTHY), clock)
    expect(result.decision).toBe('pass')
    expect(clock.slept).toEqual(Array(12).fill(30_000))
    const replayed = virtualClock((T0 + 3600) * 1000)
    await watchDeploy([makeSlo()], options(), scripted(HEALTHY), replayed)
    expect(replayed.slept).toEqual([])
  })

  it('watches several SLOs and rolls back on the one that burns', async () => {
    const other = makeSlo({ service: 'search', sli: { kind: 'ratio', errorRatioQuery: 'ratio{service="search"}[{{.window}}]' } })
    const client: InstantQuery = {
      query: (promql, time) => scripted(promql.includes('search') ? (t) => (t > T0 + 60 ? 0.1 : 0.0001) : HEALTHY).query(promql, time)
    }
    const result = await watchDeploy([makeSlo(), other], options(), client, virtualClock(T0 * 1000))
    expect(result.decision).toBe('rollback')
    expect(result.slos.map((s) => s.decision)).toEqual(['pass', 'rollback'])
    expect(result.slos[0].reasons[0]).toMatch(/^not burning \(peak 0\.10x over 5m\) when the watch ended/)
  })
})

describe('verify reports', () => {
  const burnStart = T0 + 5 * MINUTE
  const run = () => watchDeploy([makeSlo()], options(), scripted((t) => (t > burnStart ? 0.2 : 0.0001)), virtualClock(T0 * 1000))
  const context = { options: options(), onError: 'fail' as const, dryRun: false, prometheus: 'http://prom:9090', configFiles: ['slos.yaml'] }

  it('builds the JSON report: decision, exit code, the timeline and what the deploy cost', async () => {
    const report = buildVerifyReport(await run(), context)
    expect(report).toMatchObject({
      kind: 'verify',
      decision: 'rollback',
      exitCode: 1,
      deployStartedAt: '2026-11-19T23:00:00Z',
      endedAt: '2026-11-19T23:06:30Z',
      watch: { duration: '10m', interval: '30s', window: '5m', consecutive: 3, baseline: false, polls: 13, plannedPolls: 20 }
    })
    expect(report.timeline).toHaveLength(14)
    expect(report.timeline[0]).toMatchObject({ time: '2026-11-19T23:00:00Z', baseline: true })
    expect(report.reasons[0]).toMatch(/^checkout\/availability: burning 60\.1x over 5m/)
    expect(report.reasons[1]).toBe("this deploy cost 0.3 minutes of error budget (0.696% of checkout/availability's 43.2-minute 30d budget) over 6m30s")
    expect(report.costMinutes).toBeCloseTo(0.3005, 9)
    expect(report.summary).toBe(`ROLLBACK: ${report.reasons[0]}; this deploy cost 0.3 minutes of error budget`)
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
  })

  it('maps pass, rollback and error to exit codes 0, 1 and 2, with dry-run and on-error as for check', async () => {
    const rollback = await run()
    expect(buildVerifyReport(rollback, { ...context, dryRun: true }).exitCode).toBe(0)
    expect(verifySummaryLine(buildVerifyReport(rollback, { ...context, dryRun: true }))).toMatch(/\[dry run: reported, not enforced\]$/)
    const failed = await watchDeploy([makeSlo()], options(), scripted(HEALTHY, { failAt: () => true }), virtualClock(T0 * 1000))
    expect(buildVerifyReport(failed, context).exitCode).toBe(2)
    expect(buildVerifyReport(failed, { ...context, onError: 'warn' }).exitCode).toBe(0)
    const clean = await watchDeploy([makeSlo()], options(), scripted(HEALTHY), virtualClock(T0 * 1000))
    expect(buildVerifyReport(clean, context)).toMatchObject({ decision: 'pass', exitCode: 0 })
    expect(buildVerifyErrorReport('bad flags', { onError: 'fail', dryRun: true, configFiles: [], since: T0 })).toMatchObject({ decision: 'error', exitCode: 2, reasons: ['bad flags'] })
  })

  it('renders text and markdown with the burn at each poll, escaping names', async () => {
    const result = await run()
    result.slos[0].slo = makeSlo({ service: '::error::<b>x|y' })
    const report = buildVerifyReport(result, context)
    const text = verifyText(report)
    expect(text).toMatch(/^ROLLBACK\n/)
    expect(text).toContain('2026-11-19T23:00:00Z (before)  0.10x')
    expect(text).toContain('2026-11-19T23:06:30Z           60.1x ▲3')
    expect(text).not.toMatch(/^\s*::/m)
    const markdown = verifyMarkdown(report)
    expect(markdown).toMatch(/^## 🔴 Deploy watch: ROLLBACK/)
    expect(markdown).not.toContain('<b>')
    expect(markdown).toContain('\\<b\\>x\\|y')
    expect(pollLine(result.polls[13], 13, 20, ['checkout/availability'])).toBe('2026-11-19T23:06:30Z  poll 13/20: checkout/availability 60.1x ▲3')
  })

  it('words the cost as minutes of error budget and a share of the budget', () => {
    expect(costSentence('a/b', '30d', { window: '10m', seconds: 600, errorRatio: 0.016, burn: 16, budgetShare: 9.6 / 43.2, minutes: 9.6, budgetMinutes: 43.2 })).toBe(
      "this deploy cost 9.6 minutes of error budget (22.2% of a/b's 43.2-minute 30d budget) over 10m"
    )
  })

  it('gives the action the same outputs in verify mode as in check mode', async () => {
    const action = parseYaml(fs.readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as { outputs: Record<string, unknown> }
    const redactor = new Redactor()
    redactor.add('s3cret-token-value')
    const report = buildVerifyReport(await run(), { ...context, prometheus: 'http://prom:9090?x=s3cret-token-value' })
    const outputs = verifyOutputs(report, redactor)
    expect(Object.keys(outputs).sort()).toEqual(Object.keys(action.outputs).sort())
    expect(outputs).toMatchObject({ decision: 'rollback', exempt: 'false', summary: report.summary })
    expect(Number(outputs['budget-remaining'])).toBeCloseTo(report.budgetRemaining!, 12)
    expect(outputs.report).not.toContain('s3cret-token-value')
  })
})

describe('verify settings', () => {
  const NOW = T0 * 1000
  const raw = (watch: RawSettings['watch'] = {}): RawSettings => ({ config: ['slos.yaml'], prometheusUrl: 'http://prom:9090', headers: [], watch })
  const usage = (fn: () => unknown): string => {
    try {
      fn()
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError)
      return (error as Error).message
    }
    throw new Error('expected a UsageError')
  }

  it('defaults to a 10-minute watch from now, polled every 30 s over 5m, 3 polls in a row', () => {
    const { watch } = toVerifySettings(raw(), CLI_NAMES, CLI_WATCH_NAMES, '/', () => NOW)
    expect(watch).toEqual({ since: T0, durationSeconds: 600, intervalSeconds: 30, window: '5m', consecutive: 3, baseline: false })
  })

  it('reads every flag', () => {
    const command = parseCliArgs(
      ['verify', '-c', 'slos.yaml', '--since', '2026-11-19T22:55:00Z', '--duration', '15m', '--interval', '1m', '--window', '10m', '--threshold', '6', '--consecutive', '2', '--baseline', '--format', 'json'],
      { PROMETHEUS_URL: 'http://prom:9090' }
    )
    expect(command.command).toBe('verify')
    const { watch } = toVerifySettings(command.raw, CLI_NAMES, CLI_WATCH_NAMES, '/', () => NOW)
    expect(watch).toEqual({ since: T0 - 300, durationSeconds: 900, intervalSeconds: 60, window: '10m', consecutive: 2, threshold: 6, baseline: true })
  })

  it('names the flag or input and what was expected', () => {
    expect(usage(() => toVerifySettings(raw({ duration: '10 minutes' }), CLI_NAMES, CLI_WATCH_NAMES, '/', () => NOW))).toBe('--duration: expected a duration such as "30s", "5m" or "1h", got "10 minutes"')
    expect(usage(() => toVerifySettings(raw({ duration: '2m', interval: '5m' }), CLI_NAMES, CLI_WATCH_NAMES, '/', () => NOW))).toMatch(/^--interval: the interval \(5m\) is longer than the watch/)
    expect(usage(() => toVerifySettings(raw({ threshold: '-1' }), ACTION_NAMES, ACTION_WATCH_NAMES, '/', () => NOW))).toMatch(/^verify-threshold: expected a burn rate above 0/)
    expect(usage(() => toVerifySettings(raw({ consecutive: '0' }), ACTION_NAMES, ACTION_WATCH_NAMES, '/', () => NOW))).toMatch(/^verify-consecutive: expected a whole number from 1 to 100/)
    expect(usage(() => toVerifySettings(raw({ since: String(T0 + 3600) }), ACTION_NAMES, ACTION_WATCH_NAMES, '/', () => NOW))).toMatch(/^deploy-started-at: .* is in the future/)
    expect(usage(() => toVerifySettings(raw({ window: '5s' }), CLI_NAMES, CLI_WATCH_NAMES, '/', () => NOW))).toMatch(/^--window: expected a duration .* from 10s to 7d/)
  })

  it('refuses flags of other commands, and verify flags elsewhere', () => {
    expect(usage(() => parseCliArgs(['verify', '-c', 'x.yaml', '--at', '0'], {}))).toBe('--at does not apply to verify (it is for check): the watch starts at --since (when the deploy started)')
    expect(usage(() => parseCliArgs(['check', '-c', 'x.yaml', '--duration', '5m'], {}))).toBe('--duration does not apply to check (it is for verify)')
    expect(usage(() => parseCliArgs(['backtest', '-c', 'x.yaml', '--dry-run'], {}))).toBe('--dry-run does not apply to backtest (it is for check and verify)')
    expect(usage(() => parseCliArgs(['backtest', '-c', 'x.yaml', '--format', 'markdown'], {}))).toMatch(/^--format: backtest writes text or json/)
    expect(usage(() => parseCliArgs(['watch'], {}))).toMatch(/^unknown command "watch": expected "check", "verify" or "backtest"/)
  })

  it('reads the action inputs of verify mode through the one input reader', () => {
    const inputs: Record<string, string> = { mode: 'verify', 'deploy-started-at': String(T0), 'verify-duration': '5m', 'verify-interval': '15s', 'verify-window': '2m', 'verify-threshold': '', 'verify-consecutive': '4', 'verify-baseline': 'true' }
    const read = readActionInputs((name) => inputs[name] ?? '')
    expect(parseMode(read.mode)).toBe('verify')
    expect(read.watch).toEqual({ since: String(T0), duration: '5m', interval: '15s', window: '2m', threshold: '', consecutive: '4', baseline: true })
    expect(parseMode('')).toBe('check')
    expect(usage(() => parseMode('watch'))).toMatch(/^mode: expected check, verify/)
    expect(usage(() => readActionInputs((name) => (name === 'verify-baseline' ? 'yes' : '')))).toBe('verify-baseline: expected true or false, got "yes"')
  })
})
