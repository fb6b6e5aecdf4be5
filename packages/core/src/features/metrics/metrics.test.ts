import { describe, expect, it, vi } from 'vitest'
import { createBus } from '../../kernel/create-bus'
import { deadLetters } from '../dead-letters/dead-letters'
import { metrics } from './metrics'

describe('metrics()', () => {
  it('counts per type, handler latency, listeners and dead letters', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const bus = createBus({}, metrics(), deadLetters())
    bus.on('ok', () => {})
    bus.on('ok', async () => {})
    bus.on('bad', () => {
      throw new Error('x')
    })
    bus.emit('ok')
    bus.emit('ok')
    bus.emit('bad')
    await new Promise((r) => setTimeout(r, 0))
    const m = bus.metrics()
    expect(m.types.ok).toMatchObject({ emitted: 2, delivered: 4, failed: 0 })
    expect(m.types.ok!.latency.samples).toBeGreaterThan(0)
    expect(m.types.bad).toMatchObject({ emitted: 1, delivered: 0, failed: 1, deadLettered: 1 })
    expect(m.totals).toMatchObject({ emitted: 3, delivered: 4 })
    expect(m.listeners).toEqual({ ok: 2, bad: 1 })
    expect(m.dlq.size).toBe(1)
    expect(m.rate['60s']).toBeGreaterThan(0)
  })

  it('counts errors reported through onError, and shows no dead letters without deadLetters()', () => {
    const bus = createBus({}, metrics())
    bus.onError(() => {})
    bus.on('x', () => {
      throw new Error('x')
    })
    bus.emit('x')
    expect(bus.metrics()).toMatchObject({ errors: 1, dlq: { size: 0, overflowed: 0 } })
  })

  it('accounts exactly under load: 100,000 emits with 10% of handlers failing', async () => {
    const bus = createBus({}, metrics(), deadLetters({ max: 100_000 }))
    bus.dlq.subscribe(() => {})
    const failure = new Error('fail')
    let delivered = 0
    for (let h = 0; h < 10; h++) {
      bus.on('load', () => {
        if (h === 0) throw failure
        delivered++
      })
    }
    for (let i = 0; i < 100_000; i++) bus.emit('load', i)
    await bus.flush()
    const m = bus.metrics()
    expect(delivered).toBe(900_000)
    expect(m.types.load).toMatchObject({ emitted: 100_000, delivered: 900_000, failed: 100_000, deadLettered: 100_000 })
  }, 30_000)

  it('folds types past its cap into one (other) row instead of throwing', () => {
    const bus = createBus({}, metrics())
    for (let i = 0; i < 2100; i++) bus.emit(`t${i}`)
    const m = bus.metrics()
    expect(m.types['(other)']!.emitted).toBeGreaterThan(0)
    expect(m.totals.emitted).toBe(2100)
  })
})
