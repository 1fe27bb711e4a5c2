// SLO files in the formats people already keep: OpenSLO (v1, and v1alpha as Sloth writes it),
// Pyrra ServiceLevelObjective, Sloth's Kubernetes CRD and AlertWindows. Every spec of the
// reference corpus (/work/shared/corpus/specs, copied from the Sloth, Pyrra and OpenSLO
// repositories) either loads, or fails with a message naming the file, the document, the field
// and what is not supported.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

import { loadSloFiles, parseSloText, parseSloTexts } from '../../src/config/load.js'
import { sloId, type Slo } from '../../src/config/model.js'
import { normaliseLe } from '../../src/config/pyrra.js'
import { prometheusDurationName } from '../../src/config/recorded.js'
import { planQueries } from '../../src/plan.js'
import { ConfigError } from '../../src/errors.js'
import { DEFAULT_POLICY } from '../../src/policy/settings.js'
import { SHARED } from '../harness/shared.js'

const SPECS = `${SHARED}/corpus/specs`

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.yaml') ? [relative(SPECS, path)] : []
  })
}

const parseSpec = (file: string) => parseSloText(readFileSync(join(SPECS, file), 'utf8'), file)

function parseValid(text: string, file = 'slos.yaml'): Slo[] {
  const { slos, problems } = parseSloText(text, file)
  expect(problems).toEqual([])
  return slos
}

function problemsOf(text: string, file = 'bad.yaml'): string[] {
  const { slos, problems } = parseSloText(text, file)
  expect(problems.length).toBeGreaterThan(0)
  expect(slos).toEqual([])
  return problems
}

const rules = (slo: Slo) => slo.policy.burnRateRules.map((rule) => [rule.long, rule.short, rule.threshold, rule.decision])

/**
 * What each corpus file does: the SLO ids it loads, or fragments its problems must hold (each
 * fragment matched by a problem, each problem by a fragment).
 */
