import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { createBus, createCodec, defineCatalog, defineEvent, memoryStore } from '@tidings/core'
import type { Envelope } from '@tidings/core'
import { catalog, orderLine, tampered, thrown } from './catalog'

const codec = createCodec(catalog)

describe('encode()', () => {
  it('writes an emitted envelope as one line of CloudEvents JSON, without a newline', () => {
    const bus = createBus({ catalog, source: '/shop' })
    const envelope = bus.emit('order.placed', { orderId: 'o-1', total: { amount: 12.5, currency: 'EUR' } }, { correlationid: 'c-1', extensions: { tenant: 'acme' } })
    const line = codec.encode(envelope)
    expect(line).not.toContain('\n')
    expect(JSON.parse(line)).toEqual({
      specversion: '1.0', id: envelope.id, source: '/shop', type: 'order.placed', time: envelope.time, dataversion: 3,
      data: { orderId: 'o-1', total: { amount: 12.5, currency: 'EUR' } }, correlationid: 'c-1', tenant: 'acme',
    })
    expect(line).toBe(JSON.stringify(envelope))
  })

  it('writes binary data as data_base64', () => {
    const bus = createBus({ catalog, source: '/files' })
    const envelope = bus.emit('file.uploaded', new Uint8Array([0, 1, 2, 250]))
    expect(JSON.parse(codec.encode(envelope))).toMatchObject({ data_base64: 'AAEC+g==' })
    expect(JSON.parse(codec.encode(envelope))).not.toHaveProperty('data')
  })

  it('rejects an envelope whose time is not RFC 3339, naming the field', () => {
    const envelope = tampered({ time: 'May 1, 2024' })
    const error = thrown(() => codec.encode(envelope))
    expect(error.code).toBe('E_VALIDATION')
    expect(error.details).toMatchObject({ field: 'time' })
  })

  it('rejects extension values that are not CloudEvents types', () => {
    const envelope = tampered({ extensions: { ratio: 0.5 } })
    expect(thrown(() => createCodec().encode(envelope))).toMatchObject({ code: 'E_VALIDATION', details: { field: 'ratio' } })
  })

  it('refuses payloads it could not decode again with E_ENCODE and a reason: too deep, too large, cyclic or not JSON', () => {
    const bus = createBus({ source: '/shop' })
    const untyped = createCodec(undefined, { maxDepth: 8, maxBytes: 2000 })
    let deep: unknown = 1
    for (let i = 0; i < 10; i++) deep = [deep]
    expect(thrown(() => untyped.encode(bus.emit('a.b', deep)))).toMatchObject({ code: 'E_ENCODE', details: { reason: 'too-deep', limit: 8 } })
    expect(thrown(() => untyped.encode(bus.emit('a.b', 'x'.repeat(3000))))).toMatchObject({ code: 'E_ENCODE', details: { reason: 'too-large', limit: 2000 } })
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(thrown(() => untyped.encode(bus.emit('a.b', cyclic)))).toMatchObject({ code: 'E_ENCODE', details: { reason: 'cycle', field: 'data.self' } })
    expect(thrown(() => untyped.encode(bus.emit('a.b', { n: 10n })))).toMatchObject({ code: 'E_ENCODE', details: { reason: 'bigint', field: 'data.n' } })
  })

  it('throws E_INVALID_ARGUMENT for something that is not an envelope', () => {
    expect(thrown(() => codec.encode({ type: 'a' } as unknown as Envelope)).code).toBe('E_INVALID_ARGUMENT')
  })
})

