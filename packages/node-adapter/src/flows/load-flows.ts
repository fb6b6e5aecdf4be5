import { readFile } from 'node:fs/promises'
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml'
import type { Document, Node } from 'yaml'
import { TidingsError, defineFlow, validateFlow } from '@tidings/core'
import type { AnyStep, Catalog, Envelope, Flow, FlowIssue } from '@tidings/core'
import { compileMap, compileWhen, parseDuration } from './declarative'

export interface LoadFlowsOptions {
  /** Checks every type against this catalog. */
  catalog?: Catalog
}

/** A problem found in a flow file, with the line it is on. */
export interface FlowFileIssue extends FlowIssue {
  file: string
  line: number
  flow: string
}

interface RawStep {
  name?: unknown
  on?: unknown
  join?: unknown
  expect?: unknown
  within?: unknown
  emit?: unknown
  when?: unknown
  map?: unknown
}

const lineOf = (doc: Document, lines: LineCounter, path: (string | number)[]): number => {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as Node | undefined
    if (node?.range) return lines.linePos(node.range[0]).line
  }
  return 1
}

/** Turns the plain data of one step into a runnable step (durations, `when` guards, `map` templates). */
const compileStep = (raw: RawStep, fail: (field: string, message: string) => void): AnyStep => {
  const step: AnyStep = { emit: raw.emit as AnyStep['emit'] }
  if (raw.name !== undefined) step.name = String(raw.name)
  if (raw.on !== undefined) step.on = raw.on as string
  if (raw.join !== undefined) step.join = raw.join as string[]
  if (raw.expect !== undefined) step.expect = raw.expect as string
  if (raw.within !== undefined) {
    const ms = parseDuration(raw.within)
    if (ms === undefined) fail('within', `within must be milliseconds or a duration such as "30s", "5m", "1h"; got ${JSON.stringify(raw.within)}`)
    else step.within = ms
  }
  if (raw.when !== undefined) {
    const when = compileWhen(raw.when)
    if (typeof when === 'string') fail('when', when)
    else step.when = when
  }
  if (raw.map !== undefined) {
    const map = compileMap(raw.map)
    if (typeof map === 'string') fail('map', map)
    else step.map = (data: unknown, envelope: Envelope) => map({ data, envelope })
  }
  for (const key of Object.keys(raw)) {
    if (!['name', 'on', 'join', 'expect', 'within', 'emit', 'when', 'map'].includes(key)) fail(key, `unknown field "${key}": a step has on | join, emit, and optionally expect, within, when, map, name`)
  }
  return step
}

/**
 * Reads flows from a YAML or JSON file (JSON is YAML too): one flow `{ name, steps }`, or
 * `{ flows: [...] }`. Everything is checked before anything runs; problems are reported together,
 * each with its file and line, as one E_INVALID_ARGUMENT.
 */
export async function loadFlows(file: string, options: LoadFlowsOptions = {}): Promise<Flow[]> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new TidingsError('E_INVALID_ARGUMENT', `Cannot read flow file ${file}: ${(error as Error).message}`, { cause: error })
  })
  return parseFlows(text, file, options)
}

/** The same as `loadFlows`, from text already in memory; `file` names it in messages. */
export function parseFlows(text: string, file: string, options: LoadFlowsOptions = {}): Flow[] {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  const issues: FlowFileIssue[] = []
  if (doc.errors.length) {
    for (const e of doc.errors) issues.push({ file, flow: '', step: -1, field: '', line: lines.linePos(e.pos[0]).line, message: e.message.split('\n')[0]! })
    throw report(file, issues)
  }
  const root: unknown = doc.toJS()
  const isList = root !== null && typeof root === 'object' && 'flows' in root
  const raws = isList ? (root as { flows: unknown }).flows : [root]
  if (!Array.isArray(raws) || (isList && !isSeq(doc.get('flows', true)))) {
    throw report(file, [{ file, flow: '', step: -1, field: 'flows', line: lineOf(doc, lines, ['flows']), message: '"flows" must be a list of { name, steps }' }])
  }
  const flows: Flow[] = []
  raws.forEach((raw: unknown, f) => {
    const base = isList ? ['flows', f] : []
    const flowObj = (raw ?? {}) as { name?: unknown; steps?: unknown }
    const name = typeof flowObj.name === 'string' ? flowObj.name : ''
    const at = (path: (string | number)[]) => lineOf(doc, lines, [...base, ...path])
    if (!isMap(doc.getIn(base, true) ?? doc.contents) || !name) {
      issues.push({ file, flow: name, step: -1, field: 'name', line: at(['name']), message: 'a flow needs a "name" and a list of "steps"' })
      return
    }
    if (!Array.isArray(flowObj.steps) || flowObj.steps.length === 0) {
      issues.push({ file, flow: name, step: -1, field: 'steps', line: at(['steps']), message: `flow "${name}" needs a non-empty list of steps` })
      return
    }
    const before = issues.length
    const steps = flowObj.steps.map((rawStep: unknown, i) =>
      compileStep((rawStep ?? {}) as RawStep, (field, message) => issues.push({ file, flow: name, step: i, field, line: at(['steps', i, field]), message })))
    for (const issue of validateFlow(steps, options.catalog)) issues.push({ ...issue, file, flow: name, line: at(['steps', issue.step, issue.field]) })
    if (issues.length === before) flows.push(defineFlow({ name, steps: steps as never }))
  })
  if (issues.length) throw report(file, issues)
  return flows
}

const report = (file: string, issues: FlowFileIssue[]) =>
  new TidingsError('E_INVALID_ARGUMENT', `Invalid flow file:\n${issues.map((i) => `  ${file}:${i.line}: ${i.flow ? `flow "${i.flow}" ` : ''}${i.step >= 0 ? `step ${i.step + 1}: ` : ''}${i.message}`).join('\n')}`, { details: { file, issues } })
