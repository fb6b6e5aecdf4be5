import type { Bus, DeadLetterEntry, DeadLetterFilter, HasDeadLetters } from '@tidings/core'
import { useMemo, useSyncExternalStore } from 'react'
import { listSource } from './source'
import type { DeadLettersState } from './types'

/** The bus's dead letters, read again when one is added and after each action taken through the hook. */
export function useDeadLettersOn(bus: Bus & HasDeadLetters): DeadLettersState {
  const { dlq } = bus
  const source = useMemo(() => listSource<DeadLetterEntry>(() => dlq.list(), (changed) => dlq.subscribe(changed)), [dlq])
  const state = useSyncExternalStore(source.subscribe, source.get, source.initial)
  return useMemo(() => {
    const then = <R>(done: Promise<R>) => done.finally(source.reload)
    return {
      entries: state.items,
      loading: state.loading,
      error: state.error,
      retry: (target: string | DeadLetterFilter) => then(dlq.retry(target)),
      discard: (id: string) => then(dlq.discard(id)),
      purge: () => then(dlq.purge()),
      refresh: () => void source.reload(),
    }
  }, [state, source])
}