describe('decode()', () => {
  it('returns an envelope equal to the one encoded', () => {
    const bus = createBus({ catalog, source: '/shop' })
    const envelope = bus.emit('user.signed_up', { userId: 'u-1', email: 'ada@example.com' }, { causationid: 'e-0', correlationid: 'c-0' })
    const decoded = codec.decode(codec.encode(envelope))
    expect(decoded.toJSON()).toEqual(envelope.toJSON())
    expect(decoded).toMatchObject({ id: envelope.id, time: envelope.time, type: 'user.signed_up', dataversion: 1, causationid: 'e-0', correlationid: 'c-0' })
  })

  it('accepts the parsed object as well as the text (dead-letter entries store objects)', () => {
    const object = JSON.parse(orderLine())
    expect(codec.decode(object).toJSON()).toEqual(codec.decode(orderLine()).toJSON())
  })

  it('gives envelopes that JSON.stringify back to the exact line', () => {
    const line = orderLine({ correlationid: 'c-9', region: 'eu1', priority: 3, urgent: true })
    expect(JSON.stringify(codec.decode(line))).toBe(line)
    expect(codec.encode(codec.decode(line))).toBe(line)
  })

  it('keeps the instant of a time with an offset, for time-range reads of a store', async () => {
    const decoded = codec.decode(orderLine({ time: '2025-03-14T10:26:53.589+01:00' }))
    expect(decoded.time).toBe('2025-03-14T10:26:53.589+01:00')
    const store = memoryStore()
    await store.append([decoded])
    expect(await store.count({ since: '2025-03-14T09:26:53.589Z' })).toBe(1)
    expect(await store.count({ until: '2025-03-14T09:26:53.589Z' })).toBe(0)
  })

  it('validates the payload against the current schema: E_VALIDATION names the field', () => {
    const error = thrown(() => codec.decode(orderLine({ data: { orderId: 'o-1', total: { amount: '12', currency: 'EUR' } } })))
    expect(error.code).toBe('E_VALIDATION')
    expect(error.details).toMatchObject({ field: 'data.total.amount', type: 'order.placed' })
    expect(error.message).toContain('total.amount')
  })

  it('skips payload validation with validate: false, still checking the envelope', () => {
    const lax = createCodec(catalog, { validate: false })
    expect(lax.decode(orderLine({ data: { anything: true } })).data).toEqual({ anything: true })
    expect(thrown(() => lax.decode(orderLine({ time: 'yesterday' }))).code).toBe('E_VALIDATION')
  })

  it('rejects an unknown type with E_UNKNOWN_TYPE by default', () => {
    const error = thrown(() => codec.decode(orderLine({ type: 'order.shipped' })))
    expect(error.code).toBe('E_UNKNOWN_TYPE')
    expect(error.details).toMatchObject({ type: 'order.shipped', field: 'type' })
    expect(error.message).toContain("unknown: 'keep'")
  })

  it("keeps an unknown type untyped with unknown: 'keep', never dropping it", () => {
    const keeping = createCodec(catalog, { unknown: 'keep' })
    const line = orderLine({ type: 'order.shipped', dataversion: 7, data: { whatever: [1, 2] } })
    const decoded = keeping.decode(line)
    expect(decoded).toMatchObject({ type: 'order.shipped', dataversion: 7, data: { whatever: [1, 2] } })
    expect(keeping.encode(decoded)).toBe(line)
  })

  it('keeps every type untyped when it has no catalog', () => {
    const untyped = createCodec()
    expect(untyped.decode(orderLine({ type: 'any.thing', data: 'free-form' })).data).toBe('free-form')
  })

  it('rejects input that is not JSON with E_DECODE, never a SyntaxError', () => {
    for (const input of ['', '{', 'undefined', "{'a':1}", '{"specversion":"1.0",}', '\u0000\u0001\u00ff']) {
      expect(thrown(() => codec.decode(input)).code).toBe('E_DECODE')
    }
  })

  it('rejects JSON that is not an event object with E_DECODE', () => {
    for (const input of ['null', '42', '"text"', '[]', 'true', [], null, 7, new Date(), new Map()]) {
      expect(thrown(() => codec.decode(input as string)).code).toBe('E_DECODE')
    }
  })

  it('rejects wrong attribute types with E_VALIDATION naming the attribute', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ id: 42 }, 'id'],
      [{ id: '' }, 'id'],
      [{ source: 'has spaces' }, 'source'],
      [{ type: ['order.placed'] }, 'type'],
      [{ time: 1710408413589 }, 'time'],
      [{ time: '2025-02-30T00:00:00Z' }, 'time'],
      [{ dataversion: '3' }, 'dataversion'],
      [{ dataversion: 0 }, 'dataversion'],
      [{ dataversion: 2.5 }, 'dataversion'],
      [{ correlationid: {} }, 'correlationid'],
      [{ specversion: '0.3' }, 'specversion'],
      [{ specversion: 1 }, 'specversion'],
      [{ Tenant: 'acme' }, 'Tenant'],
      [{ tenant: { id: 1 } }, 'tenant'],
      [{ weight: 2 ** 31 }, 'weight'],
    ]
    for (const [overrides, field] of cases) {
      const error = thrown(() => codec.decode(orderLine(overrides)))
      expect(error.code, JSON.stringify(overrides)).toBe('E_VALIDATION')
      expect(error.details, JSON.stringify(overrides)).toMatchObject({ field })
      expect(error.message).toContain(`"${field}"`)
    }
  })

  it('treats a null attribute as absent, so a null required attribute is missing', () => {
    expect(thrown(() => codec.decode(orderLine({ id: null })))).toMatchObject({ code: 'E_VALIDATION', details: { field: 'id' } })
    expect(codec.decode(orderLine({ correlationid: null })).correlationid).toBeUndefined()
  })

  it('rejects an event over maxBytes with E_TOO_LARGE before parsing it', () => {
    const small = createCodec(catalog, { maxBytes: 300 })
    const error = thrown(() => small.decode(orderLine({ data: { orderId: 'x'.repeat(400), total: { amount: 1, currency: 'EUR' } } })))
    expect(error.code).toBe('E_TOO_LARGE')
    expect(error.details).toMatchObject({ limit: 300 })
  })

  it('counts maxBytes in UTF-8 bytes', () => {
    const line = orderLine({ data: { orderId: '€'.repeat(100), total: { amount: 1, currency: 'EUR' } } })
    const bytes = new TextEncoder().encode(line).length
    expect(createCodec(catalog, { maxBytes: bytes }).decode(line).data).toMatchObject({ orderId: '€'.repeat(100) })
    expect(thrown(() => createCodec(catalog, { maxBytes: bytes - 1 }).decode(line)).code).toBe('E_TOO_LARGE')
  })

  it('rejects nesting deeper than maxDepth with E_TOO_LARGE naming the place', () => {
    const untyped = createCodec(undefined, { maxDepth: 4 })
    // the event is level 1, data level 2
    expect(untyped.decode(orderLine({ data: { a: { b: { c: 1 } } } })).data).toEqual({ a: { b: { c: 1 } } })
    const error = thrown(() => untyped.decode(orderLine({ data: { a: { b: { c: { d: 1 } } } } })))
    expect(error.code).toBe('E_TOO_LARGE')
    expect(error.details).toMatchObject({ field: 'data.a.b.c', limit: 4 })
  })

  it('applies the limits to objects as well as text', () => {
    const untyped = createCodec(undefined, { maxDepth: 3, maxBytes: 500 })
    expect(thrown(() => untyped.decode(JSON.parse(orderLine({ data: [[[1]]] })))).code).toBe('E_TOO_LARGE')
    expect(thrown(() => untyped.decode(JSON.parse(orderLine({ data: 'x'.repeat(600) })))).code).toBe('E_TOO_LARGE')
  })

  it('returns the bus envelope class for events Tidings wrote', () => {
    const decoded = codec.decode(orderLine())
    expect(decoded.constructor.name).toBe('TidingsEnvelope')
  })

  it('can feed a bus: decoded envelopes dispatch like emitted ones', () => {
    const bus = createBus({ catalog })
    const seen: unknown[] = []
    bus.on('order.placed', (data, envelope) => seen.push([data, envelope.id]))
    const decoded = codec.decode(orderLine())
    bus.emit('order.placed', decoded.data as never, { id: decoded.id, time: decoded.time })
    expect(seen).toEqual([[{ orderId: 'o-1', total: { amount: 12.5, currency: 'EUR' } }, 'k3v9x2m7q1wz-1']])
  })
})

describe('createCodec()', () => {
  it('refuses options it cannot honour', () => {
    expect(thrown(() => createCodec(catalog, { unknown: 'drop' as 'keep' })).code).toBe('E_INVALID_ARGUMENT')
    expect(thrown(() => createCodec(catalog, { future: 'ignore' as 'keep' })).code).toBe('E_INVALID_ARGUMENT')
    expect(thrown(() => createCodec(catalog, { maxBytes: 0 })).code).toBe('E_INVALID_ARGUMENT')
    expect(thrown(() => createCodec(catalog, { maxDepth: 1.5 })).code).toBe('E_INVALID_ARGUMENT')
  })

  it('validates with the schema of a catalog made with defineCatalog', () => {
    const Ping = defineEvent('ping', { schema: v.object({ n: v.number() }) })
    const pings = createCodec(defineCatalog(Ping))
    expect(pings.decode(orderLine({ type: 'ping', dataversion: 1, data: { n: 1 } })).data).toEqual({ n: 1 })
    expect(thrown(() => pings.decode(orderLine({ type: 'ping', dataversion: 1, data: { n: 'one' } }))).code).toBe('E_VALIDATION')
  })
})
