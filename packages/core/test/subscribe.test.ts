import { describe, expect, it, vi } from 'vitest'
import { TidingsError, createBus, waitFor } from '@tidings/core'
import { catalog, order, sleep } from './fixtures'

describe('on() with patterns', () => {
  it("'order.*' matches exactly one more segment, with (type, data, envelope)", () => {
    const bus = createBus({ catalog })
    const seen: string[] = []
    bus.on('order.*', (type, data, envelope) => {
      expect(envelope.type).toBe(type)
      expect(envelope.data).toBe(data)
      seen.push(type)
    })
    bus.emit('order.placed', order())
    bus.emit('order.item.added', { orderId: 'o', sku: 's' })
    bus.emit('user.signed-up', { email: 'a@b.co' })
    expect(seen).toEqual(['order.placed'])
  })

  it("'order.**' matches any depth below order", () => {
    const bus = createBus({ catalog })
    const seen: string[] = []
    bus.on('order.**', (type) => seen.push(type))
    bus.emit('order.placed', order())
    bus.emit('order.item.added', { orderId: 'o', sku: 's' })
    bus.emit('user.signed-up', { email: 'a@b.co' })
    expect(seen).toEqual(['order.placed', 'order.item.added'])
  })

  it('calls specific handlers, then patterns, then *', () => {
    const bus = createBus()
    const order: string[] = []
    bus.on('*', () => order.push('*'))
    bus.on('a.*', () => order.push('a.*'))
    bus.on('a.b', () => order.push('a.b'))
    bus.emit('a.b')
    expect(order).toEqual(['a.b', 'a.*', '*'])
  })

  it('sees patterns subscribed after a type was first emitted', () => {
    const bus = createBus()
    const fn = vi.fn()
    bus.emit('a.b')
    bus.on('a.*', fn)
    bus.emit('a.b')
    expect(fn).toHaveBeenCalledOnce()
  })

  it('rejects malformed patterns with E_INVALID_ARGUMENT', () => {
    const bus = createBus()
    for (const bad of ['order.pl*', 'order..*', '*.', 'a.***']) {
      expect(() => bus.on(bad as 'a.*', () => {})).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    }
  })

  it('refuses to emit a type containing "*"', () => {
    const bus = createBus()
    const fn = vi.fn()
    bus.on('order.*', fn)
    expect(() => bus.emit('order.*')).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(fn).not.toHaveBeenCalled()
  })

  it('rejects a handler that is not a function', () => {
    const bus = createBus()
    expect(() => bus.on('x', 'nope' as never)).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })
})

describe('unsubscribing', () => {
  it('on() returns a function that removes exactly that subscription', () => {
    const bus = createBus()
    const fn = vi.fn()
    const un1 = bus.on('x', fn)
    bus.on('x', fn)
    un1()
    un1()
    bus.emit('x')
    expect(fn).toHaveBeenCalledOnce()
  })

  it('off(type, handler) removes a subscription made with options', () => {
    const bus = createBus()
    const fn = vi.fn()
    bus.on('x', fn, { name: 'named' })
    bus.off('x', fn)
    bus.emit('x')
    expect(fn).not.toHaveBeenCalled()
    expect(bus.all.get('x')).toEqual([])
  })

  it('{ signal } unsubscribes on abort, and an aborted signal never subscribes', () => {
    const bus = createBus()
    const fn = vi.fn()
    const controller = new AbortController()
    bus.on('x', fn, { signal: controller.signal })
    bus.emit('x')
    controller.abort()
    bus.emit('x')
    bus.on('x', fn, { signal: controller.signal })
    bus.emit('x')
    expect(fn).toHaveBeenCalledOnce()
  })

  it('once() runs a handler for the first event only, even when it emits the same type', () => {
    const bus = createBus()
    const fn = vi.fn(() => void bus.emit('x'))
    bus.once('x', fn)
    bus.emit('x')
    bus.emit('x')
    expect(fn).toHaveBeenCalledOnce()
    expect(bus.all.get('x')).toEqual([])
  })

  it('once() works with patterns and can be cancelled with off(type, handler)', () => {
    const bus = createBus()
    const a = vi.fn()
    const b = vi.fn()
    bus.once('a.*', a)
    bus.once('a.*', b)
    bus.off('a.*', b)
    bus.emit('a.x')
    bus.emit('a.y')
    expect(a).toHaveBeenCalledOnce()
    expect(b).not.toHaveBeenCalled()
  })
})

describe('waitFor()', () => {
  it('resolves with the first matching envelope and unsubscribes', async () => {
    const bus = createBus({ catalog })
    const waiting = waitFor(bus, 'order.placed', { filter: (e) => e.data.orderId === 'o-2' })
    bus.emit('order.placed', order('o-1'))
    bus.emit('order.placed', order('o-2'))
    const envelope = await waiting
    expect(envelope.data.orderId).toBe('o-2')
    expect(bus.all.get('order.placed')).toEqual([])
  })

  it('waits on patterns', async () => {
    const bus = createBus({ catalog })
    const waiting = waitFor(bus, 'order.*')
    bus.emit('order.shipped', { orderId: 'o' })
    expect((await waiting).type).toBe('order.shipped')
  })

  it('rejects with E_TIMEOUT after timeout ms', async () => {
    const bus = createBus()
    await expect(waitFor(bus, 'x', { timeout: 5 })).rejects.toMatchObject({ code: 'E_TIMEOUT' })
    expect(bus.all.get('x')).toEqual([])
  })

  it('rejects with E_ABORTED when its signal aborts, or was aborted already', async () => {
    const bus = createBus()
    const controller = new AbortController()
    const waiting = waitFor(bus, 'x', { signal: controller.signal })
    controller.abort()
    await expect(waiting).rejects.toMatchObject({ code: 'E_ABORTED' })
    await expect(waitFor(bus, 'x', { signal: controller.signal })).rejects.toBeInstanceOf(TidingsError)
  })

  it('rejects when the filter throws instead of hanging', async () => {
    const bus = createBus()
    const waiting = waitFor(bus, 'x', { filter: () => { throw new Error('bad filter') } })
    bus.emit('x')
    await expect(waiting).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' })
    await sleep()
  })
})
