import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createBus } from '@tidings/core'
import type { AnyHandler, Bus, HandlerMap } from '@tidings/core'

// mitt's own test suite (developit/mitt test/index_test.ts), run against createBus({ all }).
// One deliberate difference: handlers get the envelope as an extra trailing argument, so mitt's
// "second argument is undefined" assertion becomes "second argument is the envelope".

describe('createBus() as mitt', () => {
  it('accepts an optional event handler map', () => {
    expect(() => createBus({ all: new Map() })).not.toThrow()
    const map: HandlerMap = new Map()
    const a = vi.fn()
    const b = vi.fn()
    map.set('foo', [a, b])
    const events = createBus({ all: map })
    events.emit('foo')
    expect(a).toHaveBeenCalledOnce()
    expect(b).toHaveBeenCalledOnce()
  })
})

describe('bus# (mitt semantics)', () => {
  let events: HandlerMap
  let inst: Bus

  beforeEach(() => {
    events = new Map()
    inst = createBus({ all: events })
  })

  it('exposes the event handler map', () => {
    expect(inst.all).toBeInstanceOf(Map)
    expect(inst.all).toBe(events)
  })

  describe('on()', () => {
    it('registers handler for new type', () => {
      const foo = () => {}
      inst.on('foo', foo)
      expect(events.get('foo')).toEqual([foo])
    })

    it('registers handlers for any type strings', () => {
      const foo = () => {}
      inst.on('constructor', foo)
      expect(events.get('constructor')).toEqual([foo])
    })

    it('appends handler for existing type', () => {
      const foo = () => {}
      const bar = () => {}
      inst.on('foo', foo)
      inst.on('foo', bar)
      expect(events.get('foo')).toEqual([foo, bar])
    })

    it('does NOT normalize case', () => {
      const foo = () => {}
      inst.on('FOO', foo)
      inst.on('Bar', foo)
      inst.on('baz:baT!', foo)
      expect(events.get('FOO')).toEqual([foo])
      expect(events.has('foo')).toBe(false)
      expect(events.get('Bar')).toEqual([foo])
      expect(events.has('bar')).toBe(false)
      expect(events.get('baz:baT!')).toEqual([foo])
    })

    it('can take symbols for event types', () => {
      const eventType = Symbol('eventType') as unknown as string
      const foo = () => {}
      inst.on(eventType, foo)
      expect(events.get(eventType)).toEqual([foo])
      inst.emit(eventType, 1)
    })

    it('adds duplicate listeners', () => {
      const foo = () => {}
      inst.on('foo', foo)
      inst.on('foo', foo)
      expect(events.get('foo')).toEqual([foo, foo])
    })
  })

  describe('off()', () => {
    it('removes handler for type', () => {
      const foo = () => {}
      inst.on('foo', foo)
      inst.off('foo', foo)
      expect(events.get('foo')).toEqual([])
    })

    it('does NOT normalize case', () => {
      const foo = () => {}
      inst.on('FOO', foo)
      inst.on('Bar', foo)
      inst.on('baz:bat!', foo)
      inst.off('FOO', foo)
      inst.off('Bar', foo)
      inst.off('baz:baT!', foo)
      expect(events.get('FOO')).toEqual([])
      expect(events.has('foo')).toBe(false)
      expect(events.get('Bar')).toEqual([])
      expect(events.has('bar')).toBe(false)
      expect(events.get('baz:bat!')).toHaveLength(1)
    })

    it('removes only the first matching listener', () => {
      const foo = () => {}
      inst.on('foo', foo)
      inst.on('foo', foo)
      inst.off('foo', foo)
      expect(events.get('foo')).toEqual([foo])
      inst.off('foo', foo)
      expect(events.get('foo')).toEqual([])
    })

    it('off("type") removes all handlers of the given type', () => {
      inst.on('foo', () => {})
      inst.on('foo', () => {})
      inst.on('bar', () => {})
      inst.off('foo')
      expect(events.get('foo')).toEqual([])
      expect(events.get('bar')).toHaveLength(1)
      inst.off('bar')
      expect(events.get('bar')).toEqual([])
    })

    it('ignores a handler that was never registered', () => {
      const foo = () => {}
      inst.on('foo', foo)
      inst.off('foo', () => {})
      inst.off('nothing', foo)
      expect(events.get('foo')).toEqual([foo])
    })
  })

  describe('emit()', () => {
    it('invokes handler for type, with the envelope as second argument', () => {
      const event = { a: 'b' }
      const seen: unknown[] = []
      inst.on('foo', (one, two) => seen.push(one, two))
      const envelope = inst.emit('foo', event)
      expect(seen).toEqual([event, envelope])
      expect(envelope.data).toBe(event)
    })

    it('does NOT ignore case', () => {
      const onFoo = vi.fn()
      const onFOO = vi.fn()
      events.set('Foo', [onFoo])
      events.set('FOO', [onFOO])
      inst.emit('Foo', 'Foo arg')
      inst.emit('FOO', 'FOO arg')
      expect(onFoo).toHaveBeenCalledOnce()
      expect(onFoo.mock.calls[0]![0]).toBe('Foo arg')
      expect(onFOO).toHaveBeenCalledOnce()
      expect(onFOO.mock.calls[0]![0]).toBe('FOO arg')
    })

    it('invokes * handlers with (type, data)', () => {
      const star = vi.fn()
      const ea = { a: 'a' }
      const eb = { b: 'b' }
      events.set('*', [star as AnyHandler])
      inst.emit('foo', ea)
      expect(star).toHaveBeenCalledOnce()
      expect(star.mock.calls[0]!.slice(0, 2)).toEqual(['foo', ea])
      star.mockClear()
      inst.emit('bar', eb)
      expect(star).toHaveBeenCalledOnce()
      expect(star.mock.calls[0]!.slice(0, 2)).toEqual(['bar', eb])
    })

    it('calls specific handlers before * handlers, each in registration order', () => {
      const order: string[] = []
      inst.on('*', () => order.push('star1'))
      inst.on('foo', () => order.push('foo1'))
      inst.on('*', () => order.push('star2'))
      inst.on('foo', () => order.push('foo2'))
      inst.emit('foo')
      expect(order).toEqual(['foo1', 'foo2', 'star1', 'star2'])
    })

    it('dispatches to the handlers present when emit started, as mitt does (snapshot)', () => {
      const calls: string[] = []
      const late = () => calls.push('late')
      const second = () => calls.push('second')
      inst.on('foo', () => {
        calls.push('first')
        inst.off('foo', second)
        inst.on('foo', late)
      })
      inst.on('foo', second)
      inst.emit('foo')
      expect(calls).toEqual(['first', 'second'])
      inst.emit('foo')
      expect(calls).toEqual(['first', 'second', 'first', 'late'])
    })
  })
})
