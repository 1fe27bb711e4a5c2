// How a decision becomes an exit code / step result (PRODUCT.md contracts): 0 allow or warn,
// 1 freeze, 2 error; `on-error` decides whether an error fails; dry-run reports but never
// fails, except on invalid configuration (which has no decision to report).
import type { Decision } from './policy/settings.js'

export type OnError = 'fail' | 'warn' | 'allow'

export interface OutcomeOptions {
  onError: OnError
  dryRun: boolean
}

export const EXIT_OK = 0
export const EXIT_FREEZE = 1
export const EXIT_ERROR = 2

export function exitCodeFor(decision: Decision, options: OutcomeOptions): number {
  if (options.dryRun) return EXIT_OK
  if (decision === 'freeze') return EXIT_FREEZE
  if (decision === 'error') return options.onError === 'fail' ? EXIT_ERROR : EXIT_OK
  return EXIT_OK
}
