// The GitHub REST calls the reporting features make, as one small interface. The implementation
// (src/github/octokit.ts) is the only module that loads @actions/github, and it is loaded lazily:
// a run with every GitHub feature off never loads the Octokit client at all.
import type { Redactor } from '../redact.js'

export interface IssueComment {
  id: number
  body: string
  login: string
}

export interface TreeEntry {
  path: string
  type: string
  sha: string
}

export interface PullFile {
  filename: string
  status: string
  previousFilename?: string
}

export interface OpenPull {
  number: number
  headSha: string
  baseRef: string
  /** owner/name of the head repository (null when the fork was deleted). */
  headRepo: string | null
}

export type CommitState = 'success' | 'failure' | 'error' | 'pending'
export type CheckConclusion = 'success' | 'failure' | 'neutral'

export interface CheckAnnotation {
  path: string
  start_line: number
  end_line: number
  annotation_level: 'notice' | 'warning' | 'failure'
  title: string
  message: string
}

export interface CheckOutput {
  title: string
  summary: string
  annotations: CheckAnnotation[]
}

export interface Repo {
  owner: string
  repo: string
}

export interface GithubApi {
  /** The token's own login; `github-actions[bot]` when GET /user is refused (installation tokens). */
  login(): Promise<string>
  listIssueComments(repo: Repo, issue: number): Promise<IssueComment[]>
  createIssueComment(repo: Repo, issue: number, body: string): Promise<number>
  updateIssueComment(repo: Repo, commentId: number, body: string): Promise<void>
  createCommitStatus(repo: Repo, sha: string, status: { state: CommitState; context: string; description: string; targetUrl?: string }): Promise<void>
  createCheckRun(repo: Repo, check: { name: string; headSha: string; conclusion: CheckConclusion; output: CheckOutput; detailsUrl?: string }): Promise<number>
  /** Adds annotations to a check run (GitHub appends them; at most 50 per call). */
  annotateCheckRun(repo: Repo, checkRunId: number, output: CheckOutput): Promise<void>
  getTree(repo: Repo, treeSha: string): Promise<{ entries: TreeEntry[]; truncated: boolean }>
  /** A file's text at a commit; null when there is no such file there. */
  getFileText(repo: Repo, path: string, ref: string): Promise<string | null>
  listPullFiles(repo: Repo, pull: number): Promise<PullFile[]>
  listOpenPulls(repo: Repo, base?: string): Promise<OpenPull[]>
}

/** A failed GitHub API call, described from safe parts only (status and GitHub's message). */
export class GithubApiError extends Error {
  constructor(
    message: string,
    readonly status?: number
  ) {
    super(message)
    this.name = 'GithubApiError'
  }

  /** The token may not do this: read-only (fork pull requests) or missing a permission. */
  get forbidden(): boolean {
    return this.status === 403 || this.status === 401 || this.status === 404
  }
}

export interface ConnectOptions {
  token: string
  apiUrl: string
  /** Masks secrets in every message the client throws. */
  redactor: Redactor
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number
}

/** Loads the Octokit-based client (only now) and connects it. */
export async function connectGithub(options: ConnectOptions): Promise<GithubApi> {
  const { OctokitGithubApi } = await import('./octokit.js')
  return new OctokitGithubApi(options)
}
