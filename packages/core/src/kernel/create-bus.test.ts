import { afterEach, describe, expect, it, vi } from 'vitest'
import { TidingsError } from '../errors'
import { memoryStore } from '../store/memory-store'
import type { Envelope } from '../envelope'
import type { Store, StoreBackend } from '../store/types'
import { catalog, order, sleep } from '../../test/fixtures'
import { createBus } from './create-bus'
import { defineFeature } from './host'
import { defineStore } from './store-log'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('on() / emit()', () => {
  it('delivers (data, envelope) to specific handlers, then patterns, then *, each in registration order', () => {
    const bus = createBus()
    const calls: unknown[] = []
    bus.on('*', (type) => calls.push(`* ${type}`))
    bus.on('order.*', (type) => calls.push(`order.* ${type}`))
    bus.on('order.placed', (data, e) => calls.push(['specific', data, e.type]))
    bus.on('order.**', (type) => calls.push(`order.** ${type}`))
    bus.emit('order.placed', 1)
    expect(calls).toEqual([['specific', 1, 'order.placed'], 'order.* order.placed', 'order.** order.placed', '* order.placed'])
  })

  it("matches 'order.*' one segment deep and 'order.**' at any depth", () => {
    const bus = createBus()
    const one = vi.fn()
    const any = vi.fn()
    bus.on('order.*', one)
    bus.on('order.**', any)
    bus.emit('order.item.added')
    bus.emit('order.placed')
    bus.emit('orders.placed')
    expect(one.mock.calls.map((c) => c[0])).toEqual(['order.placed'])
    expect(any.mock.calls.map((c) => c[0])).toEqual(['order.item.added', 'order.placed'])
  })

  it('refuses malformed patterns and types containing "*"', () => {
    const bus = createBus()
    expect(() => bus.on('order.pl*', () => {})).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => bus.emit('order.*')).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })

  it('once() runs a handler for one event, and the function on() returns unsubscribes once only', () => {
    const bus = createBus()
    const fn = vi.fn()
    bus.once('x', fn)
    bus.emit('x', 1)
    bus.emit('x', 2)
    expect(fn.mock.calls).toEqual([[1, expect.anything()]])
    const shared = vi.fn()
    const off = bus.on('y', shared)
    bus.on('y', shared)
    off()
    off()
    bus.emit('y')
    expect(shared).toHaveBeenCalledOnce()
  })

  it('off(type, fn) removes a subscription made with options by its own function', () => {
    const bus = createBus()
    const fn = vi.fn()
    bus.on('x', fn, { name: 'audit' })
    bus.off('x', fn)
    bus.emit('x')
    expect(fn).not.toHaveBeenCalled()
  })

  it('unsubscribes when the signal aborts, and ignores an already aborted one', () => {
    const bus = createBus()
    const fn = vi.fn()
    const controller = new AbortController()
    bus.on('x', fn, { signal: controller.signal })
    controller.abort()
    bus.on('x', fn, { signal: controller.signal })
    bus.emit('x')
    expect(fn).not.toHaveBeenCalled()
    expect(bus.all.get('x')).toEqual([])
  })

  it('rejects a handler that is not a function, and a source that is not a URI-reference', () => {
    expect(() => createBus().on('x', 'nope' as never)).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => createBus({ source: 'not a uri' })).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })
})

describe('envelopes', () => {
  it('are CloudEvents in JSON, with the bus source, the catalog version and unique ids', () => {
    const bus = createBus({ catalog, source: '/shop' })
    const a = bus.emit('order.placed', order())
    const b = bus.emit('order.shipped', { orderId: 'o-1' })
    expect(JSON.parse(JSON.stringify(a))).toEqual({
      specversion: '1.0', id: a.id, source: '/shop', type: 'order.placed', time: a.time, dataversion: 2, data: order(),
    })
    expect(b.dataversion).toBe(1)
    expect(a.id).not.toBe(b.id)
    expect(Date.parse(a.time)).toBeGreaterThan(0)
  })

  it('take id, time, correlation and extensions from emit options, and refuse bad ones', () => {
    const bus = createBus()
    const e = bus.emit('x', 1, { id: 'mine', time: '2024-05-01T10:00:00Z', correlationid: 'c', extensions: { tenant: 'acme' } })
    expect(e).toMatchObject({ id: 'mine', time: '2024-05-01T10:00:00Z', correlationid: 'c', extensions: { tenant: 'acme' } })
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ tenant: 'acme', correlationid: 'c' })
    expect(() => bus.emit('x', 1, { time: 'yesterday' })).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => bus.emit('x', 1, { extensions: { Bad: 1 } })).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => bus.emit('x', 1, { extensions: { n: 1.5 } })).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })

  it('of events emitted in a handler carry the cause: correlation, causation and trace context', () => {
    const bus = createBus()
    let child: Envelope | undefined
    bus.on('parent', () => void (child = bus.emit('child')))
    const parent = bus.emit('parent', undefined, { extensions: { traceparent: '00-abc-def-01', tenant: 't' } })
    expect(child).toMatchObject({ causationid: parent.id, correlationid: parent.id, extensions: { traceparent: '00-abc-def-01' } })
    expect(child!.extensions).toBe(child!.extensions)
    expect(bus.emit('after').causationid).toBeUndefined()
  })
})

