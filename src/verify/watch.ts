// The post-deploy watch: poll each SLO's short-window burn rate every interval for a set time,
// and call for a rollback as soon as one SLO burns at or above its threshold for N consecutive
// polls. The clock and the sleep are injected, so a watch can be replayed over past history
// with a virtual clock; with the system clock, polls already in the past (a deploy that started
// before the watch) are evaluated at once, then the watch keeps pace with real time.
//
// Each poll evaluates the SLI over the burn window exactly as `check` does (same query
// templates, same readings, same burn-rate formula); only the decision rule differs.
import { sloId, type Slo } from '../config/model.js'
import { formatDuration, parseDuration } from '../duration.js'
import { budgetOver, burnRate } from '../engine/math.js'
import { readWindow, type QueryOutcome, type WindowReading, type WindowStatus } from '../engine/readings.js'
import { windowPlan, type WindowPlan } from '../plan.js'
import { formatBurn as burnText, reaches } from '../policy/decide.js'
import { runQueries } from '../prometheus/batch.js'
import type { InstantQuery } from '../prometheus/client.js'
import { isoTime } from '../report/model.js'

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  sleep(ms: number): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))
}

/** A clock that only moves when slept: a watch over past history runs without waiting. */
export function virtualClock(startMs: number): Clock & { slept: number[] } {
  let now = startMs
  const slept: number[] = []
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms)
      now += ms
    }
  }
}

/** The default rollback threshold: the SRE workbook's page-level burn rate for a 30-day SLO. */
export const DEFAULT_PAGE_THRESHOLD = 14.4

export interface WatchOptions {
  /** Unix seconds when the deploy started: the watch covers [since, since + duration]. */
  since: number
  durationSeconds: number
  intervalSeconds: number
  /** The burn window, canonical ("5m"). */
  window: string
  /** Consecutive polls at or above the threshold that call for a rollback. */
  consecutive: number
  /** Burn-rate threshold for every SLO; default: each SLO's page threshold (see pageThreshold). */
  threshold?: number
  /** Judge the burn above the burn before the deploy (the same window ending at `since`). */
  baseline: boolean
  concurrency: number
  batch?: boolean
}

export type VerifyDecision = 'pass' | 'rollback' | 'error'

export interface PollReading {
  status: WindowStatus
  /** Burn rate over the window (0 with no events); null when it could not be read. */
  burn: number | null
  /** With a baseline: burn minus the burn before the deploy. */
  excess?: number | null
  /** At or above the threshold at this poll. */
  over: boolean
  /** Consecutive polls over the threshold, this one included. */
  streak: number
  problem?: string
}

export interface Poll {
  /** Unix seconds. */
  time: number
  /** The reading at the deploy's start (the burn before the deploy): shown, never judged. */
  baseline?: true
  /** One per SLO, in config order. */
  slos: PollReading[]
}

export interface DeployCost {
  /** The window the cost was read over: from the deploy's start to the last poll. */
  window: string
  seconds: number
  errorRatio: number | null
  /** Burn rate over that window. */
  burn: number
  /** Share of the SLO window's whole budget the watch spent: burn × watch / SLO window. */
  budgetShare: number
  /** The same in minutes of full outage (the unit the budget is counted in). */
  minutes: number
  /** The whole budget, in minutes of full outage over the SLO window. */
  budgetMinutes: number
}

export interface SloWatch {
  slo: Slo
  threshold: number
  /** Burn over the window ending at the deploy's start; null when unknown. */
  baselineBurn: number | null
  decision: VerifyDecision
  reasons: string[]
  /** Highest burn seen after the deploy started. */
  peakBurn: number | null
  cost: DeployCost | null
  costProblem?: string
  /** Remaining budget over the SLO window at the last poll. */
  budgetRemaining: number | null
}

export interface WatchResult {
  decision: VerifyDecision
  /** Unix seconds of the deploy's start and of the last poll. */
  since: number
  lastPoll: number
  /** Judged polls planned and made (the baseline poll is not counted). */
  plannedPolls: number
  polls: Poll[]
  slos: SloWatch[]
}

export interface WatchHooks {
  /** Called after each poll (the baseline poll included), e.g. to print progress. */
  onPoll?: (poll: Poll, judged: number, planned: number) => void
}

/**
 * The rollback threshold an SLO gets by default: the threshold of its policy's freeze rule with
 * the shortest short window (the page rule: 14.4x by default), else 14.4.
 */
