#!/usr/bin/env node
// Node 24 for the end-to-end tests: the action runs under `runs.using: node24` on GitHub's
// runners, so its bundle is tested under that runtime, not the Node 20 of our machines.
//
//   node scripts/ensure-node24.mjs      → installs it into .cache/node24 if missing and prints
//                                         the absolute path of its `node` binary (one line)
//   import { ensureNode24 } from '../scripts/ensure-node24.mjs'   → same, returns the path
//
// Node 24 comes from the npm registry as the platform package `node-<os>-<cpu>` (a binary in a
// registry package). It is deliberately NOT a devDependency: npm would put its `node` bin on
// node_modules/.bin, shadowing the system node in every npm script.

import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const NODE24_VERSION = '24.9.0'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** <repo>/.cache/node24: an npm prefix holding node_modules/node-<os>-<cpu>. */
export const NODE24_PREFIX = path.join(REPO_ROOT, '.cache', 'node24')

const PLATFORMS = { linux: 'linux', darwin: 'darwin' }
const ARCHES = { x64: 'x64', arm64: 'arm64' }

/** The registry package holding the Node binary for this machine. */
export function node24Package() {
  const os = PLATFORMS[process.platform]
  const cpu = ARCHES[process.arch]
  if (!os || !cpu) throw new Error(`ensure-node24: no Node 24 package for ${process.platform}/${process.arch}`)
  return `node-${os}-${cpu}`
}

function binaryIn(prefix) {
  return path.join(prefix, 'node_modules', node24Package(), 'bin', 'node')
}

/** The version a binary reports, or null when it does not run. */
function versionOf(binary) {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 }).trim()
  } catch {
    return null
  }
}

/**
 * Returns the absolute path of a Node 24 binary, installing it into .cache/node24 first when it
 * is not there. Safe to call from several processes at once: each installs into its own
 * temporary prefix and the first to finish renames it into place.
 */
export function ensureNode24({ log = (message) => process.stderr.write(`${message}\n`) } = {}) {
  const wanted = `v${NODE24_VERSION}`
  const binary = binaryIn(NODE24_PREFIX)
  if (fs.existsSync(binary) && versionOf(binary) === wanted) return binary

  fs.mkdirSync(path.dirname(NODE24_PREFIX), { recursive: true })
  const staging = fs.mkdtempSync(`${NODE24_PREFIX}.tmp-`)
  try {
    const spec = `${node24Package()}@${NODE24_VERSION}`
    log(`ensure-node24: installing ${spec} from the npm registry into ${NODE24_PREFIX}`)
    // --ignore-scripts: the package is a plain binary; nothing of it should run at install time.
    execFileSync(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', staging, spec],
      // Run outside the repository so npm never looks at (or touches) its package.json.
      { cwd: staging, stdio: ['ignore', 'ignore', 'inherit'], timeout: 10 * 60_000 }
    )
    const staged = binaryIn(staging)
    const version = versionOf(staged)
    if (version !== wanted) throw new Error(`ensure-node24: ${staged} reports ${version ?? 'nothing (it does not run)'}, expected ${wanted}`)
    // Replace a broken or outdated install; if another process got there first, keep theirs.
    if (fs.existsSync(NODE24_PREFIX) && versionOf(binary) !== wanted) fs.rmSync(NODE24_PREFIX, { recursive: true, force: true })
    try {
      fs.renameSync(staging, NODE24_PREFIX)
    } catch (error) {
      if (versionOf(binary) !== wanted) throw error
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
  }
  if (versionOf(binary) !== wanted) throw new Error(`ensure-node24: ${binary} is not Node ${wanted} after installing it`)
  return binary
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(`${ensureNode24()}\n`)
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  }
}
