import { afterEach, describe, expect, it, vi } from 'vitest'
import { TidingsError, createBus, memoryStore, standard } from '@tidings/core'
import type { DeadLetterEntry } from '@tidings/core'
import { fastRetry, sleep } from './fixtures'

afterEach(() => {
  vi.useRealTimers()
})

describe('handler failures', () => {
  it('never break emit() or the other handlers', () => {
    const bus = createBus({}, standard({ retry: { attempts: 0 } }))
    const after = vi.fn()
    bus.on('x', () => {
      throw new Error('boom')
    })
    bus.on('x', after)
    bus.on('*', after)
    expect(() => bus.emit('x')).not.toThrow()
    expect(after).toHaveBeenCalledTimes(2)
  })

  it('are retried with exponential backoff, then dead-lettered with the full story', async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const bus = createBus({}, standard({ retry: { attempts: 3, backoff: { initialMs: 100, factor: 2, jitter: 0 } } }))
    const calls: number[] = []
    bus.on('x', () => {
      calls.push(Date.now())
      throw new TypeError('still broken')
    }, { name: 'send-receipt' })
    const envelope = bus.emit('x', { n: 1 })
    await vi.advanceTimersByTimeAsync(10_000)
    expect(calls.map((t) => t - 1_000_000)).toEqual([0, 100, 300, 700])
    const [entry] = await bus.dlq.list()
    expect(entry).toMatchObject({
      subscription: 'send-receipt', attempts: 4,
      firstFailedAt: new Date(1_000_000).toISOString(), lastFailedAt: new Date(1_000_700).toISOString(),
      error: { name: 'TypeError', message: 'still broken', stack: expect.stringContaining('still broken') },
    })
    expect(entry!.envelope).toBe(envelope)
    expect(entry!.id).not.toBe(envelope.id)
  })

  it('caps backoff at maxMs and spreads it by jitter', async () => {
    vi.useFakeTimers({ now: 0 })
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const bus = createBus({}, standard())
    const calls: number[] = []
    bus.on('x', () => {
      calls.push(Date.now())
      throw new Error('x')
    }, { retry: { attempts: 4, backoff: { initialMs: 1000, factor: 10, maxMs: 3000, jitter: 0.5 } } })
    bus.emit('x')
    await vi.advanceTimersByTimeAsync(60_000)
    // Delays: 1000·(0.5 + 0.5·0.5) = 750, then capped 3000 → 2250 each.
    expect(calls).toEqual([0, 750, 3000, 5250, 7500])
  })

  it('succeed on a retry without reaching the dead-letter queue', async () => {
    const bus = createBus({}, standard({ retry: fastRetry }))
    let n = 0
    bus.on('x', () => {
      if (n++ === 0) throw new Error('transient')
    })
    const report = await bus.publish('x')
    expect(report.subscriptions).toEqual([expect.objectContaining({ status: 'delivered', attempts: 2 })])
    expect(report.failed).toBe(1)
    expect(await bus.dlq.size()).toBe(0)
  })

  it('treat a rejected promise like a throw', async () => {
    const bus = createBus({}, standard({ retry: { attempts: 0 } }))
    bus.on('x', async () => {
      throw new Error('async boom')
    })
    const report = await bus.publish('x')
    expect(report).toMatchObject({ deadLettered: 1, subscriptions: [{ status: 'dead-lettered', error: { message: 'async boom' } }] })
  })

  it('skip retries for errors marked retryable: false', async () => {
    const bus = createBus({}, standard({ retry: fastRetry }))
    const handler = vi.fn(() => {
      throw new TidingsError('E_VALIDATION', 'permanent', { retryable: false })
    })
    bus.on('x', handler)
    await bus.publish('x')
    expect(handler).toHaveBeenCalledOnce()
    expect((await bus.dlq.list())[0]).toMatchObject({ attempts: 1, error: { code: 'E_VALIDATION' } })
  })

  it('ask shouldRetry(error, attempt) before each retry', async () => {
    const shouldRetry = vi.fn((error: unknown, attempt: number) => attempt < 2 && (error as Error).message !== 'fatal')
    const bus = createBus({}, standard({ retry: { ...fastRetry, attempts: 5, shouldRetry } }))
    bus.on('x', () => {
      throw new Error('flaky')
    })
    const report = await bus.publish('x')
    expect(report.subscriptions[0]).toMatchObject({ status: 'dead-lettered', attempts: 2 })
    expect(shouldRetry.mock.calls.map((c) => c[1])).toEqual([1, 2])
  })

  it('record non-Error throws readably', async () => {
    const bus = createBus({}, standard({ retry: { attempts: 0 } }))
    bus.on('x', () => {
      throw { reason: 'weird' }
    })
    await bus.publish('x')
    expect((await bus.dlq.list())[0]!.error).toEqual({ name: 'NonError', message: '{"reason":"weird"}' })
  })
})

