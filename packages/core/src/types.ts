import type { Catalog } from './catalog'
import type { EmitOptions, Envelope } from './envelope'
import type { DeadLetterEntry, ErrorInfo, Store, TimeBound } from './store/types'
import type { TidingsError } from './errors'
import type { MetricsSnapshot } from './metrics'
import type { HistoryQuery, Stats, StatsQuery } from './history'
import type { Transport } from './transport'

/** Event type → payload type. Untyped buses use `Record<string, unknown>`, as mitt does. */
export type EventMap = Record<string, unknown>

/** Event types of an event map. */
export type Keys<E> = keyof E & string

/** Any handler, as stored in the `all` map (the user's own functions, in plain arrays). */
export type AnyHandler = (...args: never[]) => unknown

/** mitt-compatible handler registry: type (or `'*'` / pattern) → handlers in registration order. */
export type HandlerMap = Map<string, AnyHandler[]>

/** The envelope of one of the types `K`, as a union that narrows on `envelope.type`. */
export type EnvelopeOf<E, K extends Keys<E> = Keys<E>> = K extends Keys<E> ? Envelope<K, E[K]> : never

/** Handler for one type: `(data, envelope)`. May return a promise: a rejection is a failed delivery. */
export type Handler<E, K extends Keys<E>> = (data: E[K], envelope: Envelope<K, E[K]>) => unknown

/** Handler for `'*'` and patterns: `(type, data, envelope)`, as mitt's `'*'` handlers get `(type, data)`. */
export type WildcardHandler<E, K extends Keys<E> = Keys<E>> = (type: K, data: E[K], envelope: EnvelopeOf<E, K>) => unknown

/** True when type `K` matches pattern `P` (`*` = one segment, `**` = one or more). */
type MatchSegments<K extends string, P extends string> = P extends '**'
  ? true
  : P extends `${infer PH}.${infer PR}`
    ? K extends `${infer KH}.${infer KR}`
      ? PH extends '**'
        ? MatchSegments<KR, P> extends true ? true : MatchSegments<KR, PR> extends true ? true : MatchSegments<K, PR>
        : PH extends '*' | KH ? MatchSegments<KR, PR> : false
      : false
    : P extends '*'
      ? K extends `${string}.${string}` ? false : true
      : K extends P ? true : false

/** The types of `E` that pattern `P` matches. */
export type MatchingKeys<E, P extends string> = string extends Keys<E>
  ? Keys<E>
  : { [K in Keys<E>]: MatchSegments<K, P> extends true ? K : never }[Keys<E>]

/** A subscription key with a wildcard segment, e.g. `'order.*'` or `'order.**'`. */
export type Pattern = `${string}*${string}`

/** Exponential backoff with jitter between retries. */
export interface Backoff {
  /** Delay before the first retry (default 100 ms). */
  initialMs?: number
  /** Growth per retry (default 2). */
  factor?: number
  /** Upper bound of one delay (default 5000 ms). */
  maxMs?: number
  /** 0–1: the share of each delay that is randomized (default 0.2). */
  jitter?: number
}

/** How a failing delivery is retried before it is dead-lettered. */
export interface RetryPolicy {
  /** Retries after the first try (default 3). 0 dead-letters on the first failure. */
  attempts?: number
  backoff?: Backoff
  /** Return false to dead-letter now. Errors with `retryable: false` are never retried. */
  shouldRetry?(error: unknown, attempt: number): boolean
}

export interface SubscribeOptions {
  /** Names the subscription in metrics, delivery reports and dead-letter entries; `dlq.retry` re-delivers to it. */
  name?: string
  /** Unsubscribes when aborted. */
  signal?: AbortSignal
  /** Overrides the bus's retry policy for this subscription. */
  retry?: RetryPolicy
}

/**
 * Runs synchronously on the emit path: call `next(envelope)` to go on (with the same or a new
 * envelope), skip it to drop the event, throw a TidingsError to reject it (nothing is dispatched).
 */
