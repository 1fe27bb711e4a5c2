// A local stand-in for the GitHub REST API on 127.0.0.1, implementing only the endpoints the
// gate's GitHub features call, with real-shaped answers (pagination by Link headers included), and
// recording every request so tests can check what was sent — and its shape against GitHub's
// OpenAPI description (harness/github-openapi.ts). Point the action at it with GITHUB_API_URL.
import http from 'node:http'
import net from 'node:net'

export interface RecordedRequest {
  method: string
  /** Path without the query string, e.g. /repos/acme/shop/statuses/1111… */
  path: string
  query: Record<string, string>
  headers: http.IncomingHttpHeaders
  body: unknown
}

export interface FakeComment {
  id: number
  body: string
  login: string
  type: 'User' | 'Bot'
}

export interface FakeStatus {
  sha: string
  state: string
  context: string
  description?: string | null
  target_url?: string | null
}

export interface FakeCheckRun {
  id: number
  head_sha: string
  name: string
  status?: string
  conclusion?: string
  output: { title?: string; summary?: string; annotations: unknown[] }
}

export interface FakePull {
  number: number
  headSha: string
  base: string
  headRepo?: string
}

export interface FakeGithubOptions {
  owner?: string
  repo?: string
  /** The token requests must carry (`Authorization: token …`); others get 401. */
  token: string
  /** The token's login for GET /user; undefined: 403 as for an installation token (GITHUB_TOKEN). */
  login?: string
  /** The login comments created with the token get (default: login, else github-actions[bot]). */
  commentLogin?: string
  /** Writes (POST/PATCH) answer 403 "Resource not accessible by integration", as with a fork's read-only token. */
  readOnly?: boolean
  /** Items per page at most, whatever per_page asks (small values force pagination). */
  maxPerPage?: number
  /** Files of commits: sha → { path: content }. */
  commits?: Record<string, Record<string, string>>
  /** Files changed by pull requests: number → files. */
  pullFiles?: Record<number, Array<{ filename: string; status: string; previous_filename?: string }>>
  pulls?: FakePull[]
  comments?: Record<number, FakeComment[]>
  /** Answer every request with this status (e.g. 500), after recording it. */
  failWith?: number
}

export interface FakeGithub {
  url: string
  requests: RecordedRequest[]
  comments: Record<number, FakeComment[]>
  statuses: FakeStatus[]
  checkRuns: FakeCheckRun[]
  options: FakeGithubOptions
  close(): Promise<void>
}

const ACTIONS_BOT = 'github-actions[bot]'

function sha1ish(text: string): string {
  let hash = 0n
  for (const char of text) hash = (hash * 131n + BigInt(char.codePointAt(0)!)) % (1n << 160n)
  return hash.toString(16).padStart(40, '0')
}

