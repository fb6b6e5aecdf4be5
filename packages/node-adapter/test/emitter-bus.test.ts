import { EventEmitter, errorMonitor, once } from 'node:events'
import * as v from 'valibot'
import { TidingsError, createBus, defineCatalog, defineEvent, history, memoryStore, metrics, observe, standard } from '@tidings/core'
import type { Envelope, Observation } from '@tidings/core'
import { TidingsEmitter } from '@tidings/node'
import { describe, expect, expectTypeOf, it } from 'vitest'

/** A bus that records what it sees, as devtools or a metrics exporter would. */
const watchedBus = () => {
  const bus = createBus({}, standard({ retry: { attempts: 0 } }))
  const seen: Array<[string, unknown]> = []
  bus.observe((o: Observation) => {
    if (o.kind === 'emitted') seen.push([o.envelope.type, o.envelope.data])
  })
  return { bus, seen }
}

describe('new TidingsEmitter()', () => {
  it('creates its own bus when given none', () => {
    const a = new TidingsEmitter()
    const b = new TidingsEmitter()
    expect(typeof a.bus.emit).toBe('function')
    expect(a.bus).not.toBe(b.bus)
    // Its own bus is a kernel bus (createBus()): subscribers see the emits, there is no metrics().
    const pings: unknown[] = []
    a.bus.on('ping', (data) => void pings.push(data))
    a.emit('ping', 1)
    expect(pings).toEqual([1])
    expect('metrics' in a.bus).toBe(false)
  })

  it('is an EventEmitter to instanceof and to ES subclasses', () => {
    const { bus, seen } = watchedBus()
    class Service extends TidingsEmitter {
      start() {
        this.emit('started', 1)
      }
    }
    const service = new Service({ bus })
    expect(service).toBeInstanceOf(EventEmitter)
    expect(service).toBeInstanceOf(TidingsEmitter)
    service.start()
    expect(seen).toEqual([['started', 1]])
  })

  it('refuses to run without a receiver, and a bus that cannot emit', () => {
    const call = TidingsEmitter as unknown as (options?: object) => void
    expect(() => call()).toThrow(expect.objectContaining({ name: 'TidingsError', code: 'E_INVALID_ARGUMENT' }))
    expect(() => new TidingsEmitter({ bus: {} as never })).toThrow(TidingsError)
    expect(() => new TidingsEmitter({ type: 'x' as never })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })

  it('keeps its bus out of util.inspect and deepStrictEqual', () => {
    const emitter = new TidingsEmitter()
    expect(Object.keys(emitter)).toEqual(Object.keys(new EventEmitter()))
    expect(Object.getOwnPropertySymbols(emitter).filter((s) => Object.prototype.propertyIsEnumerable.call(emitter, s)))
      .toHaveLength(Object.getOwnPropertySymbols(new EventEmitter()).length)
  })
})

describe('emit()', () => {
  it('puts one argument on the bus as itself, none as undefined and several as an array', () => {
    const { bus, seen } = watchedBus()
    const emitter = new TidingsEmitter({ bus })
    emitter.emit('zero')
    emitter.emit('one', { id: 1 })
    emitter.emit('two', 'a', 'b')
    expect(seen).toEqual([['zero', undefined], ['one', { id: 1 }], ['two', ['a', 'b']]])
  })

  it('delivers to bus subscribers and counts in metrics whether or not the emitter has listeners', () => {
    const { bus } = watchedBus()
    const emitter = new TidingsEmitter({ bus })
    const received: unknown[] = []
    bus.on('user.login', (data) => void received.push(data))
    expect(emitter.emit('user.login', { id: 7 })).toBe(false)
    expect(received).toEqual([{ id: 7 }])
    expect(bus.metrics().types['user.login']).toMatchObject({ emitted: 1, delivered: 1 })
  })

  it('logs the events in the bus store', async () => {
    const bus = createBus({ store: memoryStore() }, history())
    const emitter = new TidingsEmitter({ bus })
    emitter.emit('job.done', { id: 'j1' })
    const [envelope] = await bus.history()
    expect(envelope).toMatchObject({ type: 'job.done', data: { id: 'j1' }, source: '/tidings' })
  })

  it('lets middleware enrich the envelope without changing what listeners get', () => {
    const bus = createBus({}, observe())
    const envelopes: Envelope[] = []
    bus.use((envelope, next) => next({ ...envelope, extensions: { tenant: 'acme' } } as Envelope))
    bus.observe((o) => void (o.kind === 'emitted' && envelopes.push(o.envelope)))
    const emitter = new TidingsEmitter({ bus })
    const args: unknown[] = []
    emitter.on('order', (...a: unknown[]) => args.push(a))
    emitter.emit('order', 1, 2)
    expect(args).toEqual([[1, 2]])
    expect(envelopes[0]?.extensions).toEqual({ tenant: 'acme' })
  })

  it('throws a middleware rejection before any listener runs', () => {
    const bus = createBus()
    bus.use((envelope, next) => {
      if (envelope.type === 'forbidden') throw new TidingsError('E_VALIDATION', 'not allowed')
      next(envelope)
    })
    const emitter = new TidingsEmitter({ bus })
    let called = false
    emitter.on('forbidden', () => { called = true })
    expect(() => emitter.emit('forbidden')).toThrow(expect.objectContaining({ code: 'E_VALIDATION' }))
    expect(called).toBe(false)
  })

  it('propagates a throwing listener as EventEmitter does, after the bus has seen the event', async () => {
    const { bus, seen } = watchedBus()
    const emitter = new TidingsEmitter({ bus })
    const later: unknown[] = []
    emitter.on('tick', () => { throw new Error('listener broke') })
    emitter.on('tick', () => later.push('second'))
    expect(() => emitter.emit('tick', 1)).toThrow('listener broke')
    expect(later).toEqual([])
    expect(seen).toEqual([['tick', 1]])
    expect(await bus.dlq.size()).toBe(0)
  })

  it('isolates a failing bus subscriber: it is dead-lettered and the emit goes on', async () => {
    const { bus } = watchedBus()
    const emitter = new TidingsEmitter({ bus })
    bus.on('tick', () => { throw new Error('subscriber broke') }, { name: 'audit' })
    const got: unknown[] = []
    emitter.on('tick', (n: unknown) => got.push(n))
    expect(emitter.emit('tick', 1)).toBe(true)
    expect(got).toEqual([1])
    const [entry] = await bus.dlq.list()
    expect(entry).toMatchObject({ subscription: 'audit', envelope: { type: 'tick', data: 1 } })
  })

  it('puts an error on the bus once, with errorMonitor listeners, and still throws it when unhandled', () => {
    const { bus, seen } = watchedBus()
    const emitter = new TidingsEmitter({ bus })
    const monitored: unknown[] = []
    emitter.on(errorMonitor, (e: unknown) => monitored.push(e))
    const boom = new Error('boom')
    expect(() => emitter.emit('error', boom)).toThrow(boom)
    expect(monitored).toEqual([boom])
    expect(seen).toEqual([['error', boom]])
  })

  it('puts captured async rejections on the bus as error events', async () => {
    const { bus, seen } = watchedBus()
    const emitter = new TidingsEmitter({ bus, captureRejections: true })
    const boom = new Error('async boom')
    emitter.on('work', async () => { throw boom })
    const caught = once(emitter, 'error')
    emitter.emit('work')
    expect(await caught).toEqual([boom])
    expect(seen).toEqual([['work', undefined], ['error', boom]])
  })

  it('maps symbols to Symbol(description) on the bus', () => {
    const { bus, seen } = watchedBus()
    const emitter = new TidingsEmitter({ bus })
    const ready = Symbol('ready')
    let got: unknown
    emitter.on(ready, (v: unknown) => { got = v })
    emitter.emit(ready, 3)
    expect(got).toBe(3)
    expect(seen).toEqual([['Symbol(ready)', 3]])
  })

  it('keeps newListener, removeListener and pattern-like names off the bus', () => {
    const { bus, seen } = watchedBus()
    const emitter = new TidingsEmitter({ bus })
    emitter.on('newListener', () => {})
    emitter.on('removeListener', () => {})
    const listener = () => {}
    emitter.on('x', listener)
    emitter.off('x', listener)
    let wild = 0
    emitter.on('*', () => wild++)
    emitter.emit('*')
    expect(wild).toBe(1)
    expect(seen).toEqual([])
  })

  it('renames, filters and reshapes with the type and data options', () => {
    const { bus, seen } = watchedBus()
    const emitter = new TidingsEmitter({
      bus,
      type: (name) => (name === 'debug' ? undefined : `worker.${String(name)}`),
      data: (args) => ({ args }),
    })
    emitter.emit('debug', 'noise')
    emitter.emit('progress', 1, 10)
    expect(seen).toEqual([['worker.progress', { args: [1, 10] }]])
  })

  it('keeps working as a plain EventEmitter once its bus is closed', async () => {
    const emitter = new TidingsEmitter()
    await emitter.bus.close()
    const got: unknown[] = []
    emitter.on('late', (v: unknown) => got.push(v))
    expect(emitter.emit('late', 1)).toBe(true)
    expect(got).toEqual([1])
  })
})

describe('with a typed bus', () => {
  const OrderPlaced = defineEvent('order.placed', { schema: v.object({ orderId: v.string(), amount: v.number() }) })
  const catalog = defineCatalog(OrderPlaced)

  it('forwards and validates the names the catalog defines, and keeps other names local', () => {
    const bus = createBus({ catalog }, metrics())
    const placed: unknown[] = []
    bus.on('order.placed', (data) => void placed.push(data))
    const emitter = new TidingsEmitter({ bus })
    let local = 0
    emitter.on('cache.miss', () => local++)
    emitter.emit('order.placed', { orderId: 'o1', amount: 5 })
    emitter.emit('cache.miss')
    expect(placed).toEqual([{ orderId: 'o1', amount: 5 }])
    expect(local).toBe(1)
    expect(bus.metrics().types['cache.miss']).toBeUndefined()
    expect(() => emitter.emit('order.placed', { orderId: 1 })).toThrow(expect.objectContaining({ code: 'E_VALIDATION' }))
  })

  it('maps emitter names to catalog types with the type option', () => {
    const bus = createBus({ catalog })
    const placed: unknown[] = []
    bus.on('order.placed', (data) => void placed.push(data))
    const emitter = new TidingsEmitter({
      bus,
      type: (name) => (name === 'placed' ? 'order.placed' : undefined),
      data: ([orderId, amount]) => ({ orderId, amount }),
    })
    emitter.emit('placed', 'o2', 9)
    expect(placed).toEqual([{ orderId: 'o2', amount: 9 }])
    expect(emitter.bus).toBe(bus)
  })
})

describe('types', () => {
  it('takes the event map of a typed EventEmitter', () => {
    const emitter = new TidingsEmitter<{ tick: [count: number] }>()
    emitter.on('tick', (count) => expectTypeOf(count).toEqualTypeOf<number>())
    emitter.emit('tick', 1)
    // @ts-expect-error a string is not a tick count
    emitter.emit('tick', 'one')
    expectTypeOf(emitter).toExtend<EventEmitter<{ tick: [count: number] }>>()
  })

  it('keeps the type of the bus it was given', () => {
    const catalog = defineCatalog(defineEvent('job.done', { schema: v.object({ id: v.string() }) }))
    const bus = createBus({ catalog })
    const emitter = new TidingsEmitter({ bus })
    expectTypeOf(emitter.bus).toEqualTypeOf(bus)
    expectTypeOf(new TidingsEmitter().bus.emit).toBeFunction()
    // @ts-expect-error the typed bus only takes its catalog's types
    expect(() => emitter.bus.emit('job.lost', {})).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_TYPE' }))
  })
})
