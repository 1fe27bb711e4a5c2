// Jest globalTeardown: stop the Prometheus of global-setup.ts by pid (runs also when tests fail;
// fine if it is already gone).
import fs from 'node:fs'

import { TEST_STATE_FILE, stopByPid } from '../../scripts/lib/prometheus-server.mjs'

export default async function globalTeardown(): Promise<void> {
  let state: { pid: number; owner?: number }
  try {
    state = JSON.parse(fs.readFileSync(TEST_STATE_FILE, 'utf8')) as { pid: number; owner?: number }
  } catch {
    return // setup failed before starting it (and stopped what it started)
  }
  // Only the Jest process that started it stops it (a concurrent run may own a newer state file).
  if (state.owner !== undefined && state.owner !== process.pid) return
  await stopByPid(state.pid)
  fs.rmSync(TEST_STATE_FILE, { force: true })
}
