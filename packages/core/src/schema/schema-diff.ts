import type { JsonSchema } from './json-schema'

/** One difference between two JSON Schemas, located in the payload they describe. */
export interface SchemaChange {
  /** Dot path of the field in the payload (`line.qty`, `items[]`); empty for the payload itself. */
  path: string
  /** What changed, e.g. `field added (required)`, `type string → number`. */
  change: string
}

type Node = Record<string, unknown>

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value)

const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => same((a as Node)[k], (b as Node)[k]))
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key)
const requiredOf = (node: Node) => new Set(Array.isArray(node.required) ? (node.required as string[]) : [])
const typeName = (node: Node) => (node.type === undefined ? 'any' : JSON.stringify(node.type).replace(/"/g, ''))
// Keywords walked into rather than compared whole; `$schema` only names the draft.
const WALKED = new Set(['properties', 'required', 'items', '$schema'])

const walk = (before: Node, after: Node, path: string, out: SchemaChange[]): void => {
  if (!same(before.type, after.type)) {
    out.push({ path, change: `type ${typeName(before)} → ${typeName(after)}` })
    return
  }
  const was = isNode(before.properties) ? before.properties : {}
  const now = isNode(after.properties) ? after.properties : {}
  const wasRequired = requiredOf(before)
  const nowRequired = requiredOf(after)
  for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
    const at = join(path, key)
    if (!(key in now)) out.push({ path: at, change: 'field removed' })
    else if (!(key in was)) out.push({ path: at, change: nowRequired.has(key) ? 'field added (required)' : 'field added (optional)' })
    else {
      if (wasRequired.has(key) !== nowRequired.has(key)) out.push({ path: at, change: nowRequired.has(key) ? 'now required' : 'no longer required' })
      diffInto(was[key], now[key], at, out)
    }
  }
  if (before.items !== undefined || after.items !== undefined) diffInto(before.items, after.items, `${path}[]`, out)
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!WALKED.has(key) && key !== 'type' && !same(before[key], after[key])) out.push({ path, change: `"${key}" changed` })
  }
}

const diffInto = (before: unknown, after: unknown, path: string, out: SchemaChange[]): void => {
  if (same(before, after)) return
  if (isNode(before) && isNode(after)) walk(before, after, path, out)
  else out.push({ path, change: 'schema changed' })
}

/** How the payload described by `after` differs from the one described by `before`; empty when they are the same. */
export const schemaChanges = (before: JsonSchema, after: JsonSchema): SchemaChange[] => {
  const out: SchemaChange[] = []
  diffInto(before, after, '', out)
  return out
}
