// The GitHub side of an action run, around the gate: before it, the SLO files from the base
// branch on pull requests; after it, the sticky comment and the status or check run, or, in
// refresh mode, the status on every open pull request. Side channels that fail only warn: they
// never change the decision or the step's result.
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@actions/core'
import { ConfigError, describeError } from '../errors.js'
import type { GateSettings } from '../gate.js'
import { safeUrl, type Redactor } from '../redact.js'
import { buildErrorReport, type GateReport, type PolicySourceReport } from '../report/model.js'
import { evaluate } from '../run.js'
import { connectGithub, GithubApiError, type GithubApi, type OpenPull } from './client.js'
import { configId, publishComment } from './comment.js'
import { baseCommit, eventFacts, readEventPayload, type EventFacts } from './event.js'
import { branchMatches, type GithubOptions } from './options.js'
import { describePullRequestPolicy, fetchBasePolicy } from './policy-source.js'
import { fileReader, publishStatus } from './status.js'

/** Pull requests listed by number in the job summary of a refresh. */
const MAX_SUMMARY_PULLS = 200

export interface Log {
  info(message: string): void
  warning(message: string): void
}

export interface GithubContext {
  options: GithubOptions
  facts: EventFacts
  redactor: Redactor
  log: Log
  /** Where to write the base commit's files (RUNNER_TEMP). */
  tempDir: string
  /** refresh: set the status on every open pull request instead of this run's commit. */
  refresh?: boolean
  /** Connects the API client (tests may pass their own). */
  connect?: () => Promise<GithubApi>
}

/** Whether this run calls the GitHub API at all (if not, the client is never loaded). */
export function needsGithubApi(context: Pick<GithubContext, 'options' | 'facts' | 'refresh'>): boolean {
  const { options, facts } = context
  return (
    Boolean(context.refresh) ||
    options.status !== 'off' ||
    (options.comment !== 'off' && facts.pullRequest !== undefined) ||
    (options.policySource === 'base' && baseCommit(facts) !== undefined)
  )
}

export class GithubSession {
  private api: Promise<GithubApi> | undefined
  /** Markdown lines for the job summary about what was published (refresh: the pull requests). */
  readonly summaryNotes: string[] = []

  constructor(private readonly context: GithubContext) {}

  private client(): Promise<GithubApi> {
    const { options, facts, redactor } = this.context
    this.api ??= this.context.connect?.() ?? connectGithub({ token: options.token, apiUrl: facts.apiUrl, redactor })
    return this.api
  }

  private get repo() {
    return { owner: this.context.facts.owner, repo: this.context.facts.repo }
  }

  /**
   * On a pull request or merge group with policy-source base: the gate settings with the base
   * commit's SLO files, and what the report says about them. Throws when they cannot be read
   * (the gate must not fall back to the pull request's own files).
   */
  async prepare(settings: GateSettings): Promise<{ settings: GateSettings; policy?: PolicySourceReport }> {
    const { options, facts, log } = this.context
    const base = baseCommit(facts)
    if (options.policySource !== 'base' || !base || this.context.refresh) return { settings }
    if (!facts.owner || !facts.repo) throw new Error('policy-source base: GITHUB_REPOSITORY is not set, so the base branch cannot be read')
    const api = await this.client()
    const dir = join(this.context.tempDir, 'error-budget-gate', `base-${base.sha.slice(0, 12)}`)
    const fetched = await fetchBasePolicy(api, this.repo, base, settings.configPatterns, dir)
    log.info(`SLO files read from the base branch ${base.ref || '(unknown)'} at ${base.sha.slice(0, 12)}: ${fetched.files.join(', ') || 'none'}`)
    let policy: PolicySourceReport = { source: 'base', ref: base.ref, sha: base.sha }
    if (facts.pullRequest) {
      try {
        policy = await describePullRequestPolicy(api, this.repo, facts.pullRequest.number, settings.configPatterns, base)
      } catch (error) {
        // Not knowing what the pull request changes does not change which files apply.
        policy.changesNote = `Could not list the files this pull request changes: ${this.safe(error)}`
        log.warning(`error-budget-gate: ${policy.changesNote}`)
      }
      for (const change of policy.changedInPullRequest ?? []) {
        log.warning(`error-budget-gate: this pull request changes ${change.file} (${change.status}); the gate uses the base branch's version (policy changes in this PR are not applied)`)
      }
    }
    return { settings: { ...settings, cwd: fetched.dir }, policy }
  }

