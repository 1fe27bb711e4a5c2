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

/**
 * Text of any thrown value, for the one-line cause people see. Never the stack, and never the
 * fields of an arbitrary object: an HTTP client's error carries the request headers, i.e. the
 * credentials, so only a message is ever shown.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || `unexpected failure (${error.name})`
  if (typeof error === 'string') return error
  // Errors from another realm (vm contexts, workers) fail instanceof but still have a message.
  if (error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message
  }
  if (typeof error === 'number' || typeof error === 'boolean' || typeof error === 'bigint') return `unexpected failure: ${String(error)}`
  if (error === null || error === undefined) return `unexpected failure (${String(error)} was thrown)`
  return `unexpected failure (a value of type ${typeof error} was thrown)`
}
