// The gate's verdict as a commit status or a check run, with a stable name that a branch
// protection rule can require. It passes exactly when the step passes (exit code 0), so a
// required status says what the gate decided; annotations point at the SLOs that warn or block.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { HEADLINE, oneLine, summaryLine } from '../report/format.js'
import { markdownReport } from '../report/markdown.js'
import type { GateReport, SloReport } from '../report/model.js'
import type { CheckAnnotation, CheckConclusion, CommitState, GithubApi, Repo } from './client.js'
import type { StatusKind } from './options.js'

/** GitHub's limits: 65,535 characters per check-run summary, 50 annotations per request. */
export const CHECK_SUMMARY_LIMIT_BYTES = 60_000
export const ANNOTATIONS_PER_REQUEST = 50
/** Commit status descriptions are cut by GitHub beyond about 140 characters. */
export const STATUS_DESCRIPTION_LIMIT = 140
const ANNOTATION_MESSAGE_LIMIT = 4000

/** success when the step passes; failure on a freeze, error on an error (when they fail the step). */
export function commitState(report: GateReport): CommitState {
  if (report.exitCode === 0) return 'success'
  return report.decision === 'freeze' ? 'failure' : 'error'
}

/** success on allow; neutral when the step passes on anything else (it still satisfies a required check); failure otherwise. */
export function checkConclusion(report: GateReport): CheckConclusion {
  if (report.exitCode !== 0) return 'failure'
  return report.decision === 'allow' && !report.exempt ? 'success' : 'neutral'
}

export function statusDescription(report: GateReport): string {
  const line = summaryLine(report)
  return line.length <= STATUS_DESCRIPTION_LIMIT ? line : `${line.slice(0, STATUS_DESCRIPTION_LIMIT - 1)}…`
}

/** "slos/a.yaml (document 1, slos[0])" → "slos/a.yaml" */
export function sourceFile(slo: SloReport): string {
  return /^(.*) \(document \d+, .*\)$/.exec(slo.source)?.[1] ?? slo.source
}

/** The 1-based line of an SLO's `name:` in its file, when the file can be read there; else 1. */
export function sloLine(text: string | undefined, name: string): number {
  if (!text) return 1
  const lines = text.split(/\r?\n/)
  const quoted = (value: string) => [value, JSON.stringify(value), `'${value.replace(/'/g, "''")}'`]
  const index = lines.findIndex((line) => {
    const match = /^\s*(?:-\s+)?name:\s*(.*?)\s*(?:#.*)?$/.exec(line)
    return match !== null && quoted(name).includes(match[1]!)
  })
  return index < 0 ? 1 : index + 1
}

/** One annotation per SLO that warns, freezes or errs, on its file (and line, when found). */
export function annotations(report: GateReport, readText: (file: string) => string | undefined = () => undefined): CheckAnnotation[] {
  return report.slos
    .filter((slo) => slo.decision !== 'allow')
    .map((slo) => {
      const path = sourceFile(slo)
      const line = sloLine(readText(path), slo.name)
      const message = oneLine(slo.reasons.join('; ') || slo.decision)
      return {
        path,
        start_line: line,
        end_line: line,
        annotation_level: slo.decision === 'warn' ? 'warning' : 'failure',
        title: oneLine(`${slo.id}: ${HEADLINE[slo.decision]}`).slice(0, 255),
        message: message.length > ANNOTATION_MESSAGE_LIMIT ? `${message.slice(0, ANNOTATION_MESSAGE_LIMIT - 1)}…` : message
      }
    })
}

/** Reads a report's SLO files from a directory, for annotation line numbers (best effort). */
export function fileReader(cwd: string): (file: string) => string | undefined {
  return (file) => {
    try {
      return readFileSync(resolve(cwd, file), 'utf8')
    } catch {
      return undefined
    }
  }
}

export interface StatusTarget {
  sha: string
  /** e.g. "#42" for messages */
  label?: string
}

export interface StatusOptions {
  kind: Exclude<StatusKind, 'off'>
  name: string
  runUrl?: string
  readText?: (file: string) => string | undefined
}

/** Sets the gate's status or check run on one commit. Throws GithubApiError. */
export async function publishStatus(api: GithubApi, repo: Repo, sha: string, report: GateReport, options: StatusOptions): Promise<void> {
  if (options.kind === 'commit-status') {
    await api.createCommitStatus(repo, sha, {
      state: commitState(report),
      context: options.name,
      description: statusDescription(report),
      ...(options.runUrl ? { targetUrl: options.runUrl } : {})
    })
    return
  }
  const all = annotations(report, options.readText)
  const title = oneLine(summaryLine(report)).slice(0, 255)
  const summary = markdownReport(report, CHECK_SUMMARY_LIMIT_BYTES, { workings: false, ...(options.runUrl ? { runUrl: options.runUrl } : {}) })
  const id = await api.createCheckRun(repo, {
    name: options.name,
    headSha: sha,
    conclusion: checkConclusion(report),
    output: { title, summary, annotations: all.slice(0, ANNOTATIONS_PER_REQUEST) },
    ...(options.runUrl ? { detailsUrl: options.runUrl } : {})
  })
  // GitHub takes 50 annotations per request; further updates append the rest.
  for (let start = ANNOTATIONS_PER_REQUEST; start < all.length; start += ANNOTATIONS_PER_REQUEST) {
    await api.annotateCheckRun(repo, id, { title, summary, annotations: all.slice(start, start + ANNOTATIONS_PER_REQUEST) })
  }
}
