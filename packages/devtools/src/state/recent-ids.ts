/**
 * The latest `capacity` envelope ids seen, so that an event several producers report (buses sharing
 * a transport) is counted once. Memory stays bounded: the oldest id is forgotten first.
 */
export class RecentIds {
  private ids = new Set<string>()
  /** A live iterator: it skips nothing but ids it already returned, which were dropped, so its next one is the oldest. */
  private order = this.ids.values()

  constructor(readonly capacity = 50_000) {}

  /** Remembers the id; returns whether it is new. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false
    if (this.ids.size >= this.capacity) {
      const oldest = this.order.next()
      if (!oldest.done) this.ids.delete(oldest.value)
    }
    this.ids.add(id)
    return true
  }

  clear(): void {
    this.ids.clear()
    this.order = this.ids.values()
  }
}
