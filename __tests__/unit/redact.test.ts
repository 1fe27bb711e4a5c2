// No secret (token, password, header value) ever reaches an output: every string that leaves the
// process passes through one Redactor, and URLs are printed without their userinfo.
import { describe, expect, it } from '@jest/globals'

import { describeError } from '../../src/errors.js'
import { Redactor, safeUrl } from '../../src/redact.js'

describe('Redactor', () => {
  it('masks every occurrence of every secret', () => {
    const redactor = new Redactor()
    redactor.add('tok-123456')
    redactor.add('hunter22')
    expect(redactor.redact('Authorization: Bearer tok-123456; again tok-123456; password hunter22.')).toBe(
      'Authorization: Bearer ***; again ***; password ***.'
    )
  })

  it('leaves text without secrets unchanged, and redacts nothing when it holds none', () => {
    const redactor = new Redactor()
    expect(redactor.redact('decision: freeze')).toBe('decision: freeze')
    redactor.add('tok-123456')
    expect(redactor.redact('decision: freeze')).toBe('decision: freeze')
    expect(redactor.redact('')).toBe('')
  })

  it('ignores empty, missing and very short values (a header value "1" is not a secret)', () => {
    const redactor = new Redactor()
    for (const value of [undefined, '', '1', 'ab']) redactor.add(value)
    expect(redactor.list()).toEqual([])
    expect(redactor.redact('ab 1 ab')).toBe('ab 1 ab')
    redactor.add('abc')
    expect(redactor.redact('abc abcd')).toBe('*** ***d')
  })

  it('masks a secret that contains another one whole', () => {
    const redactor = new Redactor()
    redactor.add('secret')
    redactor.add('Bearer secret-token')
    redactor.add('secret-token')
    expect(redactor.redact('Authorization: Bearer secret-token, secret-token, secret')).toBe('Authorization: ***, ***, ***')
  })

  it('treats secrets as plain text, not patterns', () => {
    const redactor = new Redactor()
    redactor.add('a.b*c$(d)')
    expect(redactor.redact('x a.b*c$(d) aXbbc')).toBe('x *** aXbbc')
  })

  it('adds each secret once', () => {
    const redactor = new Redactor()
    redactor.add('same-secret')
    redactor.add('same-secret')
    expect(redactor.list()).toEqual(['same-secret'])
  })

  it('masks a secret inside JSON, where quotes and backslashes are escaped', () => {
    const secret = 'pa"ss\\word\u0001x'
    const redactor = new Redactor()
    redactor.add(secret)
    const json = JSON.stringify({ reasons: [`server said: ${secret}`] })
    expect(json).not.toContain(secret)
    const redacted = redactor.redact(json)
    expect(redacted).toBe('{"reasons":["server said: ***"]}')
    expect(JSON.parse(redacted)).toEqual({ reasons: ['server said: ***'] })
  })

  it('accepts a secret that cannot be percent-encoded', () => {
    const redactor = new Redactor()
    redactor.add('bad\uD800secret')
    expect(redactor.redact('x bad\uD800secret y')).toBe('x *** y')
  })

  it('masks a secret written percent-encoded, as in a URL', () => {
    const redactor = new Redactor()
    redactor.add('p@ss word/1')
    expect(redactor.redact('http://u:p%40ss%20word%2F1@host and p@ss word/1')).toBe('http://u:***@host and ***')
  })
})

describe('safeUrl', () => {
  it.each([
    ['http://prometheus:9090', 'http://prometheus:9090'],
    ['http://prometheus:9090/', 'http://prometheus:9090'],
    ['https://host/prometheus/', 'https://host/prometheus'],
    ['http://user:hunter22@prometheus:9090/prom', 'http://prometheus:9090/prom'],
    ['https://hunter22@host/', 'https://host'],
    ['http://user:p%40ss@host:9090', 'http://host:9090'],
    ['http://user:p@ss@host:9090', 'http://host:9090'],
    ['http://127.0.0.1:9090/a?b=c', 'http://127.0.0.1:9090/a?b=c']
  ])('prints %s as %s', (url, expected) => {
    expect(safeUrl(url)).toBe(expected)
  })

  it.each([
    ['http://user:hunter22@[::1', 'http://[::1'],
    ['http://us:hun/ter#22@[bad', 'http://[bad'],
    ['user:hunter22@prometheus:9090', 'prometheus:9090'],
    ['ftp://user:hunter22@host', 'ftp://host'],
    ['not a url', 'not a url']
  ])('strips the userinfo of %s, which is not a usable http URL', (url, expected) => {
    expect(safeUrl(url)).toBe(expected)
    expect(safeUrl(url)).not.toMatch(/hunter|ter#22/)
  })
})

describe('describeError', () => {
  it('shows the message of an error, never its stack', () => {
    const error = new Error('query failed')
    expect(describeError(error)).toBe('query failed')
    expect(describeError('plain text')).toBe('plain text')
    expect(describeError(new TypeError(''))).toBe('unexpected failure (TypeError)')
  })

  it('shows the message of an error-like object from another realm', () => {
    expect(describeError({ name: 'Error', message: 'from a worker' })).toBe('from a worker')
  })

  it('never prints the fields of a thrown object (an HTTP client error carries the credentials)', () => {
    const thrown = { config: { headers: { Authorization: 'Bearer tok-123456' } }, code: 'ECONNRESET' }
    const text = describeError(thrown)
    expect(text).toBe('unexpected failure (a value of type object was thrown)')
    expect(text).not.toContain('tok-123456')
  })

  it('names other thrown values', () => {
    expect(describeError(42)).toBe('unexpected failure: 42')
    expect(describeError(undefined)).toBe('unexpected failure (undefined was thrown)')
    expect(describeError(null)).toBe('unexpected failure (null was thrown)')
  })
})

describe('Redactor.json', () => {
  it('masks string values but leaves numbers whole, so a numeric secret keeps the JSON valid', () => {
    const redactor = new Redactor()
    redactor.add('123456') // e.g. a numeric tenant ID given as a header value
    const text = redactor.json({ tenant: 'org 123456', budget: 0.1234567, count: 1234560, nested: ['x123456y'] }, 2)
    const parsed = JSON.parse(text) as Record<string, unknown>
    expect(parsed).toEqual({ tenant: 'org ***', budget: 0.1234567, count: 1234560, nested: ['x***y'] })
    expect(text).not.toContain('"org 123456"')
  })

  it('masks secrets that need escaping in JSON', () => {
    const redactor = new Redactor()
    redactor.add('p"a\\ss')
    expect(redactor.json({ message: 'auth p"a\\ss failed' })).toBe('{"message":"auth *** failed"}')
  })
})
