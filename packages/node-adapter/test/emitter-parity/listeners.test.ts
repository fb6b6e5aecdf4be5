// Node's own EventEmitter tests (nodejs/node test/parallel), ported to vitest: see ./harness.ts.
import { EventEmitter, errorMonitor, once } from 'node:events'
import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { internals, eventsOf, mustCall, mustNotCall, implementations } from './harness'
import type { Listener, Stored } from './harness'

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
})
