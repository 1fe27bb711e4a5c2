// Types for ensure-node24.mjs (plain ESM so CI and the Jest harness share it without a build).

export declare const NODE24_VERSION: string
/** <repo>/.cache/node24 */
export declare const NODE24_PREFIX: string
export declare function node24Package(): string
/** Absolute path of a Node 24 binary; installs it into .cache/node24 from the npm registry when missing. */
export declare function ensureNode24(options?: { log?: (message: string) => void }): string
