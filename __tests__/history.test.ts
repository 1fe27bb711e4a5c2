// The sample history (scripts/lib/history.mjs) and the real Prometheus serving it.
//
// Unit tests check the OpenMetrics the generator writes; the integration tests at the bottom are
// the proof that the history other tests assume is what Prometheus actually returns at END.
import { describe, expect, it } from '@jest/globals'

import {
  COARSE_STEP,
  DAY,
  END,
  FINE_STEP,
  HOUR,
  MINUTE,
  SEARCH_LATENCY_BUCKETS,
  buildScenario,
  generateDailyOpenMetrics,
  generateOpenMetrics,
  sampleTimes,
  scenarios
} from '../scripts/lib/history.mjs'
import { scalarQuery, instantQuery, testPrometheus } from './harness/prometheus.js'

const { test: testScenario, demo: demoScenario } = scenarios
const START = END - 40 * DAY

interface Sample {
  t: number
  v: number
}
interface Parsed {
  /** series key (name + labels as written) -> samples in file order */
  series: Map<string, Sample[]>
  /** metric family of each TYPE line, in order */
  families: string[]
  /** family of each sample line, in order */
  sampleFamilies: string[]
}

const SAMPLE_LINE =
  /^(http_requests_total|http_request_duration_seconds_bucket|http_request_duration_seconds_count)(\{[^}]*\}) (\S+) (\d+)$/

function familyOf(name: string): string {
  return name === 'http_requests_total' ? 'http_requests' : 'http_request_duration_seconds'
}

function parse(docs: string[]): Parsed {
  const series = new Map<string, Sample[]>()
  const families: string[] = []
  const sampleFamilies: string[] = []
  for (const text of docs) {
    // Plain checks, not expect(): this runs for ~260k lines.
    const lines = text.split('\n')
    if (lines.pop() !== '' || lines.pop() !== '# EOF') throw new Error('document does not end with "# EOF\\n"')
    if (lines.includes('# EOF')) throw new Error('"# EOF" before the end of a document')
    const declared = new Set<string>()
    for (const line of lines) {
      const type = /^# TYPE (\S+) (counter|histogram)$/.exec(line)
      if (type) {
        families.push(type[1]!)
        declared.add(type[1]!)
        continue
      }
      if (line.startsWith('# HELP ')) continue
      const m = SAMPLE_LINE.exec(line)
      if (!m) throw new Error(`unexpected line: ${line}`)
      const family = familyOf(m[1]!)
      if (!declared.has(family)) throw new Error(`sample before its # TYPE line: ${line}`)
      sampleFamilies.push(family)
      const key = m[1]! + m[2]!
      const samples = series.get(key) ?? []
      samples.push({ t: Number(m[4]), v: Number(m[3]) })
      series.set(key, samples)
    }
  }
  return { series, families, sampleFamilies }
}

const testDocs = generateDailyOpenMetrics('test')
const parsed = parse(testDocs.map((d) => d.text))
const at = (key: string, t: number): number => {
  const s = parsed.series.get(key)?.find((x) => x.t === t)
  if (!s) throw new Error(`no sample of ${key} at ${t}`)
  return s.v
}
const req = (svc: string, code: '200' | '500') => `http_requests_total{service="${svc}",code="${code}"}`

describe('sample times', () => {
  const times = sampleTimes()

  it('cover END-40d..END, 5-minute steps before END-2d, 1-minute steps after', () => {
    expect(times[0]).toBe(START)
    expect(times[times.length - 1]).toBe(END)
    const wrongSteps = times.filter(
      (t, i) => i > 0 && t - times[i - 1]! !== (t <= END - 2 * DAY ? COARSE_STEP : FINE_STEP)
    )
    expect(wrongSteps).toEqual([])
    expect(times).toHaveLength((38 * DAY) / COARSE_STEP + (2 * DAY) / FINE_STEP + 1)
  })

  it('include every instant where a rate changes', () => {
    const set = new Set(times)
    for (const scenario of [testScenario, demoScenario]) {
      for (const svc of Object.values(scenario.services)) {
        for (const p of svc.breakpoints) if (p <= END) expect(set.has(p)).toBe(true)
      }
    }
  })

  it('are anchored at any whole-minute end, and reject others', () => {
    const end = END + 7 * MINUTE
    const t = sampleTimes(end)
    expect(t[0]).toBe(end - 40 * DAY)
    expect(t[t.length - 1]).toBe(end)
    expect(() => sampleTimes(END + 30)).toThrow(/whole minute/)
  })
})

