import { asTidingsError, errorInfo } from './error-info'
import { TidingsError } from './errors'
import { compilePattern, isPattern } from './patterns'
import { toEpoch } from './store/query'
import type { DeadLetterEntry, Store } from './store/types'
import type { AnyHandler, DeadLetterFilter, DeadLetterQueue, DeadLetterRetryResult } from './types'

export { asTidingsError, errorInfo } from './error-info'

export interface DeadLetterDeps {
  /** Where entries are written through; without one they live in memory only. */
  store: Store | undefined
  /** Delivers the entry's envelope again; rejects if any target fails. */
  redeliver(entry: DeadLetterEntry, handler: AnyHandler | undefined): Promise<void>
  /** Reports a failure that has no caller to throw to. */
  report(error: TidingsError): void
  /** Registers a store write so that `bus.flush()` waits for it. */
  track<T>(write: Promise<T>): Promise<T>
  /** Counts an entry that could not be kept, so that the next `bus.flush()` rejects. */
  lost(error: TidingsError): void
  /** Entries held at most; beyond it a new entry is refused and reported (E_DLQ_OVERFLOW). */
  max: number
}

interface Slot {
  entry: DeadLetterEntry
  /** The failing handler, while this process still has it: in-process retries go back to it. */
  handler: AnyHandler | undefined
}

const matcher = (filter: DeadLetterFilter) => {
  const type = filter.type === undefined ? undefined : isPattern(filter.type) ? compilePattern(filter.type) : filter.type
  const since = filter.since === undefined ? -Infinity : toEpoch(filter.since)
  const until = filter.until === undefined ? Infinity : toEpoch(filter.until)
  return (e: DeadLetterEntry): boolean => {
    if (typeof type === 'string' ? e.envelope.type !== type : type && !type.test(e.envelope.type)) return false
    if (filter.subscription !== undefined && e.subscription !== filter.subscription) return false
    const t = Date.parse(e.lastFailedAt)
    return t >= since && t < until && (filter.where === undefined || filter.where(e))
  }
}

/** The dead-letter queue: an index in memory, written through to the store, reloaded on start. */
export const createDeadLetters = (deps: DeadLetterDeps) => {
  const index = new Map<string, Slot>()
  const listeners = new Set<(entry: DeadLetterEntry) => void>()
  const inFlight = new Set<string>()
  let overflowed = 0
  let loaded: Promise<void> = Promise.resolve()

  const write = (entry: DeadLetterEntry): Promise<void> => {
    if (deps.store === undefined) return Promise.resolve()
    let put: Promise<void>
    try {
      put = deps.store.putDeadLetter(entry)
    } catch (error) {
      put = Promise.reject(error)
    }
    return deps.track(put).catch((error: unknown) => {
      if (error instanceof TidingsError && error.code === 'E_DLQ_OVERFLOW') overflowed++
      // The entry stays in the in-memory index: still listed and retryable in this process.
      const failure = asTidingsError(error, 'E_STORAGE', `Could not store dead letter ${entry.id}`)
      deps.lost(failure)
      deps.report(failure)
    })
  }

  /** Past `max` entries in memory a new one is refused, never silently: the bus reports it and flush() rejects. */
  const refuse = (entry: DeadLetterEntry): Promise<void> => {
    overflowed++
    const failure = new TidingsError('E_DLQ_OVERFLOW', `Dead letter ${entry.id} ("${entry.envelope.type}" for ${entry.subscription}) was not kept: the bus holds its maximum of ${deps.max} dead letters; retry or discard some (bus.dlq), or raise maxDeadLetters in createBus()`, {
      details: { id: entry.id, envelopeId: entry.envelope.id, type: entry.envelope.type, subscription: entry.subscription, max: deps.max, error: entry.error },
    })
    deps.lost(failure)
    deps.report(failure)
    return Promise.resolve()
  }

  const remove = async (id: string) => {
    index.delete(id)
    if (deps.store) await deps.track(deps.store.deleteDeadLetter(id))
  }

  const list = async (filter: DeadLetterFilter = {}): Promise<DeadLetterEntry[]> => {
    await loaded
    const keep = matcher(filter)
    const out: DeadLetterEntry[] = []
    for (const { entry } of index.values()) {
      if (out.length >= (filter.limit ?? Infinity)) break
      if (keep(entry)) out.push(entry)
    }
    return out
  }

  const queue: DeadLetterQueue = {
    list,
    async get(id) {
      await loaded
      return index.get(id)?.entry
    },
    async retry(target) {
      await loaded
      const entries = typeof target === 'string' ? [index.get(target)?.entry] : await list(target)
      const result: DeadLetterRetryResult = { succeeded: [], failed: [] }
      for (const entry of entries) {
        if (entry === undefined) {
          throw new TidingsError('E_DLQ_NOT_FOUND', `No dead letter has id "${String(target)}": list them with bus.dlq.list()`, { details: { id: target } })
        }
        // A second retry of an entry already being re-delivered would deliver it twice.
        if (inFlight.has(entry.id)) continue
        inFlight.add(entry.id)
        try {
          await deps.redeliver(entry, index.get(entry.id)?.handler)
          await remove(entry.id)
          result.succeeded.push(entry.id)
        } catch (error) {
          const info = errorInfo(error)
          const updated: DeadLetterEntry = { ...entry, attempts: entry.attempts + 1, lastFailedAt: new Date().toISOString(), error: info }
          index.set(entry.id, { entry: updated, handler: index.get(entry.id)?.handler })
          await write(updated)
          result.failed.push({ id: entry.id, error: info })
        } finally {
          inFlight.delete(entry.id)
        }
      }
      return result
    },
    async discard(id) {
      await loaded
      if (!index.has(id)) return false
      await remove(id)
      return true
    },
    async purge() {
      await loaded
      const ids = [...index.keys()]
      await Promise.all(ids.map(remove))
      return ids.length
    },
    async size() {
      await loaded
      return index.size
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }

  return {
    queue,
    get size() {
      return index.size
    },
    get overflowed() {
      return overflowed
    },
    add(entry: DeadLetterEntry, handler: AnyHandler | undefined): Promise<void> {
      if (index.size >= deps.max && !index.has(entry.id)) return refuse(entry)
      index.set(entry.id, { entry, handler })
      return write(entry).then(() => {
        for (const listener of listeners) {
          // A listener's bug must not undo the write (callers, e.g. transports, wait on this promise).
          try {
            listener(entry)
          } catch (error) {
            deps.report(asTidingsError(error, 'E_INVALID_ARGUMENT', 'A dead-letter listener threw'))
          }
        }
      })
    },
    /** Reloads the entries a previous run left in the store. */
    load(): Promise<void> {
      if (deps.store === undefined) return loaded
      const store = deps.store
      // Set synchronously, so that a list() called before the store is open waits for the reload.
      loaded = store.ready.then(() => store.listDeadLetters()).then((entries) => {
        for (const entry of entries) if (!index.has(entry.id)) index.set(entry.id, { entry, handler: undefined })
      })
      return loaded
    },
  }
}
