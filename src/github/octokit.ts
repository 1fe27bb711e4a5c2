// The GitHub REST client: @actions/github's getOctokit (Octokit with the REST methods, pagination,
// GitHub Enterprise URLs and proxies handled), behind the small GithubApi interface. Loaded only
// through connectGithub's dynamic import. Errors are rebuilt from the status and GitHub's message:
// an Octokit error object carries the request, and is never logged or rethrown as it is.
import { getOctokit } from '@actions/github'
import { oneLine } from '../report/format.js'
import type { Redactor } from '../redact.js'
import {
  GithubApiError,
  type CheckConclusion,
  type CheckOutput,
  type CommitState,
  type ConnectOptions,
  type GithubApi,
  type IssueComment,
  type OpenPull,
  type PullFile,
  type Repo,
  type TreeEntry
} from './client.js'

type Octokit = ReturnType<typeof getOctokit>

const DEFAULT_TIMEOUT_MS = 30_000
/** The login of the GITHUB_TOKEN's app (the token's own user, for finding its comments). */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]'
const MAX_MESSAGE = 300

export class OctokitGithubApi implements GithubApi {
  private readonly octokit: Octokit
  private readonly redactor: Redactor
  private readonly apiUrl: string
  private cachedLogin: Promise<string> | undefined