  /** The sticky comment and the status or check run for this run. Never throws. */
  async publish(report: GateReport, settings: GateSettings): Promise<void> {
    const { options, facts, log } = this.context
    if (this.context.refresh) {
      await this.refresh(report, settings)
      return
    }
    if (options.status !== 'off') {
      if (!facts.sha) log.warning('error-budget-gate: no commit to set the status on (GITHUB_SHA is not set)')
      else {
        await this.sideChannel(`${options.status} "${options.statusName}" on ${facts.sha.slice(0, 12)}`, async () => {
          await publishStatus(await this.client(), this.repo, facts.sha, report, {
            kind: options.status as 'commit-status' | 'check-run',
            name: options.statusName,
            ...(facts.runUrl ? { runUrl: facts.runUrl } : {}),
            readText: fileReader(settings.cwd)
          })
          log.info(`error-budget-gate: ${options.status} "${options.statusName}" set on ${facts.sha.slice(0, 12)}`)
        })
      }
    }
    if (options.comment !== 'off') {
      const pull = facts.pullRequest
      if (!pull) {
        log.info(`error-budget-gate: no pull request comment on a ${facts.eventName || 'non-pull-request'} event`)
        return
      }
      await this.sideChannel(`the comment on #${pull.number}`, async () => {
        const result = await publishComment(await this.client(), this.repo, pull.number, report, {
          mode: options.comment,
          configId: configId(settings.configPatterns),
          ...(facts.runUrl ? { runUrl: facts.runUrl } : {})
        })
        const what = result.action === 'skip' ? 'left as it is' : result.action === 'create' ? 'posted' : 'updated'
        log.info(`error-budget-gate: comment on #${pull.number} ${what} (${result.why})`)
      })
    }
  }

  /** refresh: the status on the head commit of every open pull request into the protected branches. */
  private async refresh(report: GateReport, settings: GateSettings): Promise<void> {
    const { options, facts, log } = this.context
    const branches = options.branches.length > 0 ? options.branches : facts.defaultBranch ? [facts.defaultBranch] : []
    if (branches.length === 0) {
      log.warning('error-budget-gate: mode refresh: no branches given and the event does not name the default branch: set the branches input')
      return
    }
    let pulls: OpenPull[] = []
    const listed = await this.sideChannel('listing the open pull requests', async () => {
      const api = await this.client()
      if (branches.some((branch) => branch.includes('*'))) {
        pulls = (await api.listOpenPulls(this.repo)).filter((pull) => branchMatches(pull.baseRef, branches))
      } else {
        for (const branch of branches) pulls.push(...(await api.listOpenPulls(this.repo, branch)))
      }
    })
    if (!listed) return
    const kind = options.status === 'off' ? 'commit-status' : options.status
    const seen = new Set<string>()
    let updated = 0
    let failed = 0
    const refreshed: Array<{ number: number; headSha: string; ok: boolean }> = []
    for (const pull of pulls) {
      if (seen.has(pull.headSha)) continue
      seen.add(pull.headSha)
      const ok = await this.sideChannel(`${kind} "${options.statusName}" on #${pull.number} (${pull.headSha.slice(0, 12)})`, async () =>
        publishStatus(await this.client(), this.repo, pull.headSha, report, {
          kind,
          name: options.statusName,
          ...(facts.runUrl ? { runUrl: facts.runUrl } : {}),
          readText: fileReader(settings.cwd)
        })
      )
      refreshed.push({ number: pull.number, headSha: pull.headSha, ok })
      if (ok) updated++
      else failed++
    }
    this.summaryNotes.push(
      `### Refresh: ${kind} \`${options.statusName.replace(/`/g, "'")}\` set on ${updated} open pull request${updated === 1 ? '' : 's'}`,
      '',
      `Into ${branches.map((branch) => `\`${branch.replace(/`/g, "'")}\``).join(', ')}: ${report.decision}${failed > 0 ? `; ${failed} failed (see the warnings)` : ''}.`,
      '',
      ...refreshed.slice(0, MAX_SUMMARY_PULLS).map((pull) => `- #${pull.number} at ${pull.headSha.slice(0, 12)}${pull.ok ? '' : ' (failed)'}`),
      ...(refreshed.length > MAX_SUMMARY_PULLS ? [`- … and ${refreshed.length - MAX_SUMMARY_PULLS} more`] : []),
      ''
    )
    log.info(
      `error-budget-gate: refresh: ${kind} "${options.statusName}" set to ${report.decision} on ${updated} open pull request${updated === 1 ? '' : 's'} into ${branches.join(', ')}${failed > 0 ? ` (${failed} failed)` : ''}`
    )
  }

  /** Runs one side channel; a failure becomes a warning. Returns whether it succeeded. */
  private async sideChannel(what: string, run: () => Promise<unknown>): Promise<boolean> {
    try {
      await run()
      return true
    } catch (error) {
      const fork = this.context.facts.pullRequest?.fromFork
      const forbidden = error instanceof GithubApiError && error.forbidden
      const hint = forbidden
        ? fork
          ? ' This pull request comes from a fork, whose GITHUB_TOKEN is read-only: the decision is in the job summary and the step result.'
          : ` Give the job the permission it needs (${this.permissionFor(what)}), see the README's permissions table.`
        : ''
      this.context.log.warning(`error-budget-gate: could not publish ${what}: ${this.safe(error)}.${hint} The decision is unchanged.`)
      return false
    }
  }

  private permissionFor(what: string): string {
    if (what.includes('comment')) return 'pull-requests: write'
    if (what.includes('check-run')) return 'checks: write'
    if (what.includes('commit-status')) return 'statuses: write'
    return 'pull-requests: read'
  }

  private safe(error: unknown): string {
    return this.context.redactor.redact(describeError(error))
  }

  /** An error's message, redacted, for reports and logs. */
  safeMessage(error: unknown): string {
    return this.safe(error)
  }
}

