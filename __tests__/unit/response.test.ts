// Instant-query bodies from real engines (Prometheus 2.42, VictoriaMetrics 1.79, captured on
// loopback) and from upstream docs and tests: what the gate reads from each, and how it names
// every shape it cannot use.
import { describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

import { parseInstantBody, parseSampleValue, type ParsedBody } from '../../src/prometheus/response.js'
import { SHARED } from '../harness/shared.js'

const CORPUS = `${SHARED}/corpus/prom-responses`
const ENGINES = ['prometheus-2.42', 'victoriametrics-1.79'] as const

interface Captured {
  case: string
  http_status: number
  body_raw: string
}

function captured(engine: (typeof ENGINES)[number], name: string): Captured {
  return JSON.parse(readFileSync(join(CORPUS, 'captured', engine, `${name}.json`), 'utf8')) as Captured
}

/** Parses the exact bytes the engine sent. */
function parseCaptured(engine: (typeof ENGINES)[number], name: string): ParsedBody {
  return parseInstantBody(JSON.parse(captured(engine, name).body_raw))
}

function parseFile(file: string): ParsedBody {
  return parseInstantBody(JSON.parse(readFileSync(join(CORPUS, file), 'utf8')))
}

function ok(parsed: ParsedBody) {
  if (!parsed.ok) throw new Error(`expected a result, got: ${parsed.message}`)
  return parsed.result
}

function failure(parsed: ParsedBody) {
  if (parsed.ok) throw new Error(`expected a failure, got ${JSON.stringify(parsed.result)}`)
  return parsed
}

const MATRIX_ADVICE =
  'the query returned a range vector (matrix); an instant vector was expected: remove the trailing [range] or wrap it in a function such as increase()'
const HISTOGRAM_ADVICE = 'the query returned a native histogram; wrap it in histogram_count() or histogram_sum() to get a number'

describe('captured responses', () => {
  it('has every capture for both engines (the corpus was not moved)', () => {
    for (const engine of ENGINES) expect(readdirSync(join(CORPUS, 'captured', engine)).length).toBeGreaterThanOrEqual(32)
  })

  describe.each(ENGINES)('%s', (engine) => {
    const files = readdirSync(join(CORPUS, 'captured', engine)).map((f) => f.replace(/\.json$/, ''))

    it.each(files)('parses %s without throwing, into a result or a named failure', (name) => {
      const parsed = parseCaptured(engine, name)
      if (parsed.ok) {
        expect(['vector', 'scalar']).toContain(parsed.result.resultType)
        for (const sample of parsed.result.samples) expect(typeof sample.value).toBe('number')
      } else {
        expect(parsed.message.length).toBeGreaterThan(10)
      }
    })

    it.each([
      ['vector_sli_error_ratio_5m', 0.001],
      ['vector_sli_error_ratio_30m', 0.0005],
      ['vector_sli_error_ratio_1h', 0.050277777777777775],
      ['vector_sli_error_ratio_2h', 0.050263888888888886],
      ['vector_sli_error_ratio_1d', 0.004621527777777777],
      ['vector_sli_error_ratio_3d', 0.0018553240740740741],
      ['vector_lowtraffic_1h_ratio', 0.1],
      ['vector_error_budget_remaining_4d', -0.5095486111111096],
      ['vector_empty_or_vector0', 0],
      ['post_form_vector', 0.050277777777777775],
      ['vector_with_stats_all', 0.001]
    ])('reads %s as one sample with the exact value', (name, value) => {
      expect(ok(parseCaptured(engine, name))).toEqual({ resultType: 'vector', samples: [{ labels: {}, value }], warnings: [] })
    })

    it('keeps the labels of every series', () => {
      expect(ok(parseCaptured(engine, 'vector_counter_reset_increase')).samples).toEqual([{ labels: { code: '200', job: 'myservice' }, value: 35983 }])
      const byCode = ok(parseCaptured(engine, 'vector_sli_error_ratio_5m_by_code')).samples
      expect(byCode.map((s) => s.labels.code)).toEqual(['200', '429', '500'])
      expect(byCode[0].value).toBe(9.99)
    })

    it('reads ±Inf as infinities, not as errors or zero', () => {
      expect(ok(parseCaptured(engine, 'vector_pos_inf')).samples).toEqual([{ labels: {}, value: Infinity }])
      expect(ok(parseCaptured(engine, 'vector_neg_inf')).samples).toEqual([{ labels: {}, value: -Infinity }])
    })

    it('reads empty vectors as no samples', () => {
      for (const name of ['vector_empty_absent_metric', 'vector_alert_page_condition_false_empty']) {
        expect(ok(parseCaptured(engine, name))).toEqual({ resultType: 'vector', samples: [], warnings: [] })
      }
    })

    it('rejects a matrix with advice', () => {
      expect(failure(parseCaptured(engine, 'matrix_sli_error_ratio_5m_last3h'))).toEqual({ ok: false, kind: 'invalid', message: MATRIX_ADVICE })
    })
  })

  it('reads NaN as NaN from Prometheus, where VictoriaMetrics drops the series', () => {
    const [nan] = ok(parseCaptured('prometheus-2.42', 'vector_nan_zero_traffic')).samples
    expect(nan.value).toBeNaN()
    const scalar = ok(parseCaptured('prometheus-2.42', 'scalar_nan_literal'))
    expect(scalar.resultType).toBe('scalar')
    expect(scalar.samples[0].value).toBeNaN()
    expect(ok(parseCaptured('victoriametrics-1.79', 'vector_nan_zero_traffic')).samples).toEqual([])
    expect(ok(parseCaptured('victoriametrics-1.79', 'scalar_nan_literal')).samples).toEqual([])
  })

  it('reads a scalar (Prometheus) and the vector VictoriaMetrics returns for it alike', () => {
    expect(ok(parseCaptured('prometheus-2.42', 'scalar_total_rps'))).toEqual({ resultType: 'scalar', samples: [{ labels: {}, value: 10 }], warnings: [] })
    expect(ok(parseCaptured('victoriametrics-1.79', 'scalar_total_rps'))).toEqual({ resultType: 'vector', samples: [{ labels: {}, value: 10 }], warnings: [] })
  })

  it('rejects a string result', () => {
    expect(failure(parseCaptured('prometheus-2.42', 'string_literal')).message).toBe('the query returned a string; a number was expected')
  })

  it.each([
    ['error_parse_error', 'bad_data', 'invalid parameter "query": 1:67: parse error: unclosed left parenthesis'],
    ['error_missing_query', 'bad_data', 'invalid parameter "query": 1:1: parse error: no expression found in input'],
    ['error_bad_time', 'bad_data', `invalid parameter "time": Invalid time value for 'time': cannot parse "yesterday" to a valid timestamp`],
    ['error_many_to_many', 'execution', 'many-to-many matching not allowed: matching labels must be unique on one side'],
    ['error_timeout_param', 'timeout', 'query timed out in query queue'],
    ['error_too_many_samples', 'execution', 'query processing would load too many samples into memory in query execution'],
    ['error_range_too_many_points', 'bad_data', 'exceeded maximum resolution of 11,000 points per timeseries']
  ])('surfaces the Prometheus error %s with its errorType and message', (name, errorType, message) => {
    const parsed = failure(parseCaptured('prometheus-2.42', name))
    expect(parsed).toMatchObject({ kind: 'prometheus-error', errorType })
    expect(parsed.kind === 'prometheus-error' && parsed.message).toContain(message)
  })

  it.each([
    ['error_parse_error', 'argList: unexpected token'],
    ['error_missing_query', 'missing `query` arg'],
    ['error_bad_time', 'cannot parse "time"="yesterday"'],
    ['error_many_to_many', 'duplicate time series on the left side of / on (job)'],
    ['error_range_zero_step', '"step"=0ms is out of allowed range']
  ])('surfaces the VictoriaMetrics error %s, whose errorType is the HTTP status', (name, message) => {
    expect(captured('victoriametrics-1.79', name).http_status).toBe(422)
    const parsed = failure(parseCaptured('victoriametrics-1.79', name))
    expect(parsed).toMatchObject({ kind: 'prometheus-error', errorType: '422' })
    expect(parsed.kind === 'prometheus-error' && parsed.message).toContain(message)
  })
})

describe('documented and assembled responses', () => {
  it('reads the docs example vector with fractional timestamps', () => {
    expect(ok(parseFile('prom-docs-instant-vector-up.json')).samples).toEqual([
      { labels: { __name__: 'up', job: 'prometheus', instance: 'localhost:9090' }, value: 1 },
      { labels: { __name__: 'up', job: 'node', instance: 'localhost:9100' }, value: 0 }
    ])
    expect(ok(parseFile('prom-openapi-vector-up.json')).samples).toHaveLength(2)
    expect(ok(parseFile('prom-codec-vector-two.json')).samples.map((s) => s.value)).toEqual([1, 2])
    expect(ok(parseFile('prom-openapi-scalar-42.json'))).toEqual({ resultType: 'scalar', samples: [{ labels: {}, value: 42 }], warnings: [] })
  })

  it.each(['prom-docs-range-matrix-up.json', 'prom-openapi-matrix-up5m.json', 'prom-openapi-native-histogram-matrix.json', 'prom-codec-native-histogram-matrix-neg-zero-buckets.json'])(
    'rejects the matrix in %s with advice',
    (file) => {
      expect(failure(parseFile(file)).message).toBe(MATRIX_ADVICE)
    }
  )

  it('rejects a native histogram sample with advice', () => {
    expect(failure(parseFile('prom-openapi-native-histogram-vector.json'))).toEqual({ ok: false, kind: 'invalid', message: HISTOGRAM_ADVICE })
  })

  it.each([
    ['prom-openapi-error-tsdb-not-ready.json', 'internal', 'TSDB not ready'],
    ['prom-assembled-error-canceled-499.json', 'canceled', 'query was canceled in expression evaluation'],
    ['prom-assembled-error-unavailable-admin.json', 'unavailable', 'admin APIs disabled'],
    ['thanos-assembled-error-canceled-503.json', 'canceled', 'context canceled'],
    ['vm-assembled-error-422.json', '422', 'missing `query` arg']
  ])('surfaces the error in %s', (file, errorType, message) => {
    expect(parseFile(file)).toEqual({ ok: false, kind: 'prometheus-error', errorType, message })
  })

  it('keeps warnings and infos alongside the data', () => {
    expect(ok(parseFile('prom-assembled-infos-non-counter.json'))).toEqual({
      resultType: 'vector',
      samples: [{ labels: {}, value: 0.5 }],
      warnings: ['PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "series" (1:6)']
    })
    expect(ok(parseFile('prom-assembled-warnings-mixed-histograms.json'))).toEqual({
      resultType: 'vector',
      samples: [],
      warnings: ['PromQL warning: encountered a mix of histograms and floats for metric name "series" (1:6)']
    })
    expect(ok(parseFile('prom-assembled-warnings-truncated-and-omitted.json')).warnings).toEqual(['results truncated due to limit'])
    expect(ok(parseFile('thanos-assembled-no-stores-matched-warning.json')).warnings).toEqual(['No StoreAPIs matched for this query'])
    expect(ok(parseFile('thanos-assembled-partial-response-warning.json'))).toEqual({
      resultType: 'vector',
      samples: [{ labels: {}, value: 0.001 }],
      warnings: ['fetch series for {replica="b"} : rpc error: code = Unavailable desc = connection error']
    })
    const both = ok(parseInstantBody({ status: 'success', data: { resultType: 'vector', result: [] }, warnings: ['w1'], infos: ['i1'] }))
    expect(both.warnings).toEqual(['w1', 'i1'])
  })

  it("turns VictoriaMetrics' isPartial into a warning, and ignores its stats", () => {
    expect(ok(parseFile('vm-cluster-assembled-ispartial-true.json'))).toEqual({
      resultType: 'vector',
      samples: [{ labels: {}, value: 2 }],
      warnings: ['the server marked the response as partial (isPartial: true): some storage nodes did not answer, so the numbers may be incomplete']
    })
    expect(ok(parseFile('vm-cluster-docs-ispartial-false.json'))).toEqual({ resultType: 'vector', samples: [{ labels: {}, value: 3 }], warnings: [] })
  })

  it('reads an errorType sent as a JSON number (VictoriaMetrics) without losing the message', () => {
    expect(parseInstantBody({ status: 'error', errorType: 422, error: 'error when executing query' })).toEqual({
      ok: false,
      kind: 'prometheus-error',
      errorType: '422',
      message: 'error when executing query'
    })
    expect(parseInstantBody({ status: 'error' })).toEqual({ ok: false, kind: 'prometheus-error', errorType: 'unknown', message: 'no error text given' })
  })

  it.each(['prom-docs-rules.json', 'prom-docs-alerts.json', 'prom-codec-scalar-nan.json', 'prom-codec-ts-millis.json'])(
    'rejects %s (not an instant-query body) with a message',
    (file) => {
      expect(failure(parseFile(file)).message).toBe('the response has no valid data.resultType/data.result')
    }
  )

  it('rejects bodies that are not the Prometheus envelope', () => {
    for (const body of [null, 'text', 42, [], {}, { data: {} }]) {
      expect(failure(parseInstantBody(body)).message).toBe('the body is not a Prometheus API response (no "status" field)')
    }
    expect(failure(parseInstantBody({ status: 'ok', data: {} })).message).toBe(
      'the body is not a Prometheus API response ("status" is "ok", expected "success" or "error")'
    )
    expect(failure(parseInstantBody({ status: 'success' })).message).toBe('the response has no valid data.resultType/data.result')
  })

  it('names a sample value that is not a number', () => {
    for (const value of ['abc', '', ' 5 ', '0x10', 'Infinity', '1,5']) {
      const body = { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] } }
      expect(failure(parseInstantBody(body)).message).toBe(`the sample value ${JSON.stringify(value)} is not a number`)
    }
    expect(failure(parseInstantBody({ status: 'success', data: { resultType: 'scalar', result: [1, 'inf'] } })).message).toBe('the scalar value "inf" is not a number')
    expect(failure(parseInstantBody({ status: 'success', data: { resultType: 'vector', result: [{ metric: {} }] } })).message).toBe(
      'a series in the result has no value'
    )
  })
})

