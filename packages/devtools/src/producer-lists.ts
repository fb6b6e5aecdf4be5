/**
 * One list per bus, fetched from it with a command and kept as last fetched: a bus's dead letters,
 * the errors it reported. A list is fetched again when the bus's metrics report a new count for
 * it, whichever tab is open, so that what a bus that goes offline had stays known (and shown,
 * marked offline) after it can no longer be asked.
 */
export class ProducerLists<T> {
  readonly lists = new Map<string, T[]>()
  /** Why a bus's list could not be read, by producer. */
  readonly errors = new Map<string, string>()
  private readonly counts = new Map<string, number>()

  constructor(private readonly fetch: (producer: string) => Promise<T[]>, private readonly changed: () => void) {}

  /** A count from a metrics snapshot (DLQ depth, errors reported): a change fetches the bus's list again. */
  noteCount(producer: string, count: number): void {
    if (this.counts.get(producer) === count) return
    this.counts.set(producer, count)
    void this.refresh(producer)
  }

  async refresh(producer: string): Promise<void> {
    try {
      this.lists.set(producer, await this.fetch(producer))
      this.errors.delete(producer)
    } catch (error) {
      this.errors.set(producer, (error as Error).message)
    }
    this.changed()
  }
}