const NOT_PROMETHEUS = /not supported: metric source type "(Any|Datadog)": the gate reads Prometheus-compatible APIs/
const V2ALPHA = /\[\d+\]\.apiVersion\): not supported: OpenSLO openslo\.com\/v2alpha \(a draft version\): write the SLO as openslo\/v1/
const NO_API_VERSION = /\(document 1\): not an SLO document: no `apiVersion` or `version` field \(supported: /
const CRD = /\(document 1\): not an SLO document: a Kubernetes CustomResourceDefinition/

const EXPECTED: Record<string, { slos: string[] } | { problems: RegExp[] }> = {
  // OpenSLO repository examples: data sources of type "Any", i.e. not a query the gate can run.
  'openslo/budgeting-method_occurences-slo.yaml': { problems: [/spec\.indicator\.spec\.thresholdMetric\.metricSource\.type\)/, NOT_PROMETHEUS] },
  'openslo/budgeting-method_ratio-timeslices.yaml': { problems: [/ratioMetric\.good\.metricSource\.type\)/, /ratioMetric\.total\.metricSource\.type\)/, NOT_PROMETHEUS] },
  'openslo/budgeting-method_timeslices-slo.yaml': {
    problems: [/spec\.timeWindow\[0\]\.duration\): a calendar-aligned window of 1m is 1 minute: write 1M for a month/, NOT_PROMETHEUS]
  },
  'openslo/treat-low-traffic-as-equally-important_timeslices-slo.yaml': { problems: [NOT_PROMETHEUS] },
  // OpenSLO Go SDK examples.
  'openslo/go-sdk/inline-inputs/custom_config.yaml': { problems: [/\[1\]\.spec\.indicatorRef\): no SLI document named "my-sli" was loaded/] },
  'openslo/go-sdk/inline-inputs/v1_alert_policies_invalid_condition.yaml': { slos: [] },
  'openslo/go-sdk/inline-inputs/v1_alert_policies_invalid_target.yaml': { slos: [] },
  'openslo/go-sdk/inline-inputs/v1_alert_policies_keep_refs.yaml': { slos: [] },
  'openslo/go-sdk/inline-inputs/v1_alert_policies_remove_refs.yaml': { slos: [] },
  'openslo/go-sdk/inline-inputs/v1_slo.yaml': { problems: [/\[[01]\]\.spec\.budgetingMethod\): not supported: budgetingMethod Timeslices with a thresholdMetric/] },
  'openslo/go-sdk/inline-inputs/v1_slo_invalid_policy.yaml': { problems: [/objectives\[0\]\.value\): missing required field: a thresholdMetric objective needs the value/] },
  'openslo/go-sdk/inline-inputs/v1_slo_invalid_sli.yaml': { problems: [/\[0\]\.spec\.indicatorRef\): no SLI document named "no-sli" was loaded/] },
  'openslo/go-sdk/inline-inputs/v1_slo_invalid_target.yaml': { problems: [/objectives\[0\]\.value\): missing required field/] },
  'openslo/go-sdk/v1_alert_conditions.yaml': { slos: [] },
  'openslo/go-sdk/v1_alert_notification_targets.yaml': { slos: [] },
  'openslo/go-sdk/v1_alert_policies.yaml': { slos: [] },
  'openslo/go-sdk/v1_data_sources.yaml': { slos: [] },
  'openslo/go-sdk/v1_services.yaml': { slos: [] },
  'openslo/go-sdk/v1_slis.yaml': { slos: [] },
  'openslo/go-sdk/v1_slos.yaml': { slos: ['web/web-availability'] },
  'openslo/go-sdk/v1alpha_services.yaml': { slos: [] },
  'openslo/go-sdk/v1alpha_slos.yaml': { problems: [/\[1\]\.spec\.objectives\[0\]\.ratioMetrics\.(good|total)\.source\): not supported: source "datadog"/] },
  'openslo/go-sdk/v2alpha_alert_conditions.yaml': { problems: [V2ALPHA] },
  'openslo/go-sdk/v2alpha_alert_notification_targets.yaml': { problems: [V2ALPHA] },
  'openslo/go-sdk/v2alpha_alert_policies.yaml': { problems: [V2ALPHA] },
  'openslo/go-sdk/v2alpha_data_sources.yaml': { problems: [V2ALPHA] },
  'openslo/go-sdk/v2alpha_services.yaml': { problems: [V2ALPHA] },
  'openslo/go-sdk/v2alpha_slis.yaml': { problems: [V2ALPHA] },
  'openslo/go-sdk/v2alpha_slos.yaml': { problems: [V2ALPHA] },
  // oslo's validate inputs.
  'openslo/oslo-validate/invalid-apiversion.yaml': { problems: [/\(document 1\): unknown apiVersion "foo"/] },
  'openslo/oslo-validate/mix_1.yaml': { slos: [] },
  'openslo/oslo-validate/mix_2.yaml': { slos: [] },
  'openslo/oslo-validate/mix_3.yaml': { problems: [V2ALPHA] },
  'openslo/oslo-validate/recursive_1.yaml': { slos: [] },
  'openslo/oslo-validate/recursive_nested_2.yaml': { problems: [V2ALPHA] },
  'openslo/oslo-validate/recursive_nested_nested2_nested3_3.yaml': { problems: [V2ALPHA] },
  // oslo rejects the unknown field `spec.markdown` of a Service; the gate reads no Service field.
  'openslo/oslo-validate/unknown-field.yaml': { slos: [] },
  'openslo/oslo-validate/v1.yaml': { slos: ['web/web-availability'] },
  'openslo/oslo-validate/v1alpha.yaml': {
    problems: [/\(document 2, spec\.objectives\[0\]\.timeSliceTarget\): missing required field: budgetingMethod Timeslices needs/]
  },
  'openslo/oslo-validate/v2alpha.yaml': { problems: [V2ALPHA] },
  // Blocks of the OpenSLO README: concrete instances, and fragments without apiVersion.
  'openslo/readme-concrete/02-datasource-cloudwatch.yaml': { slos: [] },
  'openslo/readme-concrete/05-objectives-target-and-targetPercent.yaml': { problems: [NO_API_VERSION] },
  'openslo/readme-concrete/07-slo-inline-sli-datadog.yaml': {
    problems: [/spec\.budgetingMethod\): missing required field/, /spec\.timeWindow\): missing required field/, NOT_PROMETHEUS]
  },
  'openslo/readme-concrete/08-ratioMetric-prometheus.yaml': { problems: [NO_API_VERSION] },
  'openslo/readme-concrete/09-thresholdMetric-redshift-ref.yaml': { problems: [NO_API_VERSION] },
  'openslo/readme-concrete/10-thresholdMetric-redshift-inline.yaml': { problems: [NO_API_VERSION] },
  'openslo/readme-concrete/12-alertpolicy-conditionRef.yaml': { slos: [] },
  'openslo/readme-concrete/13-alertpolicy-inline-condition.yaml': { slos: [] },
  'openslo/readme-concrete/15-alertcondition-burnrate.yaml': { slos: [] },
  'openslo/readme-concrete/17-alertnotificationtarget-a.yaml': { slos: [] },
  'openslo/readme-concrete/18-alertnotificationtarget-b.yaml': { slos: [] },
  // The README's schema templates ("kind: DataSource | SLO | …") are not instances.
  'openslo/readme-schema/00-general-schema.yaml': { problems: [/\(document 1, kind\): unknown OpenSLO kind "DataSource \| SLO/] },
  'openslo/readme-schema/01-datasource.yaml': { slos: [] },
  'openslo/readme-schema/03-slo.yaml': {
    problems: [
      /spec\.budgetingMethod\): expected Occurrences, Timeslices or RatioTimeslices, got string "Occurrences \| Timeslices \| RatioTimeslices"/,
      /spec\.timeWindow\): expected a list with exactly one time window, got 2 items/,
      /spec\.objectives\): expected a list of at least one objective, got nothing/,
      /\(document 1, spec\): give either indicator or indicatorRef, not both/
    ]
  },
  'openslo/readme-schema/04-objectives.yaml': { problems: [NO_API_VERSION] },
  'openslo/readme-schema/06-sli.yaml': { slos: [] },
  'openslo/readme-schema/11-alertpolicy.yaml': { slos: [] },
  'openslo/readme-schema/14-alertcondition.yaml': { slos: [] },
  'openslo/readme-schema/16-alertnotificationtarget.yaml': { slos: [] },
  'openslo/readme-schema/19-service.yaml': { slos: [] },
  // Pyrra: every example loads but the native-histogram one.
  'pyrra/caddy-response-latency.yaml': { slos: ['default/caddy-response-latency'] },
  'pyrra/docker-compose-prometheus-http.yaml': { slos: ['monitoring/prometheus-api-query'] },
  'pyrra/kubernetes-slos/slo-apiserver-read-cluster-latency.yaml': { slos: ['monitoring/apiserver-read-cluster-latency'] },
  'pyrra/kubernetes-slos/slo-apiserver-read-namespace-latency.yaml': { slos: ['monitoring/apiserver-read-namespace-latency'] },
  'pyrra/kubernetes-slos/slo-apiserver-read-resource-latency.yaml': { slos: ['monitoring/apiserver-read-resource-latency'] },
  'pyrra/kubernetes-slos/slo-apiserver-read-response-errors.yaml': { slos: ['monitoring/apiserver-read-response-errors'] },
  'pyrra/kubernetes-slos/slo-apiserver-write-response-errors.yaml': { slos: ['monitoring/apiserver-write-response-errors'] },
  'pyrra/kubernetes-slos/slo-coredns-response-errors.yaml': { slos: ['monitoring/coredns-response-errors'] },
  'pyrra/kubernetes-slos/slo-kubelet-request-errors.yaml': { slos: ['monitoring/kubelet-request-errors'] },
  'pyrra/kubernetes-slos/slo-kubelet-runtime-errors.yaml': { slos: ['monitoring/kubelet-runtime-errors'] },
  'pyrra/kubernetes-slos/slo-prometheus-notification-errors.yaml': { slos: ['monitoring/prometheus-notification-errors'] },
  'pyrra/kubernetes-slos/slo-prometheus-operator-http-errors.yaml': { slos: ['monitoring/prometheus-operator-http-errors'] },
  'pyrra/kubernetes-slos/slo-prometheus-operator-reconcile-errors.yaml': { slos: ['monitoring/prometheus-operator-reconcile-errors'] },
  'pyrra/kubernetes-slos/slo-prometheus-query-errors.yaml': { slos: ['monitoring/prometheus-query-errors'] },
  'pyrra/kubernetes-slos/slo-prometheus-rule-evaluation-failures.yaml': { slos: ['monitoring/prometheus-rule-evaluation-failures'] },
  'pyrra/kubernetes-slos/slo-prometheus-sd-kubernetes-errors.yaml': { slos: ['monitoring/prometheus-sd-kubernetes-errors'] },
  'pyrra/mimir-example-slo.yaml': { slos: ['default/apiserver-read-cluster-latency'] },
  'pyrra/nginx.yaml': { slos: ['monitoring/nginx-api-errors', 'monitoring/nginx-api-latency'] },
  'pyrra/parca-grpc-queryrange-errors.yaml': { slos: ['parca/parca-grpc-queryrange-errors'] },
  'pyrra/prometheus-http.yaml': { slos: ['default/prometheus-api-query'] },
  'pyrra/prometheus-operator.yaml': { slos: ['monitoring/prometheus-operator-http'] },
  'pyrra/prometheus-probe-success.yaml': { slos: ['default/prometheus-blackbox-probe-success'] },
  'pyrra/pyrra-connect-errors.yaml': { slos: ['monitoring/pyrra-connect-errors'] },
  'pyrra/pyrra-connect-latency.yaml': { problems: [/spec\.indicator\.latencyNative\): not supported: latencyNative \(native histograms\)/] },
  'pyrra/pyrra-filesystem-errors.yaml': { slos: ['monitoring/pyrra-filesystem-errors'] },
  'pyrra/pyrra-kubernetes-errors.yaml': { slos: ['monitoring/pyrra-kubernetes-errors'] },
  'pyrra/schema/pyrra-slo-CustomResourceDefinition.yaml': { problems: [CRD] },
  'pyrra/thanos-grpc.yaml': { slos: ['monitoring/thanos-store'] },
  'pyrra/thanos-http.yaml': { slos: ['monitoring/thanos-query'] },
  // Sloth: the Kubernetes CRD, OpenSLO v1alpha and AlertWindows files (prometheus/v1: config.test.ts).
  'sloth/contrib-denominator-corrected.yaml': { slos: ['svc01/slo1'] },
  'sloth/k8s-getting-started.yaml': { slos: ['myservice/requests-availability'] },
  'sloth/k8s-home-wifi.yaml': { slos: ['home-wifi/good-wifi-client-satisfaction', 'home-wifi/risk-wifi-client-satisfaction'] },
  'sloth/k8s-multifile.yaml': { slos: ['myservice/requests-availability', 'myservice2/requests-availability'] },
  'sloth/openslo-getting-started.yaml': { slos: ['my-service/sloth-slo-my-service-0'] },
  'sloth/openslo-kubernetes-apiserver.yaml': {
    slos: ['k8s-apiserver/requests-availability-openslo-0', 'k8s-apiserver/requests-latency-openslo-0', 'k8s-apiserver/requests-latency-openslo-1']
  },
  'sloth/plugin-k8s-getting-started.yaml': { problems: [/\(document 1, spec\.slos\[0\]\.sli\.plugin\): Sloth SLI plugins run Go code inside Sloth and cannot be evaluated/] },
  'sloth/schema/sloth.slok.dev_prometheusservicelevels.crd.yaml': { problems: [CRD] },
  'sloth/slo-plugin-k8s-getting-started.yaml': { slos: ['myservice/requests-availability'] },
  'sloth/validate/validate_bad_bad-k8s.yaml': { problems: [/:7 \(document 1, spec\.service\): expected a non-empty name/] },
  'sloth/validate/validate_bad_bad-multi-k8s.yaml': { problems: [/:22 \(document 1, spec\.slos\[0\]\.alerting\.name\): expected a non-empty alert name while the page or ticket alert is enabled/] },
  // Sloth refuses OpenSLO windows other than its alert-window periods; a 28-day window is fine here.
  'sloth/validate/validate_bad_bad-openslo.yaml': { slos: ['svc01/slo1-0'] },
  'sloth/validate/validate_good_good-k8s.yaml': { slos: ['svc01/slo1', 'svc01/slo02'] },
  'sloth/validate/validate_good_good-multi-k8s.yaml': { slos: ['svc01/slo1', 'svc01/slo02', 'svc02/slo1', 'svc02/slo02'] },
  'sloth/validate/validate_good_good-openslo.yaml': { slos: ['svc01/slo1-0'] },
  'sloth/validate/validate_with_duplicates_k8s_bad-k8s-1-duplicate.yaml': { slos: ['svc01/slo1', 'svc01/slo02'] },
  'sloth/validate/validate_with_duplicates_k8s_bad-k8s-1-original.yaml': { slos: ['svc01/slo1', 'svc01/slo02'] },
  'sloth/validate/validate_with_duplicates_openslo_bad-openslo-1-duplicate.yaml': { slos: ['svc01/slo1-0'] },
  'sloth/validate/validate_with_duplicates_openslo_bad-openslo-1-original.yaml': { slos: ['svc01/slo1-0'] },
  'sloth/windows-builtin/google-28d.yaml': { slos: [] },
  'sloth/windows-builtin/google-30d.yaml': { slos: [] },
  'sloth/windows_7d.yaml': { slos: [] },
  'sloth/windows_custom-30d.yaml': { slos: [] }
}

