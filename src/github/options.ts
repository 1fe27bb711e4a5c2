// The action inputs of the GitHub reporting features (sticky comment, status or check run, policy
// from the base branch, refresh of open pull requests), validated into typed options. Pure: read
// by src/settings.ts, the one place inputs are read. Messages name the input.
import { UsageError } from '../errors.js'

export const COMMENT_MODES = ['off', 'always', 'on-change', 'not-allow'] as const
export type CommentMode = (typeof COMMENT_MODES)[number]

export const STATUS_KINDS = ['off', 'commit-status', 'check-run'] as const
export type StatusKind = (typeof STATUS_KINDS)[number]

export const POLICY_SOURCES = ['base', 'workspace'] as const
export type PolicySource = (typeof POLICY_SOURCES)[number]

export const DEFAULT_STATUS_NAME = 'error-budget-gate'

export interface RawGithubInputs {
  token?: string
  comment?: string
  status?: string
  statusName?: string
  policySource?: string
  branches?: string
}

export interface GithubOptions {
  token: string
  comment: CommentMode
  status: StatusKind
  /** The commit status context or check run name: what a branch protection rule requires. */
  statusName: string
  /** On pull_request and merge_group events: where the SLO files are read from. */
  policySource: PolicySource
  /** Protected branches whose open pull requests a refresh updates; empty: the default branch. */
  branches: string[]
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T, name: string): T {
  const text = (value ?? '').trim().toLowerCase()
  if (text === '') return fallback
  if ((allowed as readonly string[]).includes(text)) return text as T
  throw new UsageError(`${name}: expected ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}, got ${JSON.stringify(value)}`)
}

/** Longest status name accepted: GitHub shows it in one line of the checks list. */
const MAX_STATUS_NAME = 100

export function toGithubOptions(raw: RawGithubInputs): GithubOptions {
  const statusName = (raw.statusName ?? '').trim() || DEFAULT_STATUS_NAME
  // eslint-disable-next-line no-control-regex
  if (statusName.length > MAX_STATUS_NAME || /[\u0000-\u001f\u007f]/.test(statusName)) {
    throw new UsageError(`status-name: expected one line of at most ${MAX_STATUS_NAME} characters, e.g. ${DEFAULT_STATUS_NAME}`)
  }
  const branches = (raw.branches ?? '')
    .split(/[\n,]/)
    .map((branch) => branch.trim().replace(/^refs\/heads\//, ''))
    .filter((branch) => branch !== '')
  for (const branch of branches) {
    if (/\s/.test(branch)) throw new UsageError(`branches: ${JSON.stringify(branch)} is not a branch name (one per line or comma-separated, e.g. main)`)
  }
  return {
    token: raw.token ?? '',
    comment: oneOf(raw.comment, COMMENT_MODES, 'off', 'comment'),
    status: oneOf(raw.status, STATUS_KINDS, 'off', 'status'),
    statusName,
    policySource: oneOf(raw.policySource, POLICY_SOURCES, 'base', 'policy-source'),
    branches
  }
}

/** Whether a branch name matches one of the patterns (`*` within a path segment, `**` across). */
export function branchMatches(branch: string, patterns: string[]): boolean {
  return patterns.some((pattern) => {
    const regex = pattern
      .split(/(\*\*|\*)/)
      .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('')
    return new RegExp(`^${regex}$`).test(branch)
  })
}
