import { TidingsError, isTidingsError } from '@tidings/core'
import type { Codec, Envelope } from '@tidings/core'
import type { MsgHdrs } from '@nats-io/nats-core'
import { TRACEPARENT, validTraceparent } from './trace'

/** Header of a DLQ retry: the one named subscription the event is re-published for. */
export const TARGET = 'Tidings-Target'
/** Header naming the transport instance that published the event. */
export const ORIGIN = 'Tidings-Origin'

/** A message as both kinds of consumer yield it. */
interface Message {
  readonly subject: string
  readonly seq: number
  readonly headers: MsgHdrs | undefined
  string(): string
}

export interface Incoming {
  readonly envelope: Envelope
  /** Set on a DLQ retry: only this named subscription takes the event. */
  readonly target: string | undefined
  /** The publishing transport instance, when Tidings published it. */
  readonly from: string | undefined
}

/**
 * Reads a message through the codec, so that old payload versions are upcast and payloads
 * validated as in the emitting process. A `traceparent` header the event itself lacks (a publisher
 * other than Tidings) becomes its `traceparent` extension. Throws a TidingsError saying which
 * message could not be read.
 */
export const readMessage = (codec: Codec, m: Message): Incoming => {
  let envelope: Envelope
  try {
    envelope = codec.decode(m.string())
    const h = m.headers
    if (validTraceparent(envelope.extensions?.[TRACEPARENT]) === undefined) {
      const traceparent = validTraceparent(h?.get(TRACEPARENT))
      if (traceparent !== undefined) envelope = codec.decode({ ...envelope.toJSON(), [TRACEPARENT]: traceparent })
    }
    return { envelope, target: h?.get(TARGET) || undefined, from: h?.get(ORIGIN) || undefined }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new TidingsError(isTidingsError(error) ? error.code : 'E_DECODE', `Message ${m.seq} on ${m.subject} is not a readable event (${reason}); it is skipped`, { cause: error, details: { subject: m.subject, seq: m.seq } })
  }
}