export async function fakeGithub(options: FakeGithubOptions): Promise<FakeGithub> {
  const owner = options.owner ?? 'acme'
  const repo = options.repo ?? 'shop'
  const requests: RecordedRequest[] = []
  const comments: Record<number, FakeComment[]> = structuredClone(options.comments ?? {})
  const statuses: FakeStatus[] = []
  const checkRuns: FakeCheckRun[] = []
  let nextId = 1000
  for (const list of Object.values(comments)) for (const c of list) nextId = Math.max(nextId, c.id + 1)
  const blobs = new Map<string, string>()

  const server = http.createServer((req, res) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (raw += chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake')
      let body: unknown
      try {
        body = raw === '' ? undefined : JSON.parse(raw)
      } catch {
        body = raw
      }
      const record: RecordedRequest = { method: req.method ?? 'GET', path: decodeURIComponent(url.pathname), query: Object.fromEntries(url.searchParams), headers: req.headers, body }
      requests.push(record)
      const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
        res.end(JSON.stringify(data))
      }
      if (options.failWith) return send(options.failWith, { message: 'Server Error' })
      if (req.headers.authorization !== `token ${options.token}`) return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' })
      const base = `http://${req.headers.host}`
      /** Pagination the way GitHub does it: page/per_page, and a Link header to the next page. */
      const page = <T>(items: T[]) => {
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), options.maxPerPage ?? 100)
        const number = Number(url.searchParams.get('page') ?? 1)
        const slice = items.slice((number - 1) * perPage, number * perPage)
        const headers: Record<string, string> = {}
        if (number * perPage < items.length) {
          const next = new URL(url.toString().replace('http://fake', base))
          next.searchParams.set('page', String(number + 1))
          headers.link = `<${next.toString()}>; rel="next"`
        }
        send(200, slice, headers)
      }
      const write = req.method === 'POST' || req.method === 'PATCH'
      if (write && options.readOnly) {
        return send(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' })
      }
      const prefix = `/repos/${owner}/${repo}`
      const path = record.path
      const m = (pattern: RegExp) => pattern.exec(path)
      let match: RegExpExecArray | null

      if (req.method === 'GET' && path === '/user') {
        if (options.login === undefined) return send(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user' })
        return send(200, { login: options.login, id: 1, type: 'User' })
      }
      if (!path.startsWith(`${prefix}/`)) return send(404, { message: 'Not Found' })
      const rest = path.slice(prefix.length)
      const commentLogin = options.commentLogin ?? options.login ?? ACTIONS_BOT
      const toJson = (c: FakeComment) => ({ id: c.id, body: c.body, user: { login: c.login, type: c.type }, html_url: `https://github.com/${owner}/${repo}/issues#issuecomment-${c.id}` })

      if ((match = m(/\/issues\/(\d+)\/comments$/)) && req.method === 'GET') return page((comments[Number(match[1])] ?? []).map(toJson))
      if ((match = m(/\/issues\/(\d+)\/comments$/)) && req.method === 'POST') {
        const comment: FakeComment = { id: nextId++, body: String((body as { body?: unknown }).body), login: commentLogin, type: commentLogin.endsWith('[bot]') ? 'Bot' : 'User' }
        ;(comments[Number(match[1])] ??= []).push(comment)
        return send(201, toJson(comment))
      }
      if ((match = m(/\/issues\/comments\/(\d+)$/)) && req.method === 'PATCH') {
        const comment = Object.values(comments)
          .flat()
          .find((c) => c.id === Number(match![1]))
        if (!comment) return send(404, { message: 'Not Found' })
        comment.body = String((body as { body?: unknown }).body)
        return send(200, toJson(comment))
      }
      if ((match = m(/\/statuses\/([0-9a-f]{40})$/)) && req.method === 'POST') {
        const status = { sha: match[1]!, ...(body as Omit<FakeStatus, 'sha'>) }
        statuses.push(status)
        return send(201, { id: nextId++, state: status.state, context: status.context ?? 'default', description: status.description ?? null, target_url: status.target_url ?? null })
      }
      if (rest === '/check-runs' && req.method === 'POST') {
        const input = body as Omit<FakeCheckRun, 'id'> & { output?: FakeCheckRun['output'] }
        const run: FakeCheckRun = { ...input, id: nextId++, output: { ...input.output, annotations: [...(input.output?.annotations ?? [])] } }
        checkRuns.push(run)
        return send(201, { id: run.id, head_sha: run.head_sha, name: run.name, status: 'completed', conclusion: run.conclusion })
      }
      if ((match = m(/\/check-runs\/(\d+)$/)) && req.method === 'PATCH') {
        const run = checkRuns.find((r) => r.id === Number(match![1]))
        if (!run) return send(404, { message: 'Not Found' })
        const output = (body as { output?: FakeCheckRun['output'] }).output
        // Annotations of an update are appended to the run's, as GitHub does.
        if (output) run.output = { ...run.output, ...output, annotations: [...run.output.annotations, ...(output.annotations ?? [])] }
        return send(200, { id: run.id, head_sha: run.head_sha, name: run.name })
      }
      if ((match = m(/\/git\/trees\/([^/]+)$/)) && req.method === 'GET') {
        const files = options.commits?.[match[1]!]
        if (!files) return send(404, { message: 'Not Found' })
        const entries = new Map<string, { path: string; mode: string; type: string; sha: string }>()
        for (const [file, content] of Object.entries(files)) {
          const parts = file.split('/')
          for (let i = 1; i < parts.length; i++) {
            const dir = parts.slice(0, i).join('/')
            entries.set(dir, { path: dir, mode: '040000', type: 'tree', sha: sha1ish(`tree:${dir}`) })
          }
          const sha = sha1ish(content)
          blobs.set(sha, content)
          entries.set(file, { path: file, mode: '100644', type: 'blob', sha })
        }
        return send(200, { sha: match[1], url: `${base}${path}`, tree: [...entries.values()].sort((a, b) => a.path.localeCompare(b.path)), truncated: false })
      }
      if ((match = m(/\/contents\/(.+)$/)) && req.method === 'GET') {
        const ref = url.searchParams.get('ref') ?? ''
        const content = options.commits?.[ref]?.[match[1]!]
        if (content === undefined) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content' })
        const name = match[1]!.split('/').at(-1)
        const encoded = Buffer.from(content).toString('base64').replace(/(.{60})/g, '$1\n')
        return send(200, { type: 'file', encoding: 'base64', size: Buffer.byteLength(content), name, path: match[1], content: encoded, sha: sha1ish(content) })
      }
      if ((match = m(/\/pulls\/(\d+)\/files$/)) && req.method === 'GET') {
        return page((options.pullFiles?.[Number(match[1])] ?? []).map((file) => ({ sha: sha1ish(file.filename), additions: 1, deletions: 1, changes: 2, ...file })))
      }
      if (rest === '/pulls' && req.method === 'GET') {
        const baseRef = url.searchParams.get('base')
        const open = (options.pulls ?? []).filter((pull) => baseRef === null || pull.base === baseRef)
        return page(
          open.map((pull) => ({
            number: pull.number,
            state: 'open',
            head: { sha: pull.headSha, ref: `feature-${pull.number}`, repo: { full_name: pull.headRepo ?? `${owner}/${repo}` } },
            base: { ref: pull.base, sha: sha1ish(`base:${pull.base}`), repo: { full_name: `${owner}/${repo}` } }
          }))
        )
      }
      return send(404, { message: `Not Found (the fake GitHub API does not implement ${req.method} ${path})` })
    })
  })
  const sockets = new Set<net.Socket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    comments,
    statuses,
    checkRuns,
    options,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => done())
      })
  }
}
