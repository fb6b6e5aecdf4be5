import { TidingsError } from '@tidings/core'

/** Which object store an unreadable record is in. */
export type StoreName = 'chunks' | 'deadLetters'

interface Found {
  readonly key: IDBValidKey
  readonly count: number
  readonly code: string
  readonly message: string
}

/** Keys listed in a report at most; `count` still counts them all. */
const MAX_KEYS = 100

/**
 * Records that a read could not decode (damaged, written by a newer version of the app, or by an
 * older one that the catalog no longer reads) are kept where they are, never deleted or rewritten:
 * a later version of the app, or a codec with an upcaster or `future: 'keep'`, may read them. The
 * read skips them, and each is reported once per store instance as E_STORAGE_DAMAGED, one report
 * per read and object store, when the read ends.
 */
export class Unreadable {
  private readonly reported = new Set<string>()

  constructor(
    private readonly database: string,
    private readonly report: (error: TidingsError) => void,
  ) {}

  /** Collects what one read finds; `done()` reports what was not reported before. */
  begin(store: StoreName): { found(key: IDBValidKey, error: unknown, count?: number): void; done(): void } {
    const found: Found[] = []
    return {
      found: (key, error, count = 1) => {
        const id = `${store}:${typeof key === 'number' ? key : String(key)}`
        if (this.reported.has(id)) return
        this.reported.add(id)
        const { code, message } = facts(error)
        found.push({ key, count, code, message })
      },
      done: () => {
        if (found.length > 0) this.report(this.damaged(store, found.splice(0)))
      },
    }
  }

  private damaged(store: StoreName, found: readonly Found[]): TidingsError {
    const count = found.reduce((n, f) => n + f.count, 0)
    const first = found[0]!
    const what = store === 'chunks' ? `${count} event${count === 1 ? '' : 's'} of the log` : `${count} dead letter${count === 1 ? '' : 's'}`
    return new TidingsError('E_STORAGE_DAMAGED', `${what} in the IndexedDB database "${this.database}" could not be read and ${count === 1 ? 'was' : 'were'} skipped (${first.code}: ${first.message}). They are kept as they are: a codec that reads them (the catalog's upcasters, future: 'keep', validate: false) will return them; the rest of the data is read as usual`, {
      details: {
        name: this.database, store, key: first.key, keys: found.slice(0, MAX_KEYS).map((f) => f.key), count,
        first: { code: first.code, message: first.message },
      },
    })
  }
}

const facts = (error: unknown): { code: string; message: string } => {
  try {
    if (error instanceof TidingsError) return { code: error.code, message: error.message }
    if (typeof error === 'string') return { code: 'E_STORAGE_DAMAGED', message: error }
    return { code: 'E_DECODE', message: error instanceof Error ? error.message : String(error) }
  } catch {
    return { code: 'E_DECODE', message: 'an error that cannot be printed' }
  }
}