describe('parseSampleValue', () => {
  it.each([
    // The exact strings Prometheus' JSON codec writes (json_codec_test.go).
    ['prom-codec-scalar-nan.json', NaN],
    ['prom-codec-scalar-posinf.json', Infinity],
    ['prom-codec-scalar-neginf.json', -Infinity],
    ['prom-codec-small-float.json', 0.0000012345678],
    ['prom-codec-tiny-float.json', 1.2345678e-67],
    ['prom-codec-ts-large.json', 20]
  ])('reads the value in %s', (file, expected) => {
    const body = JSON.parse(readFileSync(join(CORPUS, file), 'utf8')) as { data: [number, string] }
    expect(parseSampleValue(body.data[1])).toBe(expected)
  })

  it.each([
    ['1e+00', 1],
    ['-0.5', -0.5],
    ['1e+06', 1e6],
    ['+3', 3],
    ['.5', 0.5],
    ['5.', 5],
    ['Inf', Infinity],
    ['-0', -0]
  ])('reads %s', (text, expected) => {
    expect(parseSampleValue(text)).toBe(expected)
  })

  it.each(['', ' ', 'abc', '0x10', '0b1', 'Infinity', '-Infinity', 'nan', '1_000', '5 '])('refuses %p', (text) => {
    expect(parseSampleValue(text)).toBeUndefined()
  })
})