describe('publish()', () => {
  it('settles after async handlers, with a report per subscription', async () => {
    const bus = createBus({}, standard({ retry: { attempts: 1, backoff: { initialMs: 1 } } }))
    const done: string[] = []
    bus.on('x', async () => {
      await sleep(5)
      done.push('slow')
    }, { name: 'slow' })
    bus.on('x', () => {
      throw new Error('always')
    }, { name: 'broken' })
    bus.on('*', () => void done.push('star'))
    const report = await bus.publish('x', 7)
    expect(done).toEqual(['star', 'slow'])
    expect(report.envelope.data).toBe(7)
    expect(report).toMatchObject({ dropped: false, delivered: 2, deadLettered: 1, failed: 1 })
    expect(report.subscriptions.map((s) => `${s.subscription}:${s.status}:${s.attempts}`).sort()).toEqual([
      'anonymous:delivered:1', 'broken:dead-lettered:2', 'slow:delivered:1',
    ])
    for (const s of report.subscriptions) expect(s.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('resolves at once when nothing subscribes', async () => {
    const report = await createBus({}, standard()).publish('nobody')
    expect(report).toMatchObject({ delivered: 0, deadLettered: 0, subscriptions: [] })
  })
})

describe('accounting under load', () => {
  it('100,000 emits with 10% of handlers failing: delivered + dead-lettered = expected, exactly', async () => {
    const bus = createBus({}, standard({ retry: { attempts: 0 }, deadLetters: { max: 100_000 } }))
    let delivered = 0
    // One error instance: formatting 100k fresh stack traces would measure V8, not the bus.
    const failure = new Error('fail')
    for (let h = 0; h < 10; h++) {
      bus.on('load', () => {
        // Handler 0 fails on every event: 10% of all deliveries.
        if (h === 0) throw failure
        delivered++
      })
    }
    for (let i = 0; i < 100_000; i++) bus.emit('load', i)
    await bus.flush()
    const m = bus.metrics()
    expect(delivered).toBe(900_000)
    expect(m.types.load).toMatchObject({ emitted: 100_000, delivered: 900_000, failed: 100_000, deadLettered: 100_000 })
    expect(await bus.dlq.size()).toBe(100_000)
    expect(m.totals.delivered + m.totals.deadLettered).toBe(1_000_000)
  }, 30_000)
})

describe('close()', () => {
  it('clears retry timers and dead-letters deliveries still waiting for a retry', async () => {
    const bus = createBus({}, standard({ retry: { attempts: 5, backoff: { initialMs: 60_000 } } }))
    const handler = vi.fn(() => {
      throw new Error('down')
    })
    bus.on('x', handler)
    bus.emit('x')
    const added: DeadLetterEntry[] = []
    bus.dlq.subscribe((e) => added.push(e))
    const started = Date.now()
    await bus.close()
    expect(Date.now() - started).toBeLessThan(1000)
    expect(handler).toHaveBeenCalledOnce()
    expect(added).toHaveLength(1)
    expect(added[0]).toMatchObject({ attempts: 1, error: { message: 'down' } })
  })

  it('makes further emits fail with E_CLOSED', async () => {
    const bus = createBus({}, standard())
    await bus.close()
    expect(() => bus.emit('x')).toThrowError(expect.objectContaining({ code: 'E_CLOSED' }))
    expect(() => bus.on('x', () => {})).toThrowError(expect.objectContaining({ code: 'E_CLOSED' }))
    await expect(bus.publish('x')).rejects.toMatchObject({ code: 'E_CLOSED' })
  })

  it('closes the store it was given', async () => {
    const store = memoryStore()
    const bus = createBus({ store }, standard())
    await bus.close()
    await expect(store.count()).rejects.toMatchObject({ code: 'E_CLOSED' })
  })
})
