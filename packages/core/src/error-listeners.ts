import { asTidingsError } from './error-info'
import type { TidingsError } from './errors'

/** A console that throws has nowhere else to go. */
const log = (...args: unknown[]) => {
  try {
    console.error(...args)
  } catch {
    // Nothing left to tell.
  }
}

/**
 * `bus.onError`: failures with no caller to throw to. `report` is called from every failure path,
 * so it never throws: a listener's own throw is logged, not reported again.
 */
export const createErrorListeners = () => {
  const listeners = new Set<(error: TidingsError) => void>()
  let count = 0
  return {
    /** Errors reported so far. */
    get count() {
      return count
    },
    add(listener: (error: TidingsError) => void): () => void {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    report(error: TidingsError): void {
      count++
      if (listeners.size === 0) log(error)
      for (const listener of listeners) {
        try {
          listener(error)
        } catch (thrown) {
          log(asTidingsError(thrown, 'E_INVALID_ARGUMENT', 'A bus.onError listener threw'), error)
        }
      }
    },
  }
}
