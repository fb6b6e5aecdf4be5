import type { BindingSubscribeOptions, Bus, DeadLetterFilter, Envelope, HasDeadLetters, HasHistory, HistoryQuery } from '@tidings/core'
import { shallowRef, toValue, watch } from 'vue'
import type { MaybeRefOrGetter } from 'vue'
import { listRefs } from './list-refs'
import type { DeadLettersRefs, HistoryRefs } from './types'
import { whileMounted } from './while-mounted'

type AnyFn = (...args: unknown[]) => unknown

/** Subscribes once the component is mounted, unsubscribes when it unmounts; returns the unsubscribe function. */
export const useEventOn = (bus: Bus, type: string, handler: AnyFn, options?: BindingSubscribeOptions): (() => void) =>
  whileMounted(() => bus.on(type as never, handler as never, options))

/** The last event of `type` (or matching a pattern) since the component was mounted. */
export function useLastEventOn(bus: Bus, type: string) {
  const last = shallowRef<Envelope>()
  // The envelope is a handler's last argument, for a type (data, envelope) and a pattern (type, data, envelope).
  whileMounted(() => bus.on(type as never, ((...args: unknown[]) => void (last.value = args[args.length - 1] as Envelope)) as never))
  return last
}

/** `bus.history(query)`, read when mounted, when the query changes, and after each event it could match. */
export function useHistoryOn(bus: Bus & HasHistory, query: MaybeRefOrGetter<HistoryQuery> = {}): HistoryRefs<Envelope> {
  const { items, ...list } = listRefs(() => bus.history(toValue(query)) as Promise<Envelope[]>)
  whileMounted(() => watch(() => toValue(query), ({ type, types }, _was, onCleanup) => {
    onCleanup(bus.on((type ?? '*') as never, ((t: string) => {
      if (type !== undefined || types === undefined || types.includes(t)) void list.refresh()
    }) as never))
    void list.refresh()
  }, { immediate: true, deep: true }))
  return { events: items, ...list }
}

/** The bus's dead letters, read again when one is added and after each action taken through these refs. */
export function useDeadLettersOn(bus: Bus & HasDeadLetters): DeadLettersRefs {
  const { dlq } = bus
  const { items, ...list } = listRefs(() => dlq.list())
  whileMounted(() => {
    void list.refresh()
    return dlq.subscribe(() => void list.refresh())
  })
  const then = <R>(done: Promise<R>) => done.finally(list.refresh)
  return {
    entries: items,
    ...list,
    retry: (target: string | DeadLetterFilter) => then(dlq.retry(target)),
    discard: (id: string) => then(dlq.discard(id)),
    purge: () => then(dlq.purge()),
  }
}
