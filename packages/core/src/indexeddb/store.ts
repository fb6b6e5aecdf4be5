// The main entry by name, not by path: the subpath bundle then shares its classes (TidingsError, envelopes) with it.
import { TidingsError, createCodec, defineStore } from '@tidings/core'
import type { Codec, DeadLetterEntry, Envelope, ReadQuery, Store, StoredRecord } from '@tidings/core'
import { AppendBatcher } from './batcher'
import { writeChunks } from './chunk-writer'
import type { PendingEvent } from './chunk-writer'
import { Connection } from './connection'
import { countEvents, readEvents } from './reader'
import { MIGRATIONS } from './schema'
import type { Migration, StoredDeadLetter } from './schema'
import { Unreadable } from './unreadable'

export interface IndexedDBStoreOptions {
  /** The database name: one per app (or per user of an app). Default "tidings". */
  name?: string
  /**
   * Passed to every write transaction. `'relaxed'` resolves once the browser has the data (it
   * survives a reload or a crash of the tab, maybe not of the OS); `'strict'` once it is flushed to
   * disk, several times slower. Default `'default'`: the browser's choice.
   */
  durability?: 'default' | 'strict' | 'relaxed'
  /** How envelopes are written and read back (default: `createCodec(undefined, { unknown: 'keep' })`). Pass `createCodec(catalog)` to upcast old events on read. */
  codec?: Codec
}

const describe = (error: unknown): string => {
  try {
    return error instanceof Error ? error.message : String(error)
  } catch {
    return 'an error that cannot be printed'
  }
}

/** An envelope `append` left out, as listed in its E_ENCODE's `details.refused`. */
interface Refusal {
  readonly id: string | undefined
  readonly type: string | undefined
  readonly code: string
  readonly message: string
}

// A tampered envelope's attributes may be getters that throw: reading them must not.
const attribute = (read: () => unknown): string | undefined => {
  try {
    const value = read()
    return typeof value === 'string' ? value : undefined
  } catch {
    return undefined
  }
}

const refusalOf = (envelope: Envelope, error: unknown): Refusal => {
  const id = attribute(() => envelope.id)
  const type = attribute(() => envelope.type)
  // The codec throws TidingsErrors; anything else came from the envelope itself (a hostile Proxy…).
  const known = attribute(() => (error instanceof TidingsError ? error.code : undefined))
  return known === undefined
    ? { id, type, code: 'E_ENCODE', message: `Cannot encode the event: ${describe(error)}` }
    : { id, type, code: known, message: (error as TidingsError).message }
}