export type Middleware = (envelope: Envelope, next: (envelope: Envelope) => void) => void

/** A plugin installs itself (middleware, subscriptions…) and returns its teardown. */
export interface Plugin<E extends EventMap = EventMap> {
  install(bus: Bus<E>): (() => void) | void
}

export interface BusOptions<C extends Catalog | undefined = undefined> {
  /** Types the bus accepts; payloads are validated against it unless `validate: false`. */
  catalog?: C
  /** The envelopes' `source` (default "/tidings"). */
  source?: string
  middleware?: readonly Middleware[]
  /** Event log and dead-letter entries (default: dead letters in memory, no log). */
  store?: Store
  /** Default retry policy of every subscription. */
  retry?: RetryPolicy
  /** Payload validation for typed buses (default true). */
  validate?: boolean
  /** An existing handler map, as `mitt(all)` takes. */
  all?: HandlerMap
  /**
   * Carries events between processes (e.g. `natsTransport()` from `@tidings/nats`): `emit`
   * publishes through it, and subscriptions get events as they come back.
   */
  transport?: Transport
  /** Events kept in memory for `history()` and `stats()` (default 1,000; 0 keeps none). */
  history?: number
  /**
   * Dead letters the bus holds at most (default 10,000). Beyond it a new dead letter is not kept:
   * it is reported through `onError` (E_DLQ_OVERFLOW, with its event), counted in
   * `metrics().dlq.overflowed`, and the next `flush()` rejects.
   */
  maxDeadLetters?: number
}

/** The outcome of one subscription's delivery of a published event. */
export interface DeliveryOutcome {
  subscription: string
  status: 'delivered' | 'dead-lettered'
  /** Tries, the first included. */
  attempts: number
  /** From the first try to the outcome, retries included. */
  durationMs: number
  error?: ErrorInfo
}

/** What `publish` resolves to once every handler, retries included, has settled. */
export interface DeliveryReport<Env extends Envelope = Envelope> {
  envelope: Env
  /** A middleware dropped the event: nothing was dispatched. */
  dropped: boolean
  delivered: number
  /** Subscriptions that failed at least once (retried or dead-lettered). */
  failed: number
  deadLettered: number
  subscriptions: DeliveryOutcome[]
}

export interface WaitForOptions<Env> {
  filter?: (envelope: Env) => boolean
  /** Rejects with E_TIMEOUT after this many ms. */
  timeout?: number
  signal?: AbortSignal
}

export interface DeadLetterFilter {
  /** A type or pattern. */
  type?: string
  subscription?: string
  since?: TimeBound
  until?: TimeBound
  where?: (entry: DeadLetterEntry) => boolean
  limit?: number
}

export interface DeadLetterRetryResult {
  /** Entries re-delivered successfully, now removed. */
  succeeded: string[]
  /** Entries whose re-delivery failed again; they stay, with attempts and error updated. */
  failed: Array<{ id: string; error: ErrorInfo }>
}

/** Failed deliveries, kept in the bus's store. */
export interface DeadLetterQueue {
  list(filter?: DeadLetterFilter): Promise<DeadLetterEntry[]>
  get(id: string): Promise<DeadLetterEntry | undefined>
  /** Re-delivers to the entry's subscription, or to the type's current subscribers if it is gone. */
  retry(target: string | DeadLetterFilter): Promise<DeadLetterRetryResult>
  /** Removes an entry; false if there was none. */
  discard(id: string): Promise<boolean>
  /** Removes every entry; resolves to how many. */
  purge(): Promise<number>
  size(): Promise<number>
  /** Called after each new entry is written. */
  subscribe(listener: (entry: DeadLetterEntry) => void): () => void
}

