import type { TidingsError } from '../errors'
import type { Envelope } from '../envelope'
import { STORE_LOG } from '../kernel/core'
import type { Core } from '../kernel/core'

/** What went wrong in a failed delivery, kept in plain data so it can be stored. */
export interface ErrorInfo {
  name: string
  message: string
  stack?: string
  code?: string
}

/** A delivery that failed after every retry. */
export interface DeadLetterEntry {
  /** The entry's own id: what `dlq.get`, `dlq.retry` and `dlq.discard` take. */
  readonly id: string
  readonly envelope: Envelope
  /** The subscription's name (`on(type, h, { name })`), else the handler function's name. */
  readonly subscription: string
  /** How many times delivery was tried, the first try included. */
  readonly attempts: number
  /** RFC 3339. */
  readonly firstFailedAt: string
  /** RFC 3339. */
  readonly lastFailedAt: string
  readonly error: ErrorInfo
}

/** One record of the event log. */
export interface StoredRecord {
  /** Monotonically increasing, never reused. */
  readonly position: number
  readonly envelope: Envelope
}

export type TimeBound = number | string | Date

export interface ReadQuery {
  /** Only records with a position greater than this. */
  after?: number
  /** Only records with a position smaller than this. */
  before?: number
  /** Only these event types. */
  types?: readonly string[]
  /** Only events whose `time` is at or after this. */
  since?: TimeBound
  /** Only events whose `time` is before this. */
  until?: TimeBound
  limit?: number
  /** Position order (default 'asc'). */
  order?: 'asc' | 'desc'
}

/**
 * Where a bus keeps its event log and its dead-letter entries: what a store implements. Factories
 * are synchronous and open lazily; every method may be called before `ready` resolves.
 */
export interface StoreBackend {
  /** Resolves once the store is open. */
  readonly ready: Promise<void>
  /** Appends a batch of envelopes to the log, in order. */
  append(envelopes: readonly Envelope[]): Promise<void>
  /** Yields log records in position order. */
  read(query?: ReadQuery): AsyncIterable<StoredRecord>
  count(query?: ReadQuery): Promise<number>
  putDeadLetter(entry: DeadLetterEntry): Promise<void>
  listDeadLetters(): Promise<DeadLetterEntry[]>
  deleteDeadLetter(id: string): Promise<void>
  /** Resolves when everything accepted so far is durable. */
  flush(): Promise<void>
  close(): Promise<void>
  /**
   * Failures the store handles on its own (a full quota, a blocked upgrade…) and reports instead of
   * rejecting a caller; the bus forwards them to `bus.onError`.
   */
  onError?(listener: (error: TidingsError) => void): () => void
}

/**
 * A store a bus can keep its log in: a `StoreBackend` passed through `defineStore()`, as every
 * store of Tidings is. The log's code comes with the store, so a bus without one does not ship it.
 */
export interface Store extends StoreBackend {
  /** What installs the store's log on a bus. */
  readonly [STORE_LOG]: (core: Core) => void
}