describe('every spec of the reference corpus loads, or says what is not supported', () => {
  const all = walk(SPECS).sort()
  const isSlothV1 = (file: string) => /^version:\s*"?prometheus\/v1"?\s*$/m.test(readFileSync(join(SPECS, file), 'utf8'))
  const covered = all.filter((file) => !isSlothV1(file))

  it('covers every file of the corpus (prometheus/v1 files are covered by config.test.ts)', () => {
    expect(all.length).toBeGreaterThan(120)
    expect(covered.sort()).toEqual(Object.keys(EXPECTED).sort())
  })

  it.each(covered)('%s', (file) => {
    const expected = EXPECTED[file]
    const { slos, problems } = parseSpec(file)
    if ('slos' in expected) {
      expect(problems).toEqual([])
      expect(slos.map(sloId)).toEqual(expected.slos)
      for (const slo of slos) {
        expect(slo.source.file).toBe(file)
        expect(slo.objective).toBeGreaterThan(0)
        expect(slo.objective).toBeLessThan(1)
        expect(slo.windowSeconds).toBeGreaterThan(0)
      }
      return
    }
    expect(problems.length).toBeGreaterThan(0)
    const place = new RegExp(`^${file.replace(/[.]/g, '\\.')}(:\\d+)? \\(document \\d+`)
    for (const problem of problems) {
      // Every problem names the file (and the line where there is one) and the document.
      expect(problem).toMatch(place)
      expect(expected.problems.some((fragment) => fragment.test(problem))).toBe(true)
    }
    for (const fragment of expected.problems) expect(problems.some((problem) => fragment.test(problem))).toBe(true)
  })
})

