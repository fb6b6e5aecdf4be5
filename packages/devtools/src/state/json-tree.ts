export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | 'more'

/** One visible line of a collapsible JSON tree. */
export interface JsonNode {
  /** JSON Pointer of the value (RFC 6901); '' is the root. */
  path: string
  depth: number
  /** Property name or array index; undefined for the root. */
  key: string | undefined
  kind: JsonKind
  /** A leaf's JSON text; for a container, a summary such as `{3}` or `[10]`; for 'more', how many are left out. */
  text: string
  expanded: boolean
}

export interface TreeOptions {
  /** Containers shallower than this start expanded. */
  openDepth: number
  /** Paths the user toggled away from their default state. */
  toggled: ReadonlySet<string>
  /** Children shown per container before a 'more' line (keeps a huge array from freezing the page). */
  maxChildren?: number
}

const escapeKey = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1')

const kindOf = (value: unknown): Exclude<JsonKind, 'more'> =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'object' ? 'object'
    : typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string'

const isOpen = (path: string, depth: number, options: TreeOptions): boolean =>
  (depth < options.openDepth) !== options.toggled.has(path)

/** The lines a tree shows for `value` given what is expanded; only expanded containers are walked. */
export function flattenJson(value: unknown, options: TreeOptions): JsonNode[] {
  const out: JsonNode[] = []
  const max = options.maxChildren ?? 500
  const walk = (v: unknown, path: string, depth: number, key: string | undefined) => {
    const kind = kindOf(v)
    if (kind !== 'object' && kind !== 'array') {
      out.push({ path, depth, key, kind, text: v === undefined ? 'undefined' : JSON.stringify(v), expanded: false })
      return
    }
    const entries: Array<[string, unknown]> = kind === 'array'
      ? (v as unknown[]).map((item, i) => [String(i), item])
      : Object.entries(v as Record<string, unknown>)
    const expanded = entries.length > 0 && isOpen(path, depth, options)
    out.push({ path, depth, key, kind, text: kind === 'array' ? `[${entries.length}]` : `{${entries.length}}`, expanded })
    if (!expanded) return
    for (const [k, child] of entries.slice(0, max)) walk(child, `${path}/${escapeKey(k)}`, depth + 1, k)
    if (entries.length > max) {
      out.push({ path: `${path}/…`, depth: depth + 1, key: undefined, kind: 'more', text: `${entries.length - max} more`, expanded: false })
    }
  }
  walk(value, '', 0, undefined)
  return out
}

/** Toggling a path twice restores its default state. */
export function toggle(toggled: ReadonlySet<string>, path: string): Set<string> {
  const next = new Set(toggled)
  if (!next.delete(path)) next.add(path)
  return next
}
