import type { Envelope } from './envelope'
import { TidingsError } from './errors'

// Deeper data is left to the codec, whose depth limit refuses it at append (reported alone).
const MAX_DEPTH = 200

interface Found {
  keys: string[]
  what: string
}

const badScalar = (value: unknown): string | undefined =>
  typeof value === 'number' ? (Number.isFinite(value) ? undefined : String(value)) : typeof value === 'bigint' ? 'a BigInt' : undefined

const CYCLE = 'a reference back to an enclosing object (a cycle)'
// Past this many objects the data may be a graph with shared sub-objects: walk it with a visited set.
const FAST_BUDGET = 2000

const OVER_BUDGET: Found = { keys: [], what: '' }
/** The objects enclosing the one being visited, reused across calls so that a check allocates nothing. */
const ancestors: object[] = []
let budget = 0
let busy = false
let deepest = 0

/** The walk for ordinary payloads: small trees, no allocation; gives up (OVER_BUDGET) on large ones. */
const fast = (value: unknown, depth: number): Found | undefined => {
  if (typeof value !== 'object' || value === null) {
    const bad = badScalar(value)
    return bad === undefined ? undefined : { keys: [], what: bad }
  }
  if (--budget < 0) return OVER_BUDGET
  if (depth > MAX_DEPTH || ArrayBuffer.isView(value)) return undefined
  for (let i = 0; i < depth; i++) if (ancestors[i] === value) return { keys: [], what: CYCLE }
  // Dates and other objects with toJSON write what they choose.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined
  ancestors[depth] = value
  if (depth >= deepest) deepest = depth + 1
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = fast(value[i], depth + 1)
      if (found !== undefined) return found === OVER_BUDGET ? found : (found.keys.push(String(i)), found)
    }
    return undefined
  }
  const keys = Object.keys(value)
  for (let i = 0; i < keys.length; i++) {
    const found = fast((value as Record<string, unknown>)[keys[i]!], depth + 1)
    if (found !== undefined) return found === OVER_BUDGET ? found : (found.keys.push(keys[i]!), found)
  }
  return undefined
}

/** The walk for large data: each object is visited once, so shared sub-objects keep it linear. */
const linear = (data: unknown): Found | undefined => {
  const open = new Set<object>()
  const done = new Set<object>()
  const visit = (value: unknown, depth: number): Found | undefined => {
    const scalar = badScalar(value)
    if (scalar !== undefined) return { keys: [], what: scalar }
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || done.has(value) || ArrayBuffer.isView(value)) return undefined
    if (open.has(value)) return { keys: [], what: CYCLE }
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined
    open.add(value)
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue
      const found = visit((value as Record<string, unknown>)[key], depth + 1)
      if (found !== undefined) {
        found.keys.push(key)
        return found
      }
    }
    open.delete(value)
    done.add(value)
    return undefined
  }
  return visit(data, 0)
}

/** The first value JSON cannot carry faithfully (NaN, ±Infinity, a BigInt, a cycle), or undefined. */
const find = (data: unknown): Found | undefined => {
  if (typeof data !== 'object' || data === null) {
    const bad = badScalar(data)
    return bad === undefined ? undefined : { keys: [], what: bad }
  }
  // A getter that emits would re-enter while `ancestors` is in use: it gets the allocating walk.
  if (busy) return linear(data)
  busy = true
  budget = FAST_BUDGET
  let found: Found | undefined
  try {
    found = fast(data, 0)
  } finally {
    busy = false
    // Cleared, not truncated: the array keeps its capacity, and no payload is kept alive.
    for (let i = 0; i < deepest; i++) ancestors[i] = undefined!
    deepest = 0
  }
  return found === OVER_BUDGET ? linear(data) : found
}

/**
 * Throws E_VALIDATION when the envelope's data or extensions hold what JSON cannot carry, so that
 * an event bound for a store or a transport is refused at emit instead of being stored as `null`
 * or failing its batch. Data that cannot even be read (a throwing getter) is left to the codec.
 */
export const checkEncodable = (env: Pick<Envelope, 'type' | 'data'> & { readonly extensions?: Envelope['extensions'] }): void => {
  let found: Found | undefined
  let root = 'data'
  try {
    found = find(env.data)
    if (found === undefined && env.extensions !== undefined) {
      root = 'extensions'
      found = find(env.extensions)
    }
  } catch {
    return
  }
  if (found === undefined) return
  const path = [root, ...found.keys.reverse()].join('.')
  // The advice is for development builds (guarded for browsers without process); `details` has the facts in both.
  const advice = typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? ', which JSON cannot carry, so the event could not be stored or sent (NaN and ±Infinity would become null): send a finite number, a string or plain data instead' : ''
  throw new TidingsError('E_VALIDATION', `emit("${env.type}"): ${path} is ${found.what}${advice}`, {
    details: { type: env.type, path, value: found.what },
  })
}