describe('OpenSLO v1', () => {
  const slo = (sli: string, extra = '') => `apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
  displayName: Availability
spec:
  service: checkout
  description: Requests that succeed
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 28d
      isRolling: true
  objectives:
    - displayName: Good
      target: 0.999
${extra}  indicator:
    metadata:
      name: availability-sli
    spec:
${sli}`

  it('reads an inline ratioMetric of counters (good/total), wrapping sum(selector) in sum(increase(...[window]))', () => {
    const [loaded] = parseValid(
      slo(`      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: sum(http_requests_total{service="checkout",code!~"5.."})
        total:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{service="checkout"}
`),
      'openslo.yaml'
    )
    expect(loaded).toEqual({
      service: 'checkout',
      name: 'availability',
      description: 'Requests that succeed',
      objective: 0.999,
      window: '28d',
      windowSeconds: 28 * 86400,
      sli: {
        kind: 'events',
        bad: 'good',
        badQuery: 'sum(increase(http_requests_total{service="checkout",code!~"5.."}[{{.window}}]))',
        totalQuery: 'sum(increase(http_requests_total{service="checkout"}[{{.window}}]))'
      },
      policy: expect.anything(),
      source: { file: 'openslo.yaml', document: 1, format: 'openslo', path: 'spec.objectives[0]' }
    })
    // A 28-day window: Google's windows with thresholds scaled by Sloth's rule.
    expect(rules(loaded)).toEqual([
      ['1h', '5m', 13.44, 'freeze'],
      ['6h', '30m', 5.6000000000000005, 'freeze'],
      ['1d', '2h', 2.8000000000000003, 'warn'],
      ['3d', '6h', 0.9333333333333333, 'warn']
    ])
  })

  it('reads bad/total, {{.window}} queries as they are, raw ratios and targetPercent', () => {
    const [badTotal] = parseValid(
      slo(`      ratioMetric:
        bad:
          metricSource:
            type: prometheus
            spec:
              query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total:
          metricSource:
            type: prometheus
            spec:
              query: sum(rate(http_requests_total[{{.window}}]))
`)
    )
    expect(badTotal.sli).toEqual({
      kind: 'events',
      bad: 'errors',
      badQuery: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
      totalQuery: 'sum(rate(http_requests_total[{{.window}}]))'
    })
    const raw = (rawType: string) =>
      parseValid(
        slo(`      ratioMetric:
        rawType: ${rawType}
        raw:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(ok[{{.window}}])) / sum(rate(all[{{.window}}]))
`)
      )[0].sli
    expect(raw('success')).toEqual({ kind: 'ratio', errorRatioQuery: '1 - (sum(rate(ok[{{.window}}])) / sum(rate(all[{{.window}}])))' })
    expect(raw('failure')).toEqual({ kind: 'ratio', errorRatioQuery: 'sum(rate(ok[{{.window}}])) / sum(rate(all[{{.window}}]))' })
    const percent = parseValid(
      slo(`      ratioMetric:
        counter: true
        good: { metricSource: { type: Prometheus, spec: { query: ok_total } } }
        total: { metricSource: { type: Prometheus, spec: { query: all_total } } }
`).replace('target: 0.999', 'targetPercent: 99.95')
    )[0]
    expect(percent.objective).toBe(0.9995)
  })

  it('reads a thresholdMetric as the share of 1-minute evaluations that meet the objective', () => {
    const [loaded] = parseValid(
      slo(
        `      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: histogram_quantile(0.99, sum by (le) (rate(latency_bucket[5m])))
`,
        '      op: lte\n      value: 0.3\n'
      )
    )
    expect(loaded.sli).toEqual({
      kind: 'ratio',
      errorRatioQuery: '1 - avg_over_time(((histogram_quantile(0.99, sum by (le) (rate(latency_bucket[5m])))) <= bool 0.3)[{{.window}}:1m])'
    })
  })

  it('makes one SLO per objective, named <name>-<index>', () => {
    const text = slo(`      ratioMetric:
        counter: true
        good: { metricSource: { type: Prometheus, spec: { query: ok_total } } }
        total: { metricSource: { type: Prometheus, spec: { query: all_total } } }
`).replace('    - displayName: Good\n      target: 0.999\n', '    - target: 0.99\n    - target: 0.999\n')
    expect(parseValid(text).map((s) => [s.name, s.objective, s.source.path])).toEqual([
      ['availability-0', 0.99, 'spec.objectives[0]'],
      ['availability-1', 0.999, 'spec.objectives[1]']
    ])
  })

  it('resolves indicatorRef and metricSourceRef across files, from top-level lists of documents', () => {
    const sli = `- apiVersion: openslo/v1
  kind: DataSource
  metadata: { name: prom }
  spec: { type: Prometheus, connectionDetails: [{ url: "http://prometheus:9090" }] }
- apiVersion: openslo/v1
  kind: SLI
  metadata: { name: availability-sli }
  spec:
    ratioMetric:
      counter: true
      good: { metricSource: { metricSourceRef: prom, spec: { query: ok_total } } }
      total: { metricSource: { metricSourceRef: prom, spec: { query: all_total } } }
`
    const sloText = `apiVersion: openslo/v1
kind: SLO
metadata: { name: availability }
spec:
  service: checkout
  indicatorRef: availability-sli
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 7d, isRolling: true }]
  objectives: [{ target: 0.995 }]
---
apiVersion: openslo/v1
kind: Service
metadata: { name: checkout }
spec: { description: The checkout service }
`
    const { slos, problems } = parseSloTexts([
      { text: sloText, file: 'slo.yaml' },
      { text: sli, file: 'sli.yaml' }
    ])
    expect(problems).toEqual([])
    expect(slos).toHaveLength(1)
    expect(slos[0].sli).toEqual({ kind: 'events', bad: 'good', badQuery: 'sum(increase(ok_total[{{.window}}]))', totalQuery: 'sum(increase(all_total[{{.window}}]))' })
    expect([slos[0].window, slos[0].objective]).toEqual(['7d', 0.995])
    // A 7-day window: Sloth's 7-day windows (examples/windows/7d.yaml).
    expect(rules(slos[0])).toEqual([
      ['1h', '5m', 13.44, 'freeze'],
      ['6h', '30m', 3.5, 'freeze'],
      ['1d', '2h', 1.4000000000000001, 'warn'],
      ['3d', '6h', 0.98, 'warn']
    ])
    // Alone, the SLO file names what it misses.
    expect(problemsOf(sloText, 'slo.yaml')).toEqual([
      'slo.yaml:6 (document 1, spec.indicatorRef): no SLI document named "availability-sli" was loaded: load the file that defines it too (SLI documents are looked up across every --config file)'
    ])
    // A problem inside the referenced SLI is reported where the SLI is written.
    const { problems: refProblems } = parseSloTexts([
      { text: sloText, file: 'slo.yaml' },
      { text: sli.replace('metricSourceRef: prom, spec: { query: ok_total }', 'metricSourceRef: nowhere, spec: { query: ok_total }'), file: 'sli.yaml' }
    ])
    expect(refProblems).toEqual([
      expect.stringMatching(/^sli\.yaml:11 \(document 1, \[1\]\.spec\.ratioMetric\.good\.metricSource\.metricSourceRef\): no DataSource named "nowhere" was loaded, and metricSource has no type/)
    ])
  })

  it('says what it does not support, and what is wrong, by field', () => {
    const counters = `      ratioMetric:
        counter: COUNTER
        good: { metricSource: { type: Prometheus, spec: { query: QUERY } } }
        total: { metricSource: { type: Prometheus, spec: { query: all_total } } }
`
    const sli = (counter: string, query: string) => counters.replace('COUNTER', counter).replace('QUERY', query)
    expect(problemsOf(slo(sli('false', 'ok_total')))).toEqual([
      expect.stringMatching(/^bad\.yaml:\d+ \(document 1, spec\.indicator\.spec\.ratioMetric\.good\.metricSource\.spec\.query\): not supported: queries without \{\{\.window\}\} that are not counters \(counter is not true\)/)
    ])
    expect(problemsOf(slo(sli('true', '"rate(ok_total[5m])"')))).toEqual([
      expect.stringMatching(/ratioMetric\.good\.metricSource\.spec\.query\): not supported: with counter: true the query must be a counter selector or sum\(selector\)/)
    ])
    expect(problemsOf(slo(sli('true', '"sum(rate(ok_total[{{.window}}]))"')))).toEqual([
      expect.stringMatching(/ratioMetric\.total\.metricSource\.spec\.query\): both queries must use \{\{\.window\}\}, or neither/)
    ])
    const good = sli('true', 'ok_total')
    expect(problemsOf(slo(good).replace('duration: 28d', 'duration: 1M'))).toEqual([
      expect.stringMatching(/spec\.timeWindow\[0\]\.duration\): not supported: a rolling window of 1M \(months, quarters and years vary in length\)/)
    ])
    expect(problemsOf(slo(good).replace('target: 0.999', 'target: 99.9'))).toEqual([
      expect.stringMatching(/spec\.objectives\[0\]\.target\): expected a fraction strictly between 0 and 1 \(e\.g\. 0\.999\), got number 99\.9: target is a fraction, write 0\.999 for 99\.9%/)
    ])
    expect(problemsOf(slo(good).replace('      target: 0.999\n', '      target: 0.999\n      indicatorRef: other\n'))).toEqual([
      expect.stringMatching(/spec\.objectives\[0\]\): not supported: composite SLOs/)
    ])
    expect(problemsOf(slo(good).replace('type: Prometheus', 'type: Datadog'))).toEqual([
      expect.stringMatching(/good\.metricSource\.type\): not supported: metric source type "Datadog"/)
    ])
    expect(problemsOf(slo(good).replace('budgetingMethod: Occurrences', 'budgetingMethod: Sometimes'))).toEqual([
      expect.stringMatching(/spec\.budgetingMethod\): expected Occurrences, Timeslices or RatioTimeslices, got string "Sometimes"/)
    ])
    expect(problemsOf(slo(good).replace('    - duration: 28d\n      isRolling: true\n', '    - duration: 1M\n      calendar: { startTime: "2024-01-01 00:00:00", timeZone: Mars/Olympus }\n'))).toEqual([
      expect.stringMatching(/spec\.timeWindow\[0\]\.calendar\.timeZone\): unknown time zone "Mars\/Olympus"/)
    ])
  })
})

