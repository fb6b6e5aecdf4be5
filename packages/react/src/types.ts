import type {
  Bus, DeadLetterEntry, DeadLetterFilter, DeadLetterQueue, DeadLetterRetryResult, EnvelopeOf, EventMap, Handler, HistoryQuery, Keys,
  MatchingKeys, Pattern, SubscribeOptions, WildcardHandler,
} from '@tidings/core'

/**
 * Any bus, whatever its events and features: what every bus has that does not depend on its events
 * (a typed bus is not assignable to the untyped `Bus`, whose handlers take any payload).
 */
export type AnyBus = Pick<Bus, 'all' | 'source'>

/** The event map of a bus type (`EventMap` for an untyped bus). */
export type EventsOfBus<B> = B extends Bus<infer E> ? E : EventMap

/** What `useEvent` and `useLastEvent` take: a type of the catalog, a pattern (`order.*`) or mitt's `'*'`. */
export type EventKey<E> = '*' | Pattern | Keys<E>

/** The types a key stands for: itself, or every type a pattern (or `'*'`) matches. */
export type TypesOf<E, T> = T extends '*' ? Keys<E> : T extends Pattern ? MatchingKeys<E, T> : T & Keys<E>

/** `(data, envelope)` for a type, `(type, data, envelope)` for a pattern or `'*'`, as `bus.on` takes them. */
export type HandlerFor<E, T> = [T] extends ['*' | Pattern] ? WildcardHandler<E, TypesOf<E, T>> : [T] extends [Keys<E>] ? Handler<E, T & Keys<E>> : never

/** Subscription options a hook passes to `bus.on`; read when it subscribes (on mount, or when the bus, type or name change). */
export type UseEventOptions = Omit<SubscribeOptions, 'signal'>

/** A history query whose `type` or `types` narrows the envelopes it yields. */
export type HistoryQueryFor<E, T> = Omit<HistoryQuery, 'type' | 'types'> & ({ type?: T; types?: never } | { type?: never; types?: readonly T[] })

/** What a query for key `T` yields: the envelopes of the types it names, or of every type when it names none. */
export type HistoryEnvelope<E, T> = EnvelopeOf<E, [T] extends [never] ? Keys<E> : TypesOf<E, T>>

/** An asynchronous list read from the bus: empty and `loading` until the first read settles. */
export interface ListState<T> {
  readonly loading: boolean
  /** What the last read rejected with, if it did; the list keeps its last good value. */
  readonly error: unknown
  readonly items: readonly T[]
}

export interface HistoryState<Env> {
  /** Newest first unless the query says `order: 'asc'`; read again after each matching event. */
  readonly events: readonly Env[]
  readonly loading: boolean
  readonly error: unknown
}

export interface DeadLettersState {
  /** Read again when an entry is added and after each action below. */
  readonly entries: readonly DeadLetterEntry[]
  readonly loading: boolean
  readonly error: unknown
  retry(target: string | DeadLetterFilter): Promise<DeadLetterRetryResult>
  discard(id: string): Promise<boolean>
  purge(): Promise<number>
  /** Reads the queue again (after a retry made elsewhere, e.g. from the devtools page). */
  refresh(): void
}

export type HasHistory = { history(query?: HistoryQuery): Promise<unknown[]> }
export type HasDeadLetters = { readonly dlq: DeadLetterQueue }
