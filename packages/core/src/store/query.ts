import { epochOf } from '../envelope'
import type { Envelope } from '../envelope'
import type { ReadQuery, TimeBound } from './types'

const toEpoch = (t: TimeBound): number => (typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime())

/** Compiles the non-positional part of a read query into one predicate (for stores that filter in memory). */
export const envelopeFilter = (query: ReadQuery): ((e: Envelope) => boolean) => {
  const types = query.types ? new Set(query.types) : undefined
  const since = query.since === undefined ? -Infinity : toEpoch(query.since)
  const until = query.until === undefined ? Infinity : toEpoch(query.until)
  if (!types && since === -Infinity && until === Infinity) return () => true
  return (e) => {
    if (types && !types.has(e.type)) return false
    const t = epochOf(e)
    return t >= since && t < until
  }
}

export { toEpoch }
