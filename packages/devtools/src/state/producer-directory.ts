import type { ProducerInfo } from '@tidings/core'

/**
 * Every bus this page has heard of, connected or not. A bus keeps its name after it disconnects:
 * the page remembers what it saw (across hub restarts), and the hub names the buses that left
 * while it still holds their records (`producers.departed`, for a page opened later).
 */
export class ProducerDirectory {
  private readonly known = new Map<string, ProducerInfo>()
  private online = new Set<string>()

  /** A `producers` frame: who is connected now, and who left. */
  update(connected: readonly ProducerInfo[], departed: readonly ProducerInfo[] = []): void {
    // What the page saw itself is fuller than the hub's memory of a departed bus (which has no catalog).
    for (const p of departed) if (!this.known.has(p.id)) this.known.set(p.id, p)
    for (const p of connected) this.known.set(p.id, p)
    this.online = new Set(connected.map((p) => p.id))
  }

  name(id: string): string {
    return this.known.get(id)?.name ?? id
  }

  isOnline(id: string): boolean {
    return this.online.has(id)
  }

  /** The names a source filter offers: each once, online if any bus of that name is. */
  names(): Array<{ name: string; online: boolean }> {
    const names = new Map<string, boolean>()
    for (const p of this.known.values()) names.set(p.name, (names.get(p.name) ?? false) || this.online.has(p.id))
    return [...names].map(([name, online]) => ({ name, online })).sort((a, b) => a.name.localeCompare(b.name))
  }

  /** A source filter names a bus (links made before names carry its id): both select its events. */
  matches(id: string, source: string): boolean {
    return id === source || this.name(id) === source
  }
}
