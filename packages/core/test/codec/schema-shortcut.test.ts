import fc from 'fast-check'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { surelyValid } from '../../src/codec/schema-shortcut'

const schemas = {
  flat: v.object({ id: v.string(), n: v.number(), ok: v.boolean() }),
  optional: v.object({ id: v.string(), note: v.optional(v.string()), at: v.nullable(v.number()) }),
  nested: v.object({ order: v.object({ id: v.string(), total: v.object({ amount: v.number(), currency: v.string() }) }) }),
  piped: v.object({ email: v.pipe(v.string(), v.email()) }),
  defaulted: v.object({ n: v.optional(v.number(), 1) }),
  array: v.object({ items: v.array(v.string()) }),
}

const value = fc.oneof(
  fc.anything(),
  fc.record({ id: fc.oneof(fc.string(), fc.integer()), n: fc.oneof(fc.double(), fc.string()), ok: fc.oneof(fc.boolean(), fc.constant(1)) }, { requiredKeys: [] }),
  fc.record({ id: fc.string(), note: fc.option(fc.string(), { nil: undefined }), at: fc.option(fc.double()) }, { requiredKeys: ['id'] }),
  fc.record({ order: fc.record({ id: fc.string(), total: fc.record({ amount: fc.oneof(fc.double(), fc.constant(NaN)), currency: fc.string() }) }) }),
)

describe('surelyValid()', () => {
  it('says valid only for what valibot accepts', () => {
    fc.assert(fc.property(fc.constantFrom(...Object.values(schemas)), value, (schema, x) => {
      if (surelyValid(schema, x)) expect(v.safeParse(schema, x).success).toBe(true)
    }), { numRuns: 3000 })
  })

  it('takes the common shapes, and leaves pipes, defaults, arrays and other libraries to the full check', () => {
    expect(surelyValid(schemas.flat, { id: 'a', n: 1, ok: true })).toBe(true)
    expect(surelyValid(schemas.optional, { id: 'a', at: null })).toBe(true)
    expect(surelyValid(schemas.nested, { order: { id: 'o', total: { amount: 1, currency: 'EUR' } } })).toBe(true)
    expect(surelyValid(schemas.flat, { id: 'a', n: NaN, ok: true })).toBe(false)
    expect(surelyValid(schemas.piped, { email: 'a@b.c' })).toBe(false)
    expect(surelyValid(schemas.defaulted, {})).toBe(false)
    expect(surelyValid(schemas.array, { items: [] })).toBe(false)
    const foreign = { ...schemas.flat, '~standard': { ...schemas.flat['~standard'], vendor: 'other' } }
    expect(surelyValid(foreign, { id: 'a', n: 1, ok: true })).toBe(false)
  })
})
