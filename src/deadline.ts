// The overall deadline of one gate run. A deploy gate must answer, and answer soon: whatever the
// server does (hangs, trickles a body, asks to retry in an hour), the run ends by the deadline
// with `error` and the cause. Requests still in flight are aborted (their sockets closed, so the
// process can exit), retries and Retry-After waits stop, and queries not yet sent fail at once.
import { QueryError } from './errors.js'
import type { InstantQuery } from './prometheus/client.js'
import type { InstantResult } from './prometheus/response.js'

/** Default deadline: well under a minute, so a gate step never stalls a pipeline for long. */
export const DEFAULT_DEADLINE_SECONDS = 45

export class Deadline {
  private readonly controller = new AbortController()
  private readonly timer: ReturnType<typeof setTimeout>
  /** Rejects when the deadline passes (never resolves); handled, so it never goes unobserved. */
  private readonly expiry: Promise<never>

  constructor(readonly seconds: number) {
    this.expiry = new Promise<never>((_resolve, reject) => {
      this.controller.signal.addEventListener('abort', () => reject(this.error()), { once: true })
    })
    this.expiry.catch(() => undefined)
    this.timer = setTimeout(() => this.controller.abort(this.error()), seconds * 1000)
    // The timer alone must not keep a finished process alive.
    this.timer.unref?.()
  }

  /** Aborted when the deadline passes; its reason is the deadline's QueryError. */
  get signal(): AbortSignal {
    return this.controller.signal
  }

  get expired(): boolean {
    return this.controller.signal.aborted
  }

  /** The error every unfinished query gets. Not retryable: there is no time left to retry. */
  error(): QueryError {
    return new QueryError(deadlineMessage(this.seconds), false)
  }

  /** `promise`, or the deadline's error if the deadline passes first. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.expired) {
      promise.catch(() => undefined)
      return Promise.reject(this.error())
    }
    return Promise.race([promise, this.expiry])
  }

  /** Stops the timer (the run is over). */
  clear(): void {
    clearTimeout(this.timer)
  }
}

export function deadlineMessage(seconds: number): string {
  return `the gate's overall deadline of ${seconds}s passed before the answer came (raise it with --deadline or the deadline input if the server is slow but healthy)`
}

/**
 * A client whose queries fail with the deadline's error once it passes, even when the client
 * itself cannot be aborted (an injected test client). The real PrometheusClient also gets the
 * deadline's signal, so its requests are aborted rather than abandoned.
 */
export function withDeadline(client: InstantQuery, deadline: Deadline): InstantQuery {
  return {
    query: (promql: string, timeSeconds: number): Promise<InstantResult> => {
      if (deadline.expired) return Promise.reject(deadline.error())
      return deadline.race(client.query(promql, timeSeconds))
    }
  }
}
