import { TidingsError } from '../errors'
import { pathOf } from './field-path'
import { checkObjectGraph } from './object-graph'

/** How much input the codec accepts. */
export interface Limits {
  /** Largest accepted event, in UTF-8 bytes of its JSON text. */
  readonly maxBytes: number
  /** Deepest accepted nesting of objects and arrays; the event object itself is level 1. */
  readonly maxDepth: number
}

/** 1 MiB: sixteen times what CloudEvents asks every consumer to accept (64 KiB). */
export const DEFAULT_MAX_BYTES = 1024 * 1024
export const DEFAULT_MAX_DEPTH = 64

export const resolveLimits = (options: { maxBytes?: number; maxDepth?: number } = {}): Limits => {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH
  if (!(maxBytes > 0) || !(maxDepth >= 1) || !Number.isInteger(maxDepth)) {
    throw new TidingsError('E_INVALID_ARGUMENT', `maxBytes must be a positive number and maxDepth an integer ≥ 1; got maxBytes ${String(maxBytes)}, maxDepth ${String(maxDepth)}`)
  }
  return { maxBytes, maxDepth }
}

/** UTF-8 length of a string; lone surrogates count 3 bytes, as TextEncoder writes them (U+FFFD). */
export const utf8Length = (text: string): number => {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) bytes += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2
      i++
    } else bytes += 2
  }
  return bytes
}

const tooLarge = (limits: Limits, size: number) =>
  new TidingsError('E_TOO_LARGE', `The event is ${size} bytes, more than the limit of ${limits.maxBytes}: split the payload, or raise the maxBytes option`, { details: { limit: limits.maxBytes, size } })

/** 0 when `text` fits `limits.maxBytes`, else its size (at least); measures exactly only near the limit. */
export const excessSize = (text: string, limits: Limits): number => {
  // A UTF-16 unit takes 1 to 3 UTF-8 bytes, so the length alone decides most cases.
  if (text.length * 3 <= limits.maxBytes) return 0
  if (text.length > limits.maxBytes) return text.length
  const bytes = utf8Length(text)
  return bytes > limits.maxBytes ? bytes : 0
}

/** Throws E_TOO_LARGE when `text` is over `limits.maxBytes`. */
export const checkSize = (text: string, limits: Limits): void => {
  const size = excessSize(text, limits)
  if (size > 0) throw tooLarge(limits, size)
}

const isPlain = (value: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(value)
  // null-prototype objects and plain objects of any realm (whose prototype's prototype is null)
  return proto === null || Object.getPrototypeOf(proto) === null
}

/**
 * True when `value` nests at most `left` more levels and has no `__proto__` key, which a later
 * `Object.assign` or hand-written merge would turn into a prototype change. `constructor` and
 * `prototype` stay ordinary own data properties: nothing in Tidings merges them into a target.
 * This runs on every event: for-in (with V8's enum cache) is the fastest walk measured.
 */
const safe = (value: object, left: number): boolean => {
  if (left === 0) return false
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const x: unknown = value[i]
      if (typeof x === 'object' && x !== null && !safe(x, left - 1)) return false
    }
    return true
  }
  if (ArrayBuffer.isView(value)) return true
  for (const key in value) {
    if (key === '__proto__') return false
    const x: unknown = (value as Record<string, unknown>)[key]
    if (typeof x === 'object' && x !== null && !safe(x, left - 1)) return false
  }
  return true
}

const locate = (value: unknown, limits: Limits, path: string, depth: number): void => {
  if (typeof value !== 'object' || value === null) return
  if (depth > limits.maxDepth) {
    throw new TidingsError('E_TOO_LARGE', `"${path}" is nested more than ${limits.maxDepth} levels deep (or refers to itself): flatten the payload, or raise the maxDepth option`, { details: { field: path, limit: limits.maxDepth } })
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) locate(value[i], limits, `${path}[${i}]`, depth + 1)
    return
  }
  if (ArrayBuffer.isView(value)) return
  for (const key in value) {
    if (key === '__proto__') {
      const field = pathOf(path, key)
      throw new TidingsError('E_DECODE', `"${field}": Tidings refuses "__proto__" keys, so that no merge can ever change a prototype; rename the key`, { details: { field } })
    }
    locate((value as Record<string, unknown>)[key], limits, pathOf(path, key), depth + 1)
  }
}

/**
 * Throws E_TOO_LARGE past `maxDepth` and E_DECODE for a `__proto__` key, naming the place.
 * `path` and `depth` place a part of an event (its `data`, level 2) within the whole.
 */
export const scanValue = (value: unknown, limits: Limits, path = '', depth = 1): void => {
  if (typeof value === 'object' && value !== null && !safe(value, limits.maxDepth - depth + 1)) locate(value, limits, path, depth)
}

const describeSyntaxError = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error)
  // V8, SpiderMonkey and JavaScriptCore word this differently; keep it short and printable.
  return message.length > 160 ? `${message.slice(0, 160)}…` : message
}

/** JSON.parse bounded in size; any failure is a TidingsError (E_TOO_LARGE, E_DECODE). Depth and keys are not checked yet. */
export const parseText = (text: string, limits: Limits): unknown => {
  checkSize(text, limits)
  try {
    return JSON.parse(text)
  } catch (error) {
    const reason = describeSyntaxError(error)
    const position = /position (\d+)/.exec(reason)?.[1]
    throw new TidingsError('E_DECODE', `The input is not valid JSON (${reason}): pass the exact text the encoder wrote, one event per line`, { cause: error, details: position === undefined ? {} : { position: Number(position) } })
  }
}

/**
 * JSON.parse bounded in size and depth, and safe from prototype pollution. Any failure is a
 * TidingsError: E_TOO_LARGE over a limit, E_DECODE for anything that is not JSON.
 */
export const parseJson = (text: string, limits: Limits): unknown => {
  const value = parseText(text, limits)
  scanValue(value, limits)
  return value
}

/**
 * The depth and key checks of parseJson for a parsed event object, counting its members on the
 * way (what `readEvent` would otherwise list with Object.keys).
 */
export const scanMembers = (event: object, limits: Limits): number => {
  let count = 0
  for (const key in event) {
    count++
    const x: unknown = (event as Record<string, unknown>)[key]
    if (key === '__proto__' || (typeof x === 'object' && x !== null && !safe(x, limits.maxDepth - 1))) locate(event, limits, '', 1)
  }
  return count
}

/** Text is parsed; an object must be plain JSON data (as `JSON.parse` or a structured clone gives). */
export const parseInput = (input: unknown, limits: Limits): unknown => {
  if (typeof input === 'string') return parseJson(input, limits)
  if (typeof input !== 'object' || input === null || (!Array.isArray(input) && !isPlain(input))) {
    const kind = input === null ? 'null' : typeof input !== 'object' ? typeof input : (Object.getPrototypeOf(input) as { constructor?: { name?: string } }).constructor?.name ?? 'object'
    throw new TidingsError('E_DECODE', `Expected JSON text or a plain object; got ${kind}: pass the encoded string, or JSON.parse() of it`, { details: { field: '' } })
  }
  // The same guarantees as parseJson gives text, for an object that may share or cycle references.
  checkObjectGraph(input, limits)
  return input
}
