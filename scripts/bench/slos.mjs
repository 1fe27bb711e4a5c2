// SLO catalogues for the benchmark: one native SLO file per service (slos/svc-0001.yaml …), each
// with one 99.9% / 30d availability SLO over that service's counters, as an organisation's
// catalogue is laid out; and the same SLOs as a tab-separated list for the curl/jq script.
import fs from 'node:fs'
import path from 'node:path'

import { serviceName } from './history.mjs'

export const OBJECTIVE = 99.9
export const WINDOW = '30d'
/** The gate's windows for a 30d SLO with the default policy (src/plan.ts), in its order. */
export const WINDOWS = ['30d', '5m', '30m', '1h', '2h', '6h', '1d', '3d']

export function queriesOf(i) {
  const service = serviceName(i)
  return {
    service,
    name: 'availability',
    errorQuery: `sum(increase(http_requests_total{service="${service}",code="500"}[{{.window}}]))`,
    totalQuery: `sum(increase(http_requests_total{service="${service}"}[{{.window}}]))`
  }
}

/** Writes dir/slos/*.yaml and dir/slos.tsv for the first `count` services; returns the glob. */
export function writeCatalogue(dir, count) {
  const slos = path.join(dir, 'slos')
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(slos, { recursive: true })
  const tsv = []
  for (let i = 0; i < count; i++) {
    const q = queriesOf(i)
    fs.writeFileSync(
      path.join(slos, `${q.service}.yaml`),
      [
        'apiVersion: error-budget-gate/v1',
        `service: ${q.service}`,
        'slos:',
        `  - name: ${q.name}`,
        `    objective: ${OBJECTIVE}`,
        `    window: ${WINDOW}`,
        '    sli:',
        '      events:',
        `        errorQuery: '${q.errorQuery}'`,
        `        totalQuery: '${q.totalQuery}'`,
        ''
      ].join('\n')
    )
    tsv.push([q.service, q.name, OBJECTIVE / 100, q.errorQuery, q.totalQuery].join('\t'))
  }
  fs.writeFileSync(path.join(dir, 'slos.tsv'), `${tsv.join('\n')}\n`)
  return { glob: path.join(slos, '*.yaml'), tsv: path.join(dir, 'slos.tsv') }
}
