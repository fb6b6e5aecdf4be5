import { epochOf } from './envelope'
import type { Envelope } from './envelope'
import { compilePattern, isPattern } from './patterns'
import { toEpoch } from './store/query'
import type { TimeBound } from './store/types'

export interface HistoryQuery {
  /** One type or pattern (`order.*`, `order.**`). */
  type?: string
  types?: readonly string[]
  source?: string
  correlationid?: string
  /** Store position: only records after it (stores only). */
  after?: number
  /** Store position: only records before it (stores only), to page newest first. */
  before?: number
  since?: TimeBound
  until?: TimeBound
  where?: (envelope: Envelope) => boolean
  /** Default 100. */
  limit?: number
  /** Default 'desc' (newest first). */
  order?: 'asc' | 'desc'
}

export interface StatsQuery {
  /** 'type' (default), 'source', a payload field path such as 'data.customer.id', or a function. */
  groupBy?: 'type' | 'source' | `data.${string}` | ((envelope: Envelope) => string | undefined)
  /** The window, ending now (default 60,000 ms). */
  window?: number
}

export interface StatsGroup {
  key: string
  count: number
  perMinute: number
}

export interface Stats {
  window: number
  total: number
  perMinute: number
  /** Largest first. */
  groups: StatsGroup[]
}

/** Everything of a history query except its position, order and limit, as one predicate. */
export const historyFilter = (q: HistoryQuery): ((e: Envelope) => boolean) => {
  const pattern = q.type !== undefined && isPattern(q.type) ? compilePattern(q.type) : undefined
  const types = q.type !== undefined && pattern === undefined ? new Set([q.type]) : q.types ? new Set(q.types) : undefined
  const since = q.since === undefined ? -Infinity : toEpoch(q.since)
  const until = q.until === undefined ? Infinity : toEpoch(q.until)
  return (e) => {
    if (types && !types.has(e.type)) return false
    if (pattern && !pattern.test(e.type)) return false
    if (q.source !== undefined && e.source !== q.source) return false
    if (q.correlationid !== undefined && e.correlationid !== q.correlationid && e.id !== q.correlationid) return false
    if (since !== -Infinity || until !== Infinity) {
      const t = epochOf(e)
      if (t < since || t >= until) return false
    }
    return q.where === undefined || q.where(e)
  }
}

const pathGetter = (path: string) => {
  const keys = path.split('.').slice(1)
  return (e: Envelope): string | undefined => {
    let value: unknown = e.data
    for (const key of keys) value = value != null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined
    return value === undefined ? undefined : String(value)
  }
}

/** The latest `size` dispatched envelopes, overwritten in place: bounded memory, no allocation per event. */
export class HistoryRing {
  private readonly items: Array<Envelope | undefined>
  /** Where the next envelope goes; wraps without a division on the hot path. */
  private next = 0
  private full = false

  constructor(readonly size: number) {
    this.items = new Array<Envelope | undefined>(size).fill(undefined)
  }

  push(envelope: Envelope): void {
    this.items[this.next] = envelope
    if (++this.next === this.size) {
      this.next = 0
      this.full = true
    }
  }

  /** Newest first, or oldest first. */
  *entries(order: 'asc' | 'desc' = 'desc'): Generator<Envelope> {
    const n = this.full ? this.size : this.next
    const oldest = this.full ? this.next : 0
    for (let i = 0; i < n; i++) {
      const index = order === 'desc' ? oldest + n - 1 - i : oldest + i
      yield this.items[index % this.size]!
    }
  }

  query(q: HistoryQuery): Envelope[] {
    const keep = historyFilter(q)
    const limit = q.limit ?? 100
    const out: Envelope[] = []
    for (const e of this.entries(q.order ?? 'desc')) {
      if (out.length >= limit) break
      if (keep(e)) out.push(e)
    }
    return out
  }

  stats(q: StatsQuery, now: number): Stats {
    const window = q.window ?? 60_000
    const groupBy = q.groupBy ?? 'type'
    const keyOf = typeof groupBy === 'function' ? groupBy
      : groupBy === 'type' ? (e: Envelope) => e.type
      : groupBy === 'source' ? (e: Envelope) => e.source
      : pathGetter(groupBy)
    const counts = new Map<string, number>()
    let total = 0
    for (const e of this.entries('desc')) {
      if (epochOf(e) < now - window) continue
      total++
      const key = keyOf(e)
      if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    const perMinute = (n: number) => (n * 60_000) / window
    return {
      window, total, perMinute: perMinute(total),
      groups: [...counts].map(([key, count]) => ({ key, count, perMinute: perMinute(count) })).sort((a, b) => b.count - a.count),
    }
  }
}
