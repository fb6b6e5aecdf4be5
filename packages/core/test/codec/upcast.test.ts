import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { createCodec, defineCatalog, defineEvent } from '@tidings/core'
import { catalog, orderLine, thrown } from './catalog'

const codec = createCodec(catalog)

const v1 = { orderId: 'o-1', amount: 12.5 }
const v2 = { orderId: 'o-1', amount: 12.5, currency: 'USD' }
const v3 = { orderId: 'o-1', total: { amount: 12.5, currency: 'EUR' } }

describe('decode() of older payload versions', () => {
  it('upcasts v1 to v3 in two steps, then validates with the current schema', () => {
    const decoded = codec.decode(orderLine({ dataversion: 1, data: v1 }))
    expect(decoded.dataversion).toBe(3)
    expect(decoded.data).toEqual(v3)
  })

  it('upcasts v2 to v3 in one step', () => {
    const decoded = codec.decode(orderLine({ dataversion: 2, data: v2 }))
    expect(decoded.dataversion).toBe(3)
    expect(decoded.data).toEqual({ orderId: 'o-1', total: { amount: 12.5, currency: 'USD' } })
  })

  it('runs each step once, in order', () => {
    const calls: string[] = []
    const Thing = defineEvent('thing', {
      version: 3,
      schema: v.object({ steps: v.array(v.string()) }),
      upcast: {
        1: (d) => (calls.push('1→2'), { steps: [...(d.steps as string[]), 'a'] }),
        2: (d) => (calls.push('2→3'), { steps: [...(d.steps as string[]), 'b'] }),
      },
    })
    const decoded = createCodec(defineCatalog(Thing)).decode(orderLine({ type: 'thing', dataversion: 1, data: { steps: [] } }))
    expect(calls).toEqual(['1→2', '2→3'])
    expect(decoded.data).toEqual({ steps: ['a', 'b'] })
  })

  it('reads a missing dataversion as version 1', () => {
    const line = orderLine({ data: v1 })
    const withoutVersion = JSON.parse(line)
    delete withoutVersion.dataversion
    expect(codec.decode(withoutVersion).data).toEqual(v3)
  })

  it('writes the current version after upcasting, so the event is not upcast twice', () => {
    const upcast = codec.decode(orderLine({ dataversion: 1, data: v1 }))
    const again = codec.decode(codec.encode(upcast))
    expect(again.data).toEqual(v3)
    expect(JSON.parse(codec.encode(upcast))).toMatchObject({ dataversion: 3 })
  })

  it('does not add a dataversion to an event that needed no upcasting', () => {
    const line = JSON.stringify({ specversion: '1.0', id: 'x', source: '/crm', type: 'user.signed_up', data: { userId: 'u', email: 'u@example.com' } })
    const decoded = codec.decode(line)
    expect(decoded.dataversion).toBe(1)
    expect(codec.encode(decoded)).toBe(line)
  })

  it('throws E_UPCAST naming the type and the step when an upcaster throws', () => {
    const error = thrown(() => codec.decode(orderLine({ dataversion: 2, data: null })))
    expect(error.code).toBe('E_UPCAST')
    expect(error.details).toMatchObject({ type: 'order.placed', from: 2, to: 3, step: 2 })
    expect(error.message).toContain('"order.placed" from v2 to v3')
    expect(error.cause).toBeInstanceOf(TypeError)
  })

  it('throws E_UPCAST when the upcast payload fails the current schema', () => {
    const error = thrown(() => codec.decode(orderLine({ dataversion: 1, data: { orderId: 7, amount: 12.5 } })))
    expect(error.code).toBe('E_UPCAST')
    expect(error.details).toMatchObject({ type: 'order.placed', from: 1, to: 3 })
    expect(error.details?.issues).toEqual([expect.objectContaining({ path: 'orderId' })])
  })

  it('throws E_UPCAST for an upcaster that returns a promise', () => {
    const Slow = defineEvent('slow', { version: 2, schema: v.unknown(), upcast: { 1: async (d) => d } })
    const error = thrown(() => createCodec(defineCatalog(Slow)).decode(orderLine({ type: 'slow', dataversion: 1 })))
    expect(error.code).toBe('E_UPCAST')
    expect(error.message).toContain('synchronous')
  })

  it('upcasts with validate: false but does not validate the result', () => {
    const lax = createCodec(catalog, { validate: false })
    expect(lax.decode(orderLine({ dataversion: 1, data: { orderId: 7, amount: 1 } })).data).toEqual({ orderId: 7, total: { amount: 1, currency: 'EUR' } })
  })
})

describe('decode() of newer payload versions', () => {
  it('throws E_FUTURE_VERSION for a version the catalog does not know yet', () => {
    const error = thrown(() => codec.decode(orderLine({ dataversion: 4, data: { orderId: 'o-1' } })))
    expect(error.code).toBe('E_FUTURE_VERSION')
    expect(error.details).toMatchObject({ type: 'order.placed', field: 'dataversion', version: 4, current: 3 })
  })

  it("keeps it as it is with future: 'keep' (not upcast, not validated)", () => {
    const keeping = createCodec(catalog, { future: 'keep' })
    const line = orderLine({ dataversion: 4, data: { orderId: 'o-1', lines: [] } })
    const decoded = keeping.decode(line)
    expect(decoded).toMatchObject({ dataversion: 4, data: { orderId: 'o-1', lines: [] } })
    expect(keeping.encode(decoded)).toBe(line)
  })
})
