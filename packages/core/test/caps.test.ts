import { describe, expect, it, vi } from 'vitest'
import { createBus, memoryStore, standard, waitFor } from '@tidings/core'
import type { Observation, TidingsError } from '@tidings/core'

describe('the per-type caps', () => {
  it('fold types past 2,000 into one (other) metrics row, on a bus with a store, an observer, patterns and history', async () => {
    const bus = createBus({ store: memoryStore() }, standard({ retry: { attempts: 0 } }))
    let observed = 0
    bus.observe((o: Observation) => void (o.kind === 'emitted' && observed++))
    const byPattern = vi.fn()
    const all = vi.fn()
    bus.on('t.*', byPattern)
    bus.on('**', all)
    // Past both caps: 2,000 metrics rows and 5,000 cached slots.
    const n = 6000
    for (let i = 0; i < n; i++) expect(() => bus.emit(`t.${i}`, i)).not.toThrow()
    // Every type still delivers, even past the caps.
    expect(byPattern).toHaveBeenCalledTimes(n)
    expect(all).toHaveBeenCalledTimes(n)
    expect(observed).toBe(n)
    const m = bus.metrics()
    expect(Object.keys(m.types)).toHaveLength(2001)
    expect(m.types['(other)']).toMatchObject({ emitted: n - 2000, delivered: 2 * (n - 2000) })
    expect(m.totals).toMatchObject({ emitted: n, delivered: 2 * n })
    expect(await bus.history({ limit: 1 })).toMatchObject([{ type: `t.${n - 1}` }])
    expect(bus.stats().total).toBeGreaterThan(0)
    await bus.flush()
  })
})

describe('dead letters held in memory', () => {
  const failing = (max?: number) => {
    const bus = createBus({}, standard({ retry: { attempts: 0 }, deadLetters: { max } }))
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    // One error instance: formatting thousands of stack traces would measure V8, not the bus.
    const down = new Error('down')
    bus.on('x', () => { throw down }, { name: 'worker' })
    return { bus, errors }
  }

  it('stop at deadLetters({ max }): each one past it is reported (E_DLQ_OVERFLOW, with its event), counted, and flush() rejects once', async () => {
    const { bus, errors } = failing(3)
    const envelopes = [1, 2, 3, 4, 5].map((i) => bus.emit('x', i))
    expect(await bus.dlq.size()).toBe(3)
    expect(errors.map((e) => e.code)).toEqual(['E_DLQ_OVERFLOW', 'E_DLQ_OVERFLOW'])
    expect(errors[0]!.details).toMatchObject({ envelopeId: envelopes[3]!.id, type: 'x', subscription: 'worker', max: 3, error: { message: 'down' } })
    expect(bus.metrics().dlq).toEqual({ size: 3, overflowed: 2 })
    await expect(bus.flush()).rejects.toMatchObject({ code: 'E_NOT_DURABLE', details: { count: 2, first: { code: 'E_DLQ_OVERFLOW' } } })
    await expect(bus.flush()).resolves.toBeUndefined()
    // Room again once some are discarded.
    await bus.dlq.discard((await bus.dlq.list())[0]!.id)
    bus.emit('x', 6)
    expect(await bus.dlq.size()).toBe(3)
    expect(errors).toHaveLength(2)
  })

  it('are bounded by default (10,000)', async () => {
    const { bus, errors } = failing()
    for (let i = 0; i < 10_001; i++) bus.emit('x', i)
    expect(await bus.dlq.size()).toBe(10_000)
    expect(errors.map((e) => e.code)).toEqual(['E_DLQ_OVERFLOW'])
  })
})

describe('pending waitFor() calls', () => {
  const N = 100_000

  /**
   * A minimal AbortSignal: Node's own costs tens of µs per listener whatever the bus does, which
   * would make this test measure Node rather than the bus.
   */
  const signal = () => {
    let listener: (() => void) | undefined
    return {
      aborted: false,
      reason: undefined,
      addEventListener: (_type: string, fn: () => void) => void (listener = fn),
      removeEventListener: () => void (listener = undefined),
      abort() {
        this.aborted = true
        const l = listener
        listener = undefined
        l?.()
      },
    }
  }

  it(`share one handler per key, so ${N.toLocaleString('en')} can be created and aborted one by one`, async () => {
    const bus = createBus()
    const controllers = Array.from({ length: N }, signal)
    const waits = controllers.map((c) => waitFor(bus, 'x', { signal: c as unknown as AbortSignal }).then(() => 'resolved', (e: TidingsError) => e.code))
    // Removing a waiter never scans a list of the others: the handler list holds one entry.
    expect(bus.all.get('x')).toHaveLength(1)
    // Shuffled, so removal from the middle is exercised, not only from one end.
    for (let i = controllers.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1))
      ;[controllers[i], controllers[j]] = [controllers[j]!, controllers[i]!]
    }
    for (const c of controllers) c.abort()
    const outcomes = await Promise.all(waits)
    expect(outcomes.every((o) => o === 'E_ABORTED')).toBe(true)
    expect(bus.all.get('x') ?? []).toHaveLength(0)
  }, 60_000)

  it('resolve 10,000 waiters with two emits, each by its own filter', async () => {
    const bus = createBus()
    const waits = Array.from({ length: 10_000 }, (_, i) => waitFor(bus, 'x', { filter: (e) => e.data === i % 2 }))
    bus.emit('x', 0)
    bus.emit('x', 1)
    const got = await Promise.all(waits)
    expect(got.filter((e) => e.data === 0)).toHaveLength(5_000)
    expect(bus.all.get('x') ?? []).toHaveLength(0)
  }, 60_000)

  it('wait for the next event when added while one is dispatched, and survive bus.off(key)', async () => {
    const bus = createBus()
    let late: Promise<unknown> | undefined
    bus.on('x', () => void (late ??= waitFor(bus, 'x')))
    const first = waitFor(bus, 'x')
    const e1 = bus.emit('x', 1)
    await expect(first).resolves.toBe(e1)
    const e2 = bus.emit('x', 2)
    await expect(late).resolves.toBe(e2)
    bus.off('x')
    const again = waitFor(bus, 'x')
    const e3 = bus.emit('x', 3)
    await expect(again).resolves.toBe(e3)
  })

  it('reject after close() and for an invalid pattern', async () => {
    const bus = createBus()
    await expect(waitFor(bus, 'a*')).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' })
    await bus.close()
    await expect(waitFor(bus, 'x')).rejects.toMatchObject({ code: 'E_CLOSED' })
  })
})
