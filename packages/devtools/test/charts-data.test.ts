import type { MetricsSnapshot } from '@tidings/core'
import { describe, expect, it } from 'vitest'
import { EmitRates } from '../src/state/emit-rate'
import { OTHER, RateBuckets } from '../src/state/rates'
import { deliveryNote } from '../src/state/delivery-note'
import { SampleHistory, statsRows } from '../src/state/stats'
import type { StatsRow } from '../src/state/stats'

describe('RateBuckets', () => {
  it('counts events per type per second over the window', () => {
    const rates = new RateBuckets(5)
    rates.count('a', 10_000)
    rates.count('a', 10_999)
    rates.count('b', 12_000)
    const s = rates.series(12)
    expect(s.x).toEqual([10, 11, 12])
    expect(s.types).toEqual(['a', 'b'])
    expect(s.ys).toEqual([[2, 0, 0], [0, 0, 1]])
    expect(rates.series(16).x).toEqual([12, 13, 14, 15, 16])
  })

  it('names the busiest types and sums the rest as (other)', () => {
    const rates = new RateBuckets(2)
    for (const [type, n] of [['a', 5], ['b', 4], ['c', 1], ['d', 1]] as const) rates.count(type, 1000, n)
    const s = rates.series(1, 2)
    expect(s.types).toEqual(['a', 'b', OTHER])
    expect(s.ys.map((y) => y[0])).toEqual([5, 4, 2])
  })

  it('forgets seconds that left the window', () => {
    const rates = new RateBuckets(3)
    rates.count('old', 1000)
    rates.count('new', 10_000)
    expect(rates.series(10).types).toEqual(['new'])
    expect(rates.series(10).x).toEqual([10])
  })
})

describe('stats', () => {
  const snapshot = (types: MetricsSnapshot['types']): MetricsSnapshot => ({
    at: 0, totals: { emitted: 0, delivered: 0, failed: 0, retried: 0, deadLettered: 0 }, types,
    rate: { '1s': 0, '10s': 0, '60s': 0 }, listeners: {}, dlq: { size: 0, overflowed: 0 }, errors: 0,
  })
  const type = (emitted: number, p95: number) => ({
    emitted, delivered: emitted, failed: 1, retried: 1, deadLettered: 0, latency: { p50: 1, p95, p99: p95, max: p95, samples: 10 },
  })

  it('lists each producer’s types busiest first, with their own percentiles', () => {
    const rows = statsRows(new Map([['p1', snapshot({ a: type(5, 3) })], ['p2', snapshot({ a: type(9, 7), b: type(1, 1) })]]))
    expect(rows.map((r) => [r.producer, r.type, r.emitted, r.p95])).toEqual([['p2', 'a', 9, 7], ['p1', 'a', 5, 3], ['p2', 'b', 1, 1]])
  })

  it('has no latency for a type no handler ran for, rather than a latency of 0', () => {
    const unheard = { ...type(3, 0), delivered: 0, latency: { p50: 0, p95: 0, p99: 0, max: 0, samples: 0 } }
    const [row] = statsRows(new Map([['p1', snapshot({ audit: unheard })]]))
    expect(row).toMatchObject({ type: 'audit', p50: undefined, p95: undefined })
  })

  it('keeps a bounded history and reads it on the events chart\'s seconds, one time axis for both', () => {
    const h = new SampleHistory(3)
    for (let s = 1; s <= 5; s++) h.add('p1', s * 1000 + 250, s)
    h.add('p2', 4000, 40)
    const { producers, ys } = h.at([2, 3, 4, 5, 6])
    expect(producers).toEqual(['p1', 'p2'])
    // p1's samples of seconds 1 and 2 were dropped (bounded to 3); p2 had none before second 4.
    expect(ys).toEqual([[null, 3, 4, 5, 5], [null, null, 40, 40, 40]])
  })
})

describe('EmitRates', () => {
  const at = (ms: number, emitted: number, nowRate = 0): MetricsSnapshot => ({
    at: ms, totals: { emitted, delivered: 0, failed: 0, retried: 0, deadLettered: 0 }, types: {},
    rate: { '1s': nowRate, '10s': 0, '60s': 0 }, listeners: {}, dlq: { size: 0, overflowed: 0 }, errors: 0,
  })

  it('measures over the last full interval, not the second that has just begun', () => {
    const rates = new EmitRates()
    rates.add('shop', at(10_000, 1_000))
    expect(rates.total(['shop'])).toBeUndefined()
    // 500 events in the last second; the snapshot, taken 20 ms into a new second, saw 10 of them.
    rates.add('shop', at(11_020, 1_500, 10))
    expect(rates.total(['shop'])).toBeCloseTo(490.2, 1)
  })

  it('sums the producers asked for, and ignores a restarted or replayed count', () => {
    const rates = new EmitRates()
    rates.add('a', at(0, 0))
    rates.add('a', at(500, 100))
    rates.add('b', at(0, 0))
    rates.add('b', at(1000, 50))
    rates.add('gone', at(0, 0))
    rates.add('gone', at(1000, 999))
    expect(rates.total(['a', 'b'])).toBe(250)
    rates.add('b', at(2000, 10))
    expect(rates.total(['b'])).toBeUndefined()
    rates.add('a', at(400, 100))
    expect(rates.total(['a'])).toBeUndefined()
  })
})

describe('deliveryNote()', () => {
  const row = (more: Partial<StatsRow>): StatsRow => ({
    producer: 'p', type: 'order.placed', emitted: 10, delivered: 10, failed: 0, retried: 0, deadLettered: 0, listeners: 1, p50: 1, p95: 1, ...more,
  })

  it('says nothing when every event was delivered once', () => {
    expect(deliveryNote(row({}))).toBeUndefined()
  })

  it('explains more deliveries than events by the subscriptions, and by events from other processes', () => {
    expect(deliveryNote(row({ delivered: 20, listeners: 2 }))).toBe('order.placed: 20 delivered for 10 emitted: each event goes to its 2 subscriptions here, and each delivery counts.')
    expect(deliveryNote(row({ emitted: 0, delivered: 4 }))).toBe('order.placed: 4 delivered for 0 emitted: events emitted by other processes were delivered here too.')
  })

  it('explains fewer deliveries by no subscriber, dead letters and retries', () => {
    expect(deliveryNote(row({ delivered: 0, listeners: 0 }))).toBe('order.placed: 0 delivered for 10 emitted: nothing in this bus subscribes to it.')
    expect(deliveryNote(row({ delivered: 8, failed: 4, retried: 2, deadLettered: 2 })))
      .toBe('order.placed: 8 delivered for 10 emitted: 2 deliveries were dead-lettered; 2 tries failed and were retried.')
  })
})