describe('OpenMetrics output', () => {
  it('is one valid document per UTC day, 2h-aligned, together holding every sample once', () => {
    expect(testDocs).toHaveLength(41) // 40 whole days + the day starting at END (one sample)
    expect(testDocs[0]!.day).toBe('2026-10-11')
    expect(testDocs[testDocs.length - 1]!.day).toBe('2026-11-20')
    for (const d of testDocs) {
      expect(d.from % (2 * HOUR)).toBe(0)
      expect(d.to - d.from).toBe(DAY)
      expect(d.text.endsWith('\n# EOF\n')).toBe(true)
    }
    for (const samples of parsed.series.values()) expect(samples.map((s) => s.t)).toEqual(sampleTimes())
  })

  it('has exactly the agreed series', () => {
    const services = ['healthy', 'incident-10d', 'incident-35d', 'fast-burn', 'slow-burn', 'idle-recently', 'search']
    const expected = [
      ...services.flatMap((s) => [req(s, '200'), req(s, '500')]),
      ...['0.1', '0.2', '0.5', '+Inf'].map((le) => `http_request_duration_seconds_bucket{service="search",le="${le}"}`),
      'http_request_duration_seconds_count{service="search"}'
    ]
    expect([...parsed.series.keys()].sort()).toEqual(expected.sort())
  })

  it('keeps each metric family contiguous within a document', () => {
    for (const d of testDocs) {
      const { families, sampleFamilies } = parse([d.text])
      expect(families).toEqual(['http_requests', 'http_request_duration_seconds'])
      const firstHistogram = sampleFamilies.indexOf('http_request_duration_seconds')
      expect(sampleFamilies.slice(0, firstHistogram).every((f) => f === 'http_requests')).toBe(true)
      expect(sampleFamilies.slice(firstHistogram).every((f) => f === 'http_request_duration_seconds')).toBe(true)
    }
  })

  it('writes counters series by series and the histogram point by point, timestamps ascending', () => {
    const doc = generateOpenMetrics(testScenario, { from: END - 2 * MINUTE, to: END + 1 })
    expect(doc).toBe(
      [
        '# HELP http_requests Total HTTP requests by service and status code.',
        '# TYPE http_requests counter',
        ...['healthy', 'incident-10d', 'incident-35d', 'fast-burn', 'slow-burn', 'idle-recently', 'search'].flatMap(
          (s) =>
            (['200', '500'] as const).flatMap((code) =>
              [END - 2 * MINUTE, END - MINUTE, END].map((t) => `${req(s, code)} ${at(req(s, code), t)} ${t}`)
            )
        ),
        '# HELP http_request_duration_seconds HTTP request latency.',
        '# TYPE http_request_duration_seconds histogram',
        ...[END - 2 * MINUTE, END - MINUTE, END].flatMap((t) => [
          ...['0.1', '0.2', '0.5', '+Inf'].map(
            (le) =>
              `http_request_duration_seconds_bucket{service="search",le="${le}"} ${testScenario.services.search.counter.bucket(le, t)} ${t}`
          ),
          `http_request_duration_seconds_count{service="search"} ${testScenario.services.search.counter.bucket('+Inf', t)} ${t}`
        ]),
        '# EOF',
        ''
      ].join('\n')
    )
  })

  it('has counters that start at 0 and never decrease', () => {
    for (const [key, samples] of parsed.series) {
      expect([key, samples[0]!.v]).toEqual([key, 0])
      for (let i = 1; i < samples.length; i++) {
        if (samples[i]!.v < samples[i - 1]!.v) throw new Error(`${key} decreases at ${samples[i]!.t}`)
      }
    }
  })

  it('has a histogram with _count == +Inf bucket and buckets non-decreasing in le', () => {
    const b = (le: string) => parsed.series.get(`http_request_duration_seconds_bucket{service="search",le="${le}"}`)!
    const count = parsed.series.get('http_request_duration_seconds_count{service="search"}')!
    const [b1, b2, b5, inf] = [b('0.1'), b('0.2'), b('0.5'), b('+Inf')]
    const bad = count.filter(
      (c, i) => c.v !== inf[i]!.v || !(b1[i]!.v <= b2[i]!.v && b2[i]!.v <= b5[i]!.v && b5[i]!.v <= inf[i]!.v)
    )
    expect(bad).toEqual([])
    // The histogram counts the same traffic as http_requests_total.
    expect(at('http_request_duration_seconds_count{service="search"}', END)).toBe(
      at(req('search', '200'), END) + at(req('search', '500'), END)
    )
  })

  it('has the demo scenario: checkout healthy, payments incident 10d ago, search burning fast', () => {
    const demo = parse(generateDailyOpenMetrics('demo').map((d) => d.text))
    expect([...demo.series.keys()].filter((k) => k.startsWith('http_requests_total')).sort()).toEqual(
      ['checkout', 'payments', 'search'].flatMap((s) => [req(s, '200'), req(s, '500')]).sort()
    )
    expect(demo.series.has('http_request_duration_seconds_count{service="search"}')).toBe(true)
    const { checkout, payments, search } = demoScenario.services
    expect(checkout.errorRatio(END - 10 * DAY + HOUR)).toBe(0.0001)
    expect(payments.errorRatio(END - 10 * DAY + HOUR)).toBe(0.5)
    expect(search.errorRatio(END - 1)).toBe(0.2)
    expect(search.latency).toEqual(SEARCH_LATENCY_BUCKETS)
  })

  it('moves every window with a different end', () => {
    const end = END + 3 * DAY + 17 * MINUTE
    const s = buildScenario('demo', { end })
    expect(s.services.payments.errorRatio(end - 10 * DAY)).toBe(0.5)
    expect(s.services.payments.errorRatio(END - 10 * DAY)).toBe(0.0001)
    expect(s.services.search.errors(end - 5 * MINUTE, end)).toBeCloseTo(1000, 9)
  })
})

