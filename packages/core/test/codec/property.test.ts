import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { TidingsError, createCodec, fromCloudEvent, toCloudEvent } from '@tidings/core'
import type { Envelope } from '@tidings/core'
import { catalog } from './catalog'

const FORBIDDEN = /[\p{Cc}\p{Noncharacter_Code_Point}\p{Cs}]/u
const RESERVED = new Set(['specversion', 'id', 'source', 'type', 'time', 'dataversion', 'data', 'datacontenttype', 'dataschema', 'subject', 'correlationid', 'causationid'])
const CODES = new Set(['E_DECODE', 'E_VALIDATION', 'E_TOO_LARGE', 'E_UNKNOWN_TYPE', 'E_FUTURE_VERSION', 'E_UPCAST'])

const ceString = (minLength: number) => fc.string({ unit: 'grapheme', minLength, maxLength: 24 }).filter((s) => !FORBIDDEN.test(s))

const source = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.stringMatching(/^\/[a-z0-9._~-]{0,12}(\/[a-z0-9%A-F]{1,6}){0,3}$/).filter((s) => !/%(?![0-9A-F]{2})/.test(s)),
  fc.constantFrom('urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66', 'mailto:ops@example.com', '1-555-123-4567', 'a:b'),
)

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

const timestamp = fc.tuple(
  fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true }),
  fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
  fc.constantFrom('', '.5', '.123', '.123456789'),
  fc.boolean(),
).map(([date, offset, fraction, zulu]) => {
  if (zulu) return date.toISOString().slice(0, 19) + fraction + 'Z'
  const local = new Date(date.getTime() + offset * 60000).toISOString().slice(0, 19)
  const sign = offset < 0 ? '-' : '+'
  return `${local}${fraction}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
})

const extensionValue = fc.oneof(ceString(0), fc.boolean(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }))
const extensions = fc.dictionary(fc.stringMatching(/^[a-z0-9]{1,20}$/).filter((n) => !RESERVED.has(n)), extensionValue, { maxKeys: 4, noNullPrototype: true })

const jsonData = fc.jsonValue({ maxDepth: 5 }).filter((d) => !JSON.stringify(d).includes('"__proto__"'))
const base64 = fc.uint8Array({ maxLength: 40 }).map((bytes) => btoa(String.fromCharCode(...bytes)))

const payload = fc.oneof(
  fc.constant({}),
  jsonData.map((data) => ({ data })),
  jsonData.map((data) => ({ datacontenttype: 'application/json', data })),
  base64.map((data_base64) => ({ datacontenttype: 'application/octet-stream', data_base64 })),
  ceString(0).map((data) => ({ datacontenttype: 'text/plain; charset=utf-8', data })),
)

/** Valid CloudEvents 1.0 JSON objects, with and without every optional attribute. */
const cloudEvent = fc.tuple(
  fc.record({ id: ceString(1), source, type: ceString(1) }),
  fc.record({
    time: timestamp, subject: ceString(1), dataschema: fc.webUrl(), dataversion: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    correlationid: ceString(1), causationid: ceString(1),
  }, { requiredKeys: [] }),
  extensions,
  payload,
).map(([required, optional, ext, data]) => ({ specversion: '1.0', ...ext, ...required, ...optional, ...data }) as Record<string, unknown>)

const normal = (value: unknown) => JSON.parse(JSON.stringify(value))

/** Decoding must end in an envelope or a TidingsError with a stable code: nothing else. */
const decodesOrRejects = (decode: () => Envelope) => {
  try {
    const envelope = decode()
    expect(typeof JSON.stringify(envelope)).toBe('string')
  } catch (error) {
    if (!(error instanceof TidingsError) || !CODES.has(error.code)) throw error
  }
}

describe('property: valid events', () => {
  it('toCloudEvent(fromCloudEvent(x)) equals x', () => {
    fc.assert(fc.property(cloudEvent, (x) => {
      expect(normal(toCloudEvent(fromCloudEvent(x)))).toEqual(normal(x))
      expect(normal(toCloudEvent(fromCloudEvent(JSON.stringify(x))))).toEqual(normal(x))
    }), { numRuns: 300 })
  })

  it('decode(encode(e)) gives back the same event', () => {
    const codec = createCodec()
    fc.assert(fc.property(cloudEvent, (x) => {
      const envelope = fromCloudEvent(x)
      const line = codec.encode(envelope)
      expect(normal(codec.decode(line))).toEqual(normal(envelope))
      expect(codec.encode(codec.decode(line))).toBe(line)
    }), { numRuns: 300 })
  })

  it('upcasts any v1 order.placed payload to the equivalent v3 payload', () => {
    const codec = createCodec(catalog)
    const v1 = fc.record({ orderId: fc.string(), amount: fc.double({ noNaN: true, noDefaultInfinity: true }) })
    fc.assert(fc.property(v1, (data) => {
      const line = JSON.stringify({ specversion: '1.0', id: 'x', source: '/s', type: 'order.placed', dataversion: 1, data })
      const decoded = codec.decode(line)
      expect(decoded.dataversion).toBe(3)
      expect(decoded.data).toEqual(normal({ orderId: data.orderId, total: { amount: data.amount, currency: 'EUR' } }))
    }))
  })

  it('decodeStream gives what decodeBatch gives, however the text is chunked', async () => {
    const codec = createCodec()
    await fc.assert(fc.asyncProperty(fc.array(cloudEvent, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), async (events, cuts, asBytes) => {
      const text = codec.encodeBatch(events.map((x) => fromCloudEvent(x)))
      const data: string | Uint8Array = asBytes ? new TextEncoder().encode(text) : text
      const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b)
      const chunks = [0, ...points].map((start, i) => data.slice(start, [...points, data.length][i]))
      const streamed: unknown[] = []
      for await (const e of codec.decodeStream(chunks)) streamed.push(normal(e))
      expect(streamed).toEqual(codec.decodeBatch(text).map(normal))
    }), { numRuns: 150 })
  })
})

describe('property: hostile input', () => {
  afterAll(() => {
    expect(Object.keys(Object.prototype)).toEqual([])
  })

  const typed = createCodec(catalog)
  const untyped = createCodec(undefined, { maxDepth: 16, maxBytes: 64 * 1024 })

  it('arbitrary text gives an envelope or a TidingsError', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
      decodesOrRejects(() => untyped.decode(text))
      decodesOrRejects(() => typed.decode(text))
    }), { numRuns: 500 })
  })

  it('arbitrary JSON values and JavaScript objects give an envelope or a TidingsError', () => {
    const anything = fc.anything({
      withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withNullPrototype: true, withObjectString: true,
      withSet: true, withSparseArray: true, withTypedArray: true, withUnicodeString: true, maxDepth: 4,
    })
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), anything), (value) => {
      let text: string | undefined
      try {
        text = JSON.stringify(value)
      } catch {
        text = 'not JSON'
      }
      decodesOrRejects(() => untyped.decode(text ?? 'undefined'))
      decodesOrRejects(() => untyped.decode(value as object))
      decodesOrRejects(() => fromCloudEvent(value as object))
    }), { numRuns: 500 })
  })

  it('valid events with one attribute replaced by anything give an envelope or a TidingsError', () => {
    const key = fc.constantFrom('specversion', 'id', 'source', 'type', 'time', 'dataversion', 'data', 'data_base64', 'datacontenttype', 'dataschema', 'subject', 'correlationid', 'causationid', 'ext', '__proto__', 'constructor', 'Bad-Name')
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(null), fc.constant(2 ** 31), fc.constant(-0.5), fc.string({ unit: 'binary' }))
    fc.assert(fc.property(cloudEvent, key, value, (x, k, val) => {
      const mutated = JSON.parse(JSON.stringify(x))
      Object.defineProperty(mutated, k, { value: val, enumerable: true, configurable: true, writable: true })
      const line = JSON.stringify(mutated)
      decodesOrRejects(() => untyped.decode(line))
      decodesOrRejects(() => typed.decode(line))
      decodesOrRejects(() => untyped.decode(mutated))
    }), { numRuns: 500 })
  })

  it('valid lines cut, spliced or with characters flipped give an envelope or a TidingsError', () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }) }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), code: fc.integer({ min: 0, max: 0xffff }) }),
    )
    fc.assert(fc.property(cloudEvent, fc.array(edit, { minLength: 1, maxLength: 4 }), (x, edits) => {
      let line = JSON.stringify(x)
      for (const e of edits) {
        const at = e.at % (line.length + 1)
        if (e.kind === 'cut') line = line.slice(0, at)
        else if (e.kind === 'insert') line = line.slice(0, at) + e.text + line.slice(at)
        else line = line.slice(0, at) + String.fromCharCode(e.code) + line.slice(at + 1)
      }
      decodesOrRejects(() => untyped.decode(line))
      decodesOrRejects(() => typed.decode(line))
    }), { numRuns: 1000 })
  })
})
