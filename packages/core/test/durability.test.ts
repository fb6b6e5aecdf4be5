import * as v from 'valibot'
import { describe, expect, it, vi } from 'vitest'
import { TidingsError, createBus, deadLetters, defineCatalog, defineEvent, history, memoryStore, publish, retry, transport } from '@tidings/core'
import type { Envelope, Store, Transport, TransportHost } from '@tidings/core'
import { catalog, order } from './fixtures'

/**
 * A store whose append refuses the envelopes its codec cannot encode (here: `data.refuse`) as the
 * file and IndexedDB stores do: the others are written, then append rejects with E_ENCODE.
 */
const refusingStore = () => {
  const inner = memoryStore()
  const store: Store = {
    ...inner,
    async append(envelopes) {
      const refused = envelopes.filter((e) => (e.data as { refuse?: boolean } | undefined)?.refuse === true)
      const kept = envelopes.filter((e) => !refused.includes(e))
      await inner.append(kept)
      if (refused.length === 0) return
      throw new TidingsError('E_ENCODE', `${refused.length} of ${envelopes.length} events could not be stored: too large`, {
        details: { refused: refused.map((e) => ({ id: e.id, type: e.type, code: 'E_TOO_LARGE', message: 'over the size limit' })), appended: kept.length },
      })
    },
  }
  return store
}

const collect = (bus: { onError(l: (e: TidingsError) => void): unknown }) => {
  const errors: TidingsError[] = []
  bus.onError((e) => errors.push(e))
  return errors
}

describe('one bad event in a batch', () => {
  it('is reported alone; the rest of its batch is stored; flush() rejects once with E_NOT_DURABLE', async () => {
    const bus = createBus({ store: refusingStore() }, history())
    const errors = collect(bus)
    const a = bus.emit('x', { n: 1 })
    const bad = bus.emit('x', { refuse: true })
    const b = bus.emit('x', { n: 2 })
    await expect(bus.flush()).rejects.toMatchObject({
      code: 'E_NOT_DURABLE', details: { count: 1, first: { code: 'E_ENCODE', message: expect.stringContaining(bad.id) } },
    })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'E_ENCODE', details: { id: bad.id, type: 'x', code: 'E_TOO_LARGE' } })
    expect((await bus.history({ order: 'asc' })).map((e) => e.id)).toEqual([a.id, b.id])
    // Nothing new failed: the next flush resolves.
    bus.emit('x', { n: 3 })
    await expect(bus.flush()).resolves.toBeUndefined()
  })

  it('still closes the store when close() finds a loss, then rejects with it', async () => {
    const store = refusingStore()
    const close = vi.spyOn(store, 'close')
    const bus = createBus({ store })
    collect(bus)
    bus.emit('x', { refuse: true })
    await expect(bus.close()).rejects.toMatchObject({ code: 'E_NOT_DURABLE' })
    expect(close).toHaveBeenCalledOnce()
  })

  it('counts a batch a store refuses entirely (E_STORAGE), or an append that throws synchronously', async () => {
    for (const append of [async () => { throw new Error('disk gone') }, () => { throw new Error('disk gone') }]) {
      const bus = createBus({ store: { ...memoryStore(), append: append as Store['append'] } })
      const errors = collect(bus)
      bus.emit('x', 1)
      bus.emit('x', 2)
      await expect(bus.flush()).rejects.toMatchObject({ code: 'E_NOT_DURABLE', details: { count: 2, first: { code: 'E_STORAGE' } } })
      expect(errors.map((e) => e.code)).toEqual(['E_STORAGE'])
      await expect(bus.flush()).resolves.toBeUndefined()
    }
  })

  it('counts dead letters a store could not write', async () => {
    const bus = createBus({ store: { ...memoryStore(), putDeadLetter: async () => { throw new Error('disk gone') } } }, retry({ attempts: 0 }), deadLetters())
    collect(bus)
    bus.on('x', () => { throw new Error('handler') })
    bus.emit('x')
    await expect(bus.flush()).rejects.toMatchObject({ code: 'E_NOT_DURABLE', details: { count: 1, first: { code: 'E_STORAGE' } } })
    // Still listed and retryable in this process.
    expect(await bus.dlq.size()).toBe(1)
  })
})

