// Errors the user can act on. Their messages are shown as they are (no stack traces), so
// each one names the file, field, query or server at fault and what to do about it.

/** A problem with the configuration: invalid even in dry-run, exit code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Bad command-line flags or action inputs. */
export class UsageError extends ConfigError {
  override name = 'UsageError'
}

/** A query that could not be answered (network, HTTP status, Prometheus error, bad body). */
export class QueryError extends Error {
  override name = 'QueryError'
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** The server's Retry-After, when it sent one with a retryable status. */
    readonly retryAfterMs?: number
  ) {
    super(message)
  }
}

/** Text of any thrown value, for the one-line cause people see. Never the stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  try {
    return `unexpected failure: ${JSON.stringify(error)}`
  } catch {
    return 'unexpected failure'
  }
}