describe('OpenSLO budgeting methods and calendar windows', () => {
  it('reads Timeslices with a calendar week anchored in a time zone (oslo-validate/v1.yaml)', () => {
    const [slo] = parseSpec('openslo/oslo-validate/v1.yaml').slos
    expect(slo.budgeting).toEqual({ method: 'Timeslices', sliceSeconds: 60, sliceTarget: 0.95 })
    expect(slo.calendar).toEqual({ unit: 'week', count: 1, timeZone: 'America/New_York', anchor: '2022-01-01T12:00:00' })
    // The nominal length scales the burn-rate rules; the period itself is placed at evaluation time.
    expect([slo.window, slo.windowSeconds, slo.objective]).toEqual(['7d', 7 * 86400, 0.995])
  })

  it('reads RatioTimeslices, calendar months and quarters, and v1alpha calendar windows', () => {
    const doc = (window: string, method: string) => `apiVersion: openslo/v1
kind: SLO
metadata: { name: a }
spec:
  service: s
  budgetingMethod: ${method}
  timeWindow: [${window}]
  indicator: { spec: { ratioMetric: { counter: true, good: { metricSource: { type: Prometheus, spec: { query: ok_total } } }, total: { metricSource: { type: Prometheus, spec: { query: all_total } } } } } }
  objectives: [{ target: 0.99, timeSliceWindow: 5m }]
`
    const [month] = parseValid(doc('{ duration: 1M, isRolling: false, calendar: { timeZone: Europe/Berlin, startTime: "2024-01-01 00:00:00" } }', 'RatioTimeslices'))
    expect(month.budgeting).toEqual({ method: 'RatioTimeslices', sliceSeconds: 300 })
    expect(month.calendar).toEqual({ unit: 'month', count: 1, timeZone: 'Europe/Berlin', anchor: '2024-01-01T00:00:00' })
    expect(month.window).toBe('30d')
    const [quarter] = parseValid(doc('{ duration: 1Q, calendar: { timeZone: UTC } }', 'Occurrences'))
    expect([quarter.calendar, quarter.budgeting]).toEqual([{ unit: 'quarter', count: 1, timeZone: 'UTC' }, undefined])
    const [alpha] = parseSpec('openslo/oslo-validate/v1alpha.yaml').slos
    expect(alpha.calendar).toEqual({ unit: 'month', count: 1, timeZone: 'UTC', anchor: '2021-05-01T00:00:00' })
    expect(problemsOf(doc('{ duration: 1M, isRolling: false, calendar: { timeZone: UTC } }', 'Timeslices'))).toEqual([
      expect.stringMatching(/spec\.objectives\[0\]\.timeSliceTarget\): missing required field: budgetingMethod Timeslices needs the share of good events/)
    ])
  })
})

