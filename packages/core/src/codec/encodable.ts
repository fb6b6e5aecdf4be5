import { TidingsError } from '../errors'
import { fieldOf, firstRepeat, pathOf } from './field-path'
import type { Limits } from './safe-json'

/** Why `encode` refused an event (`details.reason` of its E_ENCODE). */
export type UnencodableReason =
  | 'not-finite' | 'bigint' | 'function' | 'symbol' | 'cycle' | 'too-deep' | 'too-large' | 'not-json' | 'proto-key' | 'unserializable'

// What `fits` returns for a value JSON cannot write; a finite negative result means too large.
const FAILED = -Infinity

/*
 * The payload is walked once, before JSON.stringify, to find what JSON would write wrongly or not
 * at all. `budget` counts down a lower bound of the JSON's length (every value takes at least one
 * character, every key its length and three more): a graph of shared references, which JSON
 * writes once per reference, is refused as soon as it would be too large, so the walk never does
 * more work than writing maxBytes of JSON, however the graph is shaped. A cycle is a path that
 * goes deeper than maxDepth. This runs on every event written: the fast walk only says
 * yes, too large, or no; `explain` walks again to say where and why.
 */
const fits = (value: object, left: number, budget: number): number => {
  if (left === 0) return FAILED
  if ((budget -= 2) < 0) return budget
  if (Array.isArray(value)) {
    budget -= value.length
    for (let i = 0; i < value.length; i++) {
      const x: unknown = value[i]
      if (typeof x === 'object') {
        if (x !== null && (budget = fits(x, left - 1, budget)) < 0) return budget
      } else if (typeof x === 'string') budget -= x.length
      // x - x is NaN for NaN and ±Infinity alone
      else if (typeof x === 'number') {
        if (x - x !== 0) return FAILED
      } else if (typeof x !== 'boolean' && x !== undefined) return FAILED
    }
    return budget
  }
  if (!isPlainData(value)) {
    const leaf = leafBudget(value, budget)
    if (leaf !== NOT_A_LEAF) return leaf
  }
  for (const key in value) {
    if (key === '__proto__') return FAILED
    const x: unknown = (value as Record<string, unknown>)[key]
    if (typeof x === 'object') {
      if (x === null) budget -= key.length + 4
      else if ((budget = fits(x, left - 1, budget - key.length - 3)) < 0) return budget
    } else if (typeof x === 'string') budget -= key.length + x.length + 5
    else if (typeof x === 'number') {
      if (x - x !== 0) return FAILED
      budget -= key.length + 4
    } else if (typeof x === 'boolean') budget -= key.length + 4
    // undefined is left out by JSON, as an absent member; a toJSON method writes the object
    else if (x !== undefined && !(key === 'toJSON' && typeof x === 'function')) return FAILED
  }
  return budget
}

// Plain objects are most payloads: their inherited `constructor` (a cached property read, cheaper
// than Object.getPrototypeOf) keeps them on the fast path; null-prototype objects and plain objects
// of another realm are told by their prototype.
const isPlainData = (value: object): boolean => {
  if ((value as { constructor?: unknown }).constructor === Object) return true
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === null || Object.getPrototypeOf(proto) === null
}

// Never a budget: leafBudget is called with one of at least 0.
const NOT_A_LEAF = -1

/**
 * Objects that are not plain: those with a `toJSON` (a Date…) write what it returns, uncounted;
 * Map, Set and typed arrays would be written as `{}` or as index-keyed objects, silently losing
 * what they hold; other class instances are walked as their fields (NOT_A_LEAF).
 */
