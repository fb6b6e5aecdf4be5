import type { Catalog } from '../catalog'
import { createCodec } from '../codec/codec'
import { isTidingsError } from '../errors'
import { jsonSchemaOf } from './json-schema'
import { schemaChanges } from './schema-diff'
import type { CatalogSnapshot } from './snapshot'

export type CompatibilityCode =
  /** The current version's schema differs from the snapshot's without a version bump. */
  | 'schema-changed'
  /** A version bump without an upcaster from the previous version. */
  | 'missing-upcaster'
  /** An older example, upcast to the current version, does not validate (or an upcaster threw). */
  | 'upcast-invalid'
  /** An example of the current version no longer validates. */
  | 'example-invalid'
  /** A golden event does not decode with the current catalog. */
  | 'golden-invalid'
  /** The snapshot has a type the catalog no longer defines. */
  | 'type-removed'
  /** The catalog's version is lower than the snapshot's. */
  | 'version-lowered'

/** One line of a check: which type and version, where in the payload, and what to do. */
export interface CompatibilityProblem {
  code: CompatibilityCode
  type: string
  version: number
  /** Dot path in the payload (`line.qty`); empty when the problem is not about one field. */
  path: string
  message: string
}

/** What the snapshot does not cover yet (a new type or version): not a failure, unless checked strictly. */
export interface CompatibilityNote {
  type: string
  version: number
  message: string
}

export interface CompatibilityReport {
  problems: CompatibilityProblem[]
  notes: CompatibilityNote[]
}

export interface CheckOptions {
  /** Events the repository keeps as golden files (envelopes, as objects or JSON text): each must decode with the current catalog. */
  golden?: Iterable<object | string>
}

const fieldOf = (error: unknown): string => {
  if (!isTidingsError(error)) return ''
  const issues = error.details?.issues as Array<{ path?: string }> | undefined
  return issues?.[0]?.path ?? ''
}

/**
 * Compares a catalog with its committed snapshot: a schema changed without a version bump, a
 * bump without an upcaster, an upcaster whose output does not validate for the snapshot's example
 * payloads, and golden events that no longer decode. No I/O: the CLI reads the files.
 */
export const checkCatalog = (catalog: Catalog, snapshot: CatalogSnapshot, options: CheckOptions = {}): CompatibilityReport => {
  const problems: CompatibilityProblem[] = []
  const notes: CompatibilityNote[] = []
  const codec = createCodec(catalog)
  const problem = (code: CompatibilityCode, type: string, version: number, path: string, message: string) =>
    problems.push({ code, type, version, path, message })

  for (const [type, entry] of Object.entries(snapshot.types)) {
    const def = catalog.get(type)
    if (def === undefined) {
      problem('type-removed', type, entry.version, '', 'the catalog no longer defines this type, so its stored events cannot be decoded: define it again, or drop it from the snapshot (tidings catalog snapshot --prune) once no stored event has it')
      continue
    }
    if (def.version < entry.version) {
      problem('version-lowered', type, def.version, '', `the snapshot has v${entry.version}: versions only go up; set version: ${entry.version} or higher`)
      continue
    }
    if (def.version === entry.version) {
      const before = entry.versions[entry.version]?.schema
      const now = jsonSchemaOf(def.schema)
      if (before !== undefined && now !== undefined) {
        for (const { path, change } of schemaChanges(before, now)) {
          problem('schema-changed', type, def.version, path, `${change} without a version bump: restore the v${def.version} schema, or set version: ${def.version + 1} with upcast[${def.version}] turning a v${def.version} payload into a v${def.version + 1} one`)
        }
      }
    } else {
      notes.push({ type, version: def.version, message: `v${def.version} is not in the snapshot yet (it has v${entry.version}): run tidings catalog snapshot and commit it` })
    }
    for (let from = entry.version; from < def.version; from++) {
      if (typeof def.upcast[from] !== 'function') problem('missing-upcaster', type, from + 1, '', `v${from + 1} has no upcaster from v${from}: add upcast[${from}] to defineEvent("${type}")`)
    }
    for (const [key, version] of Object.entries(entry.versions)) {
      const from = Number(key)
      if (from > def.version) continue
      for (const data of version.examples) {
        try {
          codec.decode({ specversion: '1.0', id: 'example', source: '/tidings/catalog-check', type, dataversion: from, data })
        } catch (error) {
          const detail = error instanceof Error ? error.message : String(error)
          if (from === def.version) problem('example-invalid', type, from, fieldOf(error), `a v${from} example no longer validates (${detail}): bump the version with an upcaster, or fix the schema`)
          else problem('upcast-invalid', type, from, fieldOf(error), `a v${from} example upcast to v${def.version} fails (${detail}): fix the upcasters from v${from}`)
        }
      }
    }
  }
  for (const type of catalog.definitions.keys()) {
    if (!(type in snapshot.types)) notes.push({ type, version: catalog.get(type)!.version, message: 'not in the snapshot yet: run tidings catalog snapshot and commit it' })
  }
  for (const event of options.golden ?? []) {
    try {
      codec.decode(event)
    } catch (error) {
      const fields = (typeof event === 'string' ? safeParse(event) : event) as { type?: unknown; dataversion?: unknown }
      const type = typeof fields.type === 'string' ? fields.type : '?'
      const version = typeof fields.dataversion === 'number' ? fields.dataversion : 1
      problem('golden-invalid', type, version, fieldOf(error), `a golden event no longer decodes (${error instanceof Error ? error.message : String(error)}): add an upcaster or fix the schema; replace the golden file only if such events can no longer exist`)
    }
  }
  return { problems, notes }
}

const safeParse = (text: string): unknown => {
  try {
    return JSON.parse(text) ?? {}
  } catch {
    return {}
  }
}