describe('OpenSLO v1alpha, as Sloth writes it', () => {
  it('reads openslo-getting-started.yaml: ratioMetrics good/total with {{.window}}, timeWindows in days, Sloth\'s names', () => {
    const { slos, problems } = parseSpec('sloth/openslo-getting-started.yaml')
    expect(problems).toEqual([])
    expect(slos).toEqual([
      {
        service: 'my-service',
        // Sloth names the objectives of an OpenSLO SLO <name>-<index> (its sloth_slo label).
        name: 'sloth-slo-my-service-0',
        description: 'Common SLO based on availability for HTTP request responses.',
        objective: 0.999,
        window: '30d',
        windowSeconds: 30 * 86400,
        sli: {
          kind: 'events',
          bad: 'good',
          badQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice",code!~"(5..|429)"}[{{.window}}]))',
          totalQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))'
        },
        policy: DEFAULT_POLICY,
        source: { file: 'sloth/openslo-getting-started.yaml', document: 1, format: 'openslo', path: 'spec.objectives[0]' }
      }
    ])
  })

  it('wraps incremental counters, and defaults the window to 30 days as Sloth does', () => {
    const [slo] = parseValid(`apiVersion: openslo/v1alpha
kind: SLO
metadata: { name: ratio }
spec:
  service: svc
  budgetingMethod: Occurrences
  objectives:
    - target: 0.98
      ratioMetrics:
        incremental: true
        good: { source: prometheus, queryType: promql, query: 'requests_total{code="200"}' }
        total: { source: prometheus, queryType: promql, query: requests_total }
`)
    expect(slo.sli).toEqual({ kind: 'events', bad: 'good', badQuery: 'sum(increase(requests_total{code="200"}[{{.window}}]))', totalQuery: 'sum(increase(requests_total[{{.window}}]))' })
    expect([slo.name, slo.window, slo.objective]).toEqual(['ratio-0', '30d', 0.98])
  })

  it('reads the 28-day window that Sloth\'s validate test rejects (Sloth only has alert windows for some periods)', () => {
    const [slo] = parseSpec('sloth/validate/validate_bad_bad-openslo.yaml').slos
    expect([slo.window, slo.windowSeconds]).toEqual(['28d', 28 * 86400])
    expect(rules(slo).map((rule) => rule[2])).toEqual([13.44, 5.6000000000000005, 2.8000000000000003, 0.9333333333333333])
  })
})

