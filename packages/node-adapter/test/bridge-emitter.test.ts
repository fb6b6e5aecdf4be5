import { EventEmitter } from 'node:events'
import { Readable } from 'node:stream'
import * as v from 'valibot'
import { TidingsError, createBus, defineCatalog, defineEvent, observe } from '@tidings/core'
import type { Observation } from '@tidings/core'
import { bridgeEmitter } from '@tidings/node'
import type { EmitterLike } from '@tidings/node'
import { describe, expect, it, vi } from 'vitest'

const watchedBus = () => {
  const bus = createBus({}, observe())
  const seen: Array<[string, unknown]> = []
  bus.observe((o: Observation) => {
    if (o.kind === 'emitted') seen.push([o.envelope.type, o.envelope.data])
  })
  return { bus, seen }
}

describe('bridgeEmitter()', () => {
  it('forwards only the chosen events, with the one argument or the array of several', () => {
    const { bus, seen } = watchedBus()
    const source = new EventEmitter()
    bridgeEmitter(source, bus, { events: ['connect', 'message'] })
    source.emit('connect')
    source.emit('message', 'hi', 2)
    source.emit('ignored', 1)
    source.emit('message', { text: 'hello' })
    expect(seen).toEqual([['connect', undefined], ['message', ['hi', 2]], ['message', { text: 'hello' }]])
  })

  it('forwards a stream into the bus under the types given', async () => {
    const { bus, seen } = watchedBus()
    const stream = Readable.from(['a', 'b'], { objectMode: true })
    bridgeEmitter(stream, bus, { events: { data: 'upload.chunk', end: 'upload.done' } })
    const ended = new Promise((resolve) => stream.on('end', resolve))
    await ended
    expect(seen).toEqual([['upload.chunk', 'a'], ['upload.chunk', 'b'], ['upload.done', undefined]])
  })

  it('forwards process events', () => {
    const { bus, seen } = watchedBus()
    const detach = bridgeEmitter(process, bus, { events: { 'tidings:test': 'process.test' } })
    process.emit('tidings:test' as never, 42 as never)
    detach()
    process.emit('tidings:test' as never, 43 as never)
    expect(seen).toEqual([['process.test', 42]])
    expect(process.listenerCount('tidings:test')).toBe(0)
  })

  it('reshapes payloads with map', () => {
    const { bus, seen } = watchedBus()
    const source = new EventEmitter()
    bridgeEmitter(source, bus, { events: ['response'], map: ([status, ms], name) => ({ event: name, status, ms }) })
    source.emit('response', 200, 12)
    expect(seen).toEqual([['response', { event: 'response', status: 200, ms: 12 }]])
  })

  it('names symbol events Symbol(description) on the bus', () => {
    const { bus, seen } = watchedBus()
    const source = new EventEmitter()
    const tick = Symbol('tick')
    bridgeEmitter(source, bus, { events: [tick] })
    source.emit(tick, 1)
    expect(seen).toEqual([['Symbol(tick)', 1]])
  })

  it('detaches exactly its own listeners, once', () => {
    const { bus, seen } = watchedBus()
    const source = new EventEmitter()
    const own = () => {}
    source.on('data', own)
    const detach = bridgeEmitter(source, bus, { events: ['data', 'end'] })
    expect(source.listenerCount('data')).toBe(2)
    detach()
    detach()
    expect(source.listeners('data')).toEqual([own])
    expect(source.listenerCount('end')).toBe(0)
    source.emit('data', 1)
    expect(seen).toEqual([])
  })

  it('detaches when its signal aborts, and attaches nothing for an aborted signal', () => {
    const { bus } = watchedBus()
    const source = new EventEmitter()
    const controller = new AbortController()
    bridgeEmitter(source, bus, { events: ['data'], signal: controller.signal })
    expect(source.listenerCount('data')).toBe(1)
    controller.abort()
    expect(source.listenerCount('data')).toBe(0)
    bridgeEmitter(source, bus, { events: ['data'], signal: AbortSignal.abort() })
    expect(source.listenerCount('data')).toBe(0)
  })

  it("watches 'error' without handling it, so an unhandled error still throws", () => {
    const { bus, seen } = watchedBus()
    const source = new EventEmitter()
    bridgeEmitter(source, bus, { events: ['error'] })
    expect(source.listenerCount('error')).toBe(0)
    const boom = new Error('boom')
    expect(() => source.emit('error', boom)).toThrow(boom)
    expect(seen).toEqual([['error', boom]])
  })

  it("listens to 'error' itself on emitters that are not EventEmitters", () => {
    const { bus, seen } = watchedBus()
    const listeners = new Map<string | symbol, (...args: unknown[]) => void>()
    const custom: EmitterLike = {
      on: (name, listener) => listeners.set(name, listener),
      removeListener: (name) => listeners.delete(name),
    }
    const detach = bridgeEmitter(custom, bus, { events: ['error'] })
    listeners.get('error')!(new Error('custom'))
    expect(seen[0]?.[0]).toBe('error')
    detach()
    expect(listeners.size).toBe(0)
  })

  it('reports an event the bus refuses to onError, never to the source', () => {
    const catalog = defineCatalog(defineEvent('job.done', { schema: v.object({ id: v.string() }) }))
    const bus = createBus({ catalog })
    const source = new EventEmitter()
    const errors: Array<[unknown, unknown]> = []
    bridgeEmitter(source, bus, { events: { done: 'job.done' }, onError: (error, name) => errors.push([error, name]) })
    expect(() => source.emit('done', { id: 5 })).not.toThrow()
    expect(errors).toHaveLength(1)
    expect(errors[0]![0]).toMatchObject({ code: 'E_VALIDATION' })
    expect(errors[0]![1]).toBe('done')
  })

  it('logs a refused event to the console by default', () => {
    const bus = createBus()
    bus.use(() => { throw new TidingsError('E_VALIDATION', 'nope') })
    const source = new EventEmitter()
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    bridgeEmitter(source, bus, { events: ['x'] })
    source.emit('x')
    expect(spy).toHaveBeenCalledWith('bridgeEmitter: the bus refused "x"', expect.objectContaining({ code: 'E_VALIDATION' }))
    spy.mockRestore()
  })

  it('detaches itself once the bus is closed', async () => {
    const bus = createBus()
    const source = new EventEmitter()
    bridgeEmitter(source, bus, { events: ['data'] })
    await bus.close()
    expect(() => source.emit('data', 1)).not.toThrow()
    expect(source.listenerCount('data')).toBe(0)
  })

  it('rejects unusable arguments with E_INVALID_ARGUMENT', () => {
    const bus = createBus()
    const source = new EventEmitter()
    const code = expect.objectContaining({ name: 'TidingsError', code: 'E_INVALID_ARGUMENT' })
    expect(() => bridgeEmitter({} as never, bus, { events: ['x'] })).toThrow(code)
    expect(() => bridgeEmitter(source, {} as never, { events: ['x'] })).toThrow(code)
    expect(() => bridgeEmitter(source, bus, { events: [] })).toThrow(code)
    expect(() => bridgeEmitter(source, bus, { events: {} })).toThrow(code)
  })
})