/**
 * Runs the gate, with the base branch's SLO files when the session reads them. When they cannot
 * be read, the decision is `error` (never the pull request's own files): invalid configuration
 * exits 2; an API failure follows on-error, like a failed query.
 */
export async function evaluateOnGithub(settings: GateSettings, session: GithubSession | undefined): Promise<{ report: GateReport; settings: GateSettings }> {
  if (!session) return { report: (await evaluate(settings)).report, settings }
  let prepared: Awaited<ReturnType<GithubSession['prepare']>>
  try {
    prepared = await session.prepare(settings)
  } catch (error) {
    const message = `could not read the SLO files from the base branch through the GitHub API: ${session.safeMessage(error)}. The gate does not fall back to the pull request's own files; to use the checked-out files instead, set policy-source: workspace (and check out the base commit)`
    const report = buildErrorReport(message, {
      evaluatedAt: settings.evaluationTime,
      onError: settings.onError,
      dryRun: settings.dryRun,
      prometheus: safeUrl(settings.prometheus.url),
      configFiles: []
    })
    if (!(error instanceof ConfigError)) report.exitCode = settings.dryRun || settings.onError !== 'fail' ? 0 : 2
    return { report, settings }
  }
  const { report } = await evaluate(prepared.settings)
  if (prepared.policy) {
    report.policy = prepared.policy
    // Messages name the directory the base files were written to: name the branch instead.
    const where = `the base branch ${prepared.policy.ref ?? ''} at ${prepared.policy.sha?.slice(0, 12) ?? ''}`.replace(/\s+/g, ' ')
    const name = (text: string) => text.split(prepared.settings.cwd).join(where)
    report.reasons = report.reasons.map(name)
  }
  return { report, settings: prepared.settings }
}

/** The session for this action run (from the runner's environment), or none when no GitHub feature needs the API. */
export function githubSession(options: GithubOptions, refresh: boolean, redactor: Redactor, env: NodeJS.ProcessEnv = process.env): GithubSession | undefined {
  const context: GithubContext = {
    options,
    facts: eventFacts(env, readEventPayload(env)),
    redactor,
    log: { info: (message) => core.info(redactor.redact(message)), warning: (message) => core.warning(redactor.redact(message)) },
    tempDir: env.RUNNER_TEMP || tmpdir(),
    refresh
  }
  return needsGithubApi(context) ? new GithubSession(context) : undefined
}
