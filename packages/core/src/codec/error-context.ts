import { TidingsError } from '../errors'

/**
 * Anything unexpected thrown while decoding (a getter on a hand-made object, an engine limit)
 * still reaches the caller as a TidingsError.
 */
export const asDecodeError = (error: unknown): TidingsError =>
  error instanceof TidingsError ? error
    : new TidingsError('E_DECODE', `Could not decode the event: ${error instanceof Error ? error.message : String(error)}`, { cause: error })

/** The same error, told where it happened: `{ line: 3 }` in NDJSON, `{ index: 2 }` in a batch. */
export const located = (error: unknown, where: { line: number } | { index: number }): TidingsError => {
  const e = asDecodeError(error)
  const prefix = 'line' in where ? `Line ${where.line}` : `Event ${where.index} of the batch`
  return new TidingsError(e.code, `${prefix}: ${e.message}`, { cause: e, details: { ...e.details, ...where }, retryable: e.retryable })
}