  constructor(options: ConnectOptions) {
    this.redactor = options.redactor
    this.apiUrl = options.apiUrl
    this.octokit = getOctokit(options.token, { baseUrl: options.apiUrl, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } })
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    // A per-request timeout: without one, a GitHub API that never answers would hang the step.
    this.octokit.hook.wrap('request', (request, requestOptions) =>
      request({ ...requestOptions, request: { ...requestOptions.request, signal: AbortSignal.timeout(timeoutMs) } })
    )
  }

  /** Runs one call; any failure becomes a GithubApiError with a safe, redacted message. */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      throw this.describe(what, error)
    }
  }

  private describe(what: string, error: unknown): GithubApiError {
    const { status, response, message, name } = (error ?? {}) as {
      status?: number
      response?: { data?: unknown }
      message?: string
      name?: string
    }
    const data = response?.data as { message?: unknown } | undefined
    let detail: string
    if (response && typeof status === 'number') {
      const said = typeof data?.message === 'string' ? `: ${data.message}` : ''
      detail = `HTTP ${status}${said}`
    } else if (name === 'AbortError' || name === 'TimeoutError' || /aborted|timeout/i.test(String(message))) {
      detail = `no answer from ${this.apiUrl} in time`
    } else {
      detail = `could not reach ${this.apiUrl}${message ? ` (${String(message).split('\n')[0]})` : ''}`
    }
    const text = oneLine(this.redactor.redact(`${what}: ${detail}`))
    return new GithubApiError(text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text, response ? status : undefined)
  }

  login(): Promise<string> {
    this.cachedLogin ??= (async () => {
      try {
        const { data } = await this.octokit.rest.users.getAuthenticated()
        return data.login
      } catch (error) {
        const failure = this.describe('GET /user', error)
        // An installation token (GITHUB_TOKEN, a GitHub App's) may not read /user: 403
        // "Resource not accessible by integration". Its comments are the Actions bot's.
        if (failure.forbidden) return ACTIONS_BOT_LOGIN
        throw failure
      }
    })()
    return this.cachedLogin
  }

  listIssueComments({ owner, repo }: Repo, issue: number): Promise<IssueComment[]> {
    return this.call(`list the comments of #${issue}`, async () => {
      const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, { owner, repo, issue_number: issue, per_page: 100 })
      return comments.map((comment) => ({ id: comment.id, body: comment.body ?? '', login: comment.user?.login ?? '' }))
    })
  }

  createIssueComment({ owner, repo }: Repo, issue: number, body: string): Promise<number> {
    return this.call(`comment on #${issue}`, async () => {
      const { data } = await this.octokit.rest.issues.createComment({ owner, repo, issue_number: issue, body })
      return data.id
    })
  }

  updateIssueComment({ owner, repo }: Repo, commentId: number, body: string): Promise<void> {
    return this.call(`update comment ${commentId}`, async () => {
      await this.octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body })
    })
  }

  createCommitStatus(
    { owner, repo }: Repo,
    sha: string,
    status: { state: CommitState; context: string; description: string; targetUrl?: string }
  ): Promise<void> {
    return this.call(`set the commit status on ${sha.slice(0, 12)}`, async () => {
      await this.octokit.rest.repos.createCommitStatus({
        owner,
        repo,
        sha,
        state: status.state,
        context: status.context,
        description: status.description,
        ...(status.targetUrl ? { target_url: status.targetUrl } : {})
      })
    })
  }

  createCheckRun(
    { owner, repo }: Repo,
    check: { name: string; headSha: string; conclusion: CheckConclusion; output: CheckOutput; detailsUrl?: string }
  ): Promise<number> {
    return this.call(`create the check run on ${check.headSha.slice(0, 12)}`, async () => {
      const { data } = await this.octokit.rest.checks.create({
        owner,
        repo,
        name: check.name,
        head_sha: check.headSha,
        status: 'completed',
        conclusion: check.conclusion,
        completed_at: new Date().toISOString(),
        ...(check.detailsUrl ? { details_url: check.detailsUrl } : {}),
        output: check.output
      })
      return data.id
    })
  }

  annotateCheckRun({ owner, repo }: Repo, checkRunId: number, output: CheckOutput): Promise<void> {
    return this.call(`annotate check run ${checkRunId}`, async () => {
      await this.octokit.rest.checks.update({ owner, repo, check_run_id: checkRunId, output })
    })
  }

  getTree({ owner, repo }: Repo, treeSha: string): Promise<{ entries: TreeEntry[]; truncated: boolean }> {
    return this.call(`list the files at ${treeSha.slice(0, 12)}`, async () => {
      const { data } = await this.octokit.rest.git.getTree({ owner, repo, tree_sha: treeSha, recursive: 'true' })
      return {
        entries: data.tree.filter((entry) => entry.path && entry.type && entry.sha).map((entry) => ({ path: entry.path!, type: entry.type!, sha: entry.sha! })),
        truncated: data.truncated
      }
    })
  }

  getFileText({ owner, repo }: Repo, path: string, ref: string): Promise<string | null> {
    return this.call(`read ${path} at ${ref.slice(0, 12)}`, async () => {
      let data
      try {
        ;({ data } = await this.octokit.rest.repos.getContent({ owner, repo, path, ref }))
      } catch (error) {
        if ((error as { status?: number }).status === 404) return null
        throw error
      }
      if (Array.isArray(data) || data.type !== 'file') throw new Error(`${path} is not a file at ${ref.slice(0, 12)}`)
      // Files over 1 MB come without content: read them as a blob.
      if (data.encoding === 'base64' && (data.content !== '' || data.size === 0)) return Buffer.from(data.content, 'base64').toString('utf8')
      const blob = await this.octokit.rest.git.getBlob({ owner, repo, file_sha: data.sha })
      return Buffer.from(blob.data.content, blob.data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8')
    })
  }

  listPullFiles({ owner, repo }: Repo, pull: number): Promise<PullFile[]> {
    return this.call(`list the files of #${pull}`, async () => {
      const files = await this.octokit.paginate(this.octokit.rest.pulls.listFiles, { owner, repo, pull_number: pull, per_page: 100 })
      return files.map((file) => ({ filename: file.filename, status: file.status, ...(file.previous_filename ? { previousFilename: file.previous_filename } : {}) }))
    })
  }

  listOpenPulls({ owner, repo }: Repo, base?: string): Promise<OpenPull[]> {
    return this.call(`list the open pull requests${base ? ` into ${base}` : ''}`, async () => {
      const pulls = await this.octokit.paginate(this.octokit.rest.pulls.list, { owner, repo, state: 'open', per_page: 100, ...(base ? { base } : {}) })
      return pulls.map((pull) => ({ number: pull.number, headSha: pull.head.sha, baseRef: pull.base.ref, headRepo: pull.head.repo?.full_name ?? null }))
    })
  }
}