describe('middleware', () => {
  it('runs in order, may replace the envelope with a copy that keeps its identity, and emit returns what was dispatched', () => {
    const bus = createBus({ middleware: [(e, next) => next({ ...e, extensions: { tenant: 'acme' } })] })
    let seen: Envelope | undefined
    bus.on('x', (_d, e) => (seen = e))
    const returned = bus.emit('x', 1)
    expect(returned).toBe(seen)
    expect(seen).toMatchObject({ type: 'x', data: 1, extensions: { tenant: 'acme' } })
    expect(JSON.parse(JSON.stringify(seen)).tenant).toBe('acme')
  })

  it('drops an event by not calling next, rejects by throwing, and is removed by what use() returns', () => {
    const bus = createBus()
    const fn = vi.fn()
    bus.on('x', fn)
    const remove = bus.use((e, next) => {
      if (e.data === 'bad') throw new TidingsError('E_VALIDATION', 'no')
      if (e.data !== 'drop') next(e)
    })
    bus.emit('x', 'drop')
    expect(() => bus.emit('x', 'bad')).toThrowError(expect.objectContaining({ code: 'E_VALIDATION' }))
    expect(fn).not.toHaveBeenCalled()
    remove()
    bus.emit('x', 'drop')
    expect(fn).toHaveBeenCalledOnce()
  })

  it('wraps anything else a middleware throws in E_MIDDLEWARE, keeping the cause', () => {
    const bus = createBus()
    bus.use(() => {
      throw 'a string' as unknown as Error
    })
    expect(() => bus.emit('x')).toThrowError(expect.objectContaining({ code: 'E_MIDDLEWARE', cause: 'a string' }))
  })

  it('validates payloads against the catalog (built in), unless validate: false', () => {
    const typed = createBus({ catalog })
    expect(() => typed.emit('order.placed', { orderId: 'o' } as never)).toThrowError(expect.objectContaining({ code: 'E_VALIDATION' }))
    expect(() => typed.emit('order.nope' as 'order.shipped', { orderId: 'o' })).toThrowError(expect.objectContaining({ code: 'E_UNKNOWN_TYPE' }))
    const loose = createBus({ catalog, validate: false })
    expect(() => loose.emit('order.placed', { orderId: 'o' } as never)).not.toThrow()
  })

  it('installs plugins through use()', () => {
    const bus = createBus()
    const seen: string[] = []
    const remove = bus.use({ install: (b) => b.on('*', (type) => void seen.push(type)) })
    bus.emit('a')
    remove()
    bus.emit('b')
    expect(seen).toEqual(['a'])
    expect(() => bus.use({} as never)).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })
})

describe('handler failures', () => {
  it('never break emit or the other handlers, and reach onError listeners as E_HANDLER', async () => {
    const bus = createBus()
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    const after = vi.fn()
    bus.on('x', function broken() {
      throw 42n
    })
    bus.on('x', async () => {
      throw { circular: globalThis }
    }, { name: 'async-one' })
    bus.on('x', after)
    expect(() => bus.emit('x')).not.toThrow()
    expect(after).toHaveBeenCalledOnce()
    await sleep()
    expect(errors.map((e) => [e.code, e.details?.subscription])).toEqual([['E_HANDLER', 'broken'], ['E_HANDLER', 'async-one']])
    expect(errors[0]!.message).toContain('42n')
  })

  it('go to the console when nobody listens: never silent', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const bus = createBus()
    bus.on('x', () => {
      throw new Error('nobody listens')
    })
    bus.emit('x')
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ code: 'E_HANDLER', message: expect.stringContaining('nobody listens') }))
  })

  it('still go to the console while only passive listeners (tools such as devtools) watch, and not once the app listens', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const bus = createBus()
    bus.on('x', () => {
      throw new Error('watched')
    })
    const watched: TidingsError[] = []
    bus.onError((e) => watched.push(e), { passive: true })
    bus.emit('x')
    expect(error).toHaveBeenCalledTimes(1)
    const own: TidingsError[] = []
    const stop = bus.onError((e) => own.push(e))
    bus.emit('x')
    expect(error).toHaveBeenCalledTimes(1)
    stop()
    stop()
    bus.emit('x')
    expect(error).toHaveBeenCalledTimes(2)
    expect([watched.length, own.length]).toEqual([3, 1])
  })

  it('survive an onError listener that throws', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const bus = createBus()
    bus.onError(() => {
      throw new Error('listener bug')
    })
    bus.on('x', () => {
      throw new Error('handler bug')
    })
    expect(() => bus.emit('x')).not.toThrow()
  })

  it('include a returned thenable whose then throws', async () => {
    const bus = createBus()
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    bus.on('x', () => ({ then() {
      throw new Error('bad thenable')
    } }))
    bus.emit('x')
    await sleep()
    expect(errors[0]?.message).toContain('bad thenable')
  })
})

