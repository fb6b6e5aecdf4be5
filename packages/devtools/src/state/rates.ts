/** Events per second of each type over the latest seconds, as chart series. */
export interface RateSeries {
  /** Epoch seconds, one per point. */
  x: number[]
  /** The busiest types, then '(other)' when more types were seen. */
  types: string[]
  /** One row per entry of `types`, aligned with `x`. */
  ys: number[][]
}

export const OTHER = '(other)'

/** Counts emitted events per type per second, keeping only a bounded window. */
export class RateBuckets {
  private buckets = new Map<number, Map<string, number>>()
  /** The latest second anything was counted in: the right edge when no producer is live. */
  lastSecond = 0

  constructor(readonly windowS = 120) {}

  count(type: string, atMs: number, n = 1): void {
    const second = Math.floor(atMs / 1000)
    let bucket = this.buckets.get(second)
    if (!bucket) {
      bucket = new Map()
      this.buckets.set(second, bucket)
      if (second > this.lastSecond) this.lastSecond = second
      this.prune(this.lastSecond)
    }
    bucket.set(type, (bucket.get(type) ?? 0) + n)
  }

  clear(): void {
    this.buckets.clear()
    this.lastSecond = 0
  }

  /**
   * The window ending at `endSecond` (inclusive), with at most `maxTypes` types named. It starts at
   * the first second counted when that is more recent, so a young session fills the chart.
   */
  series(endSecond: number, maxTypes = 6): RateSeries {
    let first = endSecond
    for (const second of this.buckets.keys()) if (second < first) first = second
    const start = Math.max(endSecond - this.windowS + 1, first)
    const totals = new Map<string, number>()
    for (const [second, bucket] of this.buckets) {
      if (second < start || second > endSecond) continue
      for (const [type, n] of bucket) totals.set(type, (totals.get(type) ?? 0) + n)
    }
    const ranked = [...totals].sort((a, b) => b[1] - a[1]).map(([type]) => type)
    const named = ranked.slice(0, maxTypes)
    const types = ranked.length > maxTypes ? [...named, OTHER] : named
    const row = new Map(types.map((t, i) => [t, i]))
    const x: number[] = []
    const ys = types.map(() => [] as number[])
    for (let s = start; s <= endSecond; s++) {
      x.push(s)
      for (const y of ys) y.push(0)
      const bucket = this.buckets.get(s)
      if (!bucket) continue
      const i = x.length - 1
      for (const [type, n] of bucket) ys[row.get(type) ?? row.get(OTHER)!]![i]! += n
    }
    return { x, types, ys }
  }

  private prune(latest: number): void {
    for (const second of this.buckets.keys()) if (second <= latest - this.windowS) this.buckets.delete(second)
  }
}
