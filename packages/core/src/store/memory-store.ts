import { TidingsError } from '../errors'
import type { Envelope } from '../envelope'
import { envelopeFilter } from './query'
import type { DeadLetterEntry, ReadQuery, Store, StoredRecord } from './types'
import { defineStore } from '../kernel/store-log'

export interface MemoryStoreOptions {
  /** Keeps the newest N log records (default 10,000); older ones are dropped. */
  maxEvents?: number
  /** Refuses new dead-letter entries beyond N (default: unbounded); the bus reports E_DLQ_OVERFLOW. */
  maxDeadLetters?: number
}

const closed = () => new TidingsError('E_CLOSED', 'This memory store is closed: create a new one')

/** A Store in memory: for tests, and the default home of a bus's dead letters. Lost on restart. */
/* @__NO_SIDE_EFFECTS__ */
export function memoryStore(options: MemoryStoreOptions = {}): Store {
  const maxEvents = options.maxEvents ?? 10_000
  const maxDeadLetters = options.maxDeadLetters ?? Infinity
  let log: StoredRecord[] = []
  let next = 1
  const dead = new Map<string, DeadLetterEntry>()
  let open = true
  const check = () => {
    if (!open) throw closed()
  }

  const select = (query: ReadQuery): StoredRecord[] => {
    const keep = envelopeFilter(query)
    const after = query.after ?? 0
    const before = query.before ?? Infinity
    const limit = query.limit ?? Infinity
    const desc = query.order === 'desc'
    const out: StoredRecord[] = []
    for (let i = desc ? log.length - 1 : 0; (desc ? i >= 0 : i < log.length) && out.length < limit; desc ? i-- : i++) {
      const r = log[i]!
      if (r.position > after && r.position < before && keep(r.envelope)) out.push(r)
    }
    return out
  }

  return defineStore({
    ready: Promise.resolve(),
    async append(envelopes: readonly Envelope[]) {
      check()
      for (const envelope of envelopes) log.push({ position: next++, envelope })
      if (log.length > maxEvents) log = log.slice(log.length - maxEvents)
    },
    async *read(query: ReadQuery = {}) {
      check()
      yield* select(query)
    },
    async count(query: ReadQuery = {}) {
      check()
      return select(query).length
    },
    async putDeadLetter(entry: DeadLetterEntry) {
      check()
      if (!dead.has(entry.id) && dead.size >= maxDeadLetters) {
        throw new TidingsError('E_DLQ_OVERFLOW', `The memory store holds its maximum of ${maxDeadLetters} dead letters: retry or discard some, or raise maxDeadLetters`, { details: { entryId: entry.id, max: maxDeadLetters } })
      }
      dead.set(entry.id, entry)
    },
    async listDeadLetters() {
      check()
      return [...dead.values()]
    },
    async deleteDeadLetter(id: string) {
      check()
      dead.delete(id)
    },
    async flush() {},
    async close() {
      open = false
    },
  })
}
