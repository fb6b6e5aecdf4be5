import type {
  Bus, DeadLetterEntry, DeadLetterFilter, DeadLetterQueue, DeadLetterRetryResult, EnvelopeOf, EventMap, Handler, HistoryQuery, Keys,
  MatchingKeys, Pattern, SubscribeOptions, WildcardHandler,
} from '@tidings/core'
import type { Ref, ShallowRef } from 'vue'

/** Any bus: what every bus has that does not depend on its events (a typed bus is not assignable to the untyped `Bus`). */
export type AnyBus = Pick<Bus, 'all' | 'source'>

/** The event map of a bus type (`EventMap` for an untyped bus). */
export type EventsOfBus<B> = B extends Bus<infer E> ? E : EventMap

/** A type of the catalog, a pattern (`order.*`) or mitt's `'*'`. */
export type EventKey<E> = '*' | Pattern | Keys<E>

/** The types a key stands for: itself, or every type a pattern (or `'*'`) matches. */
export type TypesOf<E, T> = T extends '*' ? Keys<E> : T extends Pattern ? MatchingKeys<E, T> : T & Keys<E>

/** `(data, envelope)` for a type, `(type, data, envelope)` for a pattern or `'*'`, as `bus.on` takes them. */
export type HandlerFor<E, T> = [T] extends ['*' | Pattern] ? WildcardHandler<E, TypesOf<E, T>> : [T] extends [Keys<E>] ? Handler<E, T & Keys<E>> : never

/** What `bus.on` takes, but the signal: the subscription ends with the component (or effect scope). */
export type UseEventOptions = Omit<SubscribeOptions, 'signal'>

/** A history query whose `type` or `types` narrows the envelopes it yields. */
export type HistoryQueryFor<E, T> = Omit<HistoryQuery, 'type' | 'types'> & ({ type?: T; types?: never } | { type?: never; types?: readonly T[] })

/** What a query for key `T` yields: the envelopes of the types it names, or of every type when it names none. */
export type HistoryEnvelope<E, T> = EnvelopeOf<E, [T] extends [never] ? Keys<E> : TypesOf<E, T>>

/** A list read from the bus: empty and `loading` until the first read settles, then read again on each change. */
export interface ListRefs<T> {
  readonly items: Readonly<ShallowRef<readonly T[]>>
  readonly loading: Readonly<Ref<boolean>>
  /** What the last read rejected with, if it did; the list keeps its last good value. */
  readonly error: Readonly<ShallowRef<unknown>>
  /** Reads again now. */
  refresh(): Promise<void>
}

export interface HistoryRefs<Env> extends Omit<ListRefs<Env>, 'items'> {
  /** Newest first unless the query says `order: 'asc'`; read again after each matching event and when the query changes. */
  readonly events: Readonly<ShallowRef<readonly Env[]>>
}

export interface DeadLettersRefs extends Omit<ListRefs<DeadLetterEntry>, 'items'> {
  /** Read again when an entry is added and after each action below. */
  readonly entries: Readonly<ShallowRef<readonly DeadLetterEntry[]>>
  retry(target: string | DeadLetterFilter): Promise<DeadLetterRetryResult>
  discard(id: string): Promise<boolean>
  purge(): Promise<number>
}

export type HasHistory = { history(query?: HistoryQuery): Promise<unknown[]> }
export type HasDeadLetters = { readonly dlq: DeadLetterQueue }
