// Bad input shared by the action and CLI end-to-end suites: broken SLO files, and servers that
// misbehave in the ways a gate must survive (echoing credentials, HTML, silence).
import { closedPort, fakeServer, type FakeServer } from './run-bundle.js'

const SLO_HEAD = 'apiVersion: error-budget-gate/v1\nservice: healthy\nslos:\n  - name: requests-availability\n'
const COUNTERS = '    sli:\n      counters:\n        errors: http_requests_total{service="healthy",code="500"}\n        total: http_requests_total{service="healthy"}\n'

/** Contents for slos/bad.yaml, one defect each. */
export const BAD_SLO_FILES = {
  malformedYaml: `${SLO_HEAD}    objective: [99.9\n${COUNTERS}`,
  unknownField: `${SLO_HEAD}    objective: 99.9\n    objectiv: 99.9\n${COUNTERS}`,
  objective100: `${SLO_HEAD}    objective: 100\n${COUNTERS}`,
  badDuration: `${SLO_HEAD}    objective: 99.9\n    window: 30x\n${COUNTERS}`,
  /** Valid YAML, but PromQL Prometheus answers with a 400. */
  badPromql: `${SLO_HEAD}    objective: 99.9\n    sli:\n      raw:\n        errorRatioQuery: sum(rate(http_requests_total{service="healthy"[{{.window}}]))\n`
}

export interface Urls {
  /** The real test Prometheus. */
  url: string
  /** A closed port. */
  dead: string
  /** Answers 500 with a body echoing the request headers (credentials included). */
  echo: string
  /** Answers 200 with an HTML page. */
  html: string
  /** Accepts the request and never answers. */
  hang: string
}

export interface BadServers {
  urls: Urls
  /** The echoing server, whose recorded requests show what credentials were sent. */
  echo: FakeServer
  close(): Promise<void>
}

export async function startBadServers(prometheusUrl: string): Promise<BadServers> {
  const echo = await fakeServer((req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' })
    res.end(`internal error; request was ${JSON.stringify(req.headers)}`)
  })
  const html = await fakeServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<!doctype html><html><body>Sign in</body></html>')
  })
  const hang = await fakeServer(() => undefined)
  const servers = [echo, html, hang]
  return {
    urls: { url: prometheusUrl, dead: `http://127.0.0.1:${await closedPort()}`, echo: echo.url, html: html.url, hang: hang.url },
    echo,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()))
    }
  }
}