export function pageThreshold(slo: Slo): number {
  const freezeRules = slo.policy.burnRateRules.filter((rule) => rule.decision === 'freeze')
  if (freezeRules.length === 0) return DEFAULT_PAGE_THRESHOLD
  const seconds = (text: string) => parseDuration(text) ?? Infinity
  return freezeRules.reduce((best, rule) => {
    const [a, b] = [seconds(rule.short), seconds(best.short)]
    return a < b || (a === b && rule.threshold < best.threshold) ? rule : best
  }).threshold
}

/** Poll times after the deploy's start: every interval, and the end of the watch. */
export function pollTimes(since: number, durationSeconds: number, intervalSeconds: number): number[] {
  const times: number[] = []
  const end = since + durationSeconds
  for (let k = 1; since + k * intervalSeconds < end - 1e-6; k++) times.push(since + k * intervalSeconds)
  times.push(end)
  return times
}

function burnOf(reading: WindowReading, objective: number): number | null {
  if (reading.status === 'no-traffic') return 0
  if (reading.status !== 'ok' || reading.errorRatio === null) return null
  return burnRate(reading.errorRatio, objective)
}

async function evaluate(client: InstantQuery, plans: WindowPlan[], time: number, options: WatchOptions): Promise<ReadonlyMap<string, QueryOutcome>> {
  const queries = plans.flatMap((p) => [p.badQuery, p.totalQuery, p.ratioQuery].filter((q): q is string => q !== undefined))
  const { outcomes } = await runQueries(client, queries, { time, concurrency: options.concurrency, batch: options.batch ?? true })
  return outcomes
}

/** Watches the SLOs after a deploy. Never throws for query failures: they end the watch with `error`. */
export async function watchDeploy(slos: readonly Slo[], options: WatchOptions, client: InstantQuery, clock: Clock, hooks: WatchHooks = {}): Promise<WatchResult> {
  const plans = slos.map((slo) => windowPlan(slo.sli, options.window))
  const states: SloWatch[] = slos.map((slo) => ({
    slo,
    threshold: options.threshold ?? pageThreshold(slo),
    baselineBurn: null,
    decision: 'pass',
    reasons: [],
    peakBurn: null,
    cost: null,
    budgetRemaining: null
  }))
  const streaks = slos.map(() => 0)
  const times = pollTimes(options.since, options.durationSeconds, options.intervalSeconds)
  const polls: Poll[] = []
  const waitUntil = async (time: number) => {
    const wait = time * 1000 - clock.now()
    if (wait > 0) await clock.sleep(wait)
  }

  // The burn before the deploy: the same window, ending at the deploy's start.
  await waitUntil(options.since)
  const before = await evaluate(client, plans, options.since, options)
  const baselinePoll: Poll = { time: options.since, baseline: true, slos: [] }
  slos.forEach((slo, i) => {
    const reading = readWindow(slo.sli, plans[i], before)
    const burn = burnOf(reading, slo.objective)
    states[i].baselineBurn = burn
    baselinePoll.slos.push({ status: reading.status, burn, over: false, streak: 0, ...(reading.problem ? { problem: reading.problem } : {}) })
    if (burn === null && options.baseline) {
      states[i].decision = 'error'
      states[i].reasons.push(`cannot read the ${options.window} burn rate before the deploy (at ${isoTime(options.since)}), which --baseline compares with: ${reading.problem ?? reading.status}`)
    }
  })
  polls.push(baselinePoll)
  hooks.onPoll?.(baselinePoll, 0, times.length)

  let lastPoll = options.since
  for (const [k, time] of times.entries()) {
    if (states.some((s) => s.decision !== 'pass')) break
    await waitUntil(time)
    const outcomes = await evaluate(client, plans, time, options)
    const poll: Poll = { time, slos: [] }
    slos.forEach((slo, i) => {
      const state = states[i]
      const reading = readWindow(slo.sli, plans[i], outcomes)
      const burn = burnOf(reading, slo.objective)
      if (burn === null) {
        // Fail closed: a burn that cannot be read is never taken for a clean poll.
        streaks[i] = 0
        poll.slos.push({ status: reading.status, burn: null, ...(options.baseline ? { excess: null } : {}), over: false, streak: 0, problem: reading.problem })
        state.decision = 'error'
        state.reasons.push(`cannot read the ${options.window} burn rate at ${isoTime(time)} (${reading.status}): ${reading.problem ?? 'no reading'}`)
        return
      }
      state.peakBurn = Math.max(state.peakBurn ?? 0, burn)
      const excess = options.baseline ? burn - (state.baselineBurn ?? 0) : undefined
      const over = reaches(excess ?? burn, state.threshold)
      streaks[i] = over ? streaks[i] + 1 : 0
      poll.slos.push({ status: reading.status, burn, ...(excess !== undefined ? { excess } : {}), over, streak: streaks[i], ...(reading.problem ? { problem: reading.problem } : {}) })
      if (streaks[i] >= options.consecutive) {
        const firstOver = times[k - options.consecutive + 1] ?? time
        const how = options.baseline
          ? `${burnText(burn)} over ${options.window}, ${burnText(excess!)} above the ${burnText(state.baselineBurn ?? 0)} before the deploy`
          : `${burnText(burn)} over ${options.window}`
        state.decision = 'rollback'
        state.reasons.push(
          `burning ${how} (rollback at ≥ ${burnText(state.threshold)}${options.baseline ? ' above the baseline' : ''}) for ${options.consecutive} consecutive poll${options.consecutive === 1 ? '' : 's'}, since ${isoTime(firstOver)}`
        )
      }
    })
    polls.push(poll)
    lastPoll = time
    hooks.onPoll?.(poll, k + 1, times.length)
  }

  await addCosts(states, options, client, lastPoll)
  const decision: VerifyDecision = states.some((s) => s.decision === 'error') ? 'error' : states.some((s) => s.decision === 'rollback') ? 'rollback' : 'pass'
  for (const state of states) {
    if (state.decision !== 'pass') continue
    const judged = polls.length - 1
    state.reasons.push(
      decision === 'pass'
        ? `peak burn ${state.peakBurn === null ? 'unknown' : burnText(state.peakBurn)} over ${options.window} in ${judged} poll${judged === 1 ? '' : 's'}: never ≥ ${burnText(state.threshold)}${options.baseline ? ' above the baseline' : ''} for ${options.consecutive} consecutive poll${options.consecutive === 1 ? '' : 's'}`
        : `not burning (peak ${state.peakBurn === null ? 'unknown' : burnText(state.peakBurn)} over ${options.window}) when the watch ended`
    )
  }
  return { decision, since: options.since, lastPoll, plannedPolls: times.length, polls, slos: states }
}

