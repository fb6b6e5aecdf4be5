import { getDotPath, safeParse } from 'valibot'
import type { BaseIssue } from 'valibot'
import type { Catalog, EventDefinition } from './catalog'
import { TidingsError } from './errors'

export interface IssueInfo {
  path: string
  message: string
}

const describe = (issues: readonly BaseIssue<unknown>[]): IssueInfo[] =>
  issues.map((issue) => ({ path: getDotPath(issue) ?? '', message: issue.message }))

/** Validates a payload against its definition; throws E_VALIDATION naming each bad field. */
export const validatePayload = (def: EventDefinition, data: unknown, what = 'payload'): unknown => {
  const result = safeParse(def.schema, data)
  if (result.success) return result.output
  const issues = describe(result.issues)
  const list = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
  throw new TidingsError('E_VALIDATION', `Invalid "${def.type}" ${what}: ${list}`, { details: { type: def.type, issues } })
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
