// Policy from the protected branch: on a pull request (or merge group) the SLO files, and with
// them the policy, are read from the base commit through the GitHub API, not from the checkout,
// so a pull request cannot weaken the gate that judges it. The config patterns are matched
// against the base commit's file list with the same glob library and options the loader uses
// (over a virtual file system), and the files that match are written to a directory of their own,
// from which the gate then loads them as usual. The pull request's own edits to such files are
// listed in the report as not applied.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { isAbsolute, join, posix } from 'node:path'
import { glob, isDynamicPattern } from 'tinyglobby'
import { ConfigError, UsageError } from '../errors.js'
import type { PolicySourceReport } from '../report/model.js'
import type { GithubApi, PullFile, Repo } from './client.js'

/** GitHub lists at most 3,000 files of a pull request. */
export const PULL_FILES_LIMIT = 3000

/** The config patterns cannot be read from the base commit through the API (a configuration problem). */
export class PolicySourceError extends ConfigError {
  override name = 'PolicySourceError'
}

/** "./slos/a.yaml" → "slos/a.yaml"; undefined for a pattern outside the repository. */
export function repoRelative(pattern: string): string | undefined {
  const trimmed = pattern.trim()
  if (isAbsolute(trimmed)) return undefined
  const normalized = posix.normalize(trimmed.replace(/\\/g, '/'))
  if (normalized === '..' || normalized.startsWith('../')) return undefined
  return normalized.replace(/^\.\//, '')
}

const VIRTUAL_ROOT = '/__error_budget_gate_virtual__'

interface VirtualEntry {
  name: string
  dir: boolean
}

/** The part of node:fs that tinyglobby's crawler uses, answering from a list of file paths. */
function virtualFs(files: string[]) {
  const dirs = new Map<string, Map<string, VirtualEntry>>([[VIRTUAL_ROOT, new Map()]])
  for (const file of files) {
    const parts = file.split('/')
    parts.forEach((name, i) => {
      const parent = [VIRTUAL_ROOT, ...parts.slice(0, i)].join('/')
      if (!dirs.has(parent)) dirs.set(parent, new Map())
      const dir = i < parts.length - 1
      if (!dirs.get(parent)!.get(name)?.dir) dirs.get(parent)!.set(name, { name, dir })
    })
  }
  const key = (path: string) => path.replace(/\/+$/, '')
  const dirent = (entry: VirtualEntry) => ({ name: entry.name, isFile: () => !entry.dir, isDirectory: () => entry.dir, isSymbolicLink: () => false })
  const list = (path: string) => {
    const dir = dirs.get(key(path))
    if (!dir) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
    return [...dir.values()].map(dirent)
  }
  const stat = (path: string) => ({ isDirectory: () => dirs.has(key(path)), isFile: () => !dirs.has(key(path)), isSymbolicLink: () => false })
  type Callback<T> = (error: Error | null, value?: T) => void
  return {
    readdir: (path: string, options: unknown, callback: Callback<ReturnType<typeof list>>) => {
      const done = (typeof options === 'function' ? options : callback) as Callback<ReturnType<typeof list>>
      try {
        done(null, list(path))
      } catch (error) {
        done(error as Error)
      }
    },
    readdirSync: (path: string) => list(path),
    realpath: (path: string, callback: Callback<string>) => callback(null, path),
    realpathSync: (path: string) => path,
    stat: (path: string, callback: Callback<ReturnType<typeof stat>>) => callback(null, stat(path)),
    statSync: (path: string) => stat(path)
  }
}

/**
 * The files among `files` (repository-relative paths) that the config patterns name, the way the
 * loader expands them: plain paths as they are, globs with tinyglobby and the loader's options.
 */
export async function matchConfigPatterns(patterns: string[], files: string[]): Promise<string[]> {
  const fs = virtualFs(files)
  const present = new Set(files)
  const matched = new Set<string>()
  for (const pattern of patterns) {
    const relative = repoRelative(pattern)
    if (relative === undefined) continue
    if (!isDynamicPattern(pattern.trim())) {
      if (present.has(relative)) matched.add(relative)
      continue
    }
    // The virtual file system implements what the crawler calls; its types are node:fs's.
    const found = await glob(relative, { cwd: VIRTUAL_ROOT, onlyFiles: true, expandDirectories: false, fs: fs as never })
    for (const file of found) matched.add(file)
  }
  return [...matched].sort()
}

export interface BasePolicy {
  /** The directory the base commit's SLO files were written to: run the gate there. */
  dir: string
  files: string[]
}

/**
 * Reads the files the config patterns name from the base commit into `dir`. Plain paths are read
 * directly; globs need the commit's file list (the git trees API). Throws PolicySourceError.
 */
export async function fetchBasePolicy(api: GithubApi, repo: Repo, base: { sha: string; ref: string }, patterns: string[], dir: string): Promise<BasePolicy> {
  const outside = patterns.filter((pattern) => repoRelative(pattern) === undefined)
  if (outside.length > 0) {
    throw new UsageError(
      `config: ${JSON.stringify(outside[0])} is outside the repository, so it cannot be read from the base branch; use paths inside the repository, or set policy-source: workspace`
    )
  }
  let files: string[]
  if (patterns.some((pattern) => isDynamicPattern(pattern.trim()))) {
    const tree = await api.getTree(repo, base.sha)
    if (tree.truncated) {
      throw new PolicySourceError(
        `the file list of ${base.ref || 'the base branch'} at ${base.sha.slice(0, 12)} is too large for one GitHub API answer (truncated): name the SLO files without globs, or set policy-source: workspace and check out the base commit`
      )
    }
    const blobs = tree.entries.filter((entry) => entry.type === 'blob').map((entry) => entry.path)
    files = await matchConfigPatterns(patterns, blobs)
    // Plain paths are read even when not in the list, so a missing one is reported by the loader.
    for (const pattern of patterns) if (!isDynamicPattern(pattern.trim())) files.push(repoRelative(pattern)!)
    files = [...new Set(files)]
  } else {
    files = [...new Set(patterns.map((pattern) => repoRelative(pattern)!))]
  }
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const written: string[] = []
  for (const file of files) {
    const text = await api.getFileText(repo, file, base.sha)
    if (text === null) continue // not on the base branch: the loader names it
    const target = join(dir, ...file.split('/'))
    await mkdir(join(target, '..'), { recursive: true })
    await writeFile(target, text)
    written.push(file)
  }
  return { dir, files: written.sort() }
}

/** The pull request's changes to files the config patterns name (renames count under both names). */
export async function policyChanges(files: PullFile[], patterns: string[]): Promise<Array<{ file: string; status: string }>> {
  const names = files.flatMap((file) => [file.filename, ...(file.previousFilename ? [file.previousFilename] : [])])
  const matched = new Set(await matchConfigPatterns(patterns, names))
  return files
    .filter((file) => matched.has(file.filename) || (file.previousFilename !== undefined && matched.has(file.previousFilename)))
    .map((file) => ({ file: file.previousFilename && file.previousFilename !== file.filename ? `${file.previousFilename} → ${file.filename}` : file.filename, status: file.status }))
}

/** What the report says about the policy source on a pull request. */
export async function describePullRequestPolicy(
  api: GithubApi,
  repo: Repo,
  pull: number,
  patterns: string[],
  base: { sha: string; ref: string } | undefined
): Promise<PolicySourceReport> {
  const report: PolicySourceReport = base ? { source: 'base', ref: base.ref, sha: base.sha } : { source: 'workspace' }
  const files = await api.listPullFiles(repo, pull)
  report.changedInPullRequest = await policyChanges(files, patterns)
  if (files.length >= PULL_FILES_LIMIT) report.changesNote = `GitHub lists only the first ${PULL_FILES_LIMIT} files of a pull request: further policy changes may not be listed.`
  return report
}
