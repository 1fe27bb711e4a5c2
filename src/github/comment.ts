// The sticky pull request comment: one per pull request and gate configuration, found by a
// hidden marker (holding a configuration id) and the token's own login, and updated in place.
// Quiet modes comment only when the decision is not `allow` (not-allow) or when it changes
// (on-change). The body is the markdown report without the workings, everything escaped.
import { createHash } from 'node:crypto'
import type { Decision } from '../policy/settings.js'
import { markdownReport } from '../report/markdown.js'
import type { GateReport } from '../report/model.js'
import type { GithubApi, IssueComment, Repo } from './client.js'
import type { CommentMode } from './options.js'

/** GitHub refuses comment bodies over 65,536 characters; a character is at least one byte. */
export const COMMENT_LIMIT_BYTES = 60_000

const DECISIONS: Decision[] = ['allow', 'warn', 'freeze', 'error']

/**
 * A stable id for one gate configuration (its `config` patterns, in order-independent form), so
 * two gates on one pull request (say, two services) keep one comment each.
 */
export function configId(patterns: string[]): string {
  const normalized = [...new Set(patterns.map((p) => p.trim().replace(/^\.\//, '')).filter((p) => p !== ''))].sort()
  return createHash('sha256').update(normalized.join('\n')).digest('hex').slice(0, 12)
}

export function commentMarker(id: string): string {
  return `<!-- error-budget-gate:sticky-comment config=${id} -->`
}

function decisionMarker(decision: Decision): string {
  return `<!-- error-budget-gate:decision=${decision} -->`
}

/** The comment's text: the marker lines first (so only a comment that starts with them is ours). */
export function commentBody(report: GateReport, id: string, runUrl?: string): string {
  const head = `${commentMarker(id)}\n${decisionMarker(report.decision)}\n`
  const foot = `\n_This comment is updated in place on each run of the gate. The job summary of the [run](${runUrl ?? ''}) has the queries and raw numbers._\n`
  const footer = runUrl && /^https?:\/\/[^\s()<>]+$/.test(runUrl) ? foot : '\n_This comment is updated in place on each run of the gate. The job summary has the queries and raw numbers._\n'
  const room = COMMENT_LIMIT_BYTES - Buffer.byteLength(head) - Buffer.byteLength(footer)
  return `${head}${markdownReport(report, room, { workings: false, ...(runUrl ? { runUrl } : {}) })}${footer}`
}

/** This gate's comment among a pull request's comments: ours by author and by its first line. */
export function findComment(comments: IssueComment[], id: string, login: string): IssueComment | undefined {
  const marker = commentMarker(id)
  const own = (author: string) => author.toLowerCase() === login.toLowerCase()
  return comments.find((comment) => own(comment.login) && comment.body.startsWith(`${marker}\n`))
}

/** The decision a comment of ours last showed. */
export function commentDecision(body: string): Decision | undefined {
  const match = /^<!-- error-budget-gate:decision=([a-z]+) -->$/m.exec(body)
  const decision = match?.[1] as Decision | undefined
  return decision && DECISIONS.includes(decision) ? decision : undefined
}

export type CommentAction = { action: 'create' | 'update' | 'skip'; why: string }

/** What to do with the comment, given the mode, the comment already there, and the decision. */
export function planComment(mode: CommentMode, existing: { body: string } | undefined, decision: Decision, body: string): CommentAction {
  if (mode === 'off') return { action: 'skip', why: 'comment is off' }
  const previous = existing ? commentDecision(existing.body) : undefined
  if (existing && existing.body === body) return { action: 'skip', why: 'the comment already says this' }
  const write: CommentAction = existing ? { action: 'update', why: 'updated in place' } : { action: 'create', why: 'first comment on this pull request' }
  switch (mode) {
    case 'always':
      return write
    case 'not-allow':
      // Keep a non-allow comment current; once allowed, say so once (so no stale freeze stays up).
      if (decision !== 'allow') return write
      if (existing && previous !== 'allow') return { action: 'update', why: 'the decision is back to allow' }
      return { action: 'skip', why: 'the decision is allow (comment: not-allow)' }
    case 'on-change':
      if (!existing) return decision === 'allow' ? { action: 'skip', why: 'the decision is allow and there is no earlier comment (comment: on-change)' } : write
      if (previous !== decision) return { action: 'update', why: `the decision changed from ${previous ?? 'unknown'} to ${decision}` }
      return { action: 'skip', why: `the decision is still ${decision} (comment: on-change)` }
  }
}

export interface CommentResult {
  action: 'create' | 'update' | 'skip'
  why: string
  commentId?: number
}

/** Creates, updates or leaves this gate's comment on the pull request. Throws GithubApiError. */
export async function publishComment(
  api: GithubApi,
  repo: Repo,
  pull: number,
  report: GateReport,
  options: { mode: CommentMode; configId: string; runUrl?: string }
): Promise<CommentResult> {
  const body = commentBody(report, options.configId, options.runUrl)
  const [login, comments] = await Promise.all([api.login(), api.listIssueComments(repo, pull)])
  const existing = findComment(comments, options.configId, login)
  const plan = planComment(options.mode, existing, report.decision, body)
  if (plan.action === 'create') return { ...plan, commentId: await api.createIssueComment(repo, pull, body) }
  if (plan.action === 'update') await api.updateIssueComment(repo, existing!.id, body)
  return { ...plan, ...(existing ? { commentId: existing.id } : {}) }
}