/** What `bus.observe` reports: every dispatch and every delivery outcome (devtools, tracing, logging). */
export type Observation =
  | {
      kind: 'emitted'
      envelope: Envelope
      /** Set when the event was emitted by another process and arrived through the bus's transport. */
      remote?: true
    }
  | {
      kind: 'delivered' | 'failed' | 'dead-lettered'
      envelope: Envelope
      subscription: string
      /** Tries so far, the first included. */
      attempt: number
      /** This try's handler time. */
      durationMs: number
      /** For 'failed' and 'dead-lettered'. */
      error?: ErrorInfo
      /** For 'failed': whether another try is scheduled. */
      willRetry?: boolean
    }

/** Payload arguments of `emit`: optional when the payload type admits undefined. */
export type EmitArgs<E, K extends Keys<E>> = undefined extends E[K]
  ? [data?: E[K], options?: EmitOptions]
  : [data: E[K], options?: EmitOptions]

export interface Bus<E extends EventMap = EventMap> {
  /** The handler map, as mitt's `all`. */
  readonly all: HandlerMap
  readonly source: string
  readonly catalog: Catalog | undefined
  /** Resolves once the store is open and the dead-letter queue reloaded. */
  readonly ready: Promise<void>
  readonly dlq: DeadLetterQueue

  on(type: '*', handler: WildcardHandler<E>, options?: SubscribeOptions): () => void
  on<P extends Pattern>(type: P, handler: WildcardHandler<E, MatchingKeys<E, P>>, options?: SubscribeOptions): () => void
  on<K extends Keys<E>>(type: K, handler: Handler<E, K>, options?: SubscribeOptions): () => void

  once(type: '*', handler: WildcardHandler<E>, options?: SubscribeOptions): () => void
  once<P extends Pattern>(type: P, handler: WildcardHandler<E, MatchingKeys<E, P>>, options?: SubscribeOptions): () => void
  once<K extends Keys<E>>(type: K, handler: Handler<E, K>, options?: SubscribeOptions): () => void

  /** Removes one handler, or every handler of the type when none is given (mitt semantics). */
  off(type: '*' | Pattern | Keys<E>, handler?: AnyHandler): void

  /** Dispatches synchronously, in registration order; returns the dispatched envelope. */
  emit<K extends Keys<E>>(type: K, ...args: EmitArgs<E, K>): Envelope<K, E[K]>
  /** Dispatches and resolves once every handler, retries included, has settled. */
  publish<K extends Keys<E>>(type: K, ...args: EmitArgs<E, K>): Promise<DeliveryReport<Envelope<K, E[K]>>>

  waitFor<K extends Keys<E>>(type: K, options?: WaitForOptions<Envelope<K, E[K]>>): Promise<Envelope<K, E[K]>>
  waitFor<P extends Pattern>(type: P, options?: WaitForOptions<EnvelopeOf<E, MatchingKeys<E, P>>>): Promise<EnvelopeOf<E, MatchingKeys<E, P>>>

  /** Adds a middleware or installs a plugin; returns the function that removes it. */
  use(extension: Middleware | Plugin<E> | Plugin): () => void

  metrics(): MetricsSnapshot
  /**
   * Past events: from the store's log when the bus has a store, else from the in-memory history
   * (the latest `history` events, 1,000 by default).
   */
  history(query?: HistoryQuery): Promise<Envelope[]>
  /** Counts per type, source or payload field over the recent in-memory history. */
  stats(query?: StatsQuery): Stats
  /** Calls `observer` for every dispatch and delivery outcome; costs nothing while no observer is attached. */
  observe(observer: (observation: Observation) => void): () => void
  /** Errors the bus reports instead of throwing (storage failures, refused events, DLQ overflow). A listener that throws is logged, never breaks the bus. */
  onError(listener: (error: TidingsError) => void): () => void
  /**
   * Resolves when every event and dead-letter entry so far is durable. Rejects with E_NOT_DURABLE
   * (details: `count`, `first`) when something emitted since the previous flush() could not be
   * made durable (each loss was also reported through `onError`); the next flush starts afresh.
   */
  flush(): Promise<void>
  /** Dead-letters pending retries, flushes and closes the store; rejects with the flush's E_NOT_DURABLE once all is closed. */
  close(): Promise<void>
}
