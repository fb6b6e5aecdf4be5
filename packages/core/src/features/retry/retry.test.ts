import { afterEach, describe, expect, it, vi } from 'vitest'
import { TidingsError } from '../../errors'
import { createBus } from '../../kernel/create-bus'
import { retry } from './retry'

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('retry()', () => {
  it('retries with exponential backoff, then gives the delivery up to onError', async () => {
    vi.useFakeTimers({ now: 0 })
    const bus = createBus({}, retry({ attempts: 3, backoff: { initialMs: 100, factor: 2, jitter: 0 } }))
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    const calls: number[] = []
    bus.on('x', () => {
      calls.push(Date.now())
      throw new Error('down')
    })
    bus.emit('x')
    await vi.advanceTimersByTimeAsync(10_000)
    expect(calls).toEqual([0, 100, 300, 700])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'E_HANDLER', details: { attempts: 4 } })
  })

  it("lets a subscription's own policy override the bus's", async () => {
    vi.useFakeTimers({ now: 0 })
    const bus = createBus({}, retry({ attempts: 5 }))
    bus.onError(() => {})
    const handler = vi.fn(() => {
      throw new Error('x')
    })
    bus.on('x', handler, { retry: { attempts: 1, backoff: { initialMs: 10, jitter: 0 } } })
    bus.emit('x')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(handler).toHaveBeenCalledTimes(2)
  })

  it('never retries errors marked retryable: false, and gives up when shouldRetry throws', async () => {
    const bus = createBus({}, retry({ attempts: 3, backoff: { initialMs: 1 }, shouldRetry: () => {
      throw new Error('policy bug')
    } }))
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    const permanent = vi.fn(() => {
      throw new TidingsError('E_VALIDATION', 'permanent', { retryable: false })
    })
    const flaky = vi.fn(() => {
      throw new Error('flaky')
    })
    bus.on('a', permanent)
    bus.on('b', flaky)
    bus.emit('a')
    bus.emit('b')
    await new Promise((r) => setTimeout(r, 20))
    expect(permanent).toHaveBeenCalledOnce()
    expect(flaky).toHaveBeenCalledOnce()
    expect(errors.map((e) => e.code).sort()).toEqual(['E_HANDLER', 'E_HANDLER', 'E_INVALID_ARGUMENT'])
  })

  it('succeeds on a later try without reporting anything', async () => {
    const bus = createBus({}, retry({ attempts: 2, backoff: { initialMs: 1, jitter: 0 } }))
    const errors = vi.fn()
    bus.onError(errors)
    let n = 0
    bus.on('x', () => {
      if (n++ === 0) throw new Error('transient')
    })
    bus.emit('x')
    await new Promise((r) => setTimeout(r, 20))
    expect(n).toBe(2)
    expect(errors).not.toHaveBeenCalled()
  })

  it('gives up deliveries waiting for a retry when the bus closes', async () => {
    const bus = createBus({}, retry({ attempts: 5, backoff: { initialMs: 60_000 } }))
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    bus.on('x', () => {
      throw new Error('down')
    })
    bus.emit('x')
    const started = Date.now()
    await bus.close()
    expect(Date.now() - started).toBeLessThan(1000)
    expect(errors).toEqual([expect.objectContaining({ code: 'E_HANDLER', details: expect.objectContaining({ attempts: 1 }) })])
  })

  it('cannot be passed twice', () => {
    expect(() => createBus({}, retry(), retry())).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })
})
