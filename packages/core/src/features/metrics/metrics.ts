import { now } from '../../clock'
import type { Tracker } from '../../kernel/delivery'
import { defineFeature } from '../../kernel/host'
import type { Feature, FeatureApi } from '../../kernel/types'
import { createMetrics } from '../../metrics'
import type { MetricsSnapshot, TypeStats } from '../../metrics'
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
    return {
      record(_env, slot, remote) {
        if (remote) return
        statsOf(slot).emitted++
        total++
        const ms = now()
        if (ms !== lastMs) {
          lastMs = ms
          m.tick(ms, total)
          sample = true
        }
      },
      dispatch: (next) => (env, slot, tracker) => {
        if (sample && tracker === undefined) {
          sample = false
          tracker = TIMED
        }
        // Read after next(): a followed dispatch counts its deliveries into the same field meanwhile.
        const ok = next(env, slot, tracker)
        statsOf(slot).delivered += ok
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
