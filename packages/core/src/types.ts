import type { EmitOptions, Envelope } from './envelope'
import type { DeadLetterEntry, ErrorInfo, TimeBound } from './store/types'

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
      /** Where this process emitted it (the first stack frame outside Tidings), for observers that asked for call sites. */
      site?: string
    }
  | {
      /**
       * 'dead-lettered' also when a retry from the dead-letter queue failed again (the entry stays);
       * 'discarded' when a dead letter was discarded or purged.
       */
      kind: 'delivered' | 'failed' | 'dead-lettered' | 'discarded'
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
