import { errorInfo } from '../error-info'
import type { Envelope } from '../envelope'
import { TidingsError, isTidingsError } from '../errors'
import type { StoreBackend } from '../store/types'

interface Refused {
  id?: unknown
  type?: unknown
  code?: unknown
  message?: unknown
}

/**
 * The store's event log as the bus writes it: the events of one tick in one append. A store
 * refuses an unencodable event alone (E_ENCODE with `details.refused`) and writes the rest; each
 * refused event, or every event of a batch that failed as a whole, is reported and counted lost.
 */
export const createLog = (
  store: StoreBackend,
  track: <T>(write: Promise<T>) => Promise<T>,
  report: (error: TidingsError) => void,
  lost: (count: number, error: TidingsError) => void,
) => {
  let batch: Envelope[] = []

  const failed = (events: Envelope[], error: unknown) => {
    const refused = isTidingsError(error, 'E_ENCODE') ? error.details?.refused : undefined
    if (!Array.isArray(refused)) {
      // What went wrong is described in development builds (guarded for browsers without process); `cause` has it in both.
      const why = typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? `: ${errorInfo(error).message}` : ''
      const failure = new TidingsError('E_STORAGE', `Could not append ${events.length} events to the store's log${why}`, { cause: error, details: { count: events.length } })
      lost(events.length, failure)
      return report(failure)
    }
    for (const r of refused as Refused[]) {
      const failure = new TidingsError('E_ENCODE', `Event ${String(r.id)} ("${String(r.type)}") could not be stored: ${String(r.message)}`, {
        cause: error, details: { id: r.id, type: r.type, code: r.code, message: r.message },
      })
      lost(1, failure)
      report(failure)
    }
  }

  const flush = () => {
    if (batch.length === 0) return
    const events = batch
    batch = []
    let append: Promise<void>
    try {
      append = store.append(events)
    } catch (error) {
      append = Promise.reject(error)
    }
    track(append).catch((error: unknown) => failed(events, error))
  }

  return {
    flush,
    append(envelope: Envelope): void {
      if (batch.push(envelope) === 1) queueMicrotask(flush)
    },
  }
}
