import { TidingsError } from '../errors'

const MAX_DESCRIPTION = 200

const clip = (text: string): string => (text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}…` : text)

/**
 * A short description of anything user code threw: an Error's message, a string, a BigInt, a
 * circular object, an object whose getters or toString throw, a revoked Proxy. It never throws,
 * so describing one failure can never become another.
 */
export const describeThrown = (value: unknown): string => {
  try {
    if (value instanceof Error) {
      const message: unknown = value.message
      if (typeof message === 'string') return clip(message)
    }
  } catch {
    // a Proxy's getPrototypeOf trap or a throwing "message" getter: fall through to the kind
  }
  if (typeof value === 'string') return clip(value)
  if (typeof value !== 'object' && typeof value !== 'function') {
    try {
      return clip(typeof value === 'bigint' ? `${String(value)}n` : String(value))
    } catch {
      return typeof value
    }
  }
  if (value === null) return 'null'
  try {
    return clip(shallow(value))
  } catch {
    return `an unprintable ${typeof value}`
  }
}

const SHOWN_KEYS = 5

/**
 * One level of an object: never JSON.stringify, which throws on cycles and BigInts and takes
 * exponential time on a graph of shared references.
 */
const shallow = (value: object): string => {
  const keys = Object.keys(value)
  if (keys.length === 0) return String(value)
  const shown = keys.slice(0, SHOWN_KEYS).map((key) => {
    const v: unknown = (value as Record<string, unknown>)[key]
    const text = typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)
      : typeof v === 'object' && v !== null ? '{…}' : typeof v === 'function' ? 'ƒ' : typeof v === 'bigint' ? `${String(v)}n` : String(v)
    return `${JSON.stringify(key)}: ${text}`
  })
  return `{ ${shown.join(', ')}${keys.length > SHOWN_KEYS ? ', …' : ''} }`
}

/** `instanceof` that a thrown Proxy cannot turn into another throw. */
export const isTidings = (error: unknown): error is TidingsError => {
  try {
    return error instanceof TidingsError
  } catch {
    return false
  }
}

/**
 * Anything unexpected thrown while decoding (a getter on a hand-made object, an engine limit)
 * still reaches the caller as a TidingsError.
 */
export const asDecodeError = (error: unknown): TidingsError =>
  isTidings(error) ? error : new TidingsError('E_DECODE', `Could not decode the event: ${describeThrown(error)}`, { cause: error })

/** The same error, told where it happened: `{ line: 3 }` in NDJSON, `{ index: 2 }` in a batch. */
export const located = (error: unknown, where: { line: number } | { index: number }): TidingsError => {
  const e = asDecodeError(error)
  const prefix = 'line' in where ? `Line ${where.line}` : `Event ${where.index} of the batch`
  return new TidingsError(e.code, `${prefix}: ${e.message}`, { cause: e, details: { ...e.details, ...where }, retryable: e.retryable })
}
