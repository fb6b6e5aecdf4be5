import { describe, expect, it, vi } from 'vitest'
import { TidingsError, createBus, metrics, publish } from '@tidings/core'
import type { Envelope, Plugin } from '@tidings/core'
import { catalog, order } from './fixtures'

describe('middleware', () => {
  it('runs in order and may replace the envelope with an enriched copy', () => {
    const bus = createBus()
    const trail: string[] = []
    bus.use((e, next) => {
      trail.push('first')
      next({ ...e, extensions: { tenant: 'acme' } })
    })
    bus.use((e, next) => {
      trail.push(`second sees ${e.extensions?.tenant}`)
      next(e)
    })
    let seen: Envelope | undefined
    bus.on('x', (_d, e) => (seen = e))
    const original = { id: '', time: '' }
    const returned = bus.emit('x', 1, {})
    Object.assign(original, { id: returned.id, time: returned.time })
    expect(trail).toEqual(['first', 'second sees acme'])
    expect(seen?.extensions).toEqual({ tenant: 'acme' })
    // A spread copy keeps the original's identity.
    expect(seen).toMatchObject({ id: original.id, time: original.time, type: 'x', data: 1 })
    expect(returned).toBe(seen)
  })

  it('drops an event by not calling next: nothing is dispatched', () => {
    const bus = createBus({}, metrics())
    const fn = vi.fn()
    bus.on('x', fn)
    bus.use((e, next) => {
      if (e.data !== 'drop') next(e)
    })
    bus.emit('x', 'drop')
    bus.emit('x', 'keep')
    expect(fn).toHaveBeenCalledOnce()
    expect(bus.metrics().totals.emitted).toBe(1)
  })

  it('rejects an event by throwing a TidingsError, which emit() rethrows', () => {
    const bus = createBus()
    const fn = vi.fn()
    bus.on('x', fn)
    bus.use(() => {
      throw new TidingsError('E_VALIDATION', 'no')
    })
    expect(() => bus.emit('x')).toThrowError(expect.objectContaining({ code: 'E_VALIDATION' }))
    expect(fn).not.toHaveBeenCalled()
  })

  it('wraps anything else a middleware throws in E_MIDDLEWARE, keeping the cause', () => {
    const bus = createBus()
    const cause = new RangeError('oops')
    bus.use(() => {
      throw cause
    })
    expect(() => bus.emit('x')).toThrowError(expect.objectContaining({ code: 'E_MIDDLEWARE', cause }))
  })

  it('is removed by the function use() returns', () => {
    const bus = createBus()
    const mw = vi.fn((e: Envelope, next: (e: Envelope) => void) => next(e))
    const remove = bus.use(mw)
    bus.emit('x')
    remove()
    bus.emit('x')
    expect(mw).toHaveBeenCalledOnce()
  })

  it('publish() of a dropped event resolves with dropped: true', async () => {
    const bus = createBus({}, publish())
    bus.use(() => {})
    const report = await bus.publish('x')
    expect(report).toMatchObject({ dropped: true, delivered: 0, subscriptions: [] })
  })
})

describe('validation (built in for typed buses)', () => {
  it('rejects an invalid payload with E_VALIDATION naming the field, before any handler', () => {
    const bus = createBus({ catalog })
    const fn = vi.fn()
    bus.on('order.placed', fn)
    let error: TidingsError | undefined
    try {
      bus.emit('order.placed', { orderId: 'o', amount: 'ten', currency: 'EUR' } as never)
    } catch (e) {
      error = e as TidingsError
    }
    expect(error).toBeInstanceOf(TidingsError)
    expect(error!.code).toBe('E_VALIDATION')
    expect(error!.message).toMatch(/order\.placed.*amount/)
    expect(error!.details).toMatchObject({ type: 'order.placed', issues: [{ path: 'amount' }] })
    expect(fn).not.toHaveBeenCalled()
  })

  it('rejects a type outside the catalog with E_UNKNOWN_TYPE listing known types', () => {
    const bus = createBus({ catalog })
    expect(() => bus.emit('order.cancelled' as 'order.placed', order())).toThrowError(
      expect.objectContaining({ code: 'E_UNKNOWN_TYPE', message: expect.stringMatching(/order\.placed/) }),
    )
  })

  it('publish() rejects the same way', async () => {
    const bus = createBus({ catalog }, publish())
    await expect(bus.publish('order.shipped', {} as never)).rejects.toMatchObject({ code: 'E_VALIDATION' })
  })

  it('is skipped with validate: false', () => {
    const bus = createBus({ catalog, validate: false })
    const fn = vi.fn()
    bus.on('order.placed', fn)
    bus.emit('order.placed', { wrong: true } as never)
    expect(fn).toHaveBeenCalledOnce()
  })
})

describe('plugins', () => {
  it('install middleware and subscriptions through use(), and tear them down', () => {
    const bus = createBus()
    const audit: string[] = []
    const plugin: Plugin = {
      install(b) {
        const offMw = b.use((e, next) => next({ ...e, extensions: { audited: true } }))
        const offSub = b.on('*', (type) => audit.push(type))
        return () => {
          offMw()
          offSub()
        }
      },
    }
    const remove = bus.use(plugin)
    const seen: Envelope[] = []
    bus.on('x', (_d, e) => seen.push(e))
    bus.emit('x')
    remove()
    bus.emit('x')
    expect(audit).toEqual(['x'])
    expect(seen.map((e) => e.extensions?.audited)).toEqual([true, undefined])
  })

  it('rejects something that is neither middleware nor plugin', () => {
    const bus = createBus()
    expect(() => bus.use({} as never)).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })
})
