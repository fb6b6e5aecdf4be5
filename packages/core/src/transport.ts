import type { Catalog } from './catalog'
import type { Envelope } from './envelope'
import type { TidingsError } from './errors'
import type { DeadLetterEntry } from './store/types'

/** A named subscription of the bus, as a transport maps it (e.g. to a durable consumer). */
export interface NamedSubscription {
  /** The type, pattern or '*' it is subscribed to. */
  key: string
  name: string
  /**
   * Retries after the first try, from the subscription's retry policy (else the bus's): the
   * transport's redelivery limit is `attempts + 1` (JetStream `max_deliver`).
   */
  attempts: number
  /**
   * After try number `attempt` (1 = the first) failed with `error`: milliseconds to wait before
   * the next try, or undefined when the event goes to the dead-letter queue instead (tries used
   * up, an error marked `retryable: false`, or the policy's `shouldRetry` said no).
   */
  retryDelay(error: unknown, attempt: number): number | undefined
}

/**
 * What a bus offers the transport it was created with. The transport calls these when events
 * arrive from elsewhere; the bus calls the transport for events emitted here.
 */
export interface TransportHost {
  /** The bus's `source`, e.g. for naming consumers. */
  readonly source: string
  /** The bus's catalog, so that events arriving from elsewhere are upcast and validated as here. */
  readonly catalog: Catalog | undefined
  /** The named subscriptions right now. */
  subscriptions(): NamedSubscription[]
  /** Called after a named subscription is added or removed. */
  onSubscriptionsChange(listener: () => void): () => void
  /**
   * Delivers an event that arrived through the transport to every *unnamed* subscription that
   * matches it (specific, patterns, '*'), as a local emit does: synchronously, errors isolated,
   * retried by the subscription's policy, then dead-lettered. An event from another process is
   * also kept in this bus's history (and its store's log) and reported to observers as remote;
   * `own` says this bus emitted it, so it was recorded and reported when emitted.
   */
  deliverBroadcast(envelope: Envelope, own?: boolean): void
  /**
   * Delivers an event to the one named subscription `name`, once, without local retries (the
   * transport redelivers): resolves when its handler succeeded, rejects with what it threw.
   * `attempt` (default 1) is the transport's delivery count, as observers are told.
   * Rejects with E_DLQ_NOT_FOUND when no such subscription matches the event's type.
   */
  deliverTo(name: string, envelope: Envelope, attempt?: number): Promise<void>
  /**
   * Writes a dead letter for a delivery the transport gave up on (e.g. after max_deliver).
   * Resolves once the store has taken it (a failed write is reported through `bus.onError`; the
   * entry then stays in this process's memory), so the transport can drop the message only then.
   */
  deadLetter(envelope: Envelope, subscription: string, attempts: number, error: unknown): Promise<void>
  /** Reports a failure that has no caller (connection lost, publish refused…) through `bus.onError`. */
  report(error: TidingsError): void
}

/**
 * Carries a bus's events between processes. With a transport, `emit` hands each envelope (after
 * middleware) to `publish` instead of dispatching it here: subscriptions get events as they come
 * back through the transport — unnamed ones every event, each named one once per name across all
 * instances.
 */
export interface Transport {
  /**
   * Whether events of `type` travel through the transport (default: every type). Asked once per
   * type; the others are dispatched in this process only, as without a transport.
   */
  carries?(type: string): boolean
  /** Called once, by createBus. May start connecting in the background. */
  attach(host: TransportHost): void
  /** Takes one locally emitted envelope. Synchronous and never throws: queue and report instead. */
  publish(envelope: Envelope): void
  /** Publishes a dead letter's event again, for `bus.dlq.retry`. Resolves once it is accepted. */
  republish(entry: DeadLetterEntry): Promise<void>
  /** Resolves once the transport is connected (what `bus.ready` waits for). */
  readonly ready: Promise<void>
  /** Resolves when everything published so far is acknowledged by the transport. */
  flush(): Promise<void>
  close(): Promise<void>
}
