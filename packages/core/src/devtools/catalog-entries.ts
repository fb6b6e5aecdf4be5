import { toJsonSchema } from '@valibot/to-json-schema'
import type { Catalog } from '../catalog'
import type { CatalogEntry } from './protocol'

/**
 * The catalog as the devtools page shows it. Schemas that do not convert to JSON Schema (custom
 * checks, transforms) are sent without one rather than failing the connection.
 */
export const catalogEntries = (catalog: Catalog | undefined): CatalogEntry[] => {
  if (catalog === undefined) return []
  const entries: CatalogEntry[] = []
  for (const def of catalog.definitions.values()) {
    const entry: CatalogEntry = { type: def.type, version: def.version, persist: def.persist }
    if (def.description !== undefined) entry.description = def.description
    try {
      entry.schema = toJsonSchema(def.schema, { errorMode: 'ignore' }) as Record<string, unknown>
    } catch {
      // Left without a schema: the page then shows the type without a form.
    }
    entries.push(entry)
  }
  return entries
}