/** A Store in the browser's IndexedDB, built on idb (see `indexedDBStore`); `migrations` is the schema's history. */
export function createIndexedDBStore(options: IndexedDBStoreOptions, migrations: readonly Migration[]): Store {
  const name = options.name ?? 'tidings'
  if (typeof name !== 'string' || name === '') throw new TidingsError('E_INVALID_ARGUMENT', 'indexedDBStore(): name must be a non-empty string, e.g. indexedDBStore({ name: "my-app" })')
  const durability = options.durability ?? 'default'
  const codec = options.codec ?? createCodec(undefined, { unknown: 'keep' })
  const listeners = new Set<(error: TidingsError) => void>()
  // Reports come from inside reads and writes: a listener that throws must not break them.
  const report = (error: TidingsError) => {
    if (listeners.size === 0) console.error(error)
    for (const listener of listeners) {
      try {
        listener(error)
      } catch (thrown) {
        console.error('An onError listener of the IndexedDB store threw', thrown, 'while handling', error)
      }
    }
  }
  const connection = new Connection(name, migrations, report)
  const unreadable = new Unreadable(name, report)
  const db = () => connection.get()
  /** Dead-letter writes not settled yet: flush() and close() wait for them. */
  const writes = new Set<Promise<unknown>>()
  let state: 'open' | 'closing' | 'closed' = 'open'
  let closing: Promise<void> | undefined

  const failed = (what: string) => (error: unknown): never => {
    throw error instanceof TidingsError ? error : new TidingsError('E_STORAGE', `${what} in the IndexedDB database "${name}": ${describe(error)}`, { cause: error, details: { name } })
  }

  // Everything the batcher hands over goes in one transaction (see writeChunks for its rules).
  const batcher = new AppendBatcher<PendingEvent>(async (events) => writeChunks(await db(), events, durability), report)

  const ready = db().then(() => {})
  ready.catch(() => {})

  const checkOpen = () => {
    if (state !== 'open') throw new TidingsError('E_CLOSED', `The IndexedDB store "${name}" is closed: create a new one with indexedDBStore()`)
  }
  const track = <T>(work: Promise<T>): Promise<T> => {
    writes.add(work)
    const done = () => void writes.delete(work)
    work.then(done, done)
    return work
  }

  return defineStore({
    ready,
    async append(envelopes: readonly Envelope[]) {
      checkOpen()
      if (envelopes.length === 0) return
      // Encoded now, so that later changes to an envelope's data do not reach the log. Each one on
      // its own: an envelope the codec refuses is left out, and the others are written.
      const events: PendingEvent[] = []
      let refused: Refusal[] | undefined
      for (const e of envelopes) {
        try {
          events.push({ type: e.type, ms: Date.parse(e.time), line: codec.encode(e) })
        } catch (error) {
          ;(refused ??= []).push(refusalOf(e, error))
        }
      }
      if (events.length > 0) await batcher.add(events).catch(failed(`Could not append ${events.length} events`))
      if (refused !== undefined) {
        throw new TidingsError('E_ENCODE', `${refused.length} of ${envelopes.length} events could not be stored: ${refused[0]!.message}`, { details: { refused, appended: events.length } })
      }
    },
    async *read(query: ReadQuery = {}): AsyncGenerator<StoredRecord> {
      checkOpen()
      const limit = query.limit ?? Infinity
      if (limit <= 0) return
      // The limit counts what is returned, so skipped events do not shorten a page.
      const events = readEvents(db, { ...query, limit: undefined })
      const skipped = unreadable.begin('chunks')
      let returned = 0
      try {
        for (;;) {
          const next = await events.next().catch(failed('Could not read events'))
          if (next.done) return
          const raw = next.value
          if (!('line' in raw)) {
            skipped.found(raw.key, `the stored chunk is damaged: ${raw.problem}`, raw.count)
            continue
          }
          let envelope: Envelope
          try {
            envelope = codec.decode(raw.line)
          } catch (error) {
            skipped.found(raw.position, error)
            continue
          }
          yield { position: raw.position, envelope }
          if (++returned >= limit) return
        }
      } finally {
        skipped.done()
        await events.return(undefined)
      }
    },
    async count(query: ReadQuery = {}) {
      checkOpen()
      return countEvents(db, query).catch(failed('Could not count events'))
    },
    putDeadLetter(entry: DeadLetterEntry) {
      return track((async () => {
        checkOpen()
        const stored = { ...entry, envelope: JSON.parse(codec.encode(entry.envelope)) as object }
        await (await db()).put('deadLetters', stored).catch(failed(`Could not store dead letter ${entry.id}`))
      })())
    },
    async listDeadLetters() {
      checkOpen()
      const stored: StoredDeadLetter[] = await (await db()).getAll('deadLetters').catch(failed('Could not read the dead letters'))
      // Oldest failure first, as the other stores list them in the order they were added.
      stored.sort((a, b) => String(a.firstFailedAt).localeCompare(String(b.firstFailedAt)))
      const skipped = unreadable.begin('deadLetters')
      const entries: DeadLetterEntry[] = []
      for (const s of stored) {
        try {
          entries.push({ ...(s as unknown as DeadLetterEntry), envelope: codec.decode(s.envelope) })
        } catch (error) {
          skipped.found(s.id, error)
        }
      }
      skipped.done()
      return entries
    },
    deleteDeadLetter(id: string) {
      return track((async () => {
        checkOpen()
        await (await db()).delete('deadLetters', id).catch(failed(`Could not delete dead letter ${id}`))
      })())
    },
    async flush() {
      await batcher.idle()
      await Promise.allSettled(writes)
    },
    close() {
      return (closing ??= (async () => {
        state = 'closing'
        await batcher.close()
        await Promise.allSettled(writes)
        await connection.close()
        state = 'closed'
      })())
    },
    onError(listener: (error: TidingsError) => void) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  })
}

/**
 * A Store in the browser's IndexedDB: the event log and the dead letters of a bus survive reloads,
 * and tabs of one app may share a database (positions stay unique and increasing across tabs).
 * Appends made together share one transaction, and are stored as one record per batch.
 */
/* @__NO_SIDE_EFFECTS__ */
export function indexedDBStore(options: IndexedDBStoreOptions = {}): Store {
  return createIndexedDBStore(options, MIGRATIONS)
}
