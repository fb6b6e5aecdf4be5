import { now } from '../../clock'
import type { Tracker } from '../../kernel/delivery'
import { defineFeature } from '../../kernel/host'
import type { Feature, FeatureApi } from '../../kernel/types'
import { createMetrics } from '../../metrics'
import type { MetricsSnapshot, TypeStats } from '../../metrics'
import type { BusEnvelope } from '../../kernel/envelope'
import type { Slot } from '../../kernel/slot'

export interface MetricsApi extends FeatureApi {
  readonly api: {
    /** Counts per type, handler latency percentiles, emit rates, listener counts, dead-letter count. */
    metrics(): MetricsSnapshot
  }
}

// Timed without following: latency samples only.
const TIMED: Tracker = {}

/**
 * Adds `bus.metrics()`. Counting costs a few increments per emit; handler latency is sampled on
 * the first emit of each clock tick (every emit of a trickle, one per synchronous burst).
 */
/* @__NO_SIDE_EFFECTS__ */
export function metrics(): Feature<MetricsApi> {
  return defineFeature((kernel) => {
    const m = createMetrics()
    const key = kernel.slotState()
    const statsOf = (slot: Slot) => (slot.state[key] ??= m.statsFor(slot.type)) as TypeStats
    let total = 0
    let lastMs = -1
    let sample = false
    // Once per clock reading, out of the per-emit step so that it stays small enough to inline.
    const tick = (ms: number) => {
      lastMs = ms
      m.tick(ms, total)
      sample = true
    }
    return {
      record(env, slot, remote) {
        if (remote) return
        // Read in place, statsOf() only for a new type: this runs on every emit, kept small enough to inline.
        ;((slot.state[key] as TypeStats | undefined) ?? statsOf(slot)).emitted++
        total++
        // An envelope emitted without options holds the emit's own now() reading: no second read.
        const ms = (env as BusEnvelope)._a === undefined ? (env as BusEnvelope)._ms : now()
        if (ms !== lastMs) tick(ms)
      },
      dispatch: (next) => (env, slot, tracker) => {
        if (sample && tracker === undefined) {
          sample = false
          tracker = TIMED
        }
        const stats = (slot.state[key] as TypeStats | undefined) ?? statsOf(slot)
        // Added after next(): a followed dispatch counts its deliveries into the same field meanwhile.
        const ok = next(env, slot, tracker)
        stats.delivered += ok
        return ok
      },
      delivered(d, ms) {
        const stats = statsOf(d.slot)
        stats.delivered++
        if (ms >= 0) stats.record(ms)
      },
      failed(d, _error, _ms, again) {
        const stats = statsOf(d.slot)
        stats.failed++
        if (again) stats.retried++
      },
      gaveUp(d, _error, outcome) {
        if (outcome === 'dead-lettered') statsOf(d.slot).deadLettered++
      },
      api: {
        metrics() {
          const listeners = Object.create(null) as Record<string, number>
          for (const [type, list] of kernel.all) if (list.length) listeners[type] = list.length
          return m.snapshot(listeners, kernel.gauge('dlq.size'), kernel.gauge('dlq.overflowed'), kernel.gauge('errors'), total)
        },
      },
    }
  })
}
