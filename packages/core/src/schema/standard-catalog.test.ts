import { type } from 'arktype'
import { Schema } from 'effect'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createBus, createCodec, defineCatalog, defineEvent, memoryStore } from '@tidings/core'
import type { StandardSchemaV1 } from './standard-schema'

// The same payload described by each library: an order with a nested line and a defaulted currency.
const libraries: Array<[string, StandardSchemaV1]> = [
  ['valibot', v.object({ orderId: v.string(), line: v.object({ sku: v.string(), qty: v.number() }), currency: v.optional(v.string(), 'EUR') })],
  ['zod', z.object({ orderId: z.string(), line: z.object({ sku: z.string(), qty: z.number() }), currency: z.string().default('EUR') })],
  ['arktype', type({ orderId: 'string', line: { sku: 'string', qty: 'number' }, currency: 'string = "EUR"' })],
  ['effect', Schema.toStandardSchemaV1(Schema.Struct({
    orderId: Schema.String,
    line: Schema.Struct({ sku: Schema.String, qty: Schema.Number }),
    currency: Schema.optional(Schema.String),
  }))],
]

const good = { orderId: 'o-1', line: { sku: 'sku-1', qty: 2 } }

describe.each(libraries)('a catalog of %s schemas', (vendor, schema) => {
  const catalog = defineCatalog(defineEvent('order.placed', { schema }))

  it('accepts a valid payload and returns the schema output', () => {
    const output = catalog.validate('order.placed', good) as { orderId: string; currency?: string }
    expect(output.orderId).toBe('o-1')
    if (vendor !== 'effect') expect(output.currency).toBe('EUR')
  })

  it('refuses a bad payload with E_VALIDATION naming the nested field', () => {
    let caught: unknown
    try {
      catalog.validate('order.placed', { orderId: 'o-1', line: { sku: 'sku-1', qty: 'two' } })
    } catch (error) {
      caught = error
    }
    expect(caught).toMatchObject({ code: 'E_VALIDATION', details: { type: 'order.placed', issues: [expect.objectContaining({ path: 'line.qty' })] } })
    expect((caught as Error).message).toMatch(/^Invalid "order.placed" payload: line\.qty: /)
  })

  it('validates on emit', () => {
    const bus = createBus({ catalog })
    expect(() => bus.emit('order.placed', { ...good, orderId: 1 } as never)).toThrowError(expect.objectContaining({ code: 'E_VALIDATION' }))
    expect(bus.emit('order.placed', good).data).toMatchObject(good)
  })

  it('validates on decode, naming the field in the event', () => {
    const codec = createCodec(catalog)
    const event = { specversion: '1.0', id: '1', source: '/t', type: 'order.placed', dataversion: 1 }
    expect(codec.decode({ ...event, data: good }).data).toMatchObject(good)
    expect(() => codec.decode({ ...event, data: { ...good, line: {} } })).toThrowError(
      expect.objectContaining({ code: 'E_VALIDATION', details: expect.objectContaining({ field: expect.stringMatching(/^data\.line\./) }) }),
    )
  })
})

describe('defineEvent() refuses schemas emit cannot use', () => {
  it('refuses what is not a Standard Schema, saying which libraries are', () => {
    for (const schema of [undefined, null, {}, { '~standard': { version: 2, validate: () => ({ value: 1 }) } }, Schema.String]) {
      expect(() => defineEvent('a', { schema: schema as never })).toThrowError(
        expect.objectContaining({ code: 'E_INVALID_ARGUMENT', message: expect.stringContaining('Standard Schema v1') }),
      )
    }
  })

  it('refuses a valibot async schema at definition', () => {
    const schema = v.objectAsync({ id: v.pipeAsync(v.string(), v.checkAsync(async () => true)) })
    expect(() => defineEvent('a', { schema })).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/asynchronous/) }))
  })

  it('refuses a payload a schema validates asynchronously (zod async refinement), at validation', () => {
    const catalog = defineCatalog(defineEvent('a', { schema: z.object({ id: z.string().refine(async () => true) }) }))
    expect(() => catalog.validate('a', { id: 'x' })).toThrowError(
      expect.objectContaining({ code: 'E_VALIDATION', details: { type: 'a', async: true }, message: expect.stringMatching(/asynchronously/) }),
    )
  })
})

describe("a schema's output reaches handlers, the returned envelope and the store", () => {
  it.each([
    ['valibot', v.object({ id: v.string(), currency: v.optional(v.string(), 'EUR'), note: v.pipe(v.string(), v.trim()) })],
    ['zod', z.object({ id: z.string(), currency: z.string().default('EUR'), note: z.string().trim() })],
  ] as const)('%s: defaults filled in, transforms applied, same id and time', async (_vendor, schema) => {
    const catalog = defineCatalog(defineEvent('order.placed', { schema }))
    const store = memoryStore()
    const bus = createBus({ catalog, store })
    const seen: unknown[] = []
    bus.on('order.placed', (data, envelope) => seen.push(data, envelope.data))
    const envelope = bus.emit('order.placed', { id: 'o-1', note: '  fragile ' })
    expect(seen).toEqual([{ id: 'o-1', currency: 'EUR', note: 'fragile' }, { id: 'o-1', currency: 'EUR', note: 'fragile' }])
    expect(envelope.data).toEqual({ id: 'o-1', currency: 'EUR', note: 'fragile' })
    await bus.flush()
    const records = []
    for await (const r of store.read()) records.push(r)
    const [record] = records
    expect(record!.envelope).toMatchObject({ id: envelope.id, time: envelope.time, data: { currency: 'EUR', note: 'fragile' } })
    expect(createCodec(catalog).decode(JSON.stringify(record!.envelope)).data).toEqual({ id: 'o-1', currency: 'EUR', note: 'fragile' })
  })
})
