// The overall deadline (src/deadline.ts): an injected client that never answers still ends the
// run by the deadline, in error, with the deadline as the one-line cause. The real client against
// hanging and slow servers: __tests__/fault/faults.test.ts.
import { describe, expect, it } from '@jest/globals'
import { fileURLToPath } from 'node:url'

import { Deadline, withDeadline } from '../../src/deadline.js'
import { QueryError } from '../../src/errors.js'
import { runGate } from '../../src/gate.js'
import type { InstantQuery } from '../../src/prometheus/client.js'
import type { InstantResult } from '../../src/prometheus/response.js'

const fixtures = fileURLToPath(new URL('../fixtures/slos/', import.meta.url))

const never: InstantQuery = { query: () => new Promise<InstantResult>(() => undefined) }

describe('Deadline', () => {
  it('fails queries still running when it passes, and queries sent after it at once', async () => {
    const deadline = new Deadline(0.05)
    const client = withDeadline(never, deadline)
    const error = await client.query('up', 0).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QueryError)
    expect((error as QueryError).retryable).toBe(false)
    expect((error as QueryError).message).toMatch(/^the gate's overall deadline of 0\.05s passed before the answer came/)
    expect(deadline.expired).toBe(true)
    await expect(client.query('up', 0)).rejects.toThrow(/overall deadline/)
    deadline.clear()
  })

  it('lets answers through before it passes', async () => {
    const deadline = new Deadline(10)
    const answer: InstantResult = { resultType: 'vector', samples: [], warnings: [] }
    await expect(withDeadline({ query: async () => answer }, deadline).query('up', 0)).resolves.toBe(answer)
    deadline.clear()
  })

  it('aborts its signal with the deadline error as the reason', async () => {
    const deadline = new Deadline(0.01)
    await new Promise((resolve) => deadline.signal.addEventListener('abort', resolve))
    expect(deadline.signal.reason).toBeInstanceOf(QueryError)
  })
})

describe('runGate with a client that never answers', () => {
  it('ends by the deadline with error, exit 2, and the deadline as the first reason', async () => {
    const { report } = await runGate(
      {
        configPatterns: ['healthy.yaml', 'incident-10d.yaml'],
        cwd: fixtures,
        prometheus: { url: 'http://127.0.0.1:9', headers: {}, timeoutMs: 600_000, retries: 10, retryBaseDelayMs: 1 },
        concurrency: 4,
        evaluationTime: 1795132800,
        onError: 'fail',
        dryRun: false,
        deadlineSeconds: 1
      },
      never
    )
    expect(report.decision).toBe('error')
    expect(report.exitCode).toBe(2)
    expect(report.reasons[0]).toBe('the overall deadline of 1s passed with 32 of 32 queries unanswered; the SLOs that needed them are in error')
    expect(report.slos.every((slo) => slo.decision === 'error')).toBe(true)
    expect(report.slos.flatMap((slo) => slo.windows).every((w) => w.status === 'failed')).toBe(true)
  })
})
