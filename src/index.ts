// Bundled as dist/index.js (the action's `runs.main`).
import { run } from './main.js'

await run()
