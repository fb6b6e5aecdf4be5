import type { MetricsSnapshot } from '@tidings/core'

interface Reading {
  at: number
  emitted: number
  /** Events per second between this reading and the one before; unknown after the first. */
  rate: number | undefined
}

/**
 * Events emitted per second over each producer's last full metrics interval: the difference of
 * two snapshots' totals over the time between them. A snapshot's own `rate['1s']` counts the
 * second it was taken in, which has only just begun, so it reads near zero under steady traffic.
 */
export class EmitRates {
  private readings = new Map<string, Reading>()

  add(producer: string, snapshot: MetricsSnapshot): void {
    const before = this.readings.get(producer)
    const emitted = snapshot.totals.emitted
    const seconds = before === undefined ? 0 : (snapshot.at - before.at) / 1000
    // A restarted bus counts from zero again, and a replayed backlog can repeat an older snapshot: no rate from those.
    const rate = before !== undefined && seconds > 0 && emitted >= before.emitted ? (emitted - before.emitted) / seconds : undefined
    this.readings.set(producer, { at: snapshot.at, emitted, rate })
  }

  /** The summed rate of these producers; undefined until one of them has reported twice. */
  total(producers: Iterable<string>): number | undefined {
    let sum: number | undefined
    for (const p of producers) {
      const rate = this.readings.get(p)?.rate
      if (rate !== undefined) sum = (sum ?? 0) + rate
    }
    return sum
  }
}