describe('Pyrra ServiceLevelObjective', () => {
  it('reads a ratio indicator: errors/total counters over the window, the target a percentage string, the namespace as the service', () => {
    const [slo] = parseSpec('pyrra/thanos-http.yaml').slos
    expect(slo).toEqual({
      service: 'monitoring',
      name: 'thanos-query',
      objective: 0.99,
      window: '28d',
      windowSeconds: 28 * 86400,
      sli: {
        kind: 'events',
        bad: 'errors',
        badQuery: 'sum(increase(http_requests_total{job="thanos-query",handler=~"query|query_range",code=~"5.."}[{{.window}}]))',
        totalQuery: 'sum(increase(http_requests_total{job="thanos-query",handler=~"query|query_range"}[{{.window}}]))'
      },
      policy: expect.anything(),
      source: { file: 'pyrra/thanos-http.yaml', document: 1, format: 'pyrra', path: 'spec' }
    })
    // Pyrra's own multiwindow table for 28 days (pyrra-windows-28d): factors 14/7/2/1.
    expect(rules(slo)).toEqual([
      ['1h', '5m', 14, 'freeze'],
      ['6h', '30m', 7, 'freeze'],
      ['1d', '2h', 2, 'warn'],
      ['4d', '6h', 1, 'warn']
    ])
    expect(slo.policy.freezeWhenBudgetRemainingAtMost).toBe(DEFAULT_POLICY.freezeWhenBudgetRemainingAtMost)
  })

  it('reads a latency indicator (good = the le bucket), matching le="1" and le="1.0" as Pyrra does for Prometheus 3', () => {
    const [errors, latency] = parseSpec('pyrra/nginx.yaml').slos
    expect(errors.objective).toBe(0.999)
    expect(latency.sli).toEqual({
      kind: 'events',
      bad: 'good',
      badQuery: 'sum(increase(nginx_ingress_controller_request_duration_seconds_bucket{namespace="lastfm",ingress="lastfm",service="lastfm",status=~"5..",le=~"1(\\.0)?"}[{{.window}}]))',
      totalQuery: 'sum(increase(nginx_ingress_controller_request_duration_seconds_count{namespace="lastfm",ingress="lastfm",service="lastfm"}[{{.window}}]))'
    })
    // The corpus's pyrra-prometheus3-le-normalisation cases.
    const rewritten = ['0', '1', '1000', '0.5', '5.0', '', '+Inf'].map((le) => normaliseLe(`x{le="${le}"}`))
    expect(rewritten).toEqual(['x{le=~"0(\\.0)?"}', 'x{le=~"1(\\.0)?"}', 'x{le=~"1000(\\.0)?"}', 'x{le="0.5"}', 'x{le="5.0"}', 'x{le=""}', 'x{le="+Inf"}'])
  })

  it('reads a bool_gauge as samples (good when 1), and says that a grouping is evaluated as one aggregate', () => {
    const [slo] = parseSpec('pyrra/prometheus-probe-success.yaml').slos
    expect(slo.sli).toEqual({ kind: 'events', bad: 'good', badQuery: 'sum(sum_over_time(probe_success[{{.window}}]))', totalQuery: 'sum(count_over_time(probe_success[{{.window}}]))' })
    expect(slo.notes).toEqual([
      'Pyrra grouping by target is evaluated as one aggregate SLO over all groups: Pyrra alerts per group, so one group burning its budget alone may not show here'
    ])
    // Pyrra's table for 7 days (pyrra-windows-7d), windows rounded to the minute as Go does.
    expect(rules(slo)).toEqual([
      ['15m', '1m', 14, 'freeze'],
      ['1h30m', '8m', 7, 'freeze'],
      ['6h', '30m', 2, 'warn'],
      ['1d', '1h30m', 1, 'warn']
    ])
    // 14 days (pyrra-windows-14d): 2.5m rounds to 3m.
    expect(rules(parseSpec('pyrra/pyrra-connect-errors.yaml').slos[0])).toEqual([
      ['30m', '3m', 14, 'freeze'],
      ['3h', '15m', 7, 'freeze'],
      ['12h', '1h', 2, 'warn'],
      ['2d', '3h', 1, 'warn']
    ])
  })

  it('rejects targets and indicators it cannot read, naming the field', () => {
    const doc = (spec: string) => `apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata:\n  name: x\nspec:\n${spec}`
    const ratio = '  indicator:\n    ratio:\n      errors: { metric: "e_total" }\n      total: { metric: "t_total" }\n'
    expect(problemsOf(doc(`  target: "100"\n  window: 28d\n${ratio}`))).toEqual([
      expect.stringMatching(/^bad\.yaml:6 \(document 1, spec\.target\): expected a percentage strictly between 0 and 100 \(e\.g\. "99\.9"\), got "100": a target of 100% leaves no error budget/)
    ])
    expect(problemsOf(doc(`  target: "0.99"\n  window: 28d\n${ratio}`))).toEqual([expect.stringMatching(/spec\.target\): the target is a percentage: write "99" for 99%, not "0\.99"/)])
    expect(problemsOf(doc(`  target: "99"\n  window: 4 weeks\n${ratio}`))).toEqual([expect.stringMatching(/spec\.window\): expected a window such as "28d" or "4w", got "4 weeks"/)])
    expect(problemsOf(doc(`  target: "99"\n  window: 4w\n  indicator:\n    ratio:\n      errors: { metric: "rate(e_total[5m])" }\n      total: { metric: "t_total" }\n`))).toEqual([
      expect.stringMatching(/spec\.indicator\.ratio\.errors\.metric\): expected a plain metric selector/)
    ])
    expect(problemsOf(doc('  target: "99"\n  window: 4w\n  indicator: {}\n'))).toEqual([expect.stringMatching(/spec\.indicator\): give exactly one indicator: ratio, latency or bool_gauge/)])
    // A target written as a number reads the same as the string.
    expect(parseValid(doc(`  target: 99.5\n  window: 4w\n${ratio}`))[0].objective).toBe(0.995)
  })
})

