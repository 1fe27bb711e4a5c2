// Runs the committed bundles the way their users do:
//  - runAction: dist/index.js under Node 24 (action.yml `runs.using: node24`), following the
//    GitHub runner contract: a copy of only action.yml + dist/ in a fresh temporary directory
//    (no node_modules anywhere up the tree: the bundle must be self-contained), INPUT_* variables
//    for every input (action.yml defaults filled in like the runner does), GITHUB_OUTPUT and
//    GITHUB_STEP_SUMMARY files, a pull_request event at GITHUB_EVENT_PATH, GITHUB_WORKSPACE as the
//    working directory, RUNNER_TEMP, and nothing else from the test process's environment.
//  - runCliBundle: dist/cli.js under Node 24 or Node 20 (process.execPath), same isolation.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'

import { ensureNode24 } from '../../scripts/ensure-node24.mjs'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const FIXTURES_DIR = path.join(REPO_ROOT, '__tests__', 'fixtures', 'slos')

/** The fake `${{ github.token }}` the runner would substitute for github-token's default. */
export const FAKE_GITHUB_TOKEN = 'ghs_e2eFakeGithubToken0123456789abcdef'

let node24Path: string | undefined
/** Path of the Node 24 binary (installed into .cache/node24 on first use). */
export function node24(): string {
  node24Path ??= ensureNode24({ log: () => undefined })
  return node24Path
}

export interface BundleResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Milliseconds the process ran. */
  ms: number
}

export interface ActionResult extends BundleResult {
  /** Parsed from the GITHUB_OUTPUT file. */
  outputs: Record<string, string>
  /** The raw GITHUB_OUTPUT file. */
  outputFile: string
  /** The GITHUB_STEP_SUMMARY file (markdown). */
  summary: string
  /** Workflow commands printed on stdout (`::error::msg` → { command: 'error', message: 'msg' }). */
  commands: Array<{ command: string; properties: string; message: string }>
}

/** Temporary directories live outside the repository, so no node_modules is up the tree. */
function makeTempRoot(prefix: string): string {
  const root = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), prefix))
  for (let dir = root; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'node_modules'))) {
      throw new Error(`run-bundle: ${dir}/node_modules exists above the temporary directory: the bundle would not be tested self-contained`)
    }
    if (path.dirname(dir) === dir) break
  }
  return root
}

/** A clean copy of only action.yml and dist/ (what a `uses:` checkout of the action needs). */
function copyAction(into: string): string {
  const actionDir = path.join(into, 'action')
  fs.mkdirSync(actionDir, { recursive: true })
  fs.copyFileSync(path.join(REPO_ROOT, 'action.yml'), path.join(actionDir, 'action.yml'))
  fs.cpSync(path.join(REPO_ROOT, 'dist'), path.join(actionDir, 'dist'), { recursive: true })
  return actionDir
}

/** Copies SLO files into a directory: names of fixtures, or { relativePath: content }. */
function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const target = path.join(dir, name)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.writeFileSync(target, content)
  }
}

/** { 'slos/healthy.yaml': <content of the fixture> } for fixture names. */
export function fixtureFiles(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [`slos/${name}`, fs.readFileSync(path.join(FIXTURES_DIR, name), 'utf8')]))
}

/** The runner's environment variable name for an input: INPUT_ + upper-cased name, spaces → _, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

export interface ActionYml {
  runs: { using: string; main: string }
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>
  outputs: Record<string, { description?: string }>
}

/** action.yml, parsed strictly: the runner refuses to load an action whose action.yml is not valid YAML. */
export function readActionYml(): ActionYml {
  const file = path.join(REPO_ROOT, 'action.yml')
  try {
    return parseYaml(fs.readFileSync(file, 'utf8'), { strict: true, uniqueKeys: true }) as ActionYml
  } catch (error) {
    throw new Error(`action.yml is not valid YAML, so the GitHub runner could not load the action: ${(error as Error).message.split('\n')[0]}`, {
      cause: error
    })
  }
}

