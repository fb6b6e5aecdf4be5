// Node's own EventEmitter tests (nodejs/node test/parallel), ported to vitest: see ./harness.ts.
import { EventEmitter, captureRejectionSymbol, on, once } from 'node:events'
import { inherits } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { eventsOf, callConstructor, mustCall, mustNotCall, implementations } from './harness'

describe.each(implementations)('%s', (_label, Ctor) => {
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
