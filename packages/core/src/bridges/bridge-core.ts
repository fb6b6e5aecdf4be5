import { TidingsError, createCodec, isTidingsError, toCloudEvent } from '@tidings/core'
import type { CloudEventJSON, Codec, Envelope, TransportHost } from '@tidings/core'
import { SeenIds } from './seen-ids'
import { bridgeId } from './wire'

// Enough to cover the events in flight between a handful of contexts; older ids cannot come back.
const SEEN = 4096

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * What every bridge does with events, whatever carries them: deliver the ones emitted here to this
 * bus's unnamed subscriptions, and read the ones from elsewhere through the local catalog (upcast,
 * validated), delivering each id once and reporting, not delivering, what does not match.
 */
export class BridgeCore {
  /** This bridge's name on the wire. */
  readonly id = bridgeId()
  private readonly seen = new SeenIds(SEEN)
  private codec!: Codec
  host!: TransportHost

  /** `recordRemote: false` when the event was already recorded where it was emitted (a shared log). */
  constructor(
    private readonly kind: string,
    private readonly recordRemote: boolean,
    private readonly carries: ((type: string) => boolean) | undefined,
  ) {}

  attach(host: TransportHost): void {
    if (this.host !== undefined) throw new TidingsError('E_INVALID_ARGUMENT', `${this.kind}: a bridge serves one bus; create one per bus`)
    this.host = host
    this.codec = createCodec(host.catalog)
  }

  /** An event emitted on this bus: delivered here, then its JSON form for the wire (undefined, reported, when it has none). */
  local(envelope: Envelope): CloudEventJSON | undefined {
    this.seen.add(envelope.id)
    this.host.deliverBroadcast(envelope, true)
    try {
      return toCloudEvent(envelope)
    } catch (error) {
      this.host.report(new TidingsError(isTidingsError(error) ? error.code : 'E_ENCODE', `Event ${envelope.id} ("${envelope.type}") stays in this context: ${message(error)}`, {
        cause: error, details: { id: envelope.id, type: envelope.type },
      }))
      return undefined
    }
  }

  /** An event from elsewhere: read (see `accept`) and delivered to this bus's unnamed subscriptions. */
  receive(event: string | object, via: string, id?: unknown): Envelope | undefined {
    const envelope = this.accept(event, via, id)
    if (envelope !== undefined) this.deliver(envelope)
    return envelope
  }

  /**
   * An event from elsewhere, as an object or JSON text (`via` says where, for reports; `id` is its
   * id when the carrier says it, as SSE does), read through the local catalog: its envelope, or
   * undefined when it was seen before, is refused (reported) or is of a type not carried.
   */
  accept(event: string | object, via: string, id: unknown = typeof event === 'object' ? (event as { id?: unknown } | null)?.id : undefined): Envelope | undefined {
    const known = typeof id === 'string' && id !== ''
    if (known && !this.seen.add(id)) return undefined
    let envelope: Envelope
    try {
      envelope = this.codec.decode(event)
    } catch (error) {
      const code = isTidingsError(error) ? error.code : 'E_DECODE'
      this.host.report(new TidingsError(code, `An event from ${via} does not match this bus's catalog and was not delivered: ${message(error)}`, {
        cause: error, details: { ...(isTidingsError(error) ? error.details : undefined), id, from: via },
      }))
      return undefined
    }
    if (!known && !this.seen.add(envelope.id)) return undefined
    if (this.carries !== undefined && !this.carries(envelope.type)) return undefined
    return envelope
  }

  /** Delivers an accepted event to this bus's unnamed subscriptions. */
  deliver(envelope: Envelope): void {
    this.host.deliverBroadcast(envelope, !this.recordRemote)
  }
}
