import { TidingsError } from './errors'

/**
 * What could not be made durable since the last `flush()` (log appends, dead-letter writes,
 * transport publishes): each loss is reported when it happens, and the next `flush()` rejects once.
 */
export const createDurability = () => {
  let count = 0
  let first: TidingsError | undefined
  return {
    lost(n: number, error: TidingsError): void {
      count += n
      first ??= error
    },
    /** The E_NOT_DURABLE error for what was lost since the previous call, or undefined; resets. */
    take(): TidingsError | undefined {
      if (first === undefined) return undefined
      // The explanation is for development builds (guarded for browsers without process); `details` has the facts in both.
      const message = typeof process !== 'undefined' && process.env.NODE_ENV !== 'production'
        ? `${count} event${count === 1 ? '' : 's'} or dead letter${count === 1 ? '' : 's'} emitted before flush() could not be made durable (each was reported through bus.onError); the first: ${first.code}: ${first.message}`
        : `${count} not durable`
      const error = new TidingsError('E_NOT_DURABLE', message, {
        cause: first, details: { count, first: { code: first.code, message: first.message } },
      })
      count = 0
      first = undefined
      return error
    },
  }
}
