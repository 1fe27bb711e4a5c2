// ../shared beside the repository (the corpus of other people's SLO files and API answers).
// CI clones the repository somewhere else with shared/ beside it, so never hard-code a path.
import { fileURLToPath } from 'node:url'

export const SHARED = fileURLToPath(new URL('../../../shared', import.meta.url))
