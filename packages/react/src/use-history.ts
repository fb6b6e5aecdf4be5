import type { Bus, Envelope, HasHistory, HistoryQuery } from '@tidings/core'
import { useMemo, useRef, useSyncExternalStore } from 'react'
import { listSource } from './source'
import type { HistoryState } from './types'

/**
 * `bus.history(query)`, read again after each event the query could match. A query written inline
 * is the same query while its JSON is (`where` is always the latest one passed).
 */
export function useHistoryOn(bus: Bus & HasHistory, query: HistoryQuery = {}): HistoryState<Envelope> {
  const where = useRef(query.where)
  where.current = query.where
  const key = JSON.stringify(query)
  const source = useMemo(() => {
    const { type, types } = query
    const filtered = { ...query, where: (e: Envelope) => where.current?.(e) ?? true }
    return listSource(
      () => bus.history(filtered) as Promise<Envelope[]>,
      (changed) => bus.on((type ?? '*') as never, ((t: string) => {
        if (type !== undefined || types === undefined || types.includes(t)) changed()
      }) as never),
    )
  }, [bus, key])
  const state = useSyncExternalStore(source.subscribe, source.get, source.initial)
  return useMemo(() => ({ events: state.items, loading: state.loading, error: state.error }), [state])
}
