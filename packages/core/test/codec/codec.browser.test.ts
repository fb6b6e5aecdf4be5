import { describe, expect, it } from 'vitest'
import { createBus, createCodec, fromCloudEvent, toCloudEvent } from '@tidings/core'
import { catalog, orderLine } from './catalog'

// The codec uses only what browsers have (TextDecoder, atob/btoa): the same checks hold in Chromium.
describe('codec in the browser', () => {
  const codec = createCodec(catalog)

  it('round-trips an emitted envelope and upcasts an old one', () => {
    const envelope = createBus({ catalog, source: '/web' }).emit('order.placed', { orderId: 'o-1', total: { amount: 1, currency: 'EUR' } })
    expect(codec.decode(codec.encode(envelope)).toJSON()).toEqual(envelope.toJSON())
    expect(codec.decode(orderLine({ dataversion: 1, data: { orderId: 'o-2', amount: 3 } })).data).toEqual({ orderId: 'o-2', total: { amount: 3, currency: 'EUR' } })
  })

  it('decodes a fetch-style ReadableStream of UTF-8 bytes', async () => {
    const text = `${orderLine({ id: 'a' })}\n${orderLine({ id: 'ü' })}`
    const seen: string[] = []
    for await (const e of codec.decodeStream(new Blob([text]).stream() as unknown as AsyncIterable<Uint8Array>)) seen.push(e.id)
    expect(seen).toEqual(['a', 'ü'])
  })

  it('reads and writes binary CloudEvents data', () => {
    const event = { specversion: '1.0', id: 'b', source: '/b', type: 'b', data_base64: '3q2+7w==' }
    const envelope = fromCloudEvent(event)
    expect(envelope.data).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]))
    expect(toCloudEvent(envelope)).toEqual(event)
  })

  it('refuses prototype pollution and hostile nesting with TidingsErrors', () => {
    expect(() => codec.decode('{"__proto__":{"x":1}}')).toThrow(expect.objectContaining({ code: 'E_DECODE' }))
    expect(() => codec.decode(orderLine({ data: JSON.parse('['.repeat(100) + ']'.repeat(100)) }))).toThrow(expect.objectContaining({ code: 'E_TOO_LARGE' }))
    expect(({} as Record<string, unknown>).x).toBeUndefined()
  })
})
