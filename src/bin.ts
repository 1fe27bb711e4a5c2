#!/usr/bin/env node
// Bundled as dist/cli.js.
import { runCli } from './cli.js'

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd()
}).then(
  (code) => {
    process.exitCode = code
  },
  () => {
    process.stderr.write('error-budget-gate: unexpected failure\n')
    process.exitCode = 2
  }
)
