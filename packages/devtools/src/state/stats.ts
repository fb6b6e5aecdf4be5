import type { MetricsSnapshot } from '@tidings/core'

/** One line of the counts table: a type as one producer reported it. */
export interface StatsRow {
  producer: string
  type: string
  emitted: number
  delivered: number
  failed: number
  retried: number
  deadLettered: number
  /** Handler latency percentiles; undefined when no handler ran for the type, as 0 would claim one ran instantly. */
  p50: number | undefined
  p95: number | undefined
}

/**
 * Rows per producer and type, busiest first. Percentiles are not summed across producers:
 * a p95 of two producers' merged samples cannot be derived from theirs.
 */
export function statsRows(snapshots: ReadonlyMap<string, MetricsSnapshot>): StatsRow[] {
  const rows: StatsRow[] = []
  for (const [producer, snapshot] of snapshots) {
    for (const [type, m] of Object.entries(snapshot.types)) {
      rows.push({
        producer, type, emitted: m.emitted, delivered: m.delivered, failed: m.failed, retried: m.retried,
        deadLettered: m.deadLettered,
        p50: m.latency.samples ? m.latency.p50 : undefined,
        p95: m.latency.samples ? m.latency.p95 : undefined,
      })
    }
  }
  return rows.sort((a, b) => b.emitted - a.emitted || a.type.localeCompare(b.type))
}

/** A bounded history of one number per producer (DLQ depth), for a chart. */
export class SampleHistory {
  private samples = new Map<string, Array<[number, number]>>()

  constructor(readonly maxSamples = 120) {}

  add(producer: string, atMs: number, value: number): void {
    let list = this.samples.get(producer)
    if (!list) this.samples.set(producer, (list = []))
    list.push([atMs / 1000, value])
    if (list.length > this.maxSamples) list.splice(0, list.length - this.maxSamples)
  }

  forget(producer: string): void {
    this.samples.delete(producer)
  }

  /** Aligned series on a shared x axis (epoch seconds); a producer's missing second repeats its last value. */
  series(): { x: number[]; producers: string[]; ys: number[][] } {
    const seconds = new Set<number>()
    for (const list of this.samples.values()) for (const [s] of list) seconds.add(s)
    const x = [...seconds].sort((a, b) => a - b)
    const producers = [...this.samples.keys()]
    const ys = producers.map((p) => {
      const list = this.samples.get(p)!
      let j = 0
      let last = list[0]?.[1] ?? 0
      return x.map((s) => {
        while (j < list.length && list[j]![0] <= s) last = list[j++]![1]
        return last
      })
    })
    return { x, producers, ys }
  }
}
