import { describe, expect, it, vi } from 'vitest'
import { TidingsError, createBus, memoryStore, standard } from '@tidings/core'
import type { DeadLetterEntry, KernelOptions } from '@tidings/core'
import { catalog, order, sleep } from './fixtures'

const noRetry = { attempts: 0 }

/** A bus with one handler per type that fails while `broken` is true. */
const flakyBus = (options: KernelOptions = {}) => {
  const bus = createBus(options, standard({ retry: noRetry }))
  const state = { broken: true, received: [] as unknown[] }
  const handler = (data: unknown) => {
    if (state.broken) throw new Error('downstream unavailable')
    state.received.push(data)
  }
  return { bus, state, handler }
}

describe('bus.dlq', () => {
  it('lists entries, filtered by type or pattern, subscription, time and predicate', async () => {
    const { bus, handler } = flakyBus()
    bus.on('order.placed', handler, { name: 'billing' })
    bus.on('order.shipped', handler, { name: 'mailer' })
    bus.on('user.created', handler, { name: 'mailer' })
    await bus.publish('order.placed', 1)
    await bus.publish('order.shipped', 2)
    await bus.publish('user.created', 3)
    expect(await bus.dlq.size()).toBe(3)
    expect((await bus.dlq.list({ type: 'order.placed' })).map((e) => e.envelope.data)).toEqual([1])
    expect((await bus.dlq.list({ type: 'order.*' })).map((e) => e.envelope.data)).toEqual([1, 2])
    expect((await bus.dlq.list({ subscription: 'mailer' })).map((e) => e.envelope.data)).toEqual([2, 3])
    expect(await bus.dlq.list({ since: Date.now() + 60_000 })).toEqual([])
    expect((await bus.dlq.list({ where: (e) => e.envelope.data === 3 })).length).toBe(1)
    expect((await bus.dlq.list({ limit: 2 })).length).toBe(2)
  })

  it('get(id) returns the entry, undefined when missing', async () => {
    const { bus, handler } = flakyBus()
    bus.on('x', handler)
    await bus.publish('x')
    const [entry] = await bus.dlq.list()
    expect(await bus.dlq.get(entry!.id)).toEqual(entry)
    expect(await bus.dlq.get('nope')).toBeUndefined()
  })

  it('retry(id) re-delivers to the same subscription only, and removes the entry on success', async () => {
    const { bus, state, handler } = flakyBus()
    const other = vi.fn()
    bus.on('x', handler, { name: 'flaky' })
    bus.on('x', other)
    await bus.publish('x', 'payload')
    const [entry] = await bus.dlq.list()
    state.broken = false
    expect(await bus.dlq.retry(entry!.id)).toEqual({ succeeded: [entry!.id], failed: [] })
    expect(state.received).toEqual(['payload'])
    expect(other).toHaveBeenCalledOnce()
    expect(await bus.dlq.size()).toBe(0)
  })

  it('tells observers how a re-delivery went, with the attempt number', async () => {
    const { bus, state, handler } = flakyBus()
    bus.on('x', handler, { name: 'flaky' })
    await bus.publish('x')
    const [entry] = await bus.dlq.list()
    const seen: string[] = []
    bus.observe((o) => {
      if (o.kind !== 'emitted') seen.push(`${o.kind}:${o.subscription}:${o.attempt}`)
    })
    await bus.dlq.retry(entry!.id)
    state.broken = false
    await bus.dlq.retry(entry!.id)
    // The first re-delivery fails and the entry stays queued: observers hear it dead-lettered again.
    expect(seen).toEqual(['failed:flaky:2', 'dead-lettered:flaky:2', 'delivered:flaky:3'])
  })

  it('keeps the entry, with attempts and error updated, when the re-delivery fails again', async () => {
    const { bus, handler } = flakyBus()
    bus.on('x', handler)
    await bus.publish('x')
    const [entry] = await bus.dlq.list()
    const result = await bus.dlq.retry(entry!.id)
    expect(result.succeeded).toEqual([])
    expect(result.failed).toEqual([{ id: entry!.id, error: expect.objectContaining({ message: 'downstream unavailable' }) }])
    const updated = await bus.dlq.get(entry!.id)
    expect(updated!.attempts).toBe(entry!.attempts + 1)
    expect(Date.parse(updated!.lastFailedAt)).toBeGreaterThanOrEqual(Date.parse(entry!.lastFailedAt))
  })

  it('retry(filter) re-delivers every matching entry', async () => {
    const { bus, state, handler } = flakyBus()
    bus.on('a', handler)
    bus.on('b', handler)
    await bus.publish('a', 1)
    await bus.publish('a', 2)
    await bus.publish('b', 3)
    state.broken = false
    const result = await bus.dlq.retry({ type: 'a' })
    expect(result.succeeded).toHaveLength(2)
    expect(state.received).toEqual([1, 2])
    expect(await bus.dlq.size()).toBe(1)
  })

  it('retries to a re-registered subscription of the same name', async () => {
    const { bus, handler } = flakyBus()
    const off = bus.on('x', handler, { name: 'worker' })
    await bus.publish('x', 'late')
    off()
    const replacement = vi.fn()
    bus.on('x', replacement, { name: 'worker' })
    bus.on('x', () => {
      throw new Error('must not be called')
    }, { name: 'someone-else' })
    const [entry] = await bus.dlq.list()
    expect((await bus.dlq.retry(entry!.id)).succeeded).toEqual([entry!.id])
    expect(replacement).toHaveBeenCalledWith('late', expect.objectContaining({ id: entry!.envelope.id }))
  })

  it("falls back to the type's current subscribers when the subscription is gone", async () => {
    const { bus, handler } = flakyBus()
    const off = bus.on('job.run', handler)
    await bus.publish('job.run', 'j1')
    off()
    const specific = vi.fn()
    const pattern = vi.fn()
    bus.on('job.run', specific)
    bus.on('job.*', pattern)
    const [entry] = await bus.dlq.list()
    expect((await bus.dlq.retry(entry!.id)).succeeded).toHaveLength(1)
    expect(specific).toHaveBeenCalledOnce()
    expect(pattern).toHaveBeenCalledWith('job.run', 'j1', expect.anything())
  })

  it('reports E_DLQ_NOT_FOUND for an unknown id, and a failure when nothing subscribes any more', async () => {
    const { bus, handler } = flakyBus()
    await expect(bus.dlq.retry('missing')).rejects.toMatchObject({ code: 'E_DLQ_NOT_FOUND' })
    const off = bus.on('x', handler)
    await bus.publish('x')
    off()
    const [entry] = await bus.dlq.list()
    const result = await bus.dlq.retry(entry!.id)
    expect(result.failed[0]!.error.message).toMatch(/nothing subscribes/)
    expect(await bus.dlq.size()).toBe(1)
  })

  it('discard(id) and purge() remove entries', async () => {
    const { bus, handler } = flakyBus()
    bus.on('x', handler)
    for (let i = 0; i < 3; i++) await bus.publish('x', i)
    const [first] = await bus.dlq.list()
    expect(await bus.dlq.discard(first!.id)).toBe(true)
    expect(await bus.dlq.discard(first!.id)).toBe(false)
    expect(await bus.dlq.purge()).toBe(2)
    expect(await bus.dlq.size()).toBe(0)
  })

  it('notifies subscribers when an entry is written', async () => {
    const { bus, handler } = flakyBus()
    bus.on('x', handler)
    const seen: DeadLetterEntry[] = []
    const unsubscribe = bus.dlq.subscribe((e) => seen.push(e))
    await bus.publish('x', 1)
    await bus.flush()
    unsubscribe()
    await bus.publish('x', 2)
    await bus.flush()
    expect(seen.map((e) => e.envelope.data)).toEqual([1])
  })

  it('keeps notifying, and reports through onError, when a listener throws', async () => {
    const { bus, handler } = flakyBus()
    bus.on('x', handler)
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    const seen: unknown[] = []
    bus.dlq.subscribe(() => {
      throw new Error('listener bug')
    })
    bus.dlq.subscribe((e) => seen.push(e.envelope.data))
    await bus.publish('x', 1)
    await bus.flush()
    await sleep()
    expect(seen).toEqual([1])
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/dead-letter listener threw: listener bug/)])
  })

  it('lives in the store: a new bus on the same store reloads it and can retry it', async () => {
    const store = memoryStore()
    const first = createBus({ catalog, store }, standard({ retry: noRetry }))
    first.on('order.placed', () => {
      throw new Error('billing down')
    }, { name: 'billing' })
    await first.publish('order.placed', order('o-9'))
    await first.flush()

    // Reuse the store: close only the first bus's view of it.
    const second = createBus({ catalog, store }, standard({ retry: noRetry }))
    await second.ready
    const [entry] = await second.dlq.list()
    expect(entry).toMatchObject({ subscription: 'billing', envelope: { type: 'order.placed', data: order('o-9') } })
    const billing = vi.fn()
    second.on('order.placed', billing, { name: 'billing' })
    expect((await second.dlq.retry(entry!.id)).succeeded).toEqual([entry!.id])
    expect(billing).toHaveBeenCalledWith(order('o-9'), expect.objectContaining({ id: entry!.envelope.id }))
    expect(await store.listDeadLetters()).toEqual([])
  })

  it('answers list() and size() called before ready with the reloaded entries', async () => {
    const store = memoryStore()
    const first = createBus({ store }, standard({ retry: noRetry }))
    first.on('x', () => {
      throw new Error('down')
    })
    await first.publish('x')
    await first.flush()
    const slowStore = { ...store, ready: new Promise<void>((resolve) => setTimeout(resolve, 20)) }
    const second = createBus({ store: slowStore }, standard({ retry: noRetry }))
    expect(await second.dlq.size()).toBe(1)
    expect((await second.dlq.list())[0]!.error.message).toBe('down')
  })

  it('reports overflow of a bounded store through onError, and keeps the entry in memory', async () => {
    const { bus, handler } = flakyBus({ store: memoryStore({ maxDeadLetters: 1 }) })
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    bus.on('x', handler)
    await bus.publish('x', 1)
    await bus.publish('x', 2)
    // The second entry is listed and retryable here, but not durable: flush() says so, once.
    await expect(bus.flush()).rejects.toMatchObject({ code: 'E_NOT_DURABLE', details: { count: 1, first: { code: 'E_DLQ_OVERFLOW' } } })
    await bus.flush()
    await sleep()
    expect(errors.map((e) => e.code)).toEqual(['E_DLQ_OVERFLOW'])
    expect(await bus.dlq.size()).toBe(2)
    expect(bus.metrics().dlq).toEqual({ size: 2, overflowed: 1 })
  })
})
