import * as v from 'valibot'
import { describe, expect, it, vi } from 'vitest'
import { createBus, deadLetters, defineCatalog, defineEvent, retry, transport } from '@tidings/core'
import type { TidingsError } from '@tidings/core'
import { messagePortBridge } from './message-port-bridge'

const catalog = defineCatalog(
  defineEvent('order.placed', { schema: v.object({ orderId: v.string() }) }),
  defineEvent('order.totaled', { schema: v.object({ orderId: v.string(), total: v.number() }) }),
)

const tick = () => new Promise((resolve) => setTimeout(resolve, 20))

/** Two buses joined by a MessageChannel, as a page and its worker are. */
const pair = () => {
  const { port1, port2 } = new MessageChannel()
  const page = createBus({ catalog, source: '/page' }, transport(messagePortBridge(port1)), deadLetters())
  const worker = createBus({ catalog, source: '/worker' }, transport(messagePortBridge(port2)), deadLetters())
  return { page, worker, close: () => Promise.all([page.close(), worker.close()]) }
}

describe('messagePortBridge()', () => {
  it('delivers an event to subscriptions on both sides once, with its id, correlation and causation', async () => {
    const { page, worker, close } = pair()
    const inPage = vi.fn()
    const inWorker = vi.fn()
    page.on('order.placed', inPage)
    worker.on('order.placed', inWorker)
    worker.on('order.placed', (data) => void worker.emit('order.totaled', { orderId: data.orderId, total: 42 }))
    const totaled = new Promise<unknown[]>((resolve) => page.on('order.totaled', (...args) => resolve(args)))
    const placed = page.emit('order.placed', { orderId: 'A-1' }, { correlationid: 'checkout-7' })
    const [data, envelope] = (await totaled) as [unknown, { causationid: string; correlationid: string; source: string }]
    expect(data).toEqual({ orderId: 'A-1', total: 42 })
    expect(envelope).toMatchObject({ causationid: placed.id, correlationid: 'checkout-7', source: '/worker' })
    expect(inPage).toHaveBeenCalledTimes(1)
    expect(inWorker).toHaveBeenCalledTimes(1)
    expect(inWorker.mock.calls[0]![1].id).toBe(placed.id)
    await close()
  })

  it('reports an event that does not match the local catalog instead of delivering it', async () => {
    const { port1, port2 } = new MessageChannel()
    // The sender's catalog is older: its order.placed lacks what the receiver requires.
    const old = createBus({ source: '/old' }, transport(messagePortBridge(port1)), deadLetters())
    const current = createBus({ catalog, source: '/current' }, transport(messagePortBridge(port2)), deadLetters())
    const errors: TidingsError[] = []
    current.onError((e) => errors.push(e))
    const seen = vi.fn()
    current.on('order.placed', seen)
    old.emit('order.placed', { id: 7 })
    await tick()
    expect(seen).not.toHaveBeenCalled()
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'E_VALIDATION', details: { from: expect.stringContaining('MessagePort') } })
    expect(errors[0]!.message).toContain("does not match this bus's catalog")
    await Promise.all([old.close(), current.close()])
  })

  it('turns data structured clone cannot copy into E_ENCODE naming the event, and keeps delivering here', async () => {
    const { port1 } = new MessageChannel()
    const bus = createBus({ source: '/page' }, transport(messagePortBridge(port1)), deadLetters())
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    const here = vi.fn()
    bus.on('cart.changed', here)
    // A Proxy (Vue's reactive(), MobX) writes fine as JSON but cannot be structured-cloned.
    const reactive = new Proxy({ items: 2 }, {})
    const e = bus.emit('cart.changed', reactive)
    expect(here).toHaveBeenCalledTimes(1)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'E_ENCODE', details: { id: e.id, type: 'cart.changed', reason: 'uncloneable' } })
    expect(errors[0]!.message).toContain('toRaw')
    port1.close()
    await bus.close()
  })

  it('passes events between the ports of a hub once each, and never back to their sender', async () => {
    const a = new MessageChannel()
    const b = new MessageChannel()
    const hubBridge = messagePortBridge()
    const hub = createBus({ source: '/shared-worker' }, transport(hubBridge), deadLetters())
    hubBridge.connect(a.port2)
    hubBridge.connect(b.port2)
    const pageA = createBus({ source: '/a' }, transport(messagePortBridge(a.port1)), deadLetters())
    const pageB = createBus({ source: '/b' }, transport(messagePortBridge(b.port1)), deadLetters())
    const got = { a: vi.fn(), b: vi.fn(), hub: vi.fn() }
    pageA.on('x', got.a)
    pageB.on('x', got.b)
    hub.on('x', got.hub)
    pageA.emit('x', 1)
    await tick()
    hub.emit('x', 2)
    await tick()
    expect(got.a.mock.calls.map((c) => c[0])).toEqual([1, 2])
    expect(got.b.mock.calls.map((c) => c[0])).toEqual([1, 2])
    expect(got.hub.mock.calls.map((c) => c[0])).toEqual([1, 2])
    await Promise.all([pageA.close(), pageB.close(), hub.close()])
  })

  it('retries a named subscription by its policy, then dead-letters the event where the subscription is', async () => {
    const { port1, port2 } = new MessageChannel()
    const page = createBus({ catalog, source: '/page' }, transport(messagePortBridge(port1)), deadLetters())
    const worker = createBus({ catalog, source: '/worker' }, transport(messagePortBridge(port2)), deadLetters(), retry())
    const tries = vi.fn(() => {
      throw new Error('sync server down')
    })
    worker.on('order.placed', tries, { name: 'sync', retry: { attempts: 2, backoff: { initialMs: 5, factor: 1, maxMs: 5, jitter: 0 } } })
    page.emit('order.placed', { orderId: 'B-2' })
    await vi.waitFor(async () => expect(await worker.dlq.size()).toBe(1))
    expect(tries).toHaveBeenCalledTimes(3)
    expect((await worker.dlq.list())[0]).toMatchObject({ subscription: 'sync', attempts: 3, error: { message: 'sync server down' } })
    await Promise.all([page.close(), worker.close()])
  })
})
