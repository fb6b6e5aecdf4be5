import { TidingsError } from '@tidings/core'
import type { Codec, Envelope } from '@tidings/core'

/** An envelope the codec would not write, as `E_ENCODE` lists it. */
export interface Refusal {
  readonly id: string
  readonly type: string
  readonly code: string
  readonly message: string
}

/** Reads a property of something user code made, which may throw: describing a failure must not fail. */
const safely = (read: () => unknown, fallback: string): string => {
  try {
    const value = read()
    return typeof value === 'string' ? value : fallback
  } catch {
    return fallback
  }
}

const refusalOf = (envelope: Envelope, error: unknown): Refusal => ({
  id: safely(() => envelope.id, '(unknown id)'),
  type: safely(() => envelope.type, '(unknown type)'),
  code: error instanceof TidingsError ? error.code : 'E_ENCODE',
  message: safely(() => (error instanceof Error ? error.message : String(error)), 'the codec refused it'),
})

/**
 * Encodes each envelope on its own, so that one the codec refuses (not serializable, too large, too
 * deep) is left out alone: the others are written as usual, and `refused` (E_ENCODE, listing each
 * refused event and how many were kept) is what the append rejects with once they are.
 */
export function encodeEach(codec: Codec, envelopes: readonly Envelope[]): { lines: string[]; refused: TidingsError | undefined } {
  const lines: string[] = []
  const refusals: Refusal[] = []
  let cause: unknown
  for (const envelope of envelopes) {
    try {
      lines.push(codec.encode(envelope))
    } catch (error) {
      if (refusals.length === 0) cause = error
      refusals.push(refusalOf(envelope, error))
    }
  }
  if (refusals.length === 0) return { lines, refused: undefined }
  const refused = new TidingsError('E_ENCODE', `${refusals.length} of ${envelopes.length} events could not be stored: ${refusals[0]!.message}`, {
    cause,
    details: { refused: refusals, appended: lines.length },
  })
  return { lines, refused }
}
