import type { CloudEventJSON, ErrorInfo } from '@tidings/core'

/** What became of an event, summed over its subscriptions' latest outcomes. */
export type Outcome = 'none' | 'delivered' | 'retried' | 'failing' | 'dead-lettered'

export const OUTCOMES: readonly Outcome[] = ['delivered', 'retried', 'failing', 'dead-lettered', 'none']

/**
 * One subscription's try at handling an event, or a step of its dead letter (kept, kept again
 * after a failed retry from the queue, discarded), as the producer that ran the handler reported it.
 */
export interface Delivery {
  k: 'delivered' | 'failed' | 'dead-lettered' | 'discarded'
  /** The producer (process) that ran the handler: with a transport, often not the event's own. */
  producer: string
  at: number
  subscription: string
  attempt: number
  durationMs: number
  error?: ErrorInfo
  willRetry?: boolean
  /** A try this page asked for with a replay: beside the delivery, not part of its outcome. */
  replay?: true
}

/** An event the page keeps, with everything learned about it since it was emitted. */
export interface RetainedEvent {
  /** Arrival order on this page; consecutive, so it doubles as the ring position. */
  seq: number
  /** The producer whose bus emitted the event; until that one reports it, the first that did. */
  producer: string
  /**
   * Set while only buses that received the event through a transport have reported it: the first
   * of them (also `producer` until the emitter's own report takes over).
   */
  via?: string
  at: number
  envelope: CloudEventJSON
  truncated: boolean
  deliveries: Delivery[]
  outcome: Outcome
  /** Handler time summed over every try of every subscription. */
  handlerMs: number
  /** Where the emitting bus's process emitted it (a stack frame), when its producer captures call sites. */
  site?: string
  /** Read from a session file rather than reported live. */
  imported?: true
}

/**
 * 'retried' means it got through in the end after at least one failure (a DLQ retry included);
 * 'failing' means a try failed and its outcome is still open. A subscription whose dead letter
 * was discarded failed for good: 'dead-lettered'.
 */
export function outcomeOf(deliveries: readonly Delivery[]): Outcome {
  if (!deliveries.some((d) => !d.replay)) return 'none'
  const latest = new Map<string, Delivery>()
  let everFailed = false
  for (const d of deliveries) {
    if (d.replay) continue
    if (d.k !== 'delivered') everFailed = true
    latest.set(d.subscription, d)
  }
  let failing = false
  for (const d of latest.values()) {
    if (d.k === 'dead-lettered' || d.k === 'discarded') return 'dead-lettered'
    if (d.k === 'failed') failing = true
  }
  if (failing) return 'failing'
  return everFailed ? 'retried' : 'delivered'
}

/** Records replayed after a reconnect (the hub's backlog) must not count twice. */
export const sameDelivery = (a: Delivery, b: Delivery): boolean =>
  a.k === b.k && a.subscription === b.subscription && a.attempt === b.attempt && a.at === b.at && a.producer === b.producer
