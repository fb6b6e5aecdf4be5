import type { IDBPDatabase } from 'idb'
import { TidingsError } from '@tidings/core'
import { openLogDatabase } from './schema'
import type { Migration, TidingsDB } from './schema'

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * The store's connection to its database, opened on first use and again after the browser or
 * another tab took it away. When a newer version of the app (in another tab) needs to upgrade the
 * database, this connection closes at once instead of blocking it.
 */
export class Connection {
  private db: Promise<IDBPDatabase<TidingsDB>> | undefined
  private closed = false

  constructor(
    private readonly name: string,
    private readonly migrations: readonly Migration[],
    private readonly report: (error: TidingsError) => void,
  ) {}

  get(): Promise<IDBPDatabase<TidingsDB>> {
    return (this.db ??= this.open())
  }

  async close(): Promise<void> {
    this.closed = true
    const db = await this.db?.catch(() => undefined)
    db?.close()
  }

  private open(): Promise<IDBPDatabase<TidingsDB>> {
    const opening = openLogDatabase(this.name, this.migrations, {
      blocked: (current, wanted) => {
        this.report(new TidingsError('E_STORAGE_BLOCKED', `The IndexedDB database "${this.name}" is open in another tab at version ${current} and cannot be upgraded to ${String(wanted)} until it closes: reload or close the other tabs of this app. Events are kept and written once it is free.`, { details: { name: this.name, current, wanted } }))
      },
      blocking: (_current, _wanted, event) => {
        ;(event.target as IDBDatabase).close()
        this.db = undefined
      },
      terminated: () => {
        this.db = undefined
      },
    })
    return opening.then(
      (db) => {
        if (this.closed) db.close()
        return db
      },
      (error: unknown) => {
        this.db = undefined
        const name = (error as { name?: unknown } | null)?.name
        const message = name === 'VersionError'
          ? `The IndexedDB database "${this.name}" was upgraded by a newer version of this app (in another tab): reload this page`
          : `Could not open the IndexedDB database "${this.name}": ${describe(error)}`
        throw new TidingsError('E_STORAGE', message, { cause: error, details: { name: this.name } })
      },
    )
  }
}
