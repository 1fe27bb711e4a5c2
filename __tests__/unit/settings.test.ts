// Flags and action inputs are read in one place into one typed settings object. Every message
// names the flag or input and what was expected, and never echoes a secret value.
import { describe, expect, it } from '@jest/globals'

import { UsageError } from '../../src/errors.js'
import {
  ACTION_NAMES,
  CLI_NAMES,
  parseCliArgs,
  parseEvaluationTime,
  parseHeaders,
  readActionInputs,
  toGateSettings,
  type RawSettings
} from '../../src/settings.js'

/** The UsageError a call throws (fails the test when it does not throw one). */
function usageError(fn: () => unknown): UsageError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return error as UsageError
  }
  throw new Error('expected a UsageError')
}

const NOW_MS = 1_795_132_800_123 // 2026-11-20T00:00:00.123Z

describe('parseEvaluationTime', () => {
  it.each([
    ['2026-11-20T00:00:00Z', 1795132800],
    ['2026-11-20T00:00:00.5Z', 1795132800.5],
    ['2026-11-20T02:00:00+02:00', 1795132800],
    ['2026-11-19T19:00:00-05:00', 1795132800],
    ['2026-11-20t00:00:00z', 1795132800],
    ['2024-02-29T12:00:00Z', 1709208000],
    ['1704412800', 1704412800],
    ['1704412800.25', 1704412800.25],
    [' 1704412800 ', 1704412800],
    ['0', 0]
  ])('reads %s', (text, seconds) => {
    expect(parseEvaluationTime(text, '--at', () => NOW_MS)).toBe(seconds)
  })

  it.each([undefined, '', '  ', 'now', 'NOW'])('reads %p as now, in whole seconds', (text) => {
    expect(parseEvaluationTime(text, '--at', () => NOW_MS)).toBe(1795132800)
  })

  it.each([
    ['yesterday', ''],
    ['2026-11-20', ''],
    ['2026-11-20 00:00:00Z', ''],
    ['2026-11-20T00:00:00', ''],
    ['-5', ''],
    ['1e9', ''],
    ['2026-13-01T00:00:00Z', ', which is not a real date and time'],
    ['2026-11-20T25:00:00Z', ', which is not a real date and time'],
    ['2026-02-30T00:00:00Z', ', which is not a real date and time'],
    ['2025-02-29T00:00:00Z', ', which is not a real date and time']
  ])('rejects %s, naming the flag and the expected forms', (text, why) => {
    expect(usageError(() => parseEvaluationTime(text, '--at')).message).toBe(
      `--at: expected an RFC 3339 time (e.g. 2026-11-20T00:00:00Z) or unix seconds, got ${JSON.stringify(text)}${why}`
    )
  })

  it('rejects milliseconds given as seconds, saying so', () => {
    const message = usageError(() => parseEvaluationTime('1704412800000', 'evaluation-time')).message
    expect(message).toMatch(/^evaluation-time: expected an RFC 3339 time .* got "1704412800000", which is after the year 5000: is it in milliseconds\? Give seconds, e\.g\. 1704412800$/)
  })
})

describe('parseHeaders', () => {
  it('reads Name: value lines from repeated flags and multiline input', () => {
    expect(
      parseHeaders(['X-Scope-OrgID: team-a', 'Authorization: Bearer a:b:c\r\nX-Api-Key:k3y  \n\n# a comment\n  X-Trimmed  :  v  ', 'X-Empty:'], 'h')
    ).toEqual({ 'X-Scope-OrgID': 'team-a', Authorization: 'Bearer a:b:c', 'X-Api-Key': 'k3y', 'X-Trimmed': 'v', 'X-Empty': '' })
    expect(parseHeaders([''], 'prometheus-headers')).toEqual({})
    expect(parseHeaders([], '--header')).toEqual({})
  })

  it.each([
    ['a line without a colon', 'X-Api-Key s3cr3t-value-123'],
    ['a name with a space', 'X Api Key: s3cr3t-value-123'],
    ['no name', ': s3cr3t-value-123'],
    ['a name with a non-token character', 'X-Api/Key: s3cr3t-value-123']
  ])('rejects %s without showing the value', (_case, line) => {
    const message = usageError(() => parseHeaders(['X-Ok: fine', `# comment\n${line}`], 'prometheus-headers')).message
    expect(message).toBe('prometheus-headers: line 3 is not a header: expected "Name: value" (the value is not shown, it may be a secret)')
    expect(message).not.toContain('s3cr3t')
  })
})

