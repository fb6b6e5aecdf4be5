import { TidingsError } from './errors'
import type { ErrorInfo } from './store/types'

const MAX_MESSAGE = 1000
const MAX_STACK = 4000

const clip = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s)

/** One property of something user code threw: a getter or a Proxy trap that throws reads as undefined. */
const read = (value: object, key: string): unknown => {
  try {
    return (value as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

const isError = (value: unknown): value is Error => {
  try {
    return value instanceof Error
  } catch {
    return false
  }
}

/** Text for any value, whatever its toJSON, toString or Proxy traps do. */
const describe = (value: unknown): string => {
  switch (typeof value) {
    case 'string':
      return value
    case 'bigint':
      return `${value}n`
    case 'symbol':
      return value.toString()
    case 'undefined':
    case 'number':
    case 'boolean':
      return String(value)
    case 'function': {
      const name = read(value, 'name')
      return typeof name === 'string' && name ? `function ${name}` : 'a function'
    }
  }
  if (value === null) return 'null'
  try {
    const json = JSON.stringify(value)
    if (typeof json === 'string') return json
  } catch {
    // A cycle, a BigInt inside, a throwing getter or toJSON: try its string form instead.
  }
  try {
    const text = String(value)
    if (typeof text === 'string') return text
  } catch {
    // A throwing toString or Symbol.toPrimitive, or no prototype at all.
  }
  return 'an object that cannot be described'
}

/**
 * Plain, storable facts about anything user code threw: never throws itself (every property read,
 * String() and JSON are guarded), and the message and stack are bounded in length.
 */
export const errorInfo = (error: unknown): ErrorInfo => {
  try {
    if (isError(error)) {
      const name = read(error, 'name')
      const message = read(error, 'message')
      const info: ErrorInfo = {
        name: typeof name === 'string' ? clip(name, 100) : 'Error',
        message: clip(typeof message === 'string' ? message : describe(message), MAX_MESSAGE),
      }
      const stack = read(error, 'stack')
      if (typeof stack === 'string') info.stack = clip(stack, MAX_STACK)
      const code = read(error, 'code')
      if (typeof code === 'string') info.code = clip(code, 100)
      return info
    }
    return { name: 'NonError', message: clip(describe(error), MAX_MESSAGE) }
  } catch {
    return { name: 'NonError', message: 'a value that cannot be described' }
  }
}

/**
 * `error` itself when it is a TidingsError, else one of `code` that describes it safely. Production
 * builds leave the description out of the message (`cause` still holds what was thrown), so that
 * a bus that never stores errors does not ship the describer.
 */
export const asTidingsError = (error: unknown, code: TidingsError['code'], message: string): TidingsError => {
  let own = false
  try {
    own = error instanceof TidingsError
  } catch {
    // A Proxy whose getPrototypeOf trap throws is not ours.
  }
  if (own) return error as TidingsError
  // Written out here, not in a helper, so that a production define drops the branch; guarded for browsers without process.
  const text = typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? `${message}: ${errorInfo(error).message}` : message
  return new TidingsError(code, text, { cause: error })
}
