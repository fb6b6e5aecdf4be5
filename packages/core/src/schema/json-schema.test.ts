import { toStandardJsonSchema } from '@valibot/to-json-schema'
import { type } from 'arktype'
import { Schema } from 'effect'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineCatalog, defineEvent } from '@tidings/core'
import { catalogEntries } from '../devtools/catalog-entries'
import { jsonSchemaOf } from './json-schema'

const order = { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] }

describe('jsonSchemaOf()', () => {
  it('reads Standard JSON Schema from zod and arktype', () => {
    expect(jsonSchemaOf(z.object({ orderId: z.string() }))).toMatchObject(order)
    expect(jsonSchemaOf(type({ orderId: 'string' }))).toMatchObject(order)
  })

  it('converts a plain valibot schema, and reads one wrapped with toStandardJsonSchema', () => {
    expect(jsonSchemaOf(v.object({ orderId: v.string() }))).toMatchObject(order)
    expect(jsonSchemaOf(toStandardJsonSchema(v.object({ orderId: v.string() })) as never)).toMatchObject(order)
  })

  it('describes the input of a transforming schema', () => {
    expect(jsonSchemaOf(z.object({ n: z.string().transform(Number) }))).toMatchObject({ properties: { n: { type: 'string' } } })
  })

  it('gives undefined when the schema offers no JSON Schema or cannot convert', () => {
    expect(jsonSchemaOf(Schema.toStandardSchemaV1(Schema.Struct({ orderId: Schema.String })))).toBeUndefined()
    expect(jsonSchemaOf(z.object({ at: z.date() }))).toBeUndefined()
  })
})

describe('catalogEntries()', () => {
  it('names each schema library and sends the JSON Schema it has', () => {
    const catalog = defineCatalog(
      defineEvent('a', { schema: v.object({ orderId: v.string() }), description: 'valibot' }),
      defineEvent('b', { schema: z.object({ orderId: z.string() }), version: 2, upcast: { 1: (d) => d } }),
      defineEvent('c', { schema: Schema.toStandardSchemaV1(Schema.Struct({ orderId: Schema.String })), persist: false }),
    )
    expect(catalogEntries(catalog)).toEqual([
      { type: 'a', version: 1, persist: true, vendor: 'valibot', description: 'valibot', schema: expect.objectContaining(order) },
      { type: 'b', version: 2, persist: true, vendor: 'zod', schema: expect.objectContaining(order) },
      { type: 'c', version: 1, persist: false, vendor: 'effect' },
    ])
  })
})
