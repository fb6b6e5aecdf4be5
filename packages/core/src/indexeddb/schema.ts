import { openDB } from 'idb'
import type { DBSchema, IDBPDatabase, IDBPTransaction, OpenDBCallbacks, StoreNames } from 'idb'

/**
 * Consecutive events of the log, written by one append transaction. Storing a batch as one record
 * instead of one record per event is what makes appends fast: IndexedDB's cost is per record.
 * The chunk holds positions `from` to `to`; event `i` of its arrays has position `from + i`.
 */
export interface Chunk {
  /** Position of the last event: the key, so that the next free position is the last key + 1. */
  to: number
  from: number
  /** Event types, one per event. */
  t: string[]
  /** Event times in epoch ms, one per event (NaN for an event without a time). */
  ms: number[]
  /** The events as the codec writes them (one JSON text each, so old versions upcast when read), joined by "\n". */
  e: string
  /** The distinct types of the chunk (the multi-entry `type` index). */
  types: string[]
  /** Earliest and latest event time of the chunk (the `first` and `last` indexes); absent when no event has a time. */
  first?: number
  last?: number
}

/** A dead-letter entry as stored: its envelope is the codec's JSON object. */
export type StoredDeadLetter = { readonly id: string; readonly envelope: object } & Record<string, unknown>

export interface TidingsDB extends DBSchema {
  chunks: {
    key: number
    value: Chunk
    indexes: { type: string; first: number; last: number }
  }
  deadLetters: {
    key: string
    value: StoredDeadLetter
  }
}

export type Migration = (db: IDBPDatabase<TidingsDB>, tx: IDBPTransaction<TidingsDB, StoreNames<TidingsDB>[], 'versionchange'>) => void

/**
 * Migration `i` takes a database from version `i` to `i + 1`; the schema version is the number of
 * migrations. Only ever append: a migration that has shipped has already run in users' browsers.
 */
export const MIGRATIONS: readonly Migration[] = [
  (db) => {
    const chunks = db.createObjectStore('chunks', { keyPath: 'to' })
    chunks.createIndex('type', 'types', { multiEntry: true })
    chunks.createIndex('first', 'first')
    chunks.createIndex('last', 'last')
    db.createObjectStore('deadLetters', { keyPath: 'id' })
  },
]

/** Opens (creating or upgrading) a Tidings database: each migration newer than the stored version runs, in order, in one upgrade transaction. */
export const openLogDatabase = (
  name: string,
  migrations: readonly Migration[],
  callbacks: Pick<OpenDBCallbacks<TidingsDB>, 'blocked' | 'blocking' | 'terminated'>,
): Promise<IDBPDatabase<TidingsDB>> =>
  openDB<TidingsDB>(name, migrations.length, {
    ...callbacks,
    upgrade(db, oldVersion, _newVersion, tx) {
      for (let version = oldVersion; version < migrations.length; version++) migrations[version]!(db, tx)
    },
  })