// Expected increases, computed by hand (1000 requests/minute everywhere), against both the
// generator's own rate functions and the counter values it wrote.
describe('expected increases at END', () => {
  const { services } = testScenario
  // Difference of written counter values (what Prometheus sees with samples on both window edges).
  const written = (svc: string, code: '200' | '500', from: number, to: number) =>
    at(req(svc, code), to) - at(req(svc, code), from)
  const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected) + 1e-9)

  it('incident-10d over 30d: 2h at 0.5 + 718h at 0.0001', () => {
    const from = END - 30 * DAY
    // errors = 1000/min * (120 min * 0.5 + 43080 min * 0.0001) = 60000 + 4308
    close(services['incident-10d'].errors(from, END), 64308)
    close(written('incident-10d', '500', from, END), 64308)
    close(services['incident-10d'].requests(from, END), 43_200_000)
    close(written('incident-10d', '200', from, END) + written('incident-10d', '500', from, END), 43_200_000)
    close(64308 / 43_200_000, (0.5 * 2 + 0.0001 * (720 - 2)) / 720)
    // During the incident itself.
    close(services['incident-10d'].errors(END - 10 * DAY, END - 10 * DAY + 2 * HOUR), 60000)
    expect(services['incident-10d'].errorRatio(END - 10 * DAY + 2 * HOUR)).toBe(0.0001)
  })

  it('incident-35d: outside the 30d window, inside the 35d one', () => {
    close(written('incident-35d', '500', END - 30 * DAY, END), 4320) // 43200 min * 0.1
    close(written('incident-35d', '500', END - 35 * DAY, END), 60000 + 0.1 * (50400 - 120))
    close(services['incident-35d'].errors(END - 35 * DAY, END), 65028)
  })

  it('fast-burn: 0.2 in the last hour', () => {
    close(services['fast-burn'].errors(END - 5 * MINUTE, END), 1000) // 5000 requests * 0.2
    close(written('fast-burn', '500', END - 5 * MINUTE, END), 1000)
    close(written('fast-burn', '200', END - 5 * MINUTE, END), 4000)
    close(written('fast-burn', '500', END - HOUR, END), 12000)
    close(written('fast-burn', '500', END - 2 * HOUR, END), 12000 + 6)
  })

  it('slow-burn: 0.0015 in the last 3 days', () => {
    close(written('slow-burn', '500', END - 3 * DAY, END), 6480) // 4320 min * 1.5
    close(written('slow-burn', '500', END - 30 * DAY, END), 6480 + 3888) // + 27 d * 1440 * 0.1
    close(services['slow-burn'].errors(END - HOUR, END), 90)
  })

  it('idle-recently: no traffic in the last 2 hours', () => {
    expect(written('idle-recently', '200', END - 2 * HOUR, END)).toBe(0)
    expect(written('idle-recently', '500', END - 2 * HOUR, END)).toBe(0)
    close(services['idle-recently'].requests(END - DAY, END), 22 * 60 * 1000)
    expect(services['idle-recently'].requestsPerMinute(END - 2 * HOUR - 1)).toBe(1000)
    expect(services['idle-recently'].requestsPerMinute(END - 2 * HOUR)).toBe(0)
  })

  it('healthy and search: 0.0001 throughout; search latency buckets', () => {
    close(at(req('healthy', '500'), END), 40 * 1440 * 0.1)
    close(written('healthy', '500', END - 30 * DAY, END), 4320)
    const search = services.search
    const bucket = (le: string) =>
      at(`http_request_duration_seconds_bucket{service="search",le="${le}"}`, END) -
      at(`http_request_duration_seconds_bucket{service="search",le="${le}"}`, END - DAY)
    close(bucket('+Inf'), 1_440_000)
    close(bucket('0.1'), 1_368_000) // 95 %
    close(bucket('0.2'), 1_435_680) // 99.7 %
    close(bucket('0.5'), 1_438_560) // 99.9 %
    close(search.bucket('0.2', END - DAY, END), 1_435_680)
  })
})

