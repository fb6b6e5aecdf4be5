import { TidingsError } from '../errors'
import { fieldOf as fieldBelow, firstRepeat } from './field-path'
import type { Limits } from './safe-json'

/**
 * Checks an object handed to `decode` (rather than text) against the same limits as text: depth,
 * `__proto__` keys, size, and cycles. One fast walk decides; only a refusal walks again to say where.
 *
 * An object is measured as the JSON it stands for: a sub-object referenced from two places counts
 * twice, as `JSON.stringify` would write it twice. The walk stops as soon as the count passes
 * `maxBytes`, so a small graph of shared references that stands for gigabytes (each level
 * referring twice to the next) is refused with E_TOO_LARGE after at most `maxBytes` steps:
 * never more work than parsing `maxBytes` of text. And whatever is accepted stays within the
 * limits for every later walk (schemas, upcasters, encode). A cycle is refused with E_DECODE.
 * Units are UTF-16 code units plus 8 per number, boolean or null, as the text limit's estimate.
 */
export const checkObjectGraph = (root: object, limits: Limits): void => {
  const left = fits(root, limits.maxDepth, limits.maxBytes)
  if (left >= 0) return
  if (left !== FAILED) throw tooLarge(limits, limits.maxBytes - left)
  explain(root, limits)
  // Only getters that answer differently the second time get here.
  throw new TidingsError('E_DECODE', 'The object changed while it was being read: pass the encoded text, or a plain copy (JSON.parse of it)', { details: { field: '' } })
}

// What `fits` returns for too deep or a "__proto__" key; a finite negative result means too large.
const FAILED = -Infinity

/** The fast walk, for every object decoded: the remaining budget, negative when the object is refused. */
const fits = (value: object, left: number, budget: number): number => {
  if (left === 0) return FAILED
  if (ArrayBuffer.isView(value)) return budget - value.byteLength * 2
  if ((budget -= 2) < 0) return budget
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const x: unknown = value[i]
      budget -= 1
      if (typeof x === 'string') budget -= x.length
      else if (typeof x !== 'object' || x === null) budget -= 8
      else if ((budget = fits(x, left - 1, budget)) < 0) return budget
    }
    return budget
  }
  for (const key in value) {
    if (key === '__proto__') return FAILED
    const x: unknown = (value as Record<string, unknown>)[key]
    budget -= key.length + 4
    if (typeof x === 'string') budget -= x.length
    else if (typeof x !== 'object' || x === null) budget -= 8
    else if ((budget = fits(x, left - 1, budget)) < 0) return budget
  }
  return budget
}

const tooLarge = (limits: Limits, size: number) =>
  new TidingsError('E_TOO_LARGE', `The event is more than ${limits.maxBytes} bytes as JSON (an object referenced twice counts twice, as JSON writes it twice): split the payload, or raise the maxBytes option`, { details: { limit: limits.maxBytes, size } })

/** The same walk as `fits`, keeping the path, to say where it failed and tell a cycle from depth. */
const explain = (root: object, limits: Limits): void => {
  const fieldOf = (path: readonly (string | number)[], count: number) => fieldBelow('', path, count)
  let budget = limits.maxBytes
  // The objects and keys from the root to the value being visited.
  const objects: object[] = []
  const keys: (string | number)[] = []

  const cycle = (field: string) =>
    new TidingsError('E_DECODE', `"${field}" refers to an object that contains it (a cycle), which JSON cannot hold: pass the encoded text, or a copy without the back reference`, { details: { field, reason: 'cycle' } })

  // A cycle is only ever found here: followed round and round, it passes maxDepth.
  const tooDeep = (value: object): TidingsError => {
    const repeat = firstRepeat([...objects, value])
    if (repeat !== -1) return cycle(fieldOf(keys, repeat))
    const field = fieldOf(keys, keys.length)
    return new TidingsError('E_TOO_LARGE', `"${field}" is nested more than ${limits.maxDepth} levels deep (or refers to itself): flatten the payload, or raise the maxDepth option`, { details: { field, limit: limits.maxDepth } })
  }

  const child = (x: unknown, depth: number): void => {
    if (typeof x === 'string') budget -= x.length
    else if (typeof x !== 'object' || x === null) budget -= 8
    else visit(x, depth)
  }

  const visit = (value: object, depth: number): void => {
    if (depth > limits.maxDepth) throw tooDeep(value)
    if (ArrayBuffer.isView(value)) {
      budget -= value.byteLength * 2
      return
    }
    if ((budget -= 2) < 0) throw tooLarge(limits, limits.maxBytes - budget)
    objects.push(value)
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        budget -= 1
        keys.push(i)
        child(value[i], depth + 1)
        keys.pop()
      }
    } else {
      for (const key in value) {
        keys.push(key)
        if (key === '__proto__') {
          const field = fieldOf(keys, keys.length)
          throw new TidingsError('E_DECODE', `"${field}": Tidings refuses "__proto__" keys, so that no merge can ever change a prototype; rename the key`, { details: { field } })
        }
        budget -= key.length + 4
        child((value as Record<string, unknown>)[key], depth + 1)
        keys.pop()
      }
    }
    objects.pop()
    if (budget < 0) throw tooLarge(limits, limits.maxBytes - budget)
  }

  visit(root, 1)
}