const leafBudget = (value: object, budget: number): number => {
  if (value instanceof Map || value instanceof Set || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return FAILED
  return typeof (value as { toJSON?: unknown }).toJSON === 'function' ? budget : NOT_A_LEAF
}

const refuse = (reason: UnencodableReason, field: string, message: string, extra: Record<string, unknown> = {}) =>
  new TidingsError('E_ENCODE', `Cannot encode the event: "${field}" ${message}`, { details: { reason, field, ...extra } })

const kind = (x: unknown): UnencodableReason | undefined =>
  typeof x === 'number' ? (x - x !== 0 ? 'not-finite' : undefined)
    : typeof x === 'bigint' ? 'bigint' : typeof x === 'function' ? 'function' : typeof x === 'symbol' ? 'symbol' : undefined

const primitiveProblem = (reason: UnencodableReason, field: string, x: unknown): TidingsError =>
  reason === 'not-finite' ? refuse(reason, field, `is ${String(x)}, which JSON cannot carry (it would be written as null): check the computation that produced it, or send null or a string explicitly`)
    : reason === 'bigint' ? refuse(reason, field, 'is a BigInt, which JSON cannot carry: send it as a string (String(value)) or a number if it is small enough')
      : refuse(reason, field, `is a ${reason}, which JSON would silently drop: keep payloads to plain data`)

interface Explain {
  readonly limits: Limits
  readonly root: string
  // The objects and keys from the payload to the value being looked at.
  readonly objects: object[]
  readonly keys: (string | number)[]
  budget: number
}

const classOf = (value: object): string => Object.prototype.toString.call(value).slice(8, -1)

const here = (state: Explain) => fieldOf(state.root, state.keys, state.keys.length)

/**
 * The first problem `fits` met, as an E_ENCODE naming its place: the same walk and the same
 * budget, keeping the path to tell where. A cycle is told from mere depth once the path passes
 * maxDepth: it then holds some object twice.
 */
const explain = (value: object, state: Explain, depth: number): TidingsError | undefined => {
  if (depth > state.limits.maxDepth) {
    const repeat = firstRepeat([...state.objects, value])
    if (repeat !== -1) return refuse('cycle', fieldOf(state.root, state.keys, repeat), 'refers to an object that contains it (a cycle), which JSON cannot write: send a copy without the back reference, e.g. an id')
    return refuse('too-deep', here(state), `is nested more than ${state.limits.maxDepth} levels deep: flatten the payload, or raise the codec's maxDepth option`, { limit: state.limits.maxDepth })
  }
  if ((state.budget -= 2) < 0) return tooLarge(state.limits, state.root)
  const child = (x: unknown, key: string | number, keyCost: number): TidingsError | undefined => {
    state.keys.push(key)
    let problem: TidingsError | undefined
    if (typeof x === 'object' && x !== null) {
      state.budget -= keyCost
      problem = explain(x, state, depth + 1) ?? (state.budget < 0 ? tooLarge(state.limits, state.root) : undefined)
    } else {
      const reason = kind(x)
      if (reason !== undefined) problem = primitiveProblem(reason, here(state), x)
      else if (typeof x === 'string') state.budget -= x.length + (keyCost && keyCost + 2)
      else if (x !== undefined) state.budget -= keyCost && keyCost + 1
    }
    state.keys.pop()
    return problem
  }
  // A problem ends the walk: the path is not unwound after one.
  state.objects.push(value)
  if (Array.isArray(value)) {
    state.budget -= value.length
    for (let i = 0; i < value.length; i++) {
      const problem = child(value[i], i, 0)
      if (problem) return problem
    }
  } else {
    if (!isPlainData(value)) {
      const leaf = leafBudget(value, state.budget)
      if (leaf === FAILED) return refuse('not-json', here(state), `is a ${classOf(value)}, which JSON would write as {} or as index-keyed fields: convert it to an array or a plain object (binary data can be the whole payload, written as data_base64)`)
      if (leaf !== NOT_A_LEAF) {
        state.objects.pop()
        return undefined
      }
    }
    for (const key in value) {
      if (key === '__proto__') return refuse('proto-key', pathOf(here(state), key), 'is a "__proto__" key, which decode refuses so that no merge can ever change a prototype: rename the key')
      const x: unknown = (value as Record<string, unknown>)[key]
      if (key === 'toJSON' && typeof x === 'function') continue
      const problem = child(x, key, key.length + 3)
      if (problem) return problem
    }
  }
  state.objects.pop()
  return undefined
}

const tooLarge = (limits: Limits, field: string) =>
  refuse('too-large', field, `is more than ${limits.maxBytes} bytes of JSON (counting a shared object once per reference, as JSON writes it): split the payload, or raise the codec's maxBytes option`, { limit: limits.maxBytes })

/**
 * Throws E_ENCODE (with `details.reason` and `details.field`) when `data` holds something JSON
 * cannot carry faithfully: NaN or ±Infinity, a BigInt, a function or symbol, a Map, Set or typed
 * array below the top, a cycle, a `__proto__` key, or more than the limits allow. `field` and
 * `depth` place the value within the event (its `data` is level 2).
 */
export const checkEncodable = (data: unknown, limits: Limits, field = 'data', depth = 2): void => {
  if (typeof data !== 'object' || data === null) {
    const reason = kind(data)
    if (reason !== undefined) throw primitiveProblem(reason, field, data)
    return
  }
  const left = limits.maxDepth - depth + 1
  const budget = fits(data, left, limits.maxBytes)
  if (budget >= 0) return
  if (budget !== FAILED) throw tooLarge(limits, field)
  const state: Explain = { limits, root: field, objects: [], keys: [], budget: limits.maxBytes }
  const problem = explain(data, state, depth) ?? (state.budget < 0 ? tooLarge(state.limits, state.root) : undefined)
  // The two walks agree; should they ever not, refusing is the safe side.
  throw problem ?? refuse('unserializable', field, 'cannot be written as JSON: keep payloads to plain data')
}

/** Extension attributes are flat: only a number JSON cannot write or a value it drops is E_ENCODE here (other types are E_VALIDATION, from the attribute checks). */
export const checkEncodableExtensions = (extensions: Record<string, unknown>): void => {
  for (const key in extensions) {
    const x = extensions[key]
    const reason = kind(x)
    if (reason !== undefined) throw primitiveProblem(reason, key, x)
  }
}
