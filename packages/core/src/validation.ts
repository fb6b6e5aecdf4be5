import type { Catalog, EventDefinition } from './catalog'
import { TidingsError } from './errors'
import type { StandardSchemaV1 } from './schema/standard-schema'

export interface IssueInfo {
  /** Dot path of the offending field in the payload (`items.0.sku`); empty for the payload itself. */
  path: string
  message: string
}

const dotPath = (path: StandardSchemaV1.Issue['path']): string => {
  if (path === undefined) return ''
  let out = ''
  for (const segment of path) {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment
    out += (out ? '.' : '') + String(key)
  }
  return out
}

/** A Standard Schema's issues as `{ path, message }`, the form error details and the devtools page use. */
export const describeIssues = (issues: readonly StandardSchemaV1.Issue[]): IssueInfo[] =>
  issues.map((issue) => ({ path: dotPath(issue.path), message: issue.message }))

const asyncRefused = (type: string, what: string) => new TidingsError(
  'E_VALIDATION',
  typeof process !== 'undefined' && process.env.NODE_ENV !== 'production'
    ? `The "${type}" schema validated the ${what} asynchronously: Tidings validates synchronously (on emit and decode), so remove the schema's async checks (refinements, transforms) or validate them in a handler`
    : `"${type}" ${what}: async validation`,
  { details: { type, async: true } },
)

/**
 * Validates a payload through its schema's Standard Schema interface; returns the schema's output
 * (defaults and transforms applied) or throws E_VALIDATION naming each bad field.
 */
export const validatePayload = (def: EventDefinition, data: unknown, what = 'payload'): unknown => {
  const result = def.schema['~standard'].validate(data)
  if (typeof (result as PromiseLike<unknown>).then === 'function') {
    // Nobody will read it: a rejection must not surface as an unhandled one.
    Promise.resolve(result).catch(() => {})
    throw asyncRefused(def.type, what)
  }
  const { issues } = result as StandardSchemaV1.Result<unknown>
  if (!issues) return (result as StandardSchemaV1.SuccessResult<unknown>).value
  const described = describeIssues(issues)
  const list = described.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
  throw new TidingsError('E_VALIDATION', `Invalid "${def.type}" ${what}: ${list}`, { details: { type: def.type, issues: described } })
}

/** Throws E_UNKNOWN_TYPE for a type the catalog lacks, listing what it has. */
export const definitionOf = (catalog: Catalog, type: string): EventDefinition => {
  const def = catalog.get(type)
  if (def === undefined) {
    const known = [...catalog.definitions.keys()]
    throw new TidingsError('E_UNKNOWN_TYPE', `"${type}" is not in the catalog: define it with defineEvent() and add it to defineCatalog(); known types: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}`, { details: { type } })
  }
  return def
}
