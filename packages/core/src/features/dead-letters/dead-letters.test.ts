import { afterEach, describe, expect, it, vi } from 'vitest'
import type { TidingsError } from '../../errors'
import { createBus } from '../../kernel/create-bus'
import { memoryStore } from '../../store/memory-store'
import type { DeadLetterEntry } from '../../store/types'
import { sleep } from '../../../test/fixtures'
import { retry } from '../retry/retry'
import { deadLetters } from './dead-letters'

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

const failing = (message = 'broken') => () => {
  throw new TypeError(message)
}

describe('deadLetters()', () => {
  it('keeps a delivery that failed for good, with the full story, instead of reporting it', async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const bus = createBus({}, retry({ attempts: 2, backoff: { initialMs: 100, factor: 2, jitter: 0 } }), deadLetters())
    const errors = vi.fn()
    bus.onError(errors)
    bus.on('x', failing('still broken'), { name: 'send-receipt' })
    const envelope = bus.emit('x', { n: 1 })
    await vi.advanceTimersByTimeAsync(10_000)
    const [entry] = await bus.dlq.list()
    expect(entry).toMatchObject({
      subscription: 'send-receipt', attempts: 3,
      firstFailedAt: new Date(1_000_000).toISOString(), lastFailedAt: new Date(1_000_300).toISOString(),
      error: { name: 'TypeError', message: 'still broken' },
    })
    expect(entry!.envelope).toBe(envelope)
    expect(entry!.id).not.toBe(envelope.id)
    expect(errors).not.toHaveBeenCalled()
  })

  it('re-delivers with dlq.retry(): a success removes the entry, a failure keeps it with one more attempt', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const bus = createBus({}, deadLetters())
    let fixed = false
    bus.on('x', () => {
      if (!fixed) throw new Error('not yet')
    }, { name: 'h' })
    bus.emit('x')
    const [entry] = await bus.dlq.list()
    expect(await bus.dlq.retry(entry!.id)).toMatchObject({ succeeded: [], failed: [{ id: entry!.id }] })
    expect(await bus.dlq.get(entry!.id)).toMatchObject({ attempts: 2 })
    fixed = true
    expect(await bus.dlq.retry({ subscription: 'h' })).toEqual({ succeeded: [entry!.id], failed: [] })
    expect(await bus.dlq.size()).toBe(0)
    await expect(bus.dlq.retry('missing')).rejects.toMatchObject({ code: 'E_DLQ_NOT_FOUND' })
  })

  it("re-delivers to the type's subscribers when the subscription is gone, and says so when there are none", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const bus = createBus({}, deadLetters())
    const off = bus.on('x', failing())
    bus.emit('x')
    off()
    const [entry] = await bus.dlq.list()
    await expect(bus.dlq.retry(entry!.id)).resolves.toMatchObject({ failed: [{ error: { message: expect.stringContaining('nothing subscribes') } }] })
    const now = vi.fn()
    bus.on('x', now)
    expect(await bus.dlq.retry(entry!.id)).toEqual({ succeeded: [entry!.id], failed: [] })
    expect(now).toHaveBeenCalledOnce()
  })

  it('writes entries through to the store, and a new bus on it reloads them', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const store = memoryStore()
    const first = createBus({ store }, deadLetters())
    first.on('x', failing())
    first.emit('x', 1)
    await first.flush()
    const second = createBus({ store }, deadLetters())
    await second.ready
    expect(await second.dlq.list()).toEqual([expect.objectContaining({ attempts: 1, error: expect.objectContaining({ message: 'broken' }) })])
  })

  it('refuses entries past max, reported as E_DLQ_OVERFLOW, and flush() rejects', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const bus = createBus({}, deadLetters({ max: 1 }))
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    bus.on('x', failing())
    bus.emit('x')
    bus.emit('x')
    expect(await bus.dlq.size()).toBe(1)
    expect(errors).toEqual([expect.objectContaining({ code: 'E_DLQ_OVERFLOW' })])
    await expect(bus.flush()).rejects.toMatchObject({ code: 'E_NOT_DURABLE' })
  })

  it('tells subscribers of each new entry, and logs the first one once in development when nobody listens', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const bus = createBus({}, deadLetters())
    bus.on('x', failing('first'), { name: 'audit' })
    bus.emit('x')
    bus.emit('x')
    expect(warn).toHaveBeenCalledOnce()
    expect(warn.mock.calls[0]![0]).toMatch(/audit.*"x".*first/)
    await sleep()
    const added: DeadLetterEntry[] = []
    const off = bus.dlq.subscribe((e) => added.push(e))
    bus.emit('x')
    await sleep()
    off()
    expect(added).toHaveLength(1)
  })
})
