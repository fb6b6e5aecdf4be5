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
  /** Handlers subscribed to the type by name in that bus (wildcards not counted). */
  listeners: number
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
        deadLettered: m.deadLettered, listeners: snapshot.listeners[type] ?? 0,
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

  /**
   * Each producer's value at the end of each given second (epoch seconds, ascending): the events
   * chart's axis, so both charts read against one time axis. Null before a producer's first sample.
   */
  at(x: readonly number[]): { producers: string[]; ys: Array<Array<number | null>> } {
    const producers = [...this.samples.keys()]
    const ys = producers.map((p) => {
      const list = this.samples.get(p)!
      let j = 0
      let last: number | null = null
      return x.map((s) => {
        while (j < list.length && list[j]![0] < s + 1) last = list[j++]![1]
        return last
      })
    })
    return { producers, ys }
  }
}
