import { describe, expect, it } from 'vitest'
import { TidingsError, createBus, createCodec, ndjsonLines } from '@tidings/core'
import type { Envelope } from '@tidings/core'
import { catalog, orderLine, tampered } from './catalog'

const codec = createCodec(catalog)

const emitted = (): Envelope[] => {
  const bus = createBus({ catalog, source: '/shop' })
  return [
    bus.emit('order.placed', { orderId: 'o-1', total: { amount: 1, currency: 'EUR' } }),
    bus.emit('user.signed_up', { userId: 'zoë', email: 'zoe@example.com' }),
    bus.emit('order.placed', { orderId: 'o-€', total: { amount: 2, currency: 'JPY' } }),
  ]
}

const collect = async (iterable: AsyncIterable<Envelope>) => {
  const out: Envelope[] = []
  for await (const e of iterable) out.push(e)
  return out
}

const rejection = async (promise: Promise<unknown>): Promise<TidingsError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(TidingsError)
  return error as TidingsError
}

const json = (envelopes: Envelope[]) => envelopes.map((e) => e.toJSON())

describe('encodeBatch() / decodeBatch()', () => {
  it('writes one line per envelope, each ending in a newline, and reads them back', () => {
    const envelopes = emitted()
    const text = codec.encodeBatch(envelopes)
    expect(text.split('\n')).toHaveLength(4)
    expect(text.endsWith('\n')).toBe(true)
    expect(json(codec.decodeBatch(text))).toEqual(json(envelopes))
  })

  it('reads a last line without a newline, CRLF line ends and blank lines', () => {
    const [a, b] = [orderLine({ id: 'a' }), orderLine({ id: 'b' })]
    expect(codec.decodeBatch(`${a}\r\n\r\n  \n${b}`).map((e) => e.id)).toEqual(['a', 'b'])
  })

  it('names the line of a bad event in the message and in details.line', () => {
    let error: unknown
    try {
      codec.decodeBatch(`${orderLine()}\n\n${orderLine({ time: 'soon' })}\n`)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TidingsError)
    expect(error).toMatchObject({ code: 'E_VALIDATION', details: { line: 3, field: 'time' } })
    expect((error as Error).message).toMatch(/^Line 3: /)
  })

  it('names the line of an envelope it cannot encode', () => {
    const bad = tampered({ time: 'May 1, 2024' })
    expect(() => codec.encodeBatch([...emitted(), bad])).toThrow(expect.objectContaining({ details: expect.objectContaining({ line: 4 }) }))
  })

  it('rejects something that is not text with E_DECODE', () => {
    expect(() => codec.decodeBatch(undefined as unknown as string)).toThrow(expect.objectContaining({ code: 'E_DECODE' }))
  })
})

describe('decodeStream()', () => {
  const text = () => codec.encodeBatch(emitted())

  it('decodes lines split across chunks at every possible place', async () => {
    const source = text()
    const expected = json(codec.decodeBatch(source))
    for (let cut = 0; cut <= source.length; cut += 7) {
      const chunks = [source.slice(0, cut), source.slice(cut)]
      expect(json(await collect(codec.decodeStream(chunks)))).toEqual(expected)
    }
  })

  it('decodes UTF-8 bytes whose multi-byte characters are split across chunks', async () => {
    const source = text()
    const bytes = new TextEncoder().encode(source)
    const euro = bytes.indexOf(0xe2)
    expect(euro).toBeGreaterThan(0)
    const chunks = [bytes.subarray(0, euro + 1), bytes.subarray(euro + 1, euro + 2), bytes.subarray(euro + 2)]
    expect(json(await collect(codec.decodeStream(chunks)))).toEqual(json(codec.decodeBatch(source)))
  })

  it('reads an async stream of one-byte chunks, and a last line without a newline', async () => {
    const bytes = new TextEncoder().encode(text().trimEnd())
    async function* oneByOne() {
      for (const b of bytes) yield new Uint8Array([b])
    }
    expect(await collect(codec.decodeStream(oneByOne()))).toHaveLength(3)
  })

  it('reads a web ReadableStream of bytes', async () => {
    const stream = new Blob([text()]).stream()
    expect(await collect(codec.decodeStream(stream as unknown as AsyncIterable<Uint8Array>))).toHaveLength(3)
  })

  it('stops with the line number of the first bad event', async () => {
    const source = `${orderLine()}\n${orderLine()}\n{"specversion":"1.0"\n${orderLine()}\n`
    const seen: string[] = []
    const error = await rejection((async () => {
      for await (const e of codec.decodeStream([source])) seen.push(e.id)
    })())
    expect(seen).toHaveLength(2)
    expect(error).toMatchObject({ code: 'E_DECODE', details: { line: 3 } })
  })

  it('refuses a line over maxBytes without buffering it whole', async () => {
    const small = createCodec(catalog, { maxBytes: 1000 })
    let pulled = 0
    function* endless() {
      for (;;) {
        pulled++
        yield 'x'.repeat(100)
      }
    }
    const error = await rejection(collect(small.decodeStream(endless())))
    expect(error).toMatchObject({ code: 'E_TOO_LARGE', details: { line: 1, limit: 1000 } })
    expect(pulled).toBeLessThan(50)
  })

  it('rejects bytes that are not UTF-8 with E_DECODE', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode(orderLine()), 10, 0xff, 0xfe, 0x7b, 10])
    const error = await rejection(collect(codec.decodeStream([bytes])))
    expect(error).toMatchObject({ code: 'E_DECODE', details: { line: 2 } })
  })

  it('rejects chunks that are neither text nor bytes', async () => {
    const error = await rejection(collect(codec.decodeStream([42 as unknown as string])))
    expect(error.code).toBe('E_DECODE')
  })
})

describe('ndjsonLines()', () => {
  it('yields each non-blank line with its number', async () => {
    const lines = []
    for await (const line of ndjsonLines(['a\n\nb', 'c\r\nd'])) lines.push(line)
    expect(lines).toEqual([{ line: 1, text: 'a' }, { line: 3, text: 'bc' }, { line: 4, text: 'd' }])
  })

  it('throws E_TOO_LARGE for a line over maxBytes', async () => {
    const read = async () => {
      for await (const _ of ndjsonLines(['ok\n', 'y'.repeat(20), '\n'], { maxBytes: 10 })) void _
    }
    expect(await rejection(read())).toMatchObject({ code: 'E_TOO_LARGE', details: { line: 2 } })
  })
})
