import type { Catalog } from '../catalog'
import type { Envelope } from '../envelope'
import type { TidingsError } from '../errors'
import type { ResolvedRetry } from '../retry'
import type { DeadLetterEntry, Store } from '../store/types'
import type { HandlerMap } from '../types'
import type { Delivery, Kind, Outcome, Tracker, Wrapped } from './delivery'
import type { Slot } from './slot'
import type { Bus } from './types'

/** The dispatch phase from here on; returns how many deliveries succeeded synchronously, untracked. */
export type Dispatch = (envelope: Envelope, slot: Slot, tracker?: Tracker) => number

/**
 * What a feature hands the kernel: its steps in the phases of an event (validate → record → route
 * → dispatch → outcome), its lifecycle, and the API it adds to the bus. The kernel folds every
 * feature's parts into one function per phase when the bus is created, so an emit runs exactly
 * the steps of the features installed.
 */
export interface Parts<Api extends object = object> {
  /** Added to the bus object. */
  api?: Api
  /** validate: every event emitted here after middleware, before it is recorded; throws to refuse it. A step two features share runs once. */
  check?(envelope: Envelope, slot: Slot): void
  /** record: every event emitted here after middleware, and (`remote`) every event from another process. */
  record?(envelope: Envelope, slot: Slot, remote: boolean): void
  /** route: carries the types it claims (asked once per type) instead of dispatching them here. One feature may. */
  route?: {
    carries(type: string): boolean
    publish(envelope: Envelope): void
    /** Sends a dead letter's event the same way again, for `dlq.retry`. */
    republish(entry: DeadLetterEntry): Promise<void>
  }
  /** dispatch: wraps the rest of the phase, e.g. to pass a tracker so that deliveries are followed. */
  dispatch?(next: Dispatch): Dispatch
  /** outcome: a followed delivery succeeded (`ms` is -1 when its try was not timed). */
  delivered?(d: Delivery, ms: number): void
  /** outcome: a try failed; `again` says whether another one is scheduled. */
  failed?(d: Delivery, error: unknown, ms: number, again: boolean): void
  /** outcome: a delivery failed for good, and was dead-lettered or reported. */
  gaveUp?(d: Delivery, error: unknown, outcome: Exclude<Outcome, 'delivered'>): void
  /** Takes failed deliveries to try again later. One feature may. */
  retry?: {
    /** True when it scheduled another try (then it calls `kernel.again(d)`, or `kernel.giveUp` on close). */
    later(d: Delivery, error: unknown): boolean
    policyOf(handler: Wrapped): ResolvedRetry | undefined
  }
  /** Keeps deliveries that failed for good. One feature may. */
  deadLetter?(envelope: Envelope, subscription: string, attempts: number, firstFailedAt: number, error: unknown, handler: Wrapped | undefined): Promise<void>
  /** Numbers other features may read (`kernel.gauge(name)`), e.g. the dead-letter count for metrics. */
  gauges?: Record<string, () => number>
  /** Each new slot, before its first event: e.g. marks the types that must be JSON (`slot.strict`). */
  made?(slot: Slot): void
  /** Hands a pending batch to its writes (tracked), for `kernel.settle()` and `flush()`. */
  drain?(): void
  /** Called once every feature is installed and the phases composed. */
  start?(): void
  /** What `bus.ready` waits for as well. */
  ready?: Promise<unknown>
  /** What `bus.flush()` waits for as well. */
  flush?(): Promise<void>
  /** On close, before the last flush. */
  closing?(): void
  /** On close, after the last flush, before the store closes. */
  close?(): Promise<void>
}

/** What a feature gets from the bus it is installed on (see `defineFeature`). */
export interface Kernel {
  readonly bus: Bus
  readonly source: string
  readonly catalog: Catalog | undefined
  readonly store: Store | undefined
  readonly all: HandlerMap
  readonly closed: boolean
  /** Subscriptions by name. */
  readonly named: ReadonlyMap<string, Wrapped>
  /** Reports what has no caller to throw to: `onError` listeners, else the console. Never throws. */
  report(error: TidingsError): void
  /** Registers a write that `flush()` waits for. */
  track<T>(write: Promise<T>): Promise<T>
  /** Counts what could not be made durable: the next `flush()` rejects with E_NOT_DURABLE. */
  lost(count: number, error: TidingsError): void
  slot(type: string): Slot
  /** A free index in every slot's `state`, for the feature's per-type state. */
  slotState(): number
  patternsOf(slot: Slot): readonly string[]
  /** How `handler` is subscribed for `type` now, if at all. */
  kindOf(handler: Wrapped, type: string): Kind | undefined
  onNamedChange(listener: () => void): () => void
  policyOf(handler: Wrapped): ResolvedRetry | undefined
  /** A gauge another feature provides, else 0. */
  gauge(name: string): number
  /** Resolves once the log's pending batch and every tracked write have settled (without flush()'s durability verdict). */
  settle(): Promise<void>
  /**
   * One timed try of one handler outside emit, heard by the outcome steps; rejects with what it
   * threw. `willRetry` tells the outcome steps whether the caller (a transport) will try again.
   */
  deliverOnce(handler: Wrapped, kind: Kind, envelope: Envelope, attempt: number, willRetry?: (d: Delivery, error: unknown) => boolean): Promise<void>
  /** Sends a dead letter's event through the route feature when its type is routed; undefined when it is dispatched here. */
  republish(entry: DeadLetterEntry): Promise<void> | undefined
  /** The next try of a delivery a retry step took. */
  again(d: Delivery): void
  /** Ends a delivery as failed for good: dead-lettered with deadLetters(), else reported. */
  giveUp(d: Delivery, error: unknown): void
  /** An event from another process (or this one's, back from a transport): recorded unless `own`, dispatched to unnamed subscriptions. */
  arrive(envelope: Envelope, own: boolean): void
  /** A dead letter for a delivery made elsewhere; rejects when no feature keeps dead letters. */
  deadLetter(envelope: Envelope, subscription: string, attempts: number, error: unknown): Promise<void>
  /** Adds parts (phase and outcome steps only) while the bus runs; returns what removes them. */
  patch(parts: Parts): () => void
}