describe('Sloth Kubernetes CRD (PrometheusServiceLevel) and AlertWindows', () => {
  it('reads k8s-getting-started.yaml field by field, like its prometheus/v1 twin', () => {
    const [k8s] = parseSpec('sloth/k8s-getting-started.yaml').slos
    const [plain] = parseSpec('sloth/getting-started.yaml').slos
    expect(k8s).toEqual({ ...plain, source: { file: 'sloth/k8s-getting-started.yaml', document: 1, format: 'sloth', path: 'spec.slos[0]' } })
  })

  it('reads raw SLIs (errorRatioQuery) and several documents', () => {
    const slos = parseSpec('sloth/validate/validate_good_good-multi-k8s.yaml').slos
    expect(slos.map((s) => [sloId(s), s.source.document, s.sli.kind])).toEqual([
      ['svc01/slo1', 1, 'events'],
      ['svc01/slo02', 1, 'ratio'],
      ['svc02/slo1', 2, 'events'],
      ['svc02/slo02', 2, 'ratio']
    ])
  })

  it('rejects the same SLO in two files, in either Sloth form', async () => {
    for (const pair of [
      ['validate/validate_with_duplicates_k8s_bad-k8s-1-original.yaml', 'validate/validate_with_duplicates_k8s_bad-k8s-1-duplicate.yaml'],
      ['validate/validate_with_duplicates_openslo_bad-openslo-1-original.yaml', 'validate/validate_with_duplicates_openslo_bad-openslo-1-duplicate.yaml']
    ]) {
      const error = await loadSloFiles(pair, `${SPECS}/sloth`).then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as Error).message).toContain(`${pair[1]} (document 1, spec`)
      expect((error as Error).message).toMatch(/SLO "svc01\/slo1(-0)?" is defined twice/)
    }
  })

  it('applies AlertWindows loaded alongside to Sloth SLOs of that period (windows_custom-30d.yaml, derived factors 14.4/4.8/3/1)', async () => {
    const { slos } = await loadSloFiles(['getting-started.yaml', 'windows_custom-30d.yaml'], `${SPECS}/sloth`)
    expect(rules(slos[0])).toEqual([
      ['30m', '2m', 14.4, 'freeze'],
      ['3h', '15m', 4.8, 'freeze'],
      ['12h', '1h', 3, 'warn'],
      ['36h', '3h', 1, 'warn']
    ])
    // Windows of another period do not apply.
    const { slos: other } = await loadSloFiles(['getting-started.yaml', 'windows_7d.yaml'], `${SPECS}/sloth`)
    expect(other[0].policy).toEqual(DEFAULT_POLICY)
  })
})

describe('recorded series: SLIs read from the rules Sloth or Pyrra already evaluate (native sli.recorded)', () => {
  const doc = (window: string, recorded: string) => `apiVersion: error-budget-gate/v1
service: checkout
slos:
  - name: availability
    objective: 99.9
    window: ${window}
    sli:
      recorded:
${recorded}`

  it('names windows as Prometheus, Sloth and Pyrra do: weeks and years only when exact', () => {
    expect([28, 7, 14, 30, 90, 365].map((days) => prometheusDurationName(days * 86400))).toEqual(['4w', '1w', '2w', '30d', '90d', '1y'])
    expect([300, 5400, 3840, 92940, 370260].map(prometheusDurationName)).toEqual(['5m', '1h30m', '1h4m', '1d1h49m', '4d6h51m'])
  })

  it("Sloth: slo:sli_error:ratio_rate<window> per window (4w for a 28-day SLO), with a note on Sloth's unweighted period mean", () => {
    const [slo] = parseValid(doc('28d', '        sloth: { service: checkout, slo: requests-availability }\n'))
    expect(slo.sli).toEqual({ kind: 'ratio', errorRatioQuery: 'slo:sli_error:ratio_rate{{.windowName}}{sloth_service="checkout",sloth_slo="requests-availability"}' })
    expect(slo.recorded).toEqual({ source: 'sloth' })
    expect(slo.notes).toEqual([expect.stringMatching(/^SLI read from Sloth's recording rules .*Sloth's 4w series is an unweighted mean of 5-minute error ratios/)])
    const [plan] = planQueries([slo]).slos
    expect(plan.windows.map((w) => w.ratioQuery)).toEqual(
      ['4w', '5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => `slo:sli_error:ratio_rate${w}{sloth_service="checkout",sloth_slo="requests-availability"}`)
    )
  })

  it("Pyrra: increases over the SLO window (errors or good/total), burn rates over Pyrra's windows only, Pyrra's rules", () => {
    const [errors] = parseValid(doc('28d', '        pyrra: { slo: api-errors, metric: http_requests, errors: \'code=~"5.."\', matchers: \'namespace="monitoring"\' }\n'))
    const [plan] = planQueries([errors]).slos
    expect(plan.windows[0].ratioQuery).toBe(
      'sum(http_requests:increase4w{slo="api-errors",namespace="monitoring",code=~"5.."} or vector(0)) / sum(http_requests:increase4w{slo="api-errors",namespace="monitoring"})'
    )
    expect(plan.windows.slice(1).map((w) => w.ratioQuery)).toEqual(
      ['5m', '30m', '1h', '2h', '6h', '1d', '4d'].map((w) => `http_requests:burnrate${w}{slo="api-errors",namespace="monitoring"}`)
    )
    expect(rules(errors).map((r) => r[2])).toEqual([14, 7, 2, 1])
    const [latency] = parseValid(doc('28d', '        pyrra: { slo: api-latency, metric: http_request_duration_seconds, good: \'le="1"\', total: \'le=""\' }\n'))
    expect(planQueries([latency]).slos[0].windows[0].ratioQuery).toBe(
      '1 - sum(http_request_duration_seconds:increase4w{slo="api-latency",le="1"}) / sum(http_request_duration_seconds:increase4w{slo="api-latency",le=""})'
    )
  })

  it('rejects a recorded SLI that names both tools, or neither errors nor good', () => {
    expect(problemsOf(doc('30d', '        sloth: { service: a, slo: b }\n        pyrra: { slo: b, metric: m, errors: \'code="500"\' }\n'))).toEqual([
      expect.stringMatching(/slos\[0\]\.sli\.recorded\): give exactly one of recorded\.sloth or recorded\.pyrra/)
    ])
    expect(problemsOf(doc('30d', '        pyrra: { slo: b, metric: m }\n'))).toEqual([expect.stringMatching(/sli\.recorded\.pyrra\): give exactly one of errors or good/)])
    expect(problemsOf(doc('30d', '        pyrra: { slo: b, metric: "rate(m[5m])", errors: \'code="500"\' }\n'))).toEqual([
      expect.stringMatching(/sli\.recorded\.pyrra\.metric\): expected a metric name such as http_requests/)
    ])
  })
})
