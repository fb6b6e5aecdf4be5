// Node's own EventEmitter tests (nodejs/node test/parallel), ported to vitest and run against
// EventEmitter, TidingsEmitter, and an old-style subclass of TidingsEmitter whose bus has a
// middleware, an observer and a failing subscriber: all three must behave identically.
import { EventEmitter, captureRejectionSymbol, errorMonitor, getEventListeners, getMaxListeners, on, once, setMaxListeners } from 'node:events'
import { inherits, inspect } from 'node:util'
import { createBus, standard } from '@tidings/core'
import type { Observation } from '@tidings/core'
import { TidingsEmitter } from '@tidings/node'
import type { TidingsEmitterOptions } from '@tidings/node'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'

type Listener = (...args: unknown[]) => unknown
type Stored = Listener & { warned?: boolean; listener?: Listener }
type Internals = { _events: Record<string | symbol, Stored | (Stored[] & { warned?: boolean })> | undefined }

const internals = (ee: EventEmitter) => ee as unknown as Internals
const eventsOf = (ee: EventEmitter) => internals(ee)._events!
const callConstructor = (ctor: typeof EventEmitter, self: object, options?: object) =>
  (ctor as unknown as (this: object, options?: object) => void).call(self, options)

interface Expectation { expected: number; calls: number; stack: string | undefined }
let expectations: Expectation[] = []

/** As Node's common.mustCall: the test fails unless `fn` was called exactly `expected` times. */
function mustCall<A extends unknown[], R>(fn?: (this: EventEmitter, ...args: A) => R, expected = 1) {
  const expectation: Expectation = { expected, calls: 0, stack: new Error().stack }
  expectations.push(expectation)
  return function (this: EventEmitter, ...args: A): R | undefined {
    expectation.calls++
    return fn?.apply(this, args)
  }
}

const mustNotCall = () => (...args: unknown[]) => {
  throw new Error(`mustNotCall: called with ${inspect(args)}`)
}

afterEach(() => {
  const pending = expectations
  expectations = []
  for (const e of pending) expect(e.calls, `mustCall at ${e.stack}`).toBe(e.expected)
})

const observedBus = createBus({}, standard({ retry: { attempts: 0 } }))
const observedTypes: string[] = []
observedBus.observe((o: Observation) => {
  if (o.kind === 'emitted') observedTypes.push(o.envelope.type)
})
observedBus.use((envelope, next) => next(envelope))
observedBus.on('*', () => {
  throw new Error('a failing bus subscriber')
})

// An old-style subclass, so the constructor-call cases of the suite run through it too.
function ObservedTidingsEmitter(this: object, options?: TidingsEmitterOptions) {
  TidingsEmitter.call(this, { ...options, bus: observedBus })
}
inherits(ObservedTidingsEmitter, TidingsEmitter)
Object.setPrototypeOf(ObservedTidingsEmitter, TidingsEmitter)

afterAll(async () => {
  // The bus saw the traffic and dead-lettered its failing subscriber; the emitters never noticed.
  expect(observedTypes.length).toBeGreaterThan(50)
  expect(await observedBus.dlq.size()).toBeGreaterThan(50)
})

const implementations: Array<[string, typeof EventEmitter]> = [
  ['EventEmitter', EventEmitter],
  ['TidingsEmitter', TidingsEmitter],
  ['a util.inherits subclass of TidingsEmitter on an observed bus', ObservedTidingsEmitter as unknown as typeof EventEmitter],
]

