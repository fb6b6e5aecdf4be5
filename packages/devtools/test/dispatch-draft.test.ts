import { toJsonSchema } from '@valibot/to-json-schema'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { checkDraft } from '../src/state/dispatch-draft'
import { exampleFromSchema } from '../src/state/schema-example'

// The schema a bus sends for this type on connect (see catalog-entries in core).
const schema = toJsonSchema(v.object({
  orderId: v.string(),
  amount: v.pipe(v.number(), v.minValue(1)),
  currency: v.picklist(['EUR', 'USD']),
  tags: v.optional(v.array(v.string())),
})) as Record<string, unknown>

describe('dispatch editor', () => {
  it('starts from a payload of the schema’s shape', () => {
    expect(exampleFromSchema(schema)).toEqual({ orderId: '', amount: 1, currency: 'EUR', tags: [] })
  })

  it('accepts a payload that matches the schema', () => {
    expect(checkDraft('{"orderId":"A-1","amount":5,"currency":"USD"}', schema)).toEqual({ ok: true, data: { orderId: 'A-1', amount: 5, currency: 'USD' } })
  })

  it('says where the payload breaks the schema', () => {
    const check = checkDraft('{"orderId":"A-1","amount":0,"currency":"GBP"}', schema)
    expect(check.ok).toBe(false)
    const errors = check.ok ? [] : check.errors
    expect(errors.some((e) => e.startsWith('/amount'))).toBe(true)
    expect(errors.some((e) => e.startsWith('/currency'))).toBe(true)
  })

  it('reports a missing required property', () => {
    const check = checkDraft('{"amount":2,"currency":"EUR"}', schema)
    expect(check.ok ? [] : check.errors.join('\n')).toMatch(/orderId/)
  })

  it('reports text that is not JSON', () => {
    const check = checkDraft('{"orderId": ', schema)
    expect(check.ok ? '' : check.errors[0]).toMatch(/^Not JSON/)
  })

  it('accepts any JSON for a type without a schema, and an empty payload', () => {
    expect(checkDraft('[1, "two"]', undefined)).toEqual({ ok: true, data: [1, 'two'] })
    expect(checkDraft('  ', undefined)).toEqual({ ok: true, data: undefined })
  })
})
