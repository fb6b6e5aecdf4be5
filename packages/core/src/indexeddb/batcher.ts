import { GroupCommit, SpaceRetry, TidingsError } from '@tidings/core'

const isQuota = (error: unknown) => (error as { name?: unknown } | null)?.name === 'QuotaExceededError'

/**
 * Coalesces appends into as few transactions as possible: appends made in the same microtask go
 * together, and appends made while a transaction runs go together in the next one. Batches are
 * written one at a time, in call order. A batch refused for lack of quota is reported and retried
 * with backoff, its events kept in memory, never dropped; the appends behind it wait.
 */
export class AppendBatcher<T> {
  private readonly retry: SpaceRetry
  private readonly group: GroupCommit<readonly T[]>

  constructor(write: (items: T[]) => Promise<void>, report: (error: TidingsError) => void) {
    this.retry = new SpaceRetry(report)
    this.group = new GroupCommit((batches) => {
      const items = batches.flat()
      return this.retry.run(() => write(items), (error, wait) => isQuota(error)
        ? new TidingsError('E_STORAGE_QUOTA', `The browser's storage quota is used up: ${items.length} events are kept in memory and written once space is freed (next try in ${wait} ms); free some space, for example by clearing old data of this site`, { cause: error, details: { events: items.length, retryInMs: wait } })
        : undefined)
    })
  }

  add(items: readonly T[]): Promise<void> {
    return this.group.submit(items)
  }

  /** Resolves when every batch added so far is written or has failed. */
  idle(): Promise<void> {
    return this.group.idle()
  }

  /** One last try for a batch waiting on quota, then it fails rather than holding close() forever. */
  async close(): Promise<void> {
    this.retry.close()
    await this.group.idle()
  }
}
