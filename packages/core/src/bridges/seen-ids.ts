/**
 * The ids of the last `size` events a bridge passed on, so that one arriving twice (over two
 * paths, or back from a relay) is delivered once. A ring evicts the oldest: memory stays bounded.
 */
export class SeenIds {
  private readonly ids = new Set<string>()
  private readonly ring: string[]
  private next = 0

  constructor(size: number) {
    this.ring = new Array<string>(size)
  }

  /** True the first time `id` is offered (and remembers it), false after. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false
    const old = this.ring[this.next]
    if (old !== undefined) this.ids.delete(old)
    this.ring[this.next] = id
    this.next = (this.next + 1) % this.ring.length
    this.ids.add(id)
    return true
  }
}
