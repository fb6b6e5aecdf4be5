/** Asks the next group commit to fdatasync, with or without anything to write. */
export const SYNC = Symbol('sync')

interface Waiting<T> {
  readonly item: T
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/**
 * Group commit: items submitted while a commit runs wait and go together in the next one, so a
 * burst of writers shares one write and one fsync. Commits run one at a time, in submission order.
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