/** Inputs with action.yml's defaults applied, as the runner does (`${{ github.token }}` substituted). */
export function actionInputsWithDefaults(inputs: Record<string, string>): Record<string, string> {
  const action = readActionYml()
  const unknown = Object.keys(inputs).filter((name) => !(name in action.inputs))
  if (unknown.length > 0) throw new Error(`run-bundle: ${unknown.join(', ')} not declared in action.yml inputs`)
  const values: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs)) {
    const fallback = String(spec.default ?? '').replace(/\$\{\{\s*github\.token\s*\}\}/g, FAKE_GITHUB_TOKEN)
    values[name] = inputs[name] ?? fallback
  }
  return values
}

/**
 * Parses a GITHUB_OUTPUT file: `name<<DELIMITER\nvalue\nDELIMITER` blocks (what @actions/core
 * writes) and plain `name=value` lines. Throws on a malformed file: the runner would reject it.
 */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const end = lines.indexOf(delimiter!, i + 1)
      if (end < 0) throw new Error(`GITHUB_OUTPUT: no closing delimiter ${delimiter} for ${name}`)
      outputs[name!] = lines.slice(i + 1, end).join('\n')
      i = end
      continue
    }
    const eq = line.indexOf('=')
    if (eq <= 0) throw new Error(`GITHUB_OUTPUT: malformed line ${JSON.stringify(line)}`)
    outputs[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return outputs
}

function unescapeCommandData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

/** `::command props::message` lines of stdout. */
export function parseCommands(stdout: string): ActionResult['commands'] {
  const commands: ActionResult['commands'] = []
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^::([a-z-]+)( [^:]*)?::(.*)$/.exec(line)
    if (match) commands.push({ command: match[1]!, properties: (match[2] ?? '').trim(), message: unescapeCommandData(match[3]!) })
  }
  return commands
}

function spawnCollect(command: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<BundleResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer)
      resolve({ exitCode, signal, stdout, stderr, ms: Date.now() - started })
    })
  })
}

/** The variables every process gets: enough for Node, nothing from the test process. */
function baseEnv(home: string): Record<string, string> {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', TZ: 'UTC' }
}

/** A minimal but real-shaped pull_request event payload. */
export function pullRequestEvent(overrides: { title?: string; labels?: string[]; headRef?: string; body?: string } = {}): object {
  const repo = { name: 'shop', full_name: 'acme/shop', owner: { login: 'acme' }, default_branch: 'main', private: false, fork: false }
  return {
    action: 'synchronize',
    number: 42,
    pull_request: {
      number: 42,
      title: overrides.title ?? 'Add gift cards to checkout',
      body: overrides.body ?? '',
      state: 'open',
      draft: false,
      user: { login: 'dev' },
      labels: (overrides.labels ?? []).map((name, id) => ({ id, name })),
      head: { ref: overrides.headRef ?? 'feature/gift-cards', sha: '1111111111111111111111111111111111111111', repo },
      base: { ref: 'main', sha: '2222222222222222222222222222222222222222', repo },
      html_url: 'https://github.com/acme/shop/pull/42'
    },
    repository: repo,
    sender: { login: 'dev' }
  }
}

export interface RunActionOptions {
  /** Action inputs by their action.yml name; unset inputs get action.yml's defaults. */
  inputs: Record<string, string>
  /** Files to create in GITHUB_WORKSPACE, e.g. fixtureFiles('healthy.yaml'). */
  files?: Record<string, string>
  /** Extra environment variables (added after the runner's own). */
  env?: Record<string, string>
  event?: object
  eventName?: string
  /** GITHUB_API_URL: default a closed local port, so nothing can reach the real GitHub. */
  apiUrl?: string
  /** Node binary: default Node 24, the runtime action.yml declares. */
  node?: string
  timeoutMs?: number
  keepTemp?: boolean
}

