// The examples are copied into other people's repositories: every SLO file under examples/ must
// load with the gate's own loader (the workflows are linted by workflows.test.ts), and the
// examples' README must list what is there.
import { describe, expect, it } from '@jest/globals'

import { loadSloFiles } from '../../src/config/load.js'
import { REPO_ROOT, exampleWorkflows, isYaml, listFiles, readText } from './repo-files.js'

/** YAML files under examples/ that are not workflows: SLO files, every one of them. */
const SLO_FILES = listFiles('examples', isYaml).filter((file) => !file.split('/').includes('workflows'))

describe('example SLO files', () => {
  it('are there, in each supported format', () => {
    expect(SLO_FILES).toEqual(expect.arrayContaining(['examples/slos/native.yaml', 'examples/slos/sloth.yaml', 'examples/slos/demo.yaml']))
    const texts = SLO_FILES.map((file) => readText(file))
    expect(texts.some((text) => /^apiVersion: error-budget-gate\/v1$/m.test(text))).toBe(true)
    expect(texts.some((text) => /^version: "?prometheus\/v1"?$/m.test(text))).toBe(true)
  })

  it.each(SLO_FILES)('%s loads with the gate’s loader and defines SLOs', async (file) => {
    const loaded = await loadSloFiles([file], REPO_ROOT)
    expect(loaded.files).toEqual([file])
    expect(loaded.slos.length).toBeGreaterThan(0)
  })

  it('the monorepo example keeps each service’s SLOs in that service’s directory', async () => {
    const files = SLO_FILES.filter((file) => file.startsWith('examples/monorepo/services/'))
    expect(files.length).toBeGreaterThanOrEqual(2)
    for (const file of files) {
      const service = file.split('/')[3]
      const { slos } = await loadSloFiles([file], REPO_ROOT)
      expect({ file, services: [...new Set(slos.map((slo) => slo.service))] }).toEqual({ file, services: [service] })
    }
    // The services the workflow's matrix gates are the ones that have files.
    const workflow = readText('examples/workflows/monorepo.yml')
    const matrix = /service:\s*\[([^\]]*)\]/.exec(workflow)
    expect(matrix).not.toBeNull()
    const services = matrix![1]!.split(',').map((name) => name.trim())
    expect(services.sort()).toEqual(files.map((file) => file.split('/')[3]).sort())
  })
})

describe('examples/README.md', () => {
  const readme = readText('examples/README.md')

  it('links every example workflow and SLO file', () => {
    const missing = [...exampleWorkflows().map((source) => source.file), ...SLO_FILES]
      .map((file) => file.replace(/^examples\//, ''))
      .filter((file) => !readme.includes(`(${file})`) && !readme.includes(`(${file.replace(/\/[^/]+\/slos\.yaml$/, '')})`))
    expect(missing).toEqual([])
  })
})
