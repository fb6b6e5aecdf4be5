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

/**
 * The first value JSON cannot carry faithfully (NaN, ±Infinity, a BigInt, a cycle) in what
 * `JSON.stringify` would write. Each object is visited once, so shared sub-objects keep it linear.
 */
const find = (data: unknown): Found | undefined => {
  const bad = badScalar(data)
  if (bad !== undefined) return { keys: [], what: bad }
  if (data === null || typeof data !== 'object') return undefined
  const open = new Set<object>()
  const done = new Set<object>()
  const visit = (value: unknown, depth: number): Found | undefined => {
    const scalar = badScalar(value)
    if (scalar !== undefined) return { keys: [], what: scalar }
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || done.has(value) || ArrayBuffer.isView(value)) return undefined
    if (open.has(value)) return { keys: [], what: 'a reference back to an enclosing object (a cycle)' }
    // Dates and other objects with toJSON write what they choose.
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

/**
 * Throws E_VALIDATION when the envelope's data or extensions hold what JSON cannot carry, so that
 * an event bound for a store or a transport is refused at emit instead of being stored as `null`
 * or failing its batch. Data that cannot even be read (a throwing getter) is left to the codec.
 */
export const checkEncodable = (env: Envelope): void => {
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
  throw new TidingsError('E_VALIDATION', `emit("${env.type}"): ${path} is ${found.what}, which JSON cannot carry, so the event could not be stored or sent (NaN and ±Infinity would become null): send a finite number, a string or plain data instead`, {
    details: { type: env.type, path, value: found.what },
  })
}