/** Runs dist/index.js as the GitHub runner would, and collects what it reported. */
export async function runAction(options: RunActionOptions): Promise<ActionResult> {
  const root = makeTempRoot('ebg-action-')
  try {
    const actionDir = copyAction(root)
    const workspace = path.join(root, 'workspace')
    const runnerTemp = path.join(root, 'runner-temp')
    const home = path.join(root, 'home')
    for (const dir of [workspace, runnerTemp, home]) fs.mkdirSync(dir, { recursive: true })
    writeFiles(workspace, options.files ?? {})
    const outputPath = path.join(runnerTemp, 'github_output')
    const summaryPath = path.join(runnerTemp, 'step_summary')
    const eventPath = path.join(runnerTemp, 'event.json')
    fs.writeFileSync(outputPath, '')
    fs.writeFileSync(summaryPath, '')
    fs.writeFileSync(eventPath, JSON.stringify(options.event ?? pullRequestEvent(), null, 2))

    const env: Record<string, string> = {
      ...baseEnv(home),
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION: '__acme_error-budget-gate',
      GITHUB_ACTION_PATH: actionDir,
      GITHUB_ACTION_REPOSITORY: 'acme/error-budget-gate',
      GITHUB_ACTOR: 'dev',
      GITHUB_API_URL: options.apiUrl ?? 'http://127.0.0.1:9',
      GITHUB_EVENT_NAME: options.eventName ?? 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_GRAPHQL_URL: `${options.apiUrl ?? 'http://127.0.0.1:9'}/graphql`,
      GITHUB_JOB: 'gate',
      GITHUB_OUTPUT: outputPath,
      GITHUB_REF: 'refs/pull/42/merge',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_REPOSITORY_OWNER: 'acme',
      GITHUB_RUN_ID: '1000',
      GITHUB_RUN_NUMBER: '7',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_SHA: '3333333333333333333333333333333333333333',
      GITHUB_STEP_SUMMARY: summaryPath,
      GITHUB_WORKFLOW: 'deploy',
      GITHUB_WORKSPACE: workspace,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_TEMP: runnerTemp,
      RUNNER_TOOL_CACHE: path.join(root, 'toolcache')
    }
    for (const [name, value] of Object.entries(actionInputsWithDefaults(options.inputs))) env[inputEnvName(name)] = value
    Object.assign(env, options.env)

    // The runner runs `node <action path>/dist/index.js` with the workspace as working directory.
    const result = await spawnCollect(options.node ?? node24(), [path.join(actionDir, 'dist', 'index.js')], {
      cwd: workspace,
      env,
      timeoutMs: options.timeoutMs ?? 60_000
    })
    const outputFile = fs.readFileSync(outputPath, 'utf8')
    return {
      ...result,
      outputFile,
      outputs: parseOutputFile(outputFile),
      summary: fs.readFileSync(summaryPath, 'utf8'),
      commands: parseCommands(result.stdout)
    }
  } finally {
    if (!options.keepTemp) fs.rmSync(root, { recursive: true, force: true })
  }
}

export interface RunCliOptions {
  /** Files to create in the working directory (paths in args are relative to it). */
  files?: Record<string, string>
  env?: Record<string, string>
  /** Node binary: default Node 24; pass process.execPath for the Node 20 of the machine. */
  node?: string
  timeoutMs?: number
}

/** Runs a clean copy of dist/cli.js (`node dist/cli.js ...args`) from a fresh temporary directory. */
export async function runCliBundle(args: string[], options: RunCliOptions = {}): Promise<BundleResult> {
  const root = makeTempRoot('ebg-cli-')
  try {
    const copy = copyAction(root)
    const home = path.join(root, 'home')
    fs.mkdirSync(home)
    writeFiles(copy, options.files ?? {})
    return await spawnCollect(options.node ?? node24(), ['dist/cli.js', ...args], {
      cwd: copy,
      env: { ...baseEnv(home), ...options.env },
      timeoutMs: options.timeoutMs ?? 60_000
    })
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

/** Lines that look like a JavaScript stack trace ("    at fn (file:1:2)"). */
export function stackLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => /^\s+at\s/.test(line))
}

/** A local port nothing listens on (bound, then closed): connections to it are refused. */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

export interface FakeServer {
  url: string
  /** Every request received: path with query, and headers (lower-cased names). */
  requests: Array<{ url: string; headers: http.IncomingHttpHeaders }>
  close(): Promise<void>
}

/**
 * A stand-in HTTP server on 127.0.0.1 for the odd shapes a real Prometheus will not produce
 * (an HTML page, a 5xx that echoes the request, a server that never answers). The handler may
 * leave the response open to simulate a hang; close() destroys every connection.
 */
export function fakeServer(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<FakeServer> {
  return new Promise((resolve, reject) => {
    const requests: FakeServer['requests'] = []
    const sockets = new Set<net.Socket>()
    const server = http.createServer((req, res) => {
      requests.push({ url: req.url ?? '', headers: req.headers })
      handler(req, res)
    })
    server.on('connection', (socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })
}