const RAW: RawSettings = { config: ['slos/*.yaml'], prometheusUrl: 'http://prometheus:9090', headers: [] }

describe('toGateSettings', () => {
  it('fills in the defaults', () => {
    const settings = toGateSettings(RAW, CLI_NAMES, '/repo')
    expect(settings).toEqual({
      configPatterns: ['slos/*.yaml'],
      cwd: '/repo',
      prometheus: {
        url: 'http://prometheus:9090',
        bearerToken: undefined,
        username: undefined,
        password: undefined,
        headers: {},
        timeoutMs: 15000,
        retries: 2,
        retryBaseDelayMs: 250
      },
      concurrency: 8,
      deadlineSeconds: 45,
      evaluationTime: expect.any(Number),
      onError: 'fail',
      dryRun: false
    })
    expect(Math.abs(settings.evaluationTime - Date.now() / 1000)).toBeLessThan(60)
  })

  it('reads every setting', () => {
    const settings = toGateSettings(
      {
        config: ['a.yaml\n\n  b/*.yaml  \n', 'c.yaml'],
        prometheusUrl: ' https://host/prometheus ',
        evaluationTime: '2026-11-20T00:00:00Z',
        onError: 'Warn',
        dryRun: true,
        headers: ['X-Scope-OrgID: team-a'],
        token: 'tok',
        username: 'user',
        password: 'pass',
        timeoutSeconds: '30',
        concurrency: '64',
        retries: '0',
        deadlineSeconds: '120'
      },
      ACTION_NAMES,
      '/ws'
    )
    expect(settings).toMatchObject({
      configPatterns: ['a.yaml', 'b/*.yaml', 'c.yaml'],
      prometheus: {
        url: 'https://host/prometheus',
        bearerToken: 'tok',
        username: 'user',
        password: 'pass',
        headers: { 'X-Scope-OrgID': 'team-a' },
        timeoutMs: 30000,
        retries: 0
      },
      concurrency: 64,
      deadlineSeconds: 120,
      evaluationTime: 1795132800,
      onError: 'warn',
      dryRun: true
    })
  })

  it.each(['fail', 'warn', 'allow', ' allow ', 'ALLOW'])('accepts on-error %p', (onError) => {
    expect(toGateSettings({ ...RAW, onError }, ACTION_NAMES, '/').onError).toBe(onError.trim().toLowerCase())
  })

  it.each(['ignore', 'false', 'pass'])('rejects on-error %p, listing the values', (onError) => {
    expect(usageError(() => toGateSettings({ ...RAW, onError }, ACTION_NAMES, '/')).message).toBe(
      `on-error: expected fail, warn or allow, got ${JSON.stringify(onError)}`
    )
    expect(usageError(() => toGateSettings({ ...RAW, onError }, CLI_NAMES, '/')).message).toMatch(/^--on-error: /)
  })

  it.each([undefined, '', '   '])('requires the URL (%p), naming the flag or input', (prometheusUrl) => {
    expect(usageError(() => toGateSettings({ ...RAW, prometheusUrl }, CLI_NAMES, '/')).message).toBe(
      '--prometheus-url: the Prometheus base URL is required (e.g. http://prometheus:9090 or https://host/prometheus)'
    )
    expect(usageError(() => toGateSettings({ ...RAW, prometheusUrl }, ACTION_NAMES, '/')).message).toMatch(/^prometheus-url: the Prometheus base URL is required/)
  })

  it('rejects a URL that is not http(s), showing only its scheme', () => {
    expect(usageError(() => toGateSettings({ ...RAW, prometheusUrl: 'ftp://user:hunter22@host/' }, ACTION_NAMES, '/')).message).toBe(
      'prometheus-url: expected an http:// or https:// URL, got one starting with "ftp:"'
    )
    // Without a scheme, "user:secret@host" reads as the scheme "user:": the rest is not shown.
    const noScheme = usageError(() => toGateSettings({ ...RAW, prometheusUrl: 'admin:hunter22@prometheus:9090' }, ACTION_NAMES, '/')).message
    expect(noScheme).toBe(
      'prometheus-url: expected an http:// or https:// URL, got one starting with "admin:" (the scheme is missing: write e.g. http://prometheus:9090)'
    )
    expect(noScheme).not.toContain('hunter22')
    expect(usageError(() => toGateSettings({ ...RAW, prometheusUrl: 'localhost:9090' }, CLI_NAMES, '/')).message).toContain('the scheme is missing')
  })

  it.each(['http://prometheus:9090/?api_key=hunter22', 'https://host/prometheus#hunter22', 'http://prometheus:9090/?'])(
    'rejects a base URL with a query or fragment (%s) without echoing it',
    (prometheusUrl) => {
      const message = usageError(() => toGateSettings({ ...RAW, prometheusUrl }, CLI_NAMES, '/')).message
      expect(message).toMatch(/^--prometheus-url: expected the base URL without a \?query or #fragment/)
      expect(message).not.toContain('hunter22')
    }
  )

  it('rejects a URL it cannot parse without echoing it (it may carry a password)', () => {
    const message = usageError(() => toGateSettings({ ...RAW, prometheusUrl: 'http://admin:hunter22@[::1' }, CLI_NAMES, '/')).message
    expect(message).toBe('--prometheus-url: not a valid URL; expected e.g. http://prometheus:9090')
  })

  it.each([
    ['timeoutSeconds', '0', '--timeout: expected a whole number from 1 to 600, got "0"'],
    ['timeoutSeconds', '601', '--timeout: expected a whole number from 1 to 600, got "601"'],
    ['timeoutSeconds', '1.5', '--timeout: expected a whole number from 1 to 600, got "1.5"'],
    ['concurrency', '0', '--concurrency: expected a whole number from 1 to 64, got "0"'],
    ['concurrency', '65', '--concurrency: expected a whole number from 1 to 64, got "65"'],
    ['retries', '-1', '--retries: expected a whole number from 0 to 10, got "-1"'],
    ['retries', '11', '--retries: expected a whole number from 0 to 10, got "11"'],
    ['retries', '0x5', '--retries: expected a whole number from 0 to 10, got "0x5"'],
    ['retries', '1e1', '--retries: expected a whole number from 0 to 10, got "1e1"'],
    ['retries', 'two', '--retries: expected a whole number from 0 to 10, got "two"'],
    ['deadlineSeconds', '0', '--deadline: expected a whole number from 1 to 3600, got "0"'],
    ['deadlineSeconds', '3601', '--deadline: expected a whole number from 1 to 3600, got "3601"'],
    ['deadlineSeconds', '45s', '--deadline: expected a whole number from 1 to 3600, got "45s"']
  ] as const)('rejects %s %s', (field, value, message) => {
    expect(usageError(() => toGateSettings({ ...RAW, [field]: value }, CLI_NAMES, '/')).message).toBe(message)
  })

  it('names action inputs in number errors', () => {
    expect(usageError(() => toGateSettings({ ...RAW, timeoutSeconds: '0' }, ACTION_NAMES, '/')).message).toMatch(/^query-timeout: /)
  })

  it('requires at least one config entry', () => {
    expect(usageError(() => toGateSettings({ ...RAW, config: ['\n  \n'] }, ACTION_NAMES, '/')).message).toBe(
      'config: give at least one SLO file or glob (e.g. slos/*.yaml)'
    )
  })

  it('rejects a bad evaluation time and bad headers by their input names', () => {
    expect(usageError(() => toGateSettings({ ...RAW, evaluationTime: 'soon' }, ACTION_NAMES, '/')).message).toMatch(/^evaluation-time: expected an RFC 3339 time/)
    const message = usageError(() => toGateSettings({ ...RAW, headers: ['X-Api-Key k3y-not-shown'] }, ACTION_NAMES, '/')).message
    expect(message).toMatch(/^prometheus-headers: line 1 is not a header/)
    expect(message).not.toContain('k3y-not-shown')
  })
})

describe('parseCliArgs', () => {
  it('reads a check command with every flag', () => {
    const command = parseCliArgs(
      [
        'check',
        '--config', 'a.yaml',
        '-c', 'b/*.yaml',
        '--config=c.yaml',
        '--prometheus-url', 'http://p:9090',
        '--at', '2026-11-20T00:00:00Z',
        '--format', 'json',
        '--header', 'X-Scope-OrgID: t1',
        '--header', 'X-Other: 2',
        '--on-error', 'warn',
        '--dry-run',
        '--timeout', '5',
        '--retries', '1',
        '--concurrency', '3'
      ],
      {}
    )
    expect(command).toEqual({
      command: 'check',
      format: 'json',
      raw: {
        config: ['a.yaml', 'b/*.yaml', 'c.yaml'],
        prometheusUrl: 'http://p:9090',
        evaluationTime: '2026-11-20T00:00:00Z',
        onError: 'warn',
        dryRun: true,
        headers: ['X-Scope-OrgID: t1', 'X-Other: 2'],
        token: undefined,
        username: undefined,
        password: undefined,
        timeoutSeconds: '5',
        retries: '1',
        concurrency: '3'
      }
    })
  })

  it('takes the URL and credentials from the environment', () => {
    const env = { PROMETHEUS_URL: 'http://env:9090', PROMETHEUS_TOKEN: 'tok', PROMETHEUS_USERNAME: 'user', PROMETHEUS_PASSWORD: 'pass' }
    const { raw } = parseCliArgs(['check', '--config', 'a.yaml'], env)
    expect(raw).toMatchObject({ prometheusUrl: 'http://env:9090', token: 'tok', username: 'user', password: 'pass' })
    // The flag wins over the environment.
    expect(parseCliArgs(['check', '--prometheus-url', 'http://flag:9090'], env).raw.prometheusUrl).toBe('http://flag:9090')
    // And the settings carry them through.
    expect(toGateSettings(raw, CLI_NAMES, '/').prometheus).toMatchObject({ url: 'http://env:9090', bearerToken: 'tok', username: 'user', password: 'pass' })
  })

  it('defaults to the text format, and answers help and version', () => {
    expect(parseCliArgs(['check'], {}).format).toBe('text')
    expect(parseCliArgs(['--help'], {}).command).toBe('help')
    expect(parseCliArgs(['-h'], {}).command).toBe('help')
    expect(parseCliArgs(['--version'], {}).command).toBe('version')
  })

  it('rejects an unknown flag by name, with the usage', () => {
    const message = usageError(() => parseCliArgs(['check', '--bogus', 'x'], {})).message
    expect(message.split('\n')[0]).toBe('unknown option --bogus')
    expect(message).toContain('Usage: error-budget-gate check --config <file|glob>')
  })

  it('points credential flags at the environment, and never echoes their value', () => {
    const message = usageError(() => parseCliArgs(['check', '--prometheus-token=s3cr3t-tok3n'], {})).message
    expect(message.split('\n')[0]).toBe(
      'unknown option --prometheus-token: credentials come from PROMETHEUS_TOKEN, PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD in the environment, never from flags'
    )
    expect(message).not.toContain('s3cr3t-tok3n')
    expect(usageError(() => parseCliArgs(['check', '--password', 'hunter22'], {})).message).not.toContain('hunter22')
  })

  it.each([
    [['check', '--at'], "Option '--at <value>' argument missing"],
    [['check', '--dry-run=yes'], "Option '--dry-run' does not take an argument"],
    [['chek'], 'unknown command "chek": expected "check", "verify" or "backtest"'],
    [[], 'missing command: expected "check", "verify" or "backtest"'],
    [['check', 'slos.yaml'], 'unexpected argument "slos.yaml": give SLO files with --config'],
    [['check', '--format', 'xml'], '--format: expected text, json or markdown, got "xml"']
  ])('rejects %j', (argv, first) => {
    expect(usageError(() => parseCliArgs(argv, {})).message.split('\n')[0]).toBe(first)
  })
})

describe('readActionInputs', () => {
  const inputs = (values: Record<string, string>) => (name: string) => values[name] ?? ''

  it('reads every input by its kebab-case name', () => {
    const raw = readActionInputs(
      inputs({
        config: 'slos/*.yaml\nmore.yaml',
        'prometheus-url': 'http://p:9090',
        'evaluation-time': '1704412800',
        'on-error': 'allow',
        'dry-run': 'true',
        'prometheus-headers': 'X-Scope-OrgID: t1\nX-Other: 2',
        'prometheus-token': 'tok',
        'prometheus-username': 'user',
        'prometheus-password': 'pass',
        'query-timeout': '20',
        concurrency: '4',
        retries: '3',
        deadline: '30',
        'github-token': 'ghs_x',
        comment: 'on-change',
        status: 'check-run',
        'status-name': 'budget',
        'policy-source': 'workspace',
        branches: 'main\nrelease/*'
      })
    )
    expect(raw.github).toEqual({ token: 'ghs_x', comment: 'on-change', status: 'check-run', statusName: 'budget', policySource: 'workspace', branches: 'main\nrelease/*' })
    delete raw.github
    expect(raw).toEqual({
      config: ['slos/*.yaml\nmore.yaml'],
      prometheusUrl: 'http://p:9090',
      evaluationTime: '1704412800',
      onError: 'allow',
      dryRun: true,
      headers: ['X-Scope-OrgID: t1\nX-Other: 2'],
      token: 'tok',
      username: 'user',
      password: 'pass',
      timeoutSeconds: '20',
      concurrency: '4',
      retries: '3',
      deadlineSeconds: '30',
      // mode: verify's settings (tested in verify.test.ts), read here with everything else.
      mode: '',
      watch: { since: '', duration: '', interval: '', window: '', threshold: '', consecutive: '', baseline: false }
    })
    const settings = toGateSettings(raw, ACTION_NAMES, '/ws')
    expect(settings.configPatterns).toEqual(['slos/*.yaml', 'more.yaml'])
    expect(settings.prometheus.headers).toEqual({ 'X-Scope-OrgID': 't1', 'X-Other': '2' })
    expect(settings.prometheus.timeoutMs).toBe(20000)
  })

  it('treats empty inputs (the action defaults) as unset', () => {
    const settings = toGateSettings(readActionInputs(inputs({ config: 'a.yaml', 'prometheus-url': 'http://p:9090' })), ACTION_NAMES, '/ws')
    expect(settings.prometheus).toMatchObject({ bearerToken: undefined, username: undefined, password: undefined, headers: {}, timeoutMs: 15000, retries: 2 })
    expect(settings).toMatchObject({ onError: 'fail', dryRun: false, concurrency: 8 })
  })

  it.each([['TRUE', true], ['False', false], ['', false]])('reads dry-run %p', (value, expected) => {
    expect(readActionInputs(inputs({ 'dry-run': value })).dryRun).toBe(expected)
  })

  it('rejects a dry-run that is not a boolean', () => {
    expect(usageError(() => readActionInputs(inputs({ 'dry-run': 'yes' }))).message).toBe('dry-run: expected true or false, got "yes"')
  })
})
