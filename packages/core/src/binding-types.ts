import type { HistoryQuery } from './history'
import type { Bus } from './kernel/types'
import type { DeadLetterQueue, EnvelopeOf, EventMap, Handler, Keys, MatchingKeys, Pattern, SubscribeOptions, WildcardHandler } from './types'

// Types for framework bindings (@tidings/react, @tidings/vue): how a hook or composable types
// itself from the bus it is given. Types only: nothing here reaches a bundle.

/**
 * Any bus, whatever its events and features: what every bus has that does not depend on its
 * events (a typed bus is not assignable to the untyped `Bus`, whose handlers take any payload).
 */
export type AnyBus = Pick<Bus, 'all' | 'source'>

/** The event map of a bus type (`EventMap` for an untyped bus). */
export type EventsOfBus<B> = B extends Bus<infer E> ? E : EventMap

/** What a subscription takes: a type of the catalog, a pattern (`order.*`) or mitt's `'*'`. */
export type EventKey<E> = '*' | Pattern | Keys<E>

/** The types a key stands for: itself, or every type a pattern (or `'*'`) matches. */
export type TypesOf<E, T> = T extends '*' ? Keys<E> : T extends Pattern ? MatchingKeys<E, T> : T & Keys<E>

/** `(data, envelope)` for a type, `(type, data, envelope)` for a pattern or `'*'`, as `bus.on` takes them. */
export type HandlerFor<E, T> = [T] extends ['*' | Pattern] ? WildcardHandler<E, TypesOf<E, T>> : [T] extends [Keys<E>] ? Handler<E, T & Keys<E>> : never

/** `bus.on`'s options but the signal: a binding ends the subscription with the component. */
export type BindingSubscribeOptions = Omit<SubscribeOptions, 'signal'>

/** A history query whose `type` or `types` narrows the envelopes it yields. */
export type HistoryQueryFor<E, T> = Omit<HistoryQuery, 'type' | 'types'> & ({ type?: T; types?: never } | { type?: never; types?: readonly T[] })

/** What a query for key `T` yields: the envelopes of the types it names, or of every type when it names none. */
export type HistoryEnvelope<E, T> = EnvelopeOf<E, [T] extends [never] ? Keys<E> : TypesOf<E, T>>

/** A bus created with `history()`. */
export type HasHistory = { history(query?: HistoryQuery): Promise<unknown[]> }

/** A bus created with `deadLetters()`. */
export type HasDeadLetters = { readonly dlq: DeadLetterQueue }
