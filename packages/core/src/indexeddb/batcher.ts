import { TidingsError } from '@tidings/core'

interface Waiting<T> {
  readonly items: readonly T[]
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

const retryDelay = (attempt: number) => Math.min(30_000, 250 * 2 ** attempt)
const isQuota = (error: unknown) => (error as { name?: unknown } | null)?.name === 'QuotaExceededError'

/**
 * Coalesces appends into as few transactions as possible: appends made in the same microtask go
 * together, and appends made while a transaction runs go together in the next one. Batches are
 * written one at a time, in call order. A batch refused for lack of quota is reported and retried
 * with backoff, its events kept in memory, never dropped; the appends behind it wait.
 */
export class AppendBatcher<T> {
  private queue: Waiting<T>[] = []
  private running: Promise<void> | undefined
  private closing = false
  private wake: (() => void) | undefined

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly report: (error: TidingsError) => void,
  ) {}

  add(items: readonly T[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ items, resolve, reject })
      this.running ??= this.drain()
    })
  }

  /** Resolves when every batch added so far is written or has failed. */
  async idle(): Promise<void> {
    while (this.running) await this.running
  }

  /** One last try for a batch waiting on quota, then it fails rather than holding close() forever. */
  async close(): Promise<void> {
    this.closing = true
    this.wake?.()
    await this.idle()
  }

  private async drain(): Promise<void> {
    await undefined
    while (this.queue.length) {
      const group = this.queue
      this.queue = []
      try {
        await this.commit(group.flatMap((w) => w.items))
        for (const w of group) w.resolve()
      } catch (error) {
        for (const w of group) w.reject(error)
      }
    }
    this.running = undefined
  }

  private async commit(items: T[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.write(items)
      } catch (error) {
        if (!isQuota(error)) throw error
        const wait = retryDelay(attempt)
        const full = new TidingsError('E_STORAGE_QUOTA', `The browser's storage quota is used up: ${items.length} events are kept in memory and written once space is freed (next try in ${wait} ms); free some space, for example by clearing old data of this site`, { cause: error, details: { events: items.length, retryInMs: wait } })
        if (this.closing) throw full
        this.report(full)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait)
          this.wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        this.wake = undefined
      }
    }
  }
}
