// Jest globalTeardown: stop the Prometheus of global-setup.ts by pid (runs also when tests fail;
// fine if it is already gone).
import fs from 'node:fs'

import { TEST_STATE_FILE, stopByPid } from '../../scripts/lib/prometheus-server.mjs'

export default async function globalTeardown(): Promise<void> {
  // Set by global-setup.ts in this same process; absent if setup failed (it then stopped what it
  // had started itself).
  const pid = (globalThis as { __EBG_TEST_PROMETHEUS_PID__?: number }).__EBG_TEST_PROMETHEUS_PID__
  if (pid === undefined) return
  await stopByPid(pid)
  delete (globalThis as { __EBG_TEST_PROMETHEUS_PID__?: number }).__EBG_TEST_PROMETHEUS_PID__
  // Remove the state file only if it is still ours (a concurrent run may have replaced it).
  try {
    const state = JSON.parse(fs.readFileSync(TEST_STATE_FILE, 'utf8')) as { pid?: number }
    if (state.pid === pid) fs.rmSync(TEST_STATE_FILE, { force: true })
  } catch {
    // already gone
  }
}
