import { afterEach, describe, expect, it, vi } from 'vitest'
import { createBus } from '../../kernel/create-bus'
import { waitFor } from './wait-for'

afterEach(() => {
  vi.useRealTimers()
})

describe('waitFor()', () => {
  it('resolves with the next matching event that passes the filter, and unsubscribes', async () => {
    const bus = createBus()
    const next = waitFor(bus, 'x', { filter: (e) => e.data === 2 })
    bus.emit('x', 1)
    const e = bus.emit('x', 2)
    await expect(next).resolves.toBe(e)
    expect(bus.all.get('x')).toEqual([])
  })

  it('waits for patterns and *', async () => {
    const bus = createBus()
    const pattern = waitFor(bus, 'order.*')
    const any = waitFor(bus, '*')
    const e = bus.emit('order.placed')
    await expect(pattern).resolves.toBe(e)
    await expect(any).resolves.toBe(e)
  })

  it('rejects with E_TIMEOUT, E_ABORTED, a throwing filter, or a closed bus', async () => {
    vi.useFakeTimers()
    const bus = createBus()
    const timedOut = waitFor(bus, 'x', { timeout: 50 })
    const controller = new AbortController()
    const aborted = waitFor(bus, 'x', { signal: controller.signal })
    const badFilter = waitFor(bus, 'y', { filter: () => {
      throw new Error('filter bug')
    } })
    vi.advanceTimersByTime(50)
    controller.abort()
    bus.emit('y')
    await expect(timedOut).rejects.toMatchObject({ code: 'E_TIMEOUT' })
    await expect(aborted).rejects.toMatchObject({ code: 'E_ABORTED' })
    await expect(badFilter).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringContaining('filter bug') })
    await expect(waitFor(bus, 'x', { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'E_ABORTED' })
    vi.useRealTimers()
    await bus.close()
    await expect(waitFor(bus, 'x')).rejects.toMatchObject({ code: 'E_CLOSED' })
  })

  it('shares one handler between many waiters of a type', async () => {
    const bus = createBus()
    const waits = Array.from({ length: 1000 }, () => waitFor(bus, 'x'))
    expect(bus.all.get('x')).toHaveLength(1)
    bus.emit('x')
    expect(await Promise.all(waits)).toHaveLength(1000)
  })
})