describe('numbers and values JSON cannot carry', () => {
  const cases: Array<[string, unknown, string]> = [
    ['Infinity', { amount: Infinity }, 'data.amount'],
    ['-Infinity', { amount: -Infinity }, 'data.amount'],
    ['NaN', { items: [{ n: 1 }, { n: NaN }] }, 'data.items.1.n'],
    ['a BigInt', { total: 10n }, 'data.total'],
    ['a top-level NaN', NaN, 'data'],
    ['a NaN past the first 2,000 objects', { items: Array.from({ length: 3000 }, (_, i) => ({ n: i === 2999 ? NaN : i })) }, 'data.items.2999.n'],
    ['a cycle', (() => {
      const o: Record<string, unknown> = { child: {} }
      ;(o.child as Record<string, unknown>).parent = o
      return o
    })(), 'data.child.parent'],
  ]

  it.each(cases)('are refused at emit on a bus with a store: %s', async (_what, data, path) => {
    const store = memoryStore()
    const bus = createBus({ store }, publish())
    const handler = vi.fn()
    bus.on('x', handler)
    let thrown: unknown
    try {
      bus.emit('x', data)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(TidingsError)
    expect(thrown).toMatchObject({ code: 'E_VALIDATION', details: { type: 'x', path } })
    await expect(bus.publish('x', data)).rejects.toMatchObject({ code: 'E_VALIDATION' })
    expect(handler).not.toHaveBeenCalled()
    await bus.flush()
    expect(await store.count()).toBe(0)
  })

  it('are refused in extensions a middleware adds', () => {
    const bus = createBus({ store: memoryStore() })
    bus.use((e, next) => next({ ...e, extensions: { big: 1n as unknown as number } }))
    expect(() => bus.emit('x', 1)).toThrowError(expect.objectContaining({ code: 'E_VALIDATION', details: expect.objectContaining({ path: 'extensions.big' }) }))
  })

  it('are refused for a type a transport carries, and pass for one it does not', () => {
    const published: Envelope[] = []
    const t: Transport = {
      carries: (type) => type !== 'local', attach: () => {}, publish: (e) => void published.push(e),
      republish: async () => {}, ready: Promise.resolve(), flush: async () => {}, close: async () => {},
    }
    const bus = createBus({}, transport(t), deadLetters())
    expect(() => bus.emit('remote', { n: Infinity })).toThrowError(expect.objectContaining({ code: 'E_VALIDATION' }))
    expect(published).toEqual([])
    expect(() => bus.emit('local', { n: Infinity })).not.toThrow()
  })

  it('pass on an emit-only bus and for types that do not persist: nothing is stored or sent', () => {
    const plain = createBus()
    const seen = vi.fn()
    plain.on('x', seen)
    plain.emit('x', { amount: Infinity })
    expect(seen).toHaveBeenCalledWith({ amount: Infinity }, expect.anything())
    const noLog = defineCatalog(defineEvent('tick', { schema: v.any(), persist: false }))
    const stored = createBus({ catalog: noLog, validate: false, store: memoryStore() })
    expect(() => stored.emit('tick', NaN)).not.toThrow()
  })

  it('are refused on a typed bus that validates, even without a store: { amount: Infinity } passes v.number()', () => {
    const bus = createBus({ catalog })
    expect(() => bus.emit('order.placed', { ...order(), amount: Infinity })).toThrowError(expect.objectContaining({ code: 'E_VALIDATION', details: expect.objectContaining({ path: 'data.amount' }) }))
    expect(() => bus.emit('order.placed', order())).not.toThrow()
  })

  it('checks shared sub-objects once: a DAG of 2^60 paths is checked at once', () => {
    const bus = createBus({ store: memoryStore() })
    let node: Record<string, unknown> = { leaf: 1, when: new Date(0), bytes: new Uint8Array(4) }
    for (let i = 0; i < 60; i++) node = { a: node, b: node }
    expect(() => bus.emit('x', node)).not.toThrow()
    node.c = { bad: NaN }
    expect(() => bus.emit('x', node)).toThrowError(expect.objectContaining({ details: expect.objectContaining({ path: 'data.c.bad' }) }))
  })
})

describe('transports', () => {
  it('an event a transport drops (E_TRANSPORT_OVERFLOW) or a publish that throws makes flush() reject', async () => {
    let host: TransportHost | undefined
    let publish = (e: Envelope) => host!.report(new TidingsError('E_TRANSPORT_OVERFLOW', `dropped ${e.id}`))
    const t: Transport = {
      attach: (h) => void (host = h), publish: (e) => publish(e),
      republish: async () => {}, ready: Promise.resolve(), flush: async () => {}, close: async () => {},
    }
    const bus = createBus({}, transport(t), deadLetters())
    const errors = collect(bus)
    bus.emit('x', 1)
    await expect(bus.flush()).rejects.toMatchObject({ code: 'E_NOT_DURABLE', details: { count: 1, first: { code: 'E_TRANSPORT_OVERFLOW' } } })
    publish = () => { throw 42n }
    expect(() => bus.emit('x', 2)).not.toThrow()
    await expect(bus.flush()).rejects.toMatchObject({ code: 'E_NOT_DURABLE', details: { first: { code: 'E_TRANSPORT', message: expect.stringContaining('42n') } } })
    expect(errors.map((e) => e.code)).toEqual(['E_TRANSPORT_OVERFLOW', 'E_TRANSPORT'])
    await expect(bus.flush()).resolves.toBeUndefined()
  })
})
