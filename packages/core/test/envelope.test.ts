import { describe, expect, it } from 'vitest'
import { TidingsError, causedBy, createBus } from '@tidings/core'
import { catalog, order } from './fixtures'

describe('envelopes made by emit()', () => {
  it('are CloudEvents 1.0 shaped, with the payload version as dataversion', () => {
    const bus = createBus({ catalog, source: '/shop' })
    const e = bus.emit('order.placed', order())
    expect(e).toMatchObject({ specversion: '1.0', source: '/shop', type: 'order.placed', dataversion: 2, data: order() })
    expect(e.id).toMatch(/^[0-9a-z]{12}-[0-9a-z]+$/)
    expect(Number.isNaN(Date.parse(e.time))).toBe(false)
    expect(e.correlationid).toBeUndefined()
    expect(e.causationid).toBeUndefined()
  })

  it('serialize to their CloudEvents JSON form, lazy fields included', () => {
    const bus = createBus({ catalog })
    const e = bus.emit('order.placed', order(), { extensions: { tenant: 'acme', priority: 3 } })
    const json = JSON.parse(JSON.stringify(e))
    expect(json).toEqual({
      specversion: '1.0', id: e.id, source: '/tidings', type: 'order.placed', time: e.time,
      dataversion: 2, data: order(), tenant: 'acme', priority: 3,
    })
  })

  it('write binary payloads as data_base64, as CloudEvents JSON requires', () => {
    const e = createBus().emit('blob', new Uint8Array([104, 105]))
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ data_base64: 'aGk=' })
    expect(JSON.parse(JSON.stringify(e))).not.toHaveProperty('data')
  })

  it('need a bus source that is a URI-reference', () => {
    expect(() => createBus({ source: 'not a uri' })).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(createBus({ source: 'https://shop.example/api' }).source).toBe('https://shop.example/api')
  })

  it('have ids unique across buses and across many emits', () => {
    const ids = new Set<string>()
    for (let b = 0; b < 20; b++) {
      const bus = createBus()
      for (let i = 0; i < 500; i++) ids.add(bus.emit('x').id)
    }
    expect(ids.size).toBe(10_000)
  })

  it('take id, time, correlationid and causationid from emit options', () => {
    const bus = createBus()
    const e = bus.emit('x', 1, { id: 'my-id', time: '2024-05-01T10:00:00.000Z', correlationid: 'c-1', causationid: 'k-1' })
    expect(e).toMatchObject({ id: 'my-id', time: '2024-05-01T10:00:00.000Z', correlationid: 'c-1', causationid: 'k-1' })
    expect(bus.emit('x', 1, { time: new Date(0) }).time).toBe('1970-01-01T00:00:00.000Z')
    expect(bus.emit('x', 1, { time: 86_400_000 }).time).toBe('1970-01-02T00:00:00.000Z')
  })

  it('reject a bad time, id or extension name with E_INVALID_ARGUMENT and dispatch nothing', () => {
    const bus = createBus()
    let calls = 0
    bus.on('x', () => calls++)
    const attempts = [
      () => bus.emit('x', 1, { time: 'yesterday' }),
      () => bus.emit('x', 1, { id: '' }),
      () => bus.emit('x', 1, { extensions: { 'Not-Valid': 1 } }),
      () => bus.emit('x', 1, { extensions: { averyveryverylongextensionname: 1 } }),
      () => bus.emit('x', 1, { extensions: { source: 'spoof' } }),
      () => bus.emit('x', 1, { extensions: { ratio: 0.5 } }),
      () => bus.emit('x', 1, { time: 'May 1, 2024' }),
    ]
    for (const attempt of attempts) {
      expect(attempt).toThrow(TidingsError)
      try {
        attempt()
      } catch (error) {
        expect((error as TidingsError).code).toBe('E_INVALID_ARGUMENT')
      }
    }
    expect(calls).toBe(0)
  })

  it('record the causing event when emitted from a handler, and inherit its correlation id', () => {
    const bus = createBus()
    const seen: Record<string, { id: string; correlationid?: string; causationid?: string }> = {}
    bus.on('a', (_d, e) => {
      seen.a = e
      bus.emit('b')
    })
    bus.on('b', (_d, e) => {
      seen.b = e
      bus.emit('c')
    })
    bus.on('c', (_d, e) => (seen.c = e))
    const root = bus.emit('a')
    expect(seen.b!.causationid).toBe(root.id)
    expect(seen.b!.correlationid).toBe(root.id)
    expect(seen.c!.causationid).toBe(seen.b!.id)
    expect(seen.c!.correlationid).toBe(root.id)
    expect(bus.emit('d').causationid).toBeUndefined()
  })

  it('carry causation across buses, and through causedBy() after an await', async () => {
    const a = createBus()
    const b = createBus()
    const seen: Array<{ causationid?: string; correlationid?: string }> = []
    b.on('second', (_d, e) => seen.push(e))
    a.on('first', async (_d, e) => {
      b.emit('second')
      await Promise.resolve()
      b.emit('second', undefined, causedBy(e))
    })
    const first = a.emit('first', undefined, { correlationid: 'op-7' })
    await new Promise((r) => setTimeout(r, 0))
    expect(seen).toHaveLength(2)
    for (const e of seen) expect(e).toMatchObject({ causationid: first.id, correlationid: 'op-7' })
  })

  it('carry the cause\'s trace context (traceparent, tracestate) on, also through causedBy() after an await', async () => {
    const a = createBus()
    const b = createBus()
    const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    const seen: Array<Record<string, unknown> | undefined> = []
    b.on('second', (_d, e) => void seen.push(e.extensions))
    a.on('first', async (_d, e) => {
      b.emit('second')
      b.emit('second', undefined, { extensions: { tenant: 'acme' } })
      await Promise.resolve()
      b.emit('second', undefined, causedBy(e))
    })
    a.emit('first', undefined, { extensions: { traceparent: TRACE, tracestate: 'congo=t61rcWkgMzE', tenant: 'x' } })
    await new Promise((r) => setTimeout(r, 0))
    const trace = { traceparent: TRACE, tracestate: 'congo=t61rcWkgMzE' }
    // Only the trace context is inherited, not the cause's other extensions.
    expect(seen).toEqual([trace, { ...trace, tenant: 'acme' }, trace])
    expect(a.emit('untraced').extensions).toBeUndefined()
  })

  it('share one clock read across a synchronous burst, and read it again in the next task', async () => {
    const bus = createBus()
    const burst = Array.from({ length: 1000 }, () => bus.emit('x'))
    expect(new Set(burst.map((e) => e.time)).size).toBe(1)
    await new Promise((r) => setTimeout(r, 5))
    expect(Date.parse(bus.emit('x').time)).toBeGreaterThan(Date.parse(burst[0]!.time))
  })
})