// The generated history as served by a real Prometheus (started by the Jest global setup).
//
// No extrapolation is involved at END: every window used here (whole minutes in the last 2
// days, multiples of 5 minutes before) has a sample exactly at END and exactly at END-range, and
// Prometheus 2.x range selectors include both edges, so increase()/rate() see the full interval
// and extrapolate by zero; results equal the generator's exact integrals (to float rounding).
// (Prometheus 3.x selects (END-range, END]: the edge sample drops out and increase() extrapolates
// over one sample step; results then deviate slightly, e.g. ~1e-4 relative for the 30d ratio.)
describe('real Prometheus at END', () => {
  const rel = (actual: number, expected: number, tolerance = 1e-9) =>
    expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThanOrEqual(tolerance)

  it('serves the state written by the global setup', () => {
    const { url, end } = testPrometheus()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(end).toBe(END)
  })

  it('incident-10d: 30d error ratio = (0.5*2h + 0.0001*718h)/720h', async () => {
    const ratio = await scalarQuery(
      'sum(increase(http_requests_total{service="incident-10d",code="500"}[30d])) / sum(increase(http_requests_total{service="incident-10d"}[30d]))'
    )
    rel(ratio, (0.5 * 2 + 0.0001 * (720 - 2)) / 720)
    rel(await scalarQuery('sum(increase(http_requests_total{service="incident-10d",code="500"}[30d]))'), 64308)
    rel(await scalarQuery('sum(increase(http_requests_total{service="incident-10d"}[30d]))'), 43_200_000)
  })

  it('fast-burn: 5m error ratio = 0.2, 1h = 0.2, 6h = (0.2*1 + 0.0001*5)/6', async () => {
    const ratio = (w: string) =>
      scalarQuery(
        `sum(rate(http_requests_total{service="fast-burn",code="500"}[${w}])) / sum(rate(http_requests_total{service="fast-burn"}[${w}]))`
      )
    rel(await ratio('5m'), 0.2)
    rel(await ratio('1h'), 0.2)
    rel(await ratio('6h'), (0.2 * 1 + 0.0001 * 5) / 6)
    rel(await scalarQuery('sum(rate(http_requests_total{service="fast-burn"}[5m]))'), 1000 / 60)
  })

  it('per-service 30d error ratios', async () => {
    const rows = await instantQuery(
      'sum by (service) (increase(http_requests_total{code="500"}[30d])) / sum by (service) (increase(http_requests_total[30d]))'
    )
    const got = Object.fromEntries(rows.map((r) => [r.metric.service, r.value]))
    expect(Object.keys(got).sort()).toEqual(
      ['fast-burn', 'healthy', 'idle-recently', 'incident-10d', 'incident-35d', 'search', 'slow-burn'].sort()
    )
    for (const svc of Object.keys(got)) {
      const s = testScenario.services[svc as keyof typeof testScenario.services]
      rel(got[svc]!, s.errors(END - 30 * DAY, END) / s.requests(END - 30 * DAY, END))
    }
    rel(got.healthy!, 0.0001)
    rel(got['incident-35d']!, 0.0001)
    rel(got['slow-burn']!, (0.0015 * 3 + 0.0001 * 27) / 30)
    rel(got['fast-burn']!, (0.2 * 1 + 0.0001 * 719) / 720)
  })

  it('incident-35d: counted in a 35d window', async () => {
    rel(await scalarQuery('sum(increase(http_requests_total{service="incident-35d",code="500"}[35d]))'), 65028)
  })

  it('slow-burn: 1h and 3d error ratio 0.0015', async () => {
    for (const w of ['1h', '3d']) {
      rel(
        await scalarQuery(
          `sum(rate(http_requests_total{service="slow-burn",code="500"}[${w}])) / sum(rate(http_requests_total{service="slow-burn"}[${w}]))`
        ),
        0.0015
      )
    }
  })

  it('idle-recently: no traffic in 1h, so the ratio is NaN (0/0); 1d still has traffic', async () => {
    expect(await scalarQuery('sum(increase(http_requests_total{service="idle-recently"}[1h]))')).toBe(0)
    expect(
      await scalarQuery(
        'sum(rate(http_requests_total{service="idle-recently",code="500"}[5m])) / sum(rate(http_requests_total{service="idle-recently"}[5m]))'
      )
    ).toBeNaN()
    rel(await scalarQuery('sum(increase(http_requests_total{service="idle-recently"}[1d]))'), 1_320_000)
  })

  it('search latency: 99.7 % of requests within 0.2 s', async () => {
    rel(
      await scalarQuery(
        'sum(increase(http_request_duration_seconds_bucket{service="search",le="0.2"}[1d])) / sum(increase(http_request_duration_seconds_count{service="search"}[1d]))'
      ),
      0.997
    )
    rel(
      await scalarQuery(
        'sum(rate(http_request_duration_seconds_bucket{service="search",le="0.1"}[5m])) / sum(rate(http_request_duration_seconds_count{service="search"}[5m]))'
      ),
      0.95
    )
  })
})
