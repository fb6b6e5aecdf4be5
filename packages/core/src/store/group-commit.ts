import type { TidingsError } from '../errors'

interface Waiting<T> {
  readonly item: T
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/**
 * Group commit, for store authors: items submitted while a commit runs wait and go together in
 * the next one, so a burst of writers shares one write (one transaction, one fsync). Commits run
 * one at a time, in submission order; items submitted in the same tick join the same commit.
 */
export class GroupCommit<T> {
  private queue: Waiting<T>[] = []
  private running: Promise<void> | undefined

  constructor(private readonly commit: (items: T[]) => Promise<void>) {}

  /** Resolves once a commit that holds `item` succeeded; rejects with its error if it failed. */
  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject })
      this.running ??= this.drain()
    })
  }

  /** Resolves when everything submitted so far has been committed (or has failed). */
  async idle(): Promise<void> {
    while (this.running) await this.running
  }

  get pending(): number {
    return this.queue.length
  }

  private async drain(): Promise<void> {
    // Yield once, so that the submissions of the current tick join the first group.
    await undefined
    while (this.queue.length) {
      const group = this.queue
      this.queue = []
      try {
        await this.commit(group.map((w) => w.item))
        for (const w of group) w.resolve()
      } catch (error) {
        for (const w of group) w.reject(error)
      }
    }
    this.running = undefined
  }
}

/**
 * Retries a write refused for lack of space (a full disk, a storage quota), for store authors:
 * each refusal is reported, the data stays with the caller, and the next try comes after an
 * exponential backoff (250 ms doubling, at most 30 s). After `close()` the next try is the last.
 */
export class SpaceRetry {
  private closing = false
  private wake: (() => void) | undefined

  constructor(private readonly report: (error: TidingsError) => void) {}

  /**
   * Runs `write` until it succeeds. `full(error, waitMs)` returns the E_STORAGE_QUOTA error to
   * report when `error` means "no space"; any other error is thrown as it is.
   */
  async run<R>(write: () => Promise<R>, full: (error: unknown, waitMs: number) => TidingsError | undefined): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await write()
      } catch (error) {
        const wait = Math.min(30_000, 250 * 2 ** attempt)
        const refusal = full(error, wait)
        if (refusal === undefined) throw error
        if (this.closing) throw refusal
        this.report(refusal)
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

  /** A store closing must not wait for space forever: the retry waiting now runs at once, for the last time. */
  close(): void {
    this.closing = true
    this.wake?.()
  }
}
