import type { Envelope } from '@tidings/core'

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** 30000, "30000", "30s", "1.5m", "2h" → milliseconds; undefined when not a positive duration. */
export const parseDuration = (value: unknown): number | undefined => {
  if (typeof value === 'number') return value > 0 ? value : undefined
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value) : null
  if (!match) return undefined
  const ms = Number(match[1]) * UNITS[match[2] ?? 'ms']!
  return ms > 0 ? ms : undefined
}

type Scope = { data: unknown; envelope: Envelope }

/** `data.a.b` / `envelope.type` → a getter over `{ data, envelope }`. Only own, plain properties: no prototype walks. */
const getter = (path: string): ((scope: Scope) => unknown) | string => {
  const keys = path.split('.')
  if (keys[0] !== 'data' && keys[0] !== 'envelope') return `"${path}" must start with "data." or "envelope."`
  if (keys.some((k) => k === '' || k === '__proto__' || k === 'constructor' || k === 'prototype')) return `"${path}" is not a usable path`
  const [root, ...rest] = keys
  return (scope) => {
    let value: unknown = root === 'data' ? scope.data : scope.envelope
    for (const key of rest) {
      if (value === null || typeof value !== 'object') return undefined
      // Envelope attributes may be getters; payload fields must be own properties.
      value = value === scope.envelope || Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined
    }
    return value
  }
}

/**
 * `when: { data.status: failed, envelope.source: /shop }`: every path must equal its value
 * (a list means any of its values). Returns the predicate, or a message.
 */
export const compileWhen = (spec: unknown): ((data: unknown, envelope: Envelope) => boolean) | string => {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return 'when must map paths (data.x, envelope.y) to the values they must equal'
  const checks: Array<[(s: Scope) => unknown, unknown[]]> = []
  for (const [path, expected] of Object.entries(spec)) {
    const get = getter(path)
    if (typeof get === 'string') return get
    checks.push([get, Array.isArray(expected) ? expected : [expected]])
  }
  return (data, envelope) => checks.every(([get, values]) => values.includes(get({ data, envelope })))
}

/**
 * `map: { orderId: $data.id, kind: fixed }`: builds the payload; a string starting with `$` is a
 * path into `{ data, envelope }`, anything else is taken as is. Returns the builder, or a message.
 */
export const compileMap = (spec: unknown): ((scope: Scope) => unknown) | string => {
  if (typeof spec === 'string' && spec.startsWith('$')) return getter(spec.slice(1))
  if (spec === null || typeof spec !== 'object') return () => spec
  const entries: Array<[string, (s: Scope) => unknown]> = []
  for (const [key, value] of Object.entries(spec)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') return `"${key}" cannot be a payload field`
    const build = compileMap(value)
    if (typeof build === 'string') return build
    entries.push([key, build])
  }
  if (Array.isArray(spec)) return (scope) => entries.map(([, build]) => build(scope))
  return (scope) => Object.fromEntries(entries.map(([key, build]) => [key, build(scope)]))
}
