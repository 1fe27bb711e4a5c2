// `error-budget-gate validate`: every file checked and its problems listed; with
// --prometheus-url, each SLO's queries over its window must return data from the real
// Prometheus the global setup started (evaluated at the history's fixed END).
import { describe, expect, it } from '@jest/globals'
import { fileURLToPath } from 'node:url'

import { runCli } from '../../src/cli.js'
import { isValidateCommand, parseValidateArgs, runValidate, type ValidateReport } from '../../src/validate.js'
import { testPrometheus } from '../harness/prometheus.js'
import { SHARED } from '../harness/shared.js'

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url))

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, cwd: fixtures })
  return { code, stdout, stderr }
}

describe('validate: the files', () => {
  it('is recognised as the command wherever the flags are', () => {
    expect(isValidateCommand(['validate', '--config', 'a.yaml'])).toBe(true)
    expect(isValidateCommand(['--config', 'a.yaml', 'validate'])).toBe(true)
    expect(isValidateCommand(['check', '--config', 'validate'])).toBe(false)
  })

  it('lists each file with its SLOs, in every format, and exits 0', async () => {
    const { code, stdout } = await cli(['validate', '--config', 'formats/openslo-v1.yaml', '--config', 'formats/pyrra-latency.yaml', '--config', 'slos/healthy.yaml'])
    expect(code).toBe(0)
    expect(stdout).toContain('ok   formats/openslo-v1.yaml: 1 SLO (slow-burn/availability)')
    expect(stdout).toContain('ok   formats/pyrra-latency.yaml: 1 SLO (search/latency-200ms)')
    expect(stdout).toContain('ok   slos/healthy.yaml: 1 SLO (healthy/requests-availability)')
  })

  it('lists every problem under its file, and problems across files apart, and exits 2', async () => {
    const { code, stdout } = await cli(['validate', '--config', 'formats/native.yaml', '--config', 'formats/sloth.yaml', '--config', 'nowhere/*.yaml'])
    expect(code).toBe(2)
    expect(stdout).toMatch(/^ok {3}formats\/native\.yaml: 1 SLO/m)
    expect(stdout).toMatch(/^FAIL nowhere\/\*\.yaml: no file matches this pattern/m)
    expect(stdout).toMatch(/^FAIL formats\/sloth\.yaml \(document 1, slos\[0\]\): SLO "slow-burn\/availability" is defined twice; the first is in formats\/native\.yaml/m)
    expect(stdout.trim().endsWith('invalid')).toBe(true)
  })

  it('names the field of a bad file, as JSON with --format json', async () => {
    const report = await runValidate(parseValidateArgs(['validate', '--config', `${SHARED}/corpus/specs/pyrra/pyrra-connect-latency.yaml`, '--format', 'json'], {}, fixtures), fixtures)
    expect(report.valid).toBe(false)
    expect(report.files).toEqual([
      {
        file: `${SHARED}/corpus/specs/pyrra/pyrra-connect-latency.yaml`,
        slos: [],
        problems: [expect.stringMatching(/:14 \(document 1, spec\.indicator\.latencyNative\): not supported: latencyNative/)]
      }
    ])
    const { code, stdout } = await cli(['validate', '--config', 'slos/healthy.yaml', '--format', 'json'])
    expect(code).toBe(0)
    expect((JSON.parse(stdout) as ValidateReport).files).toEqual([{ file: 'slos/healthy.yaml', slos: ['healthy/requests-availability'], problems: [] }])
  })

  it('rejects flags it does not take, and data-check flags without --prometheus-url', async () => {
    const unknown = await cli(['validate', '--config', 'slos/healthy.yaml', '--since', 'now'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/unknown option '--since'/)
    const noUrl = await cli(['validate', '--config', 'slos/healthy.yaml', '--timeout', '5'])
    expect(noUrl.stderr).toContain('--timeout applies to the data check: give --prometheus-url too')
    const json = await cli(['validate', '--format', 'json'])
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'validate', valid: false, problems: [expect.stringContaining('--config: give at least one SLO file')] })
  })
})

describe('validate --prometheus-url: every query returns data (real Prometheus)', () => {
  const at = () => String(testPrometheus().end)

  it('checks each SLO over its own window, in every format', async () => {
    const files = ['formats/pyrra-latency.yaml', 'formats/openslo-v1alpha.yaml', 'slos/incident-10d.yaml', 'slos/idle-recently.yaml']
    const { code, stdout } = await cli(['validate', ...files.flatMap((f) => ['--config', f]), '--prometheus-url', testPrometheus().url, '--at', at()])
    expect(stdout).toMatch(/^ok {3}search\/latency-200ms \(28d\): total 40320000 \(as the query counts it\), error ratio 0\.003$/m)
    // Sloth-style rate queries: the total is a rate, and the ratio the same.
    expect(stdout).toMatch(/^ok {3}slow-burn\/availability-0 \(30d\): total 16\.6667 \(as the query counts it\), error ratio 0\.00024$/m)
    expect(stdout).toMatch(/^ok {3}incident-10d\/requests-availability \(30d\): total 43200000 \(as the query counts it\), error ratio 0\.00148861$/m)
    expect(stdout).toMatch(/valid: 4 files, 4 SLOs, every SLO has data/)
    expect(code).toBe(0)
  })

  it('fails, naming the query, when a metric does not exist', async () => {
    const { code, stdout } = await cli(['validate', '--config', 'slos/missing-metric.yaml', '--config', 'slos/healthy.yaml', '--prometheus-url', testPrometheus().url, '--at', at(), '--format', 'json'])
    expect(code).toBe(2)
    const report = JSON.parse(stdout) as ValidateReport
    expect(report.files.every((f) => f.problems.length === 0)).toBe(true)
    expect(report.data!.slos).toEqual([
      expect.objectContaining({ id: 'checkout/requests-availability', ok: false, status: 'no-data', problem: expect.stringContaining('http_requests_totl') }),
      expect.objectContaining({ id: 'healthy/requests-availability', ok: true, status: 'ok' })
    ])
  })
})
