import type { Catalog } from '../catalog'
import { TidingsError } from '../errors'
import { jsonSchemaOf, vendorOf } from './json-schema'
import type { JsonSchema } from './json-schema'

/** One payload version of a type, as a snapshot keeps it. */
export interface SnapshotVersion {
  /** The schema library that described it (`valibot`, `zod`, …). */
  vendor: string
  /** JSON Schema (draft-07) of the payload; absent when the schema has none. */
  schema?: JsonSchema
  /** Payloads of this version (the definition's `examples`), replayed through later upcasters by the check. */
  examples: unknown[]
}

/** A catalog as committed to the repository: every type, and every version it has had. */
export interface CatalogSnapshot {
  tidings: 'catalog-snapshot'
  format: 1
  types: Record<string, { version: number; versions: Record<string, SnapshotVersion> }>
}

export interface SnapshotOptions {
  /** The committed snapshot: its older versions (and their examples) are kept. */
  previous?: CatalogSnapshot
  /** Drop the types the catalog no longer defines (default: keep them, so the check keeps reporting their removal). */
  prune?: boolean
}

const sorted = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/** Records the catalog's current schemas over the previous snapshot (keys sorted, so diffs of the file stay small). */
export const snapshotCatalog = (catalog: Catalog, options: SnapshotOptions = {}): CatalogSnapshot => {
  const types: CatalogSnapshot['types'] = options.prune || options.previous === undefined ? {} : { ...options.previous.types }
  for (const def of catalog.definitions.values()) {
    const before = options.previous?.types[def.type]
    const versions = { ...before?.versions }
    const entry: SnapshotVersion = { vendor: vendorOf(def.schema), examples: [...(def.examples ?? versions[def.version]?.examples ?? [])] }
    const schema = jsonSchemaOf(def.schema)
    if (schema !== undefined) entry.schema = schema
    versions[def.version] = entry
    types[def.type] = { version: def.version, versions: sorted(versions) }
  }
  return { tidings: 'catalog-snapshot', format: 1, types: sorted(types) }
}

/** Checks that parsed JSON is a catalog snapshot this version can read. */
export const readSnapshot = (json: unknown): CatalogSnapshot => {
  const s = json as Partial<CatalogSnapshot> | null
  if (typeof s !== 'object' || s === null || s.tidings !== 'catalog-snapshot' || typeof s.types !== 'object' || s.types === null) {
    throw new TidingsError('E_DECODE', 'Not a catalog snapshot: write one with `tidings catalog snapshot` (or snapshotCatalog())')
  }
  if (s.format !== 1) {
    throw new TidingsError('E_DECODE', `Catalog snapshot format ${String(s.format)} is not one this version reads (1): update @tidings/core`)
  }
  for (const [type, entry] of Object.entries(s.types)) {
    if (!Number.isInteger(entry?.version) || typeof entry.versions !== 'object' || entry.versions === null || !(entry.version in entry.versions)) {
      throw new TidingsError('E_DECODE', `Catalog snapshot: "${type}" needs a whole version and an entry for it under versions; write the file again with \`tidings catalog snapshot\``)
    }
  }
  return s as CatalogSnapshot
}
