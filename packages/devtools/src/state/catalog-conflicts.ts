import type { CatalogEntry, ProducerInfo } from '@tidings/core'

/** JSON with object keys sorted: two schemas that differ only in key order are the same schema. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

const shapeOf = (entry: CatalogEntry): string => `${entry.version}\u0000${canonical(entry.schema ?? null)}`

/**
 * The types that connected buses define differently (another version, or another payload schema
 * at the same version), each with a sentence saying who defines what: an event of such a type
 * may not mean the same thing to the bus that emits it and the one that handles it.
 */
export function catalogConflicts(producers: readonly ProducerInfo[]): Map<string, string> {
  const shapes = new Map<string, Map<string, { version: number; names: string[] }>>()
  for (const p of producers) {
    for (const entry of p.catalog) {
      const byShape = shapes.get(entry.type) ?? new Map<string, { version: number; names: string[] }>()
      shapes.set(entry.type, byShape)
      const shape = shapeOf(entry)
      const seen = byShape.get(shape) ?? { version: entry.version, names: [] }
      byShape.set(shape, seen)
      if (!seen.names.includes(p.name)) seen.names.push(p.name)
    }
  }
  const conflicts = new Map<string, string>()
  for (const [type, byShape] of shapes) {
    if (byShape.size < 2) continue
    const variants = [...byShape.values()]
    const sameVersion = new Set(variants.map((v) => v.version)).size < variants.length
    const parts = variants.map((v, i) => `v${v.version}${sameVersion ? ` (schema ${String.fromCharCode(65 + i)})` : ''} in ${v.names.join(', ')}`)
    conflicts.set(type, `${type} is defined differently: ${parts.join('; ')}`)
  }
  return conflicts
}