/**
 * What the deploy cost each SLO: the burn over the watch (deploy start to last poll) times the
 * watch's share of the SLO window. Burn 1 spends the budget exactly over the window, so burning
 * b for t spends b × t / window of it; in minutes of full outage that is the error ratio × t.
 * Also the remaining budget at the last poll. A cost that cannot be read is noted, never guessed.
 */
async function addCosts(states: SloWatch[], options: WatchOptions, client: InstantQuery, lastPoll: number): Promise<void> {
  const elapsed = Math.round(lastPoll - options.since)
  const costWindow = elapsed >= 1 ? formatDuration(elapsed) : undefined
  const costPlans = states.map((s) => (costWindow ? windowPlan(s.slo.sli, costWindow) : undefined))
  const budgetPlans = states.map((s) => windowPlan(s.slo.sli, s.slo.window))
  const plans = [...costPlans.filter((p): p is WindowPlan => p !== undefined), ...budgetPlans]
  const outcomes = await evaluate(client, plans, lastPoll, options)
  states.forEach((state, i) => {
    const { slo } = state
    const budget = readWindow(slo.sli, budgetPlans[i], outcomes)
    const sloRatio = budget.status === 'no-traffic' ? 0 : budget.status === 'ok' ? budget.errorRatio : null
    state.budgetRemaining = sloRatio === null ? null : budgetOver(sloRatio, slo.objective, slo.windowSeconds).remaining
    const plan = costPlans[i]
    if (!plan) {
      state.costProblem = 'the watch ended at the deploy start: nothing to count'
      return
    }
    const reading = readWindow(slo.sli, plan, outcomes)
    const burn = burnOf(reading, slo.objective)
    if (burn === null) {
      state.costProblem = `cannot read the error ratio over the watch (${plan.window}): ${reading.problem ?? reading.status}`
      return
    }
    const budgetShare = (burn * elapsed) / slo.windowSeconds
    const budgetMinutes = budgetOver(0, slo.objective, slo.windowSeconds).totalMinutes
    state.cost = {
      window: plan.window,
      seconds: elapsed,
      errorRatio: reading.status === 'ok' ? reading.errorRatio : null,
      burn,
      budgetShare,
      minutes: budgetShare * budgetMinutes,
      budgetMinutes
    }
  })
}

/** "service/name" of each watched SLO. */
export function watchedIds(result: WatchResult): string[] {
  return result.slos.map((s) => sloId(s.slo))
}
