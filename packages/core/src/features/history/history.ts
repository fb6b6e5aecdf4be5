import type { Envelope } from '../../envelope'
import { TidingsError } from '../../errors'
import { HistoryRing, historyFilter } from '../../history'
import type { HistoryQuery, Stats, StatsQuery } from '../../history'
import { defineFeature } from '../../kernel/host'
import type { EventsIn, Feature, FeatureApi } from '../../kernel/types'
import { isPattern } from '../../patterns'
import type { EnvelopeOf, EventMap } from '../../types'

export interface HistoryOptions {
  /** Events kept in memory for `stats()` (and `history()` without a store); default 1,000, 0 keeps none. */
  size?: number
}

export interface History<E extends EventMap> {
  /** Past events, typed by the bus's catalog: from the store's log when the bus has a store, else from the in-memory ring. */
  history(query?: HistoryQuery): Promise<Array<EnvelopeOf<E>>>
  /** Counts per type, source or payload field over the recent in-memory history. */
  stats(query?: StatsQuery): Stats
}

export interface HistoryApi extends FeatureApi {
  readonly api: History<EventsIn<this>>
}

/** Adds `bus.history()` and `bus.stats()`: a bounded ring of recent events, and the store's log. */
/* @__NO_SIDE_EFFECTS__ */
export function history(options: HistoryOptions = {}): Feature<HistoryApi> {
  return defineFeature((kernel) => {
    const size = options.size ?? 1000
    const ring = size > 0 ? new HistoryRing(size) : undefined
    const store = kernel.store
    const fromStore = async (query: HistoryQuery) => {
      await kernel.settle()
      const keep = historyFilter(query)
      const limit = query.limit ?? 100
      const out: Envelope[] = []
      if (limit <= 0 || store === undefined) return out
      const plainType = query.type !== undefined && !isPattern(query.type) ? [query.type] : undefined
      const read = store.read({
        after: query.after, before: query.before, since: query.since, until: query.until, types: plainType ?? query.types, order: query.order ?? 'desc',
      })
      for await (const record of read) {
        if (!keep(record.envelope)) continue
        out.push(record.envelope)
        if (out.length >= limit) break
      }
      return out
    }
    return {
      record: ring && ((env) => ring.push(env)),
      api: {
        async history(query: HistoryQuery = {}) {
          if (store !== undefined) return fromStore(query)
          if (ring === undefined) throw new TidingsError('E_NO_STORE', 'bus.history() has nothing to read: create the bus with a store (createBus({ store: memoryStore() }, history())) or keep events in memory (history({ size: 1000 }))')
          return ring.query(query)
        },
        stats(query: StatsQuery = {}) {
          return ring === undefined ? { window: query.window ?? 60_000, total: 0, perMinute: 0, groups: [] } : ring.stats(query, Date.now())
        },
      },
    }
  })
}
