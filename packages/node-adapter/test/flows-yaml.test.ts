import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as v from 'valibot'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createBus, defineCatalog, defineEvent } from '@tidings/core'
import type { Envelope, TidingsError } from '@tidings/core'
import { loadFlows, parseFlows } from '@tidings/node'

const commitFlowFile = fileURLToPath(new URL('../../../docs/examples/commit-flow.yaml', import.meta.url))
const any = v.looseObject({})
const catalog = defineCatalog(
  ...['changes.detected', 'validation.requested', 'validation.passed', 'commit.requested', 'commit.created', 'issues.detect',
    'audit.log', 'issues.detected', 'audit.logged', 'commit.checked', 'commit.timeout'].map((t) => defineEvent(t, { schema: any })),
)

const errorOf = (fn: () => unknown): TidingsError => {
  try {
    fn()
  } catch (error) {
    return error as TidingsError
  }
  throw new Error('expected a throw')
}

afterEach(() => {
  vi.useRealTimers()
})

describe('loadFlows()', () => {
  it('runs the commit flow of the docs end to end from its YAML file', async () => {
    vi.useFakeTimers()
    const [flow] = await loadFlows(commitFlowFile, { catalog })
    const bus = createBus({ catalog })
    const seen: Envelope[] = []
    bus.on('*', (_t, _d, e) => seen.push(e))
    // The workers the flow coordinates.
    bus.on('validation.requested', (d) => void bus.emit('validation.passed', { ...d, staged: true }))
    bus.on('commit.requested', () => void bus.emit('commit.created', { sha: 'c0ffee' }))
    bus.on('issues.detect', () => void bus.emit('issues.detected', { issues: 0 }))
    bus.on('audit.log', () => void bus.emit('audit.logged', { ok: true }))
    bus.use(flow!)
    const root = bus.emit('changes.detected', { files: ['a.ts'] })
    await vi.advanceTimersByTimeAsync(60_000)
    const types = seen.map((e) => e.type)
    expect(types).toContain('commit.checked')
    expect(types).not.toContain('commit.timeout')
    expect(seen.find((e) => e.type === 'issues.detect')!.data).toEqual({ sha: 'c0ffee' })
    expect(seen.find((e) => e.type === 'commit.checked')!.data).toEqual({ issues: 0, ok: true })
    // One correlation id for the whole run: a visible chain in devtools and history.
    expect(new Set(seen.map((e) => e.correlationid ?? e.id))).toEqual(new Set([root.id]))
  })

  it('accepts JSON files and several flows per file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tidings-flows-'))
    const file = join(dir, 'flows.json')
    await writeFile(file, JSON.stringify({ flows: [{ name: 'a', steps: [{ on: 'x', emit: 'y' }] }, { name: 'b', steps: [{ on: 'y', emit: 'z' }] }] }))
    const flows = await loadFlows(file)
    expect(flows.map((f) => f.name)).toEqual(['a', 'b'])
  })

  it('names the file and line of every problem: unknown types, bad patterns, bad durations, cycles', () => {
    const yaml = [
      'name: broken',            // 1
      'steps:',                  // 2
      '  - on: changes.detected', // 3
      '    emit: nope.unknown',  // 4
      '  - on: commit.*x',       // 5
      '    emit: audit.log',     // 6
      '  - on: commit.requested', // 7
      '    expect: commit.created', // 8
      '    within: soon',        // 9
      '    emit: commit.timeout', // 10
    ].join('\n')
    const error = errorOf(() => parseFlows(yaml, 'broken.yaml', { catalog }))
    expect(error.code).toBe('E_INVALID_ARGUMENT')
    expect(error.message).toContain('broken.yaml:4: flow "broken" step 1: "nope.unknown" is not in the catalog')
    expect(error.message).toContain('broken.yaml:5: flow "broken" step 2:')
    expect(error.message).toContain('broken.yaml:9: flow "broken" step 3: within must be')
  })

  it('rejects a cycle without a when guard, pointing at the step that closes it', () => {
    const yaml = 'name: loop\nsteps:\n  - on: a\n    emit: b\n  - on: b\n    emit: a\n'
    const error = errorOf(() => parseFlows(yaml, 'loop.yaml'))
    expect(error.message).toMatch(/loop\.yaml:4: .*cycle with no "when" guard/)
    expect(() => parseFlows('name: loop\nsteps:\n  - on: a\n    emit: b\n  - on: b\n    when: { data.again: true }\n    emit: a\n', 'ok.yaml')).not.toThrow()
  })

  it('reports YAML syntax errors and unknown fields with their line', () => {
    expect(errorOf(() => parseFlows('name: x\nsteps: [\n', 'bad.yaml')).message).toMatch(/bad\.yaml:\d+:/)
    expect(errorOf(() => parseFlows('name: x\nsteps:\n  - on: a\n    emit: b\n    retry: 3\n', 'f.yaml')).message).toContain('f.yaml:5: flow "x" step 1: unknown field "retry"')
  })

  it('never lets a map template reach prototypes', () => {
    expect(errorOf(() => parseFlows('name: x\nsteps:\n  - on: a\n    emit: b\n    map: { v: $data.__proto__.polluted }\n', 'p.yaml')).message).toMatch(/not a usable path/)
    expect(errorOf(() => parseFlows('name: x\nsteps:\n  - on: a\n    emit: b\n    when: { process.env: 1 }\n', 'p.yaml')).message).toMatch(/must start with "data\." or "envelope\."/)
  })
})
