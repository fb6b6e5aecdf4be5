const LATENCY_SAMPLES = 256
const RATE_WINDOW_S = 60
/** Distinct types tracked individually; beyond this, an untyped bus with unbounded type names shares one row. */
const MAX_TYPES = 2000
export const OVERFLOW_TYPE = '(other)'

/** Counters of one event type; a class so every instance has one shape. */
export class TypeStats {
  emitted = 0
  delivered = 0
  failed = 0
  retried = 0
  deadLettered = 0
  /** Ring of the latest handler durations (ms); bounded whatever the traffic. */
  latency = new Float64Array(LATENCY_SAMPLES)
  samples = 0

  record(ms: number): void {
    this.latency[this.samples++ % LATENCY_SAMPLES] = ms
  }
}

export interface LatencySummary {
  p50: number
  p95: number
  p99: number
  max: number
  /** Samples the percentiles are computed from (the latest 256 at most). */
  samples: number
}

export interface TypeMetrics {
  emitted: number
  delivered: number
  failed: number
  retried: number
  deadLettered: number
  latency: LatencySummary
}

export interface MetricsSnapshot {
  /** Epoch ms of the snapshot. */
  at: number
  totals: Omit<TypeMetrics, 'latency'>
  types: Record<string, TypeMetrics>
  /** Events emitted per second over the last 1, 10 and 60 seconds. */
  rate: { '1s': number; '10s': number; '60s': number }
  /** Handlers per subscription key (type, pattern or '*'). */
  listeners: Record<string, number>
  dlq: { size: number; overflowed: number }
  /** Errors reported through `bus.onError`. */
  errors: number
}

const percentile = (sorted: Float64Array, q: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : 0

const summarize = (s: TypeStats): LatencySummary => {
  const sorted = s.latency.slice(0, Math.min(s.samples, LATENCY_SAMPLES)).sort()
  return {
    p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : 0, samples: sorted.length,
  }
}

/** Per-type counters, latency rings and a per-second emit rate window. */
export const createMetrics = () => {
  const types = new Map<string, TypeStats>()
  const buckets = new Uint32Array(RATE_WINDOW_S)
  let second = 0
  let lastMs = -1
  let counted = 0

  /** Adds `n` emits to the bucket of epoch `ms`, clearing the seconds skipped since the last one. */
  const add = (ms: number, n: number) => {
    if (n <= 0 || ms < 0) return
    const s = (ms / 1000) | 0
    if (s > second) {
      for (let i = Math.max(second + 1, s - RATE_WINDOW_S + 1); i <= s; i++) buckets[i % RATE_WINDOW_S] = 0
      second = s
    }
    if (s > second - RATE_WINDOW_S) buckets[s % RATE_WINDOW_S]! += n
  }

  const rateOver = (seconds: number, nowS: number): number => {
    let sum = 0
    for (let s = nowS - seconds + 1; s <= nowS; s++) if (s > second - RATE_WINDOW_S && s <= second) sum += buckets[s % RATE_WINDOW_S]!
    return sum / seconds
  }

  return {
    types,
    statsFor(type: string): TypeStats {
      let stats = types.get(type)
      if (stats === undefined) {
        // Past the cap every new type shares the one '(other)' row, which may be the cap's + 1st.
        const key = types.size >= MAX_TYPES ? OVERFLOW_TYPE : type
        stats = types.get(key)
        if (stats === undefined) types.set(key, (stats = new TypeStats()))
      }
      return stats
    },
    /**
     * Called at the first emit of each clock reading, with the running total of emits (this one
     * included): the emits since the previous call happened at the previous reading.
     */
    tick(ms: number, total: number): void {
      add(lastMs, total - 1 - counted)
      counted = total - 1
      lastMs = ms
    },
    snapshot(listeners: Record<string, number>, dlqSize: number, overflowed: number, errors: number, total: number): MetricsSnapshot {
      add(lastMs, total - counted)
      counted = total
      const at = Date.now()
      const nowS = (at / 1000) | 0
      const totals = { emitted: 0, delivered: 0, failed: 0, retried: 0, deadLettered: 0 }
      // Type names are user data: a null-prototype record keeps '__proto__' an ordinary key.
      const out: Record<string, TypeMetrics> = Object.create(null) as Record<string, TypeMetrics>
      for (const [type, s] of types) {
        totals.emitted += s.emitted
        totals.delivered += s.delivered
        totals.failed += s.failed
        totals.retried += s.retried
        totals.deadLettered += s.deadLettered
        out[type] = { emitted: s.emitted, delivered: s.delivered, failed: s.failed, retried: s.retried, deadLettered: s.deadLettered, latency: summarize(s) }
      }
      return {
        at, totals, types: out,
        rate: { '1s': rateOver(1, nowS), '10s': rateOver(10, nowS), '60s': rateOver(60, nowS) },
        listeners, dlq: { size: dlqSize, overflowed }, errors,
      }
    },
  }
}

export type Metrics = ReturnType<typeof createMetrics>
