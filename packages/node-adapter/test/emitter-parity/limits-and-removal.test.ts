// Node's own EventEmitter tests (nodejs/node test/parallel), ported to vitest: see ./harness.ts.
import { EventEmitter, getEventListeners, getMaxListeners, setMaxListeners } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { internals, eventsOf, mustCall, mustNotCall, implementations } from './harness'

describe.each(implementations)('%s', (_label, Ctor) => {
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
})