describe.each(implementations)('%s', (_label, Ctor) => {
  describe('test-event-emitter-add-listeners.js', () => {
    it('emits newListener before adding, with the event name and listener', () => {
      const ee = new Ctor()
      const events: Array<string | symbol> = []
      const listeners: unknown[] = []
      expect(ee.addListener).toBe(ee.on)
      ee.on('newListener', function (event: string | symbol, listener: unknown) {
        if (event === 'newListener') return
        events.push(event)
        listeners.push(listener)
      })
      const hello = mustCall((a: unknown, b: unknown) => {
        expect(a).toBe('a')
        expect(b).toBe('b')
      })
      ee.once('newListener', function (this: EventEmitter, name: string, listener: unknown) {
        expect(name).toBe('hello')
        expect(listener).toBe(hello)
        expect(this.listeners('hello')).toEqual([])
      })
      const fail = mustNotCall()
      ee.on('hello', hello)
      ee.once('foo', fail)
      expect(events).toEqual(['hello', 'foo'])
      expect(listeners).toEqual([hello, fail])
      ee.emit('hello', 'a', 'b')
    })

    it('accepts setMaxListeners(0)', () => {
      expect(() => new Ctor().setMaxListeners(0)).not.toThrow()
    })

    it('adds a listener registered inside newListener first', () => {
      const listen1 = () => {}
      const listen2 = () => {}
      const ee = new Ctor()
      ee.once('newListener', () => {
        expect(ee.listeners('hello')).toEqual([])
        ee.once('newListener', () => expect(ee.listeners('hello')).toEqual([]))
        ee.on('hello', listen2)
      })
      ee.on('hello', listen1)
      expect(ee.listeners('hello')).toEqual([listen2, listen1])
    })
  })

  describe('test-event-emitter-check-listener-leaks.js', () => {
    const quiet = () => vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    afterEach(() => {
      vi.restoreAllMocks()
      EventEmitter.defaultMaxListeners = 10
    })

    it('marks a listener array as warned past the limit, per emitter and process-wide', () => {
      quiet()
      const e = new Ctor()
      for (let i = 0; i < 10; i++) e.on('default', mustNotCall())
      expect(Object.hasOwn(eventsOf(e)['default']!, 'warned')).toBe(false)
      e.on('default', mustNotCall())
      expect(eventsOf(e)['default']!.warned).toBe(true)

      const symbol = Symbol('symbol')
      e.setMaxListeners(1)
      e.on(symbol, mustNotCall())
      expect(Object.hasOwn(eventsOf(e)[symbol]!, 'warned')).toBe(false)
      e.on(symbol, mustNotCall())
      expect(Object.hasOwn(eventsOf(e)[symbol]!, 'warned')).toBe(true)

      e.setMaxListeners(0)
      for (let i = 0; i < 1000; i++) e.on('unlimited', mustNotCall())
      expect(Object.hasOwn(eventsOf(e)['unlimited']!, 'warned')).toBe(false)

      Ctor.defaultMaxListeners = 42
      const f = new Ctor()
      for (let i = 0; i < 42; ++i) f.on('fortytwo', mustNotCall())
      expect(Object.hasOwn(eventsOf(f)['fortytwo']!, 'warned')).toBe(false)
      f.on('fortytwo', mustNotCall())
      expect(Object.hasOwn(eventsOf(f)['fortytwo']!, 'warned')).toBe(true)
      delete eventsOf(f)['fortytwo']!.warned
      Ctor.defaultMaxListeners = 44
      f.on('fortytwo', mustNotCall())
      expect(Object.hasOwn(eventsOf(f)['fortytwo']!, 'warned')).toBe(false)
      f.on('fortytwo', mustNotCall())
      expect(Object.hasOwn(eventsOf(f)['fortytwo']!, 'warned')).toBe(true)
    })

    it('gives _maxListeners precedence over defaultMaxListeners', () => {
      quiet()
      Ctor.defaultMaxListeners = 42
      const e = new Ctor()
      e.setMaxListeners(1)
      e.on('uno', mustNotCall())
      expect(Object.hasOwn(eventsOf(e)['uno']!, 'warned')).toBe(false)
      e.on('uno', mustNotCall())
      expect(Object.hasOwn(eventsOf(e)['uno']!, 'warned')).toBe(true)
      expect(e.setMaxListeners(1)).toBe(e)
    })
  })

  describe('test-event-emitter-emit-context.js', () => {
    it('emits with another receiver', () => {
      const ee = new Ctor()
      const ctx = { __proto__: null }
      expect(() => ee.emit.call(ctx, 'error', new Error('foo'))).toThrow('foo')
      expect(ee.emit.call({}, 'foo')).toBe(false)
    })
  })

  describe('test-event-emitter-error-monitor.js', () => {
    it('calls errorMonitor listeners first, for error events only', async () => {
      const ee = new Ctor()
      const theErr = new Error('MyError')
      ee.on(errorMonitor, mustCall((e: unknown) => expect(e).toBe(theErr), 3))
      expect(() => ee.emit('error', theErr)).toThrow(theErr)
      ee.once('error', mustCall((e: unknown) => expect(e).toBe(theErr)))
      ee.emit('error', theErr)
      process.nextTick(() => ee.emit('error', theErr))
      await expect(once(ee, 'notTriggered')).rejects.toBe(theErr)
      ee.on('aEvent', mustCall())
      ee.emit('aEvent')
    })
  })

  describe('test-event-emitter-errors.js', () => {
    it('throws ERR_UNHANDLED_ERROR for a non-Error with no error listener', () => {
      const ee = new Ctor()
      expect(() => ee.emit('error', 'Accepts a string')).toThrow(expect.objectContaining({
        code: 'ERR_UNHANDLED_ERROR', name: 'Error', message: "Unhandled error. ('Accepts a string')",
      }))
      expect(() => ee.emit('error', { message: 'Error!' })).toThrow(expect.objectContaining({
        code: 'ERR_UNHANDLED_ERROR', message: "Unhandled error. ({ message: 'Error!' })",
      }))
      expect(() => ee.emit('error', { message: 'Error!', [inspect.custom]() { throw new Error() } })).toThrow(expect.objectContaining({
        code: 'ERR_UNHANDLED_ERROR', message: 'Unhandled error. ([object Object])',
      }))
    })

    it('throws ERR_UNHANDLED_ERROR with the value as context when no error is given', () => {
      const ee = new Ctor()
      for (const value of [undefined, null, false, 42]) {
        let thrown: unknown
        try {
          ee.emit('error', value)
        } catch (error) {
          thrown = error
        }
        expect(thrown).toMatchObject({ code: 'ERR_UNHANDLED_ERROR', context: value })
      }
    })
  })

  describe('test-event-emitter-get-max-listeners.js', () => {
    it('reports the limit in force', () => {
      const emitter = new Ctor()
      expect(emitter.getMaxListeners()).toBe(Ctor.defaultMaxListeners)
      emitter.setMaxListeners(0)
      expect(emitter.getMaxListeners()).toBe(0)
      emitter.setMaxListeners(3)
      expect(emitter.getMaxListeners()).toBe(3)
      const recv = {}
      Ctor.prototype.on.call(recv, 'event', () => {})
      Ctor.prototype.on.call(recv, 'event', () => {})
    })
  })

  describe('test-event-emitter-invalid-listener.js', () => {
    it.each(['on', 'once', 'removeListener', 'prependOnceListener'] as const)('%s() requires a function', (method) => {
      const ee = new Ctor()
      expect(() => ee[method]('foo', null as never)).toThrow(expect.objectContaining({
        code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError', message: 'The "listener" argument must be of type function. Received null',
      }))
    })
  })

  describe('test-event-emitter-listener-count.js', () => {
    it('counts listeners of any event name', () => {
      const emitter = new Ctor()
      emitter.on('foo', () => {})
      emitter.on('foo', () => {})
      emitter.on('baz', () => {})
      emitter.on(123 as never, () => {})
      expect(Ctor.listenerCount(emitter, 'foo')).toBe(2)
      expect(emitter.listenerCount('foo')).toBe(2)
      expect(emitter.listenerCount('bar')).toBe(0)
      expect(emitter.listenerCount('baz')).toBe(1)
      expect(emitter.listenerCount(123 as never)).toBe(1)
    })
  })

  describe('test-events-listener-count-with-listener.js', () => {
    it('counts one listener function, once wrappers included', () => {
      const ee = new Ctor()
      const handler = mustCall(undefined, 3)
      const anotherHandler = mustCall()
      expect(ee.listenerCount('event', handler)).toBe(0)
      ee.once('event', handler)
      expect(ee.listenerCount('event')).toBe(1)
      expect(ee.listenerCount('event', handler)).toBe(1)
      expect(ee.listenerCount('event', anotherHandler)).toBe(0)
      ee.removeAllListeners('event')
      expect(ee.listenerCount('event', handler)).toBe(0)
      ee.on('event', handler)
      ee.once('event', anotherHandler)
      expect(ee.listenerCount('event')).toBe(2)
      expect(ee.listenerCount('event', anotherHandler)).toBe(1)
      ee.once('event', handler)
      expect(ee.listenerCount('event')).toBe(3)
      expect(ee.listenerCount('event', handler)).toBe(2)
      ee.emit('event')
      expect(ee.listenerCount('event')).toBe(1)
      expect(ee.listenerCount('event', handler)).toBe(1)
      expect(ee.listenerCount('event', anotherHandler)).toBe(0)
      ee.emit('event')
      expect(ee.listenerCount('event', handler)).toBe(1)
      ee.off('event', handler)
      expect(ee.listenerCount('event')).toBe(0)
    })
  })

  describe('test-event-emitter-listeners-side-effects.js', () => {
    it('stores one listener as a function and several as an array', () => {
      const e = new Ctor()
      expect(e.listeners('foo')).toEqual([])
      expect(eventsOf(e) instanceof Object).toBe(false)
      expect(Object.keys(eventsOf(e))).toEqual([])
      const first = () => {}
      const second = () => {}
      e.on('foo', first)
      expect(eventsOf(e)['foo']).toBe(first)
      e.listeners('bar')
      e.on('foo', second)
      expect(eventsOf(e)['foo']).toEqual([first, second])
      expect(e.listeners('foo')).toEqual([first, second])
    })
  })

  describe('test-event-emitter-set-max-listeners-side-effects.js', () => {
    it('adds no event when setting the limit', () => {
      const e = new Ctor()
      e.setMaxListeners(5)
      expect(Object.keys(eventsOf(e))).toEqual([])
    })
  })

  describe('test-event-emitter-listeners.js', () => {
    const listener = () => {}
    const listener2 = () => {}

    it('returns copies', () => {
      const ee = new Ctor()
      ee.on('foo', listener)
      const copy = ee.listeners('foo')
      ee.removeAllListeners('foo')
      expect(ee.listeners('foo')).toEqual([])
      expect(copy).toEqual([listener])
      ee.on('foo', listener)
      const copy2 = ee.listeners('foo')
      copy2.push(listener2)
      expect(ee.listeners('foo')).toEqual([listener])
      ee.on('foo', listener2)
      expect(ee.listeners('foo')).toEqual([listener, listener2])
    })

    it('unwraps once listeners in listeners() but not in rawListeners()', () => {
      const ee = new Ctor()
      ee.on('foo', listener)
      ee.once('foo', listener2)
      expect(ee.listeners('foo')).toEqual([listener, listener2])
      const raw = ee.rawListeners('foo') as Stored[]
      expect(raw[0]).toBe(listener)
      expect(raw[1]).not.toBe(listener2)
      expect(raw[1]!.listener).toBe(listener2)
      expect(raw).not.toBe(ee.rawListeners('foo'))
      ee.emit('foo')
      expect(ee.rawListeners('foo')).toEqual([listener])
    })

    it('lets a raw once wrapper remove itself when called', () => {
      const ee = new Ctor()
      ee.once('foo', () => 0)
      ee.on('foo', () => 1)
      const raw = ee.rawListeners('foo') as Listener[]
      expect(raw[0]!()).toBe(0)
      const rest = ee.rawListeners('foo') as Listener[]
      expect(rest).toHaveLength(1)
      expect(rest[0]!()).toBe(1)
    })

    it('survives _events = undefined and works in subclasses', () => {
      const ee = new Ctor()
      internals(ee)._events = undefined
      expect(ee.listeners('foo')).toEqual([])
      class TestStream extends Ctor {}
      expect(new TestStream().listeners('foo')).toEqual([])
    })
  })

  describe('test-event-emitter-max-listeners-warning{,-for-null,-for-symbol}.js', () => {
    afterEach(() => vi.restoreAllMocks())

    it.each([['event-type', 'event-type'], [null, 'null'], [Symbol('symbol'), 'Symbol(symbol)']] as const)(
      'warns once with MaxListenersExceededWarning for %s',
      (type, printed) => {
        const warnings: unknown[] = []
        vi.spyOn(process, 'emitWarning').mockImplementation((warning) => void warnings.push(warning))
        class FakeInput extends Ctor {
          resume() {}
        }
        const e = new FakeInput()
        e.setMaxListeners(1)
        e.on(type as never, () => {})
        e.on(type as never, () => {})
        e.on(type as never, () => {})
        expect(warnings).toHaveLength(1)
        const warning = warnings[0] as Error & { emitter: unknown; count: number; type: unknown }
        expect(warning).toBeInstanceOf(Error)
        expect(warning.name).toBe('MaxListenersExceededWarning')
        expect(warning.emitter).toBe(e)
        expect(warning.count).toBe(2)
        expect(warning.type).toBe(type)
        expect(warning.message).toContain(`2 ${printed} listeners added to [FakeInput].`)
      },
    )
  })

  describe('test-event-emitter-max-listeners.js', () => {
    afterEach(() => {
      EventEmitter.defaultMaxListeners = 10
    })

    it('validates limits and keeps a maxListeners event usable', () => {
      const e = new Ctor()
      e.on('maxListeners', mustCall())
      e.setMaxListeners(42)
      for (const value of [NaN, -1]) {
        expect(() => e.setMaxListeners(value)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE', name: 'RangeError' }))
        expect(() => { Ctor.defaultMaxListeners = value }).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
        expect(() => Ctor.setMaxListeners(value)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
      }
      expect(() => e.setMaxListeners('and even this' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError' }))
      expect(() => { Ctor.defaultMaxListeners = 'and even this' as never }).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
      expect(() => Ctor.setMaxListeners(10, 'INVALID_EMITTER' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
      e.emit('maxListeners')
    })
  })

  describe('test-events-getmaxlisteners.js', () => {
    it('reads and sets the limit through the static helpers', () => {
      const ee = new Ctor()
      expect(getMaxListeners(ee)).toBe(EventEmitter.defaultMaxListeners)
      setMaxListeners(101, ee)
      expect(getMaxListeners(ee)).toBe(101)
    })
  })

  describe('test-events-static-geteventlisteners.js', () => {
    it('lists the listeners of one event', () => {
      const fn1 = mustNotCall()
      const fn2 = mustNotCall()
      const emitter = new Ctor()
      emitter.on('foo', fn1)
      emitter.on('foo', fn2)
      emitter.on('baz', fn1)
      emitter.on('baz', fn1)
      expect(getEventListeners(emitter, 'foo')).toEqual([fn1, fn2])
      expect(getEventListeners(emitter, 'bar')).toEqual([])
      expect(getEventListeners(emitter, 'baz')).toEqual([fn1, fn1])
    })
  })

  describe('test-event-emitter-method-names.js', () => {
    it('keeps the method names and aliases', () => {
      const E = Ctor.prototype
      expect(E.constructor).toBe(Ctor)
      expect(E.on).toBe(E.addListener)
      expect(E.off).toBe(E.removeListener)
      for (const name of Object.getOwnPropertyNames(E)) {
        if (name === 'constructor' || name === 'on' || name === 'off') continue
        const value = Object.getOwnPropertyDescriptor(E, name)!.value
        if (typeof value === 'function') expect(value.name).toBe(name)
      }
    })
  })

  describe('test-event-emitter-modify-in-emit.js', () => {
    it('uses the listeners present when emit started', () => {
      let called: string[] = []
      const e = new Ctor()
      function callback1() {
        called.push('callback1')
        e.on('foo', callback2)
        e.on('foo', callback3)
        e.removeListener('foo', callback1)
      }
      function callback2() {
        called.push('callback2')
        e.removeListener('foo', callback2)
      }
      function callback3() {
        called.push('callback3')
        e.removeListener('foo', callback3)
      }
      e.on('foo', callback1)
      e.emit('foo')
      expect(e.listeners('foo')).toHaveLength(2)
      expect(called).toEqual(['callback1'])
      e.emit('foo')
      expect(e.listeners('foo')).toHaveLength(0)
      expect(called).toEqual(['callback1', 'callback2', 'callback3'])
      e.emit('foo')
      expect(called).toEqual(['callback1', 'callback2', 'callback3'])
      e.on('foo', callback1)
      e.on('foo', callback2)
      e.removeAllListeners('foo')
      expect(e.listeners('foo')).toHaveLength(0)
      called = []
      e.on('foo', callback2)
      e.on('foo', callback3)
      e.emit('foo')
      expect(called).toEqual(['callback2', 'callback3'])
      expect(e.listeners('foo')).toHaveLength(0)
    })
  })

  describe('test-event-emitter-num-args.js', () => {
    it('passes exactly the arguments given', () => {
      const e = new Ctor()
      const counts: number[] = []
      e.on('numArgs', (...args: unknown[]) => counts.push(args.length))
      e.on('foo', (...args: unknown[]) => counts.push(args.length))
      e.on('foo', (...args: unknown[]) => counts.push(args.length))
      e.emit('numArgs')
      e.emit('numArgs', null)
      e.emit('numArgs', null, null)
      e.emit('numArgs', null, null, null)
      e.emit('numArgs', null, null, null, null)
      e.emit('numArgs', null, null, null, null, null)
      e.emit('foo', null, null, null, null)
      expect(counts).toEqual([0, 1, 2, 3, 4, 5, 4, 4])
    })
  })

  describe('test-event-emitter-once.js', () => {
    it('calls a once listener one time, even when it re-emits', () => {
      const e = new Ctor()
      e.once('hello', mustCall())
      e.emit('hello', 'a', 'b')
      e.emit('hello', 'a', 'b')
      e.emit('hello', 'a', 'b')
      const remove = mustNotCall()
      e.once('foo', remove)
      e.removeListener('foo', remove)
      e.emit('foo')
      e.once('e', mustCall(() => e.emit('e')))
      e.once('e', mustCall())
      e.emit('e')
      expect(() => new Ctor().once('foo', null as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    })

    it('passes 0 to 4 arguments to once listeners', () => {
      for (let i = 0; i <= 4; ++i) {
        const ee = new Ctor()
        const args = Array.from({ length: i }, (_, j) => j)
        ee.once('foo', mustCall((...params: unknown[]) => expect(params).toEqual(args)))
        ee.emit('foo', ...args)
      }
    })

    it('returns whether there were listeners', () => {
      const ee = new Ctor()
      expect(ee.emit('x')).toBe(false)
      ee.once('x', () => {})
      expect(ee.emit('x')).toBe(true)
      expect(ee.emit('x')).toBe(false)
    })
  })

  describe('test-event-emitter-prepend.js', () => {
    it('prepends listeners', () => {
      const ee = new Ctor()
      let m = 0
      ee.on('foo', mustCall(() => expect(m).toBe(2)))
      ee.prependListener('foo', mustCall(() => expect(m++).toBe(1)))
      ee.prependOnceListener('foo', mustCall(() => expect(m++).toBe(0)))
      ee.emit('foo')
    })
  })

  describe('test-event-emitter-remove-all-listeners.js', () => {
    it('removes the listeners of one event and emits removeListener for each', () => {
      const ee = new Ctor()
      const noop = mustNotCall()
      ee.on('foo', noop)
      ee.on('bar', noop)
      ee.on('baz', noop)
      ee.on('baz', noop)
      const barListeners = ee.listeners('bar')
      const bazListeners = ee.listeners('baz')
      const removed: unknown[] = []
      ee.on('removeListener', (name: string) => removed.push(name))
      ee.removeAllListeners('bar')
      ee.removeAllListeners('baz')
      expect(removed.sort()).toEqual(['bar', 'baz', 'baz'])
      expect(ee.listeners('foo')).toEqual([noop])
      expect(ee.listeners('bar')).toEqual([])
      expect(barListeners).toEqual([noop])
      expect(bazListeners).toEqual([noop, noop])
    })

    it('removes everything, removeListener listeners last', () => {
      const ee = new Ctor()
      ee.on('foo', mustNotCall())
      ee.on('bar', mustNotCall())
      const first: unknown[] = []
      const second: unknown[] = []
      ee.on('removeListener', (name: string) => first.push(name))
      ee.on('removeListener', (name: string) => second.push(name))
      ee.removeAllListeners()
      expect(first.sort()).toEqual(['bar', 'foo', 'removeListener'])
      expect(second.sort()).toEqual(['bar', 'foo'])
      expect(ee.listeners('foo')).toEqual([])
    })

    it('removes in LIFO order and returns the emitter', () => {
      const ee = new Ctor()
      let expectLength = 2
      ee.on('removeListener', function (this: EventEmitter) {
        expect(this.listeners('baz')).toHaveLength(expectLength--)
      })
      ee.on('baz', mustNotCall())
      ee.on('baz', mustNotCall())
      ee.on('baz', mustNotCall())
      ee.removeAllListeners('baz')
      expect(ee.listeners('baz')).toHaveLength(0)
      expect(ee.removeAllListeners()).toBe(ee)
      internals(ee)._events = undefined
      expect(ee.removeAllListeners()).toBe(ee)
    })

    it('reports symbol events', () => {
      const ee = new Ctor()
      const symbol = Symbol('symbol')
      const noop = mustNotCall()
      ee.on(symbol, noop)
      ee.on('removeListener', mustCall((...args: unknown[]) => expect(args).toEqual([symbol, noop])))
      ee.removeAllListeners()
    })
  })

  describe('test-event-emitter-remove-listeners.js', () => {
    function listener1() {}
    function listener2() {}

    it('emits removeListener with the name and listener', () => {
      const ee = new Ctor()
      ee.on('hello', listener1)
      ee.on('removeListener', mustCall((name: string, cb: unknown) => {
        expect(name).toBe('hello')
        expect(cb).toBe(listener1)
      }))
      ee.removeListener('hello', listener1)
      expect(ee.listeners('hello')).toEqual([])

      const other = new Ctor()
      other.on('hello', listener1)
      other.on('removeListener', mustNotCall())
      other.removeListener('hello', listener2)
      expect(other.listeners('hello')).toEqual([listener1])
    })

    it('emits removeListener after removal', () => {
      const ee = new Ctor()
      ee.on('hello', listener1)
      ee.on('hello', listener2)
      ee.once('removeListener', mustCall((name: string, cb: unknown) => {
        expect(name).toBe('hello')
        expect(cb).toBe(listener1)
        expect(ee.listeners('hello')).toEqual([listener2])
        ee.once('removeListener', mustCall((_: string, cb2: unknown) => {
          expect(cb2).toBe(listener2)
          expect(ee.listeners('hello')).toEqual([])
        }))
        ee.removeListener('hello', listener2)
      }))
      ee.removeListener('hello', listener1)
      expect(ee.listeners('hello')).toEqual([])
    })

    it('lets removeListener listeners emit', () => {
      const ee = new Ctor()
      const remove1 = mustNotCall()
      const remove2 = mustNotCall()
      ee.on('removeListener', mustCall(function (this: EventEmitter, _name: string, cb: unknown) {
        if (cb !== remove1) return
        this.removeListener('quux', remove2)
        this.emit('quux')
      }, 2))
      ee.on('quux', remove1)
      ee.on('quux', remove2)
      ee.removeListener('quux', remove1)
    })

    it('still calls a listener removed during the emit', () => {
      const ee = new Ctor()
      const listener4 = mustCall()
      const listener3 = mustCall(() => {
        ee.removeListener('hello', listener4)
      }, 2)
      ee.on('hello', listener3)
      ee.on('hello', listener4)
      ee.emit('hello')
      ee.emit('hello')
    })

    it('reports the unwrapped once listener', () => {
      const ee = new Ctor()
      ee.once('hello', listener1)
      ee.on('removeListener', mustCall((name: string, listener: unknown) => {
        expect(name).toBe('hello')
        expect(listener).toBe(listener1)
      }))
      ee.emit('hello')
    })

    it('returns the emitter and collapses a single listener back to a function', () => {
      const ee = new Ctor()
      expect(ee.removeListener('foo', () => {})).toBe(ee)
      internals(ee)._events = undefined
      expect(ee.removeListener('foo', () => {})).toBe(ee)
      const ff = new Ctor()
      ff.on('foo', listener1)
      ff.on('foo', listener2)
      ff.removeListener('foo', listener1)
      expect(eventsOf(ff)['foo']).toBe(listener2)
      ff.on('foo', listener1)
      expect(ff.listeners('foo')).toEqual([listener2, listener1])
      ff.removeListener('foo', listener1)
      expect(eventsOf(ff)['foo']).toBe(listener2)
    })
  })

  describe('test-event-emitter-special-event-names.js', () => {
    it('handles names that are Object.prototype members', () => {
      const ee = new Ctor()
      const handler = () => {}
      expect(ee.eventNames()).toEqual([])
      expect((eventsOf(ee) as Record<string, unknown>)['hasOwnProperty']).toBeUndefined()
      ee.on('__proto__', handler)
      ee.on('__defineGetter__', handler)
      ee.on('toString', handler)
      expect(ee.eventNames()).toEqual(['__proto__', '__defineGetter__', 'toString'])
      expect(ee.listeners('__proto__')).toEqual([handler])
      ee.on('__proto__', mustCall((val: unknown) => expect(val).toBe(1)))
      expect(ee.emit('__proto__', 1)).toBe(true)
      expect(ee.emit('toString')).toBe(true)
    })
  })

  describe('test-event-emitter-symbols.js', () => {
    it('uses symbols as event names', () => {
      const ee = new Ctor()
      const foo = Symbol('foo')
      const listener = mustCall()
      ee.on(foo, listener)
      expect(ee.listeners(foo)).toEqual([listener])
      ee.emit(foo)
      ee.removeAllListeners()
      expect(ee.listeners(foo)).toEqual([])
      ee.on(foo, listener)
      ee.removeListener(foo, listener)
      expect(ee.listeners(foo)).toEqual([])
    })
  })

  describe('test-event-emitter-subclass.js', () => {
    it('supports prototype subclasses that call the constructor late or never', () => {
      function MyEE(this: EventEmitter, cb: () => void) {
        this.once(1 as never, cb)
        this.emit(1 as never)
        this.removeAllListeners()
        callConstructor(Ctor, this)
      }
      Object.setPrototypeOf(MyEE.prototype, Ctor.prototype)
      Object.setPrototypeOf(MyEE, Ctor)
      const myee = new (MyEE as unknown as new (cb: () => void) => EventEmitter)(mustCall())
      expect(eventsOf(myee) instanceof Object).toBe(false)
      expect(Object.keys(eventsOf(myee))).toEqual([])

      function ErrorEE(this: EventEmitter) {
        this.emit('error', new Error('blerg'))
      }
      Object.setPrototypeOf(ErrorEE.prototype, Ctor.prototype)
      Object.setPrototypeOf(ErrorEE, Ctor)
      expect(() => new (ErrorEE as unknown as new () => EventEmitter)()).toThrow(/blerg/)
    })

    it('gives instances of a constructor whose prototype is an emitter their own listeners', () => {
      function MyEE2(this: EventEmitter) {
        callConstructor(Ctor, this)
      }
      MyEE2.prototype = new Ctor()
      const Sub = MyEE2 as unknown as new () => EventEmitter
      const ee1 = new Sub()
      const ee2 = new Sub()
      ee1.on('x', () => {})
      expect(ee2.listenerCount('x')).toBe(0)
    })

    it('supports util.inherits with a constructor call', () => {
      function Legacy(this: EventEmitter) {
        callConstructor(Ctor, this)
      }
      inherits(Legacy, Ctor)
      const ee = new (Legacy as unknown as new () => EventEmitter)()
      expect(ee).toBeInstanceOf(Ctor)
      expect(ee).toBeInstanceOf(EventEmitter)
      ee.on('x', mustCall(function (this: EventEmitter, value: unknown) {
        expect(this).toBe(ee)
        expect(value).toBe(1)
      }))
      expect(ee.emit('x', 1)).toBe(true)
    })
  })

  describe('test-event-capture-rejections.js', () => {
    afterEach(() => {
      EventEmitter.captureRejections = false
    })

    it.each([1, [], function () {}, {}, Infinity, Math.PI, 'meow'])('validates captureRejections: %s', (value) => {
      expect(() => new Ctor({ captureRejections: value as never })).toThrow(expect.objectContaining({
        name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE',
        message: expect.stringContaining('The "options.captureRejections" property must be of type boolean.'),
      }))
    })

    it('routes an async listener rejection to error, once per listener', async () => {
      const ee = new Ctor({ captureRejections: true })
      const err = new Error('kaboom')
      ee.on('something', mustCall(async () => { throw err }))
      ee.on('something', mustCall(async () => { throw err }))
      const errors: unknown[] = []
      const both = new Promise<void>((resolve) => ee.on('error', (e: unknown) => errors.push(e) === 2 && resolve()))
      ee.emit('something')
      await both
      expect(errors).toEqual([err, err])
    })

    it('follows EventEmitter.captureRejections, also without a constructor call', async () => {
      expect(Ctor.captureRejections).toBe(false)
      Ctor.captureRejections = true
      function NoConstructor() {}
      inherits(NoConstructor, Ctor)
      for (const ee of [new Ctor(), new (NoConstructor as unknown as new () => EventEmitter)()]) {
        const err = new Error('kaboom')
        ee.on('something', mustCall(async () => { throw err }))
        const caught = once(ee, 'error')
        ee.emit('something')
        expect(await caught).toEqual([err])
      }
    })

    it('calls the captureRejectionSymbol method instead of emitting error', async () => {
      expect(captureRejectionSymbol).toBe(Symbol.for('nodejs.rejection'))
      const ee = new Ctor({ captureRejections: true })
      const err = new Error('kaboom')
      ee.on('something', mustCall(async (...args: unknown[]) => {
        expect(args).toEqual([42, 'foobar'])
        throw err
      }))
      const called = new Promise<unknown[]>((resolve) => {
        (ee as unknown as Record<symbol, unknown>)[captureRejectionSymbol] = (...args: unknown[]) => resolve(args)
      })
      ee.emit('something', 42, 'foobar')
      expect(await called).toEqual([err, 'something', 42, 'foobar'])
    })

    it('handles thenables that reject or throw from then', async () => {
      for (const thenable of [
        (err: Error) => ({ then: (_: unknown, rejected: (e: Error) => void) => rejected(err) }),
        (err: Error) => Object.defineProperty({}, 'then', { get: () => { throw err } }),
      ]) {
        const ee = new Ctor({ captureRejections: true })
        const err = new Error('kaboom')
        ee.on('something', mustCall(() => thenable(err)))
        const caught = once(ee, 'error')
        ee.emit('something')
        expect(await caught).toEqual([err])
      }
    })

    it('validates EventEmitter.captureRejections', () => {
      for (const value of [[], { hello: 42 }, 42]) {
        expect(() => { Ctor.captureRejections = value as never }).toThrow(expect.objectContaining({
          code: 'ERR_INVALID_ARG_TYPE',
          message: expect.stringContaining('The "EventEmitter.captureRejections" property must be of type boolean.'),
        }))
      }
    })
  })

  describe('test-events-once.js', () => {
    it('resolves with the arguments and removes its listeners', async () => {
      const ee = new Ctor()
      process.nextTick(() => ee.emit('myevent', 42))
      expect(await once(ee, 'myevent')).toEqual([42])
      expect(ee.listenerCount('error')).toBe(0)
      expect(ee.listenerCount('myevent')).toBe(0)
      process.nextTick(() => ee.emit('myevent', 42, 24))
      expect(await once(ee, 'myevent')).toEqual([42, 24])
    })

    it('rejects on error and stops listening', async () => {
      const ee = new Ctor()
      const expected = new Error('kaboom')
      process.nextTick(() => {
        ee.emit('error', expected)
        ee.emit('myevent', 42, 24)
      })
      await expect(once(ee, 'myevent')).rejects.toBe(expected)
      expect(ee.listenerCount('error')).toBe(0)
      expect(ee.listenerCount('myevent')).toBe(0)
    })

    it('resolves on error when waiting for error', async () => {
      const ee = new Ctor()
      const expected = new Error('kaboom')
      process.nextTick(() => ee.emit('error', expected))
      const promise = once(ee, 'error')
      expect(ee.listenerCount('error')).toBe(1)
      expect(await promise).toEqual([expected])
      expect(ee.listenerCount('error')).toBe(0)
    })

    it('honours an AbortSignal', async () => {
      const ee = new Ctor()
      ee.on('error', mustNotCall())
      await expect(once(ee, 'foo', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
      const ac = new AbortController()
      const waiting = once(ee, 'foo', { signal: ac.signal })
      process.nextTick(() => ac.abort())
      await expect(waiting).rejects.toMatchObject({ name: 'AbortError' })
      expect(ee.listeners('foo')).toHaveLength(0)
    })
  })

  describe('test-events-on-async-iterator.js', () => {
    it('iterates one event', async () => {
      const ee = new Ctor()
      process.nextTick(() => {
        ee.emit('foo', 'bar')
        ee.emit('bar', 24)
        ee.emit('foo', 42)
      })
      const expected = [['bar'], [42]]
      for await (const event of on(ee, 'foo')) {
        expect(event).toEqual(expected.shift())
        if (expected.length === 0) break
      }
      expect(ee.listenerCount('foo')).toBe(0)
      expect(ee.listenerCount('error')).toBe(0)
    })

    it('throws an emitted error out of the loop', async () => {
      const ee = new Ctor()
      const err = new Error('kaboom')
      process.nextTick(() => {
        ee.emit('foo', 42)
        ee.emit('error', err)
      })
      const seen: unknown[] = []
      await expect((async () => {
        for await (const event of on(ee, 'foo')) seen.push(event)
      })()).rejects.toBe(err)
      expect(seen).toEqual([[42]])
      expect(ee.listenerCount('foo')).toBe(0)
      expect(ee.listenerCount('error')).toBe(0)
    })

    it('queues events for next() and ends on return()', async () => {
      const ee = new Ctor()
      const iterable = on(ee, 'foo')
      process.nextTick(() => {
        ee.emit('foo', 'bar')
        ee.emit('foo', 42)
        void iterable.return?.()
      })
      const results = await Promise.all([iterable.next(), iterable.next(), iterable.next()])
      expect(results).toEqual([{ value: ['bar'], done: false }, { value: [42], done: false }, { value: undefined, done: true }])
      expect(await iterable.next()).toEqual({ value: undefined, done: true })
    })

    it('adds one error listener and honours an aborted signal', () => {
      const ee = new Ctor()
      on(ee, 'foo')
      expect(ee.listenerCount('error')).toBe(1)
      expect(() => on(new Ctor(), 'foo', { signal: AbortSignal.abort() })).toThrow(expect.objectContaining({ name: 'AbortError' }))
    })
  })
})
