import { describe, expect, it } from 'vitest'
import { createBus, standard } from '@tidings/core'
import { sleep } from './fixtures'

describe('bus.metrics()', () => {
  it('counts per type: emitted, delivered, failed, retried, dead-lettered', async () => {
    const bus = createBus({}, standard({ retry: { attempts: 1, backoff: { initialMs: 1 } } }))
    bus.on('ok', () => {})
    bus.on('ok', () => {})
    bus.on('bad', () => {
      throw new Error('x')
    })
    bus.emit('ok')
    bus.emit('ok')
    await bus.publish('bad')
    const m = bus.metrics()
    expect(m.types.ok).toMatchObject({ emitted: 2, delivered: 4, failed: 0, retried: 0, deadLettered: 0 })
    expect(m.types.bad).toMatchObject({ emitted: 1, delivered: 0, failed: 2, retried: 1, deadLettered: 1 })
    expect(m.totals).toEqual({ emitted: 3, delivered: 4, failed: 2, retried: 1, deadLettered: 1 })
    expect(m.dlq.size).toBe(1)
  })

  it('reports handler latency percentiles from sampled deliveries', async () => {
    const bus = createBus({}, standard())
    bus.on('slow', async () => sleep(20))
    for (let i = 0; i < 3; i++) await bus.publish('slow')
    const { latency } = bus.metrics().types.slow!
    expect(latency.samples).toBe(3)
    expect(latency.p50).toBeGreaterThanOrEqual(15)
    expect(latency.p99).toBeGreaterThanOrEqual(latency.p50)
    expect(latency.max).toBeGreaterThanOrEqual(latency.p99)
  })

  it('keeps latency memory bounded: percentiles come from the latest 256 samples', async () => {
    const bus = createBus({}, standard())
    bus.on('x', () => {})
    for (let i = 0; i < 1000; i++) await bus.publish('x')
    expect(bus.metrics().types.x!.latency.samples).toBe(256)
  })

  it('samples one emit per clock tick, so a burst stays cheap and a trickle is fully measured', async () => {
    const bus = createBus({}, standard())
    bus.on('x', () => {})
    for (let i = 0; i < 1000; i++) bus.emit('x')
    const burst = bus.metrics().types.x!.latency.samples
    // One sample per clock reading: the clock is read afresh every 1,024 reads, and a standard()
    // bus reads it in the kernel and in metrics(), so a 1,000-emit burst sees a few readings.
    expect(burst).toBeLessThanOrEqual(4)
    for (let i = 0; i < 3; i++) {
      await sleep(2)
      bus.emit('x')
    }
    expect(bus.metrics().types.x!.latency.samples).toBe(burst + 3)
  })

  it('reports the emit rate over the last 1, 10 and 60 seconds', () => {
    const bus = createBus({}, standard())
    for (let i = 0; i < 600; i++) bus.emit('x')
    const { rate } = bus.metrics()
    expect(rate['60s']).toBe(10)
    expect(rate['10s']).toBe(60)
  })

  it('counts listeners per subscription key', () => {
    const bus = createBus({}, standard())
    bus.on('a', () => {})
    bus.on('a', () => {}, { name: 'n' })
    bus.on('a.*', () => {})
    bus.on('*', () => {})
    expect(bus.metrics().listeners).toEqual({ a: 2, 'a.*': 1, '*': 1 })
  })
  it("keeps '__proto__' and 'constructor' as ordinary type names", () => {
    const bus = createBus({}, standard())
    bus.on('__proto__', () => {})
    bus.emit('__proto__')
    bus.emit('constructor')
    const m = bus.metrics()
    expect(Object.keys(m.types)).toEqual(['__proto__', 'constructor'])
    expect(m.types.__proto__!.emitted).toBe(1)
    expect(m.listeners.__proto__).toBe(1)
  })
})
