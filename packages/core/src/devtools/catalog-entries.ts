import type { Catalog } from '../catalog'
import { jsonSchemaOf, vendorOf } from '../schema/json-schema'
import type { CatalogEntry } from './protocol'

/**
 * The catalog as the devtools page shows it: each type's schema library and JSON Schema. Schemas
 * that do not convert to JSON Schema are sent without one rather than failing the connection.
 */
export const catalogEntries = (catalog: Catalog | undefined): CatalogEntry[] => {
  if (catalog === undefined) return []
  const entries: CatalogEntry[] = []
  for (const def of catalog.definitions.values()) {
    const entry: CatalogEntry = { type: def.type, version: def.version, persist: def.persist, vendor: vendorOf(def.schema) }
    if (def.description !== undefined) entry.description = def.description
    const schema = jsonSchemaOf(def.schema)
    if (schema !== undefined) entry.schema = schema
    entries.push(entry)
  }
  return entries
}
