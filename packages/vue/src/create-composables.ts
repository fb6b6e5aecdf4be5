import type {
  AnyBus, BindingSubscribeOptions, Bus, EnvelopeOf, EventKey, EventsOfBus, HandlerFor, HasDeadLetters, HasHistory, HistoryEnvelope, HistoryQuery,
  HistoryQueryFor, TypesOf,
} from '@tidings/core'
import type { MaybeRefOrGetter, ShallowRef } from 'vue'
import { useDeadLettersOn, useEventOn, useHistoryOn, useLastEventOn } from './composables'
import { busOf } from './plugin'
import type { DeadLettersRefs, HistoryRefs } from './types'

/** The composables every bus has. */
export interface EventComposables<B extends AnyBus, E = EventsOfBus<B>> {
  /** The bus itself, typed. */
  useBus(): B
  /** Calls `handler` for each event of `type` (a type of the catalog, a pattern or `'*'`) while the component is mounted; returns the unsubscribe function. */
  useEvent<T extends EventKey<E>>(type: T, handler: HandlerFor<E, T>, options?: BindingSubscribeOptions): () => void
  /** `bus.emit`. */
  useEmit(): B extends { emit: infer Emit } ? Emit : never
  /** The last event of `type` since the component was mounted. */
  useLastEvent<T extends EventKey<E>>(type: T): Readonly<ShallowRef<EnvelopeOf<E, TypesOf<E, T>> | undefined>>
}

/** On a bus with `history()`. */
export interface HistoryComposables<E> {
  /** `bus.history(query)` as refs, kept up to date as matching events are emitted; a ref or getter query is followed. */
  useHistory<T extends EventKey<E> = never>(query?: MaybeRefOrGetter<HistoryQueryFor<E, T>>): HistoryRefs<HistoryEnvelope<E, T>>
}

/** On a bus with `deadLetters()`. */
export interface DeadLetterComposables {
  /** The dead-letter queue's entries as a ref, with retry, discard and purge that refresh it. */
  useDeadLetters(): DeadLettersRefs
}

/** The composables for a bus of type `B`: `useHistory` only when it has `history()`, `useDeadLetters` only with `deadLetters()`, as the bus's own API. */
export type TidingsComposables<B extends AnyBus> = EventComposables<B>
  & (B extends HasHistory ? HistoryComposables<EventsOfBus<B>> : unknown)
  & (B extends HasDeadLetters ? DeadLetterComposables : unknown)

/**
 * Composables typed from a bus: `createTidingsComposables(bus)` binds them to that bus;
 * `createTidingsComposables<typeof bus>()` injects the one installed with `app.use(tidings(bus))`.
 */
/* @__NO_SIDE_EFFECTS__ */
export function createTidingsComposables<B extends AnyBus>(bus?: B): TidingsComposables<B> {
  const useBus = () => busOf(bus)
  const composables: EventComposables<Bus, Record<string, unknown>> & HistoryComposables<Record<string, unknown>> & DeadLetterComposables = {
    useBus,
    useEvent: (type, handler, options) => useEventOn(useBus(), type, handler as (...args: unknown[]) => unknown, options),
    useEmit: () => useBus().emit,
    useLastEvent: (type) => useLastEventOn(useBus(), type) as never,
    useHistory: (query) => useHistoryOn(useBus() as Bus & HasHistory, query as MaybeRefOrGetter<HistoryQuery>) as never,
    useDeadLetters: () => useDeadLettersOn(useBus() as Bus & HasDeadLetters),
  }
  return composables as unknown as TidingsComposables<B>
}
