import { type } from 'arktype'
import { Schema } from 'effect'
import * as v from 'valibot'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createBus, createCodec, defineCatalog, defineEvent, history, publish } from '@tidings/core'
import type { Envelope, EventsOf } from '@tidings/core'

// Each schema takes `amount` as a string (input) and hands it on as a number (output).
const catalog = defineCatalog(
  defineEvent('valibot.order', { schema: v.object({ amount: v.pipe(v.string(), v.transform(Number)), currency: v.optional(v.string(), 'EUR') }) }),
  defineEvent('zod.order', { schema: z.object({ amount: z.string().transform(Number), currency: z.string().default('EUR') }) }),
  defineEvent('arktype.order', { schema: type({ amount: type('string').pipe(Number), currency: 'string = "EUR"' }) }),
  defineEvent('effect.order', { schema: Schema.toStandardSchemaV1(Schema.Struct({ amount: Schema.NumberFromString })) }),
  defineEvent('app.ping', { schema: z.undefined() }),
)
type Out = { amount: number; currency: string }

describe('payload types from any Standard Schema', () => {
  const bus = createBus({ catalog }, publish(), history())

  it('emit and publish take the schema input', () => {
    bus.emit('valibot.order', { amount: '1' })
    bus.emit('zod.order', { amount: '1' })
    bus.emit('arktype.order', { amount: '1' })
    bus.emit('effect.order', { amount: '1' })
    bus.emit('app.ping')
    void bus.publish('zod.order', { amount: '1', currency: 'USD' })
    // @ts-expect-error the input is a string, not the output's number
    bus.emit('valibot.order', { amount: 1 })
    // @ts-expect-error the input is a string, not the output's number
    bus.emit('zod.order', { amount: 1 })
    // @ts-expect-error the input is a string, not the output's number
    bus.emit('arktype.order', { amount: 1 })
    // @ts-expect-error the input is a string, not the output's number
    bus.emit('effect.order', { amount: 1 })
    // @ts-expect-error missing field
    void bus.publish('zod.order', {})
    // @ts-expect-error unknown type
    bus.emit('zod.refund', { amount: '1' })
  })

  it('handlers get the schema output, defaults filled in', () => {
    bus.on('valibot.order', (data) => expectTypeOf(data).toEqualTypeOf<Out>())
    bus.on('zod.order', (data) => expectTypeOf(data).toEqualTypeOf<Out>())
    bus.on('arktype.order', (data) => expectTypeOf(data).toEqualTypeOf<Out>())
    bus.on('effect.order', (data) => expectTypeOf(data).toEqualTypeOf<{ readonly amount: number }>())
    expectTypeOf<EventsOf<typeof catalog>['zod.order']>().toEqualTypeOf<Out>()
  })

  it('examples are typed by the schema input', () => {
    defineEvent('a', { schema: z.object({ n: z.string().transform(Number) }), examples: [{ n: '1' }] })
    // @ts-expect-error an example is an input
    defineEvent('a', { schema: z.object({ n: z.string().transform(Number) }), examples: [{ n: 1 }] })
  })
})

describe('typed decoding', () => {
  it('decode() returns the catalog envelope union, narrowed by type', () => {
    const decoded = createCodec(catalog).decode('{}')
    if (decoded.type === 'zod.order') expectTypeOf(decoded.data).toEqualTypeOf<Out>()
    if (decoded.type === 'effect.order') expectTypeOf(decoded.data.amount).toEqualTypeOf<number>()
    expectTypeOf(decoded.type).toEqualTypeOf<'valibot.order' | 'zod.order' | 'arktype.order' | 'effect.order' | 'app.ping'>()
    expectTypeOf(createCodec(catalog).decodeBatch('')[0]!.type).toEqualTypeOf(decoded.type)
  })

  it('decode() is untyped when unknown types, newer versions or unvalidated payloads may come through', () => {
    expectTypeOf(createCodec(catalog, { unknown: 'keep' }).decode('{}')).toEqualTypeOf<Envelope>()
    expectTypeOf(createCodec(catalog, { future: 'keep' }).decode('{}')).toEqualTypeOf<Envelope>()
    expectTypeOf(createCodec(catalog, { validate: false }).decode('{}')).toEqualTypeOf<Envelope>()
    expectTypeOf(createCodec(catalog, { maxBytes: 10 }).decode('{}').type).toEqualTypeOf<'valibot.order' | 'zod.order' | 'arktype.order' | 'effect.order' | 'app.ping'>()
    expectTypeOf(createCodec().decode('{}')).toEqualTypeOf<Envelope>()
  })

  it('bus.history() on a typed bus narrows by type too', async () => {
    const bus = createBus({ catalog }, history())
    const [first] = await bus.history()
    if (first?.type === 'arktype.order') expectTypeOf(first.data).toEqualTypeOf<Out>()
    expectTypeOf(await createBus({}, history()).history()).toEqualTypeOf<Envelope[]>()
  })
})