describe('production builds (process.env.NODE_ENV = "production")', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('report the same codes, details and causes, with short messages', async () => {
    vi.stubEnv('NODE_ENV', 'production')
    const bus = createBus()
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    const thrown = new Error('handler bug')
    bus.on('x', () => {
      throw thrown
    })
    bus.emit('x')
    expect(errors[0]).toMatchObject({ code: 'E_HANDLER', cause: thrown, details: { type: 'x', subscription: expect.any(String), attempts: 1 } })
    expect(errors[0]!.message).not.toContain('deadLetters()')
    bus.use(() => {
      throw 42n
    })
    expect(() => bus.emit('x')).toThrow(expect.objectContaining({ code: 'E_MIDDLEWARE', cause: 42n }))
    expect(() => bus.on('a.b*', () => {})).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    await bus.close()
    expect(() => bus.emit('x')).toThrow(expect.objectContaining({ code: 'E_CLOSED' }))
  })

  it('still refuse at emit what JSON cannot carry, on a bus with a store', () => {
    vi.stubEnv('NODE_ENV', 'production')
    const bus = createBus({ store: memoryStore() })
    expect(() => bus.emit('x', { n: Number.NaN })).toThrow(expect.objectContaining({ code: 'E_VALIDATION', details: expect.objectContaining({ path: 'data.n' }) }))
  })
})

describe('the store', () => {
  it('gets every persisted event in one append per tick; flush() covers it', async () => {
    const store = memoryStore()
    const append = vi.spyOn(store, 'append')
    const bus = createBus({ store, catalog })
    await bus.ready
    bus.emit('order.placed', order('a'))
    bus.emit('app.heartbeat')
    bus.emit('order.shipped', { orderId: 'a' })
    await bus.flush()
    expect(append).toHaveBeenCalledOnce()
    expect(await store.count()).toBe(2)
  })

  it('is any backend made a store with defineStore(); one that was not is refused with what to do', async () => {
    const inner = memoryStore()
    let appends = 0
    // Written out, not spread: a spread of a store copies what defineStore() gave it.
    const backend: StoreBackend = {
      ready: inner.ready,
      append: (events) => (appends++, inner.append(events)),
      read: (query) => inner.read(query),
      count: (query) => inner.count(query),
      putDeadLetter: (entry) => inner.putDeadLetter(entry),
      listDeadLetters: () => inner.listDeadLetters(),
      deleteDeadLetter: (id) => inner.deleteDeadLetter(id),
      flush: () => inner.flush(),
      close: () => inner.close(),
    }
    expect(() => createBus({ store: backend as Store })).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', message: expect.stringContaining('defineStore(') }))
    const bus = createBus({ store: defineStore(backend) })
    bus.emit('x', 1)
    bus.emit('x', 2)
    await bus.flush()
    expect(appends).toBe(1)
    expect(await inner.count()).toBe(2)
  })

  it('refuses at emit what JSON cannot carry when events are stored', () => {
    const bus = createBus({ store: memoryStore() })
    expect(() => bus.emit('x', { n: Number.NaN })).toThrowError(expect.objectContaining({ code: 'E_VALIDATION' }))
    expect(() => createBus().emit('x', { n: Number.NaN })).not.toThrow()
  })

  it('flush() rejects with E_NOT_DURABLE once when an append failed, after reporting it', async () => {
    const store = memoryStore()
    vi.spyOn(store, 'append').mockRejectedValueOnce(new Error('disk full'))
    const bus = createBus({ store })
    const errors: TidingsError[] = []
    bus.onError((e) => errors.push(e))
    bus.emit('x', 1)
    bus.emit('x', 2)
    await expect(bus.flush()).rejects.toMatchObject({ code: 'E_NOT_DURABLE', details: { count: 2 } })
    expect(errors[0]).toMatchObject({ code: 'E_STORAGE' })
    await expect(bus.flush()).resolves.toBeUndefined()
  })

  it('ready rejects and is reported when the store does not open', async () => {
    const store: Store = { ...memoryStore(), ready: Promise.reject(new Error('no')) }
    const errors: TidingsError[] = []
    const bus = createBus({ store })
    bus.onError((e) => errors.push(e))
    await expect(bus.ready).rejects.toThrow('no')
    expect(errors[0]).toMatchObject({ code: 'E_STORAGE' })
  })
})

describe('close()', () => {
  it('flushes and closes the store; then emit and on throw E_CLOSED', async () => {
    const store = memoryStore()
    const bus = createBus({ store })
    bus.emit('x', 1)
    await bus.close()
    await expect(store.count()).rejects.toMatchObject({ code: 'E_CLOSED' })
    expect(() => bus.emit('x')).toThrowError(expect.objectContaining({ code: 'E_CLOSED' }))
    expect(() => bus.on('x', () => {})).toThrowError(expect.objectContaining({ code: 'E_CLOSED' }))
    expect(bus.close()).toBe(bus.close())
  })
})

describe('features', () => {
  it('are refused when one that provides the same part is passed twice', () => {
    const route = defineFeature(() => ({ route: { carries: () => true, publish: () => {}, republish: async () => {} } }))
    expect(() => createBus({}, route, route)).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', message: expect.stringContaining('twice') }))
  })
})
