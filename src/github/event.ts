// Facts about the workflow run the action is in, read from the runner's environment and the event
// payload at GITHUB_EVENT_PATH: the repository, the pull request or merge group, and the commit
// the gate's status belongs on. Pure apart from reading the payload file; no @actions imports.
import { readFileSync } from 'node:fs'

export interface PullRequestFacts {
  number: number
  /** The pull request's own head commit: where its checks and statuses show. */
  headSha: string
  baseSha: string
  baseRef: string
  /** owner/name of the head repository; null when the fork was deleted. */
  headRepo: string | null
  /** Pull requests from forks get a read-only GITHUB_TOKEN on `pull_request`. */
  fromFork: boolean
}

export interface MergeGroupFacts {
  headSha: string
  baseSha: string
  baseRef: string
}

export interface EventFacts {
  eventName: string
  owner: string
  repo: string
  /** The commit the gate's status or check run goes on (see statusSha). */
  sha: string
  pullRequest?: PullRequestFacts
  mergeGroup?: MergeGroupFacts
  /** The repository's default branch, when the payload says. */
  defaultBranch?: string
  apiUrl: string
  /** The web address of this workflow run, for links. */
  runUrl?: string
}

const SHA = /^[0-9a-f]{40}$/i

type Json = Record<string, unknown>

function object(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** refs/heads/main → main */
function branchName(ref: string | undefined): string | undefined {
  return ref?.replace(/^refs\/heads\//, '')
}

/** The event payload; {} when there is none or it cannot be read (the facts then come from the environment). */
export function readEventPayload(env: NodeJS.ProcessEnv, read: (path: string) => string = (path) => readFileSync(path, 'utf8')): Json {
  const path = env.GITHUB_EVENT_PATH
  if (!path) return {}
  try {
    return object(JSON.parse(read(path))) ?? {}
  } catch {
    return {}
  }
}

export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target']

/** Facts from the runner's environment and the event payload. */
export function eventFacts(env: NodeJS.ProcessEnv, payload: Json): EventFacts {
  const eventName = env.GITHUB_EVENT_NAME ?? ''
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/')
  const repository = object(payload.repository)
  const facts: EventFacts = {
    eventName,
    owner,
    repo,
    sha: env.GITHUB_SHA ?? '',
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    ...(text(repository?.default_branch) ? { defaultBranch: text(repository?.default_branch) } : {})
  }
  const server = env.GITHUB_SERVER_URL || 'https://github.com'
  if (env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    facts.runUrl = `${server.replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
  }

  const pr = object(payload.pull_request)
  if (PULL_REQUEST_EVENTS.includes(eventName) && pr) {
    const head = object(pr.head)
    const base = object(pr.base)
    const headRepo = text(object(head?.repo)?.full_name) ?? null
    const baseRepo = text(object(base?.repo)?.full_name) ?? env.GITHUB_REPOSITORY ?? ''
    const number = Number(pr.number ?? payload.number)
    const headSha = text(head?.sha)
    const baseSha = text(base?.sha)
    if (Number.isInteger(number) && number > 0 && headSha && SHA.test(headSha) && baseSha && SHA.test(baseSha)) {
      facts.pullRequest = {
        number,
        headSha,
        baseSha,
        baseRef: text(base?.ref) ?? '',
        headRepo,
        fromFork: headRepo === null || headRepo.toLowerCase() !== baseRepo.toLowerCase()
      }
      facts.sha = headSha
    }
  }

  const group = object(payload.merge_group)
  if (eventName === 'merge_group' && group) {
    const headSha = text(group.head_sha)
    const baseSha = text(group.base_sha)
    if (headSha && SHA.test(headSha) && baseSha && SHA.test(baseSha)) {
      facts.mergeGroup = { headSha, baseSha, baseRef: branchName(text(group.base_ref)) ?? '' }
      facts.sha = headSha
    }
  }
  return facts
}

/** Where a policy read "from the base branch" comes from for this event, if it has one. */
export function baseCommit(facts: EventFacts): { sha: string; ref: string } | undefined {
  if (facts.pullRequest) return { sha: facts.pullRequest.baseSha, ref: facts.pullRequest.baseRef }
  if (facts.mergeGroup) return { sha: facts.mergeGroup.baseSha, ref: facts.mergeGroup.baseRef }
  return undefined
}
