import type {
  AnyBus, BindingSubscribeOptions, Bus, EnvelopeOf, EventKey, EventsOfBus, HandlerFor, HasDeadLetters, HasHistory, HistoryEnvelope, HistoryQueryFor,
  TypesOf,
} from '@tidings/core'
import { useBusOf } from './context'
import { useDeadLettersOn } from './use-dead-letters'
import { useEventOn } from './use-event'
import { useHistoryOn } from './use-history'
import { useLastEventOn } from './use-last-event'
import type { DeadLettersState, HistoryState } from './types'

/** The hooks every bus has. */
export interface EventHooks<B extends AnyBus, E = EventsOfBus<B>> {
  /** The bus itself. */
  useBus(): B
  /** Calls `handler` for each event of `type` (a type of the catalog, a pattern or `'*'`) while the component is mounted. */
  useEvent<T extends EventKey<E>>(type: T, handler: HandlerFor<E, T>, options?: BindingSubscribeOptions): void
  /** `bus.emit`, the same function on every render. */
  useEmit(): B extends { emit: infer Emit } ? Emit : never
  /** The last event of `type` since the component mounted: re-renders on each one. */
  useLastEvent<T extends EventKey<E>>(type: T): EnvelopeOf<E, TypesOf<E, T>> | undefined
}

/** On a bus with `history()`. */
export interface HistoryHooks<E> {
  /** `bus.history(query)`, kept up to date as matching events are emitted. */
  useHistory<T extends EventKey<E> = never>(query?: HistoryQueryFor<E, T>): HistoryState<HistoryEnvelope<E, T>>
}

/** On a bus with `deadLetters()`. */
export interface DeadLetterHooks {
  /** The dead-letter queue's entries, with retry, discard and purge that refresh them. */
  useDeadLetters(): DeadLettersState
}

/** The hooks for a bus of type `B`: `useHistory` only when it has `history()`, `useDeadLetters` only with `deadLetters()`, as the bus's own API. */
export type TidingsHooks<B extends AnyBus> = EventHooks<B>
  & (B extends HasHistory ? HistoryHooks<EventsOfBus<B>> : unknown)
  & (B extends HasDeadLetters ? DeadLetterHooks : unknown)

/**
 * Hooks typed from a bus: `createTidingsHooks(bus)` binds them to that bus;
 * `createTidingsHooks<typeof bus>()` takes it from the nearest `<TidingsProvider bus={bus}>`
 * (one bus per server request, or per test).
 */
/* @__NO_SIDE_EFFECTS__ */
export function createTidingsHooks<B extends AnyBus>(bus?: B): TidingsHooks<B> {
  const useBus = () => useBusOf(bus)
  const hooks: EventHooks<Bus, Record<string, unknown>> & HistoryHooks<Record<string, unknown>> & DeadLetterHooks = {
    useBus,
    useEvent: (type, handler, options) => useEventOn(useBus(), type, handler as (...args: unknown[]) => unknown, options),
    useEmit: () => useBus().emit,
    useLastEvent: (type) => useLastEventOn(useBus(), type) as never,
    useHistory: (query) => useHistoryOn(useBus() as Bus & HasHistory, query) as never,
    useDeadLetters: () => useDeadLettersOn(useBus() as Bus & HasDeadLetters),
  }
  return hooks as unknown as TidingsHooks<B>
}

