import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { TidingsError, createBus, createCodec } from '@tidings/core'
import type { EmitOptions, Envelope } from '@tidings/core'

/** The same envelope as a plain object with toJSON: encode checks it on the full path. */
const foreign = (e: Envelope): Envelope => ({ data: e.data, extensions: e.extensions, toJSON: () => e.toJSON() }) as unknown as Envelope

const outcome = (encode: () => string): { text: string } | { code: string; details: unknown } => {
  try {
    return { text: encode() }
  } catch (error) {
    if (!(error instanceof TidingsError)) throw error
    return { code: error.code, details: error.details }
  }
}

// Strings that are fine, need escaping, or break CloudEvents (empty, control characters, lone surrogates).
const anyString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', 'a"b', 'back\\slash', 'tab\there', '\u0085', '\uD800', 'Zoë 🦊', '\uFFFE', 'ok'),
)
const time = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: -8.64e15, max: 8.64e15 }),
  fc.constantFrom(253402300799999, 253402300800000, -62167219200000, -62167219200001),
  fc.constantFrom('2025-03-14T09:26:53.589Z', '2025-03-14T10:26:53.589123+01:00', '2024-02-30T00:00:00Z', '2024-01-01T24:00:00Z'),
)
const extensions = fc.option(fc.dictionary(
  fc.oneof(fc.stringMatching(/^[a-z0-9]{1,20}$/), fc.constantFrom('id', 'data', 'type', '1', 'tracestate')),
  fc.oneof(anyString, fc.boolean(), fc.integer(), fc.double(), fc.constant(null), fc.constant(undefined)),
  { maxKeys: 3 },
), { nil: undefined })
const data = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(undefined, NaN, Infinity, 10n, new Uint8Array([1, 2]), new Date(0), new Map(), () => 1, { deep: { toJSON: () => 'x' } }),
)

describe('encode() of envelopes a bus built', () => {
  it('writes what JSON.stringify(envelope) writes, and refuses what the full check refuses, with the same error', () => {
    const codec = createCodec(undefined, { maxBytes: 4096, maxDepth: 5 })
    const bus = createBus({ source: '/shop' })
    fc.assert(fc.property(anyString, fc.record({ id: fc.option(anyString, { nil: undefined }), time, correlationid: fc.option(anyString, { nil: undefined }), causationid: fc.option(anyString, { nil: undefined }), extensions }, { requiredKeys: [] }), data, fc.boolean(), (type, options, payload, withOptions) => {
      let envelope: Envelope
      try {
        envelope = withOptions ? bus.emit(type, payload, options as EmitOptions) : bus.emit(type, payload)
      } catch {
        return
      }
      const trusted = outcome(() => codec.encode(envelope))
      expect(trusted).toEqual(outcome(() => codec.encode(foreign(envelope))))
      if ('text' in trusted) expect(trusted.text).toBe(JSON.stringify(envelope))
    }), { numRuns: 2000 })
  })

  it('writes the cause\'s correlation, causation and trace context of an event emitted by a handler', () => {
    const codec = createCodec()
    const bus = createBus({ source: '/shop' })
    let inner: Envelope | undefined
    bus.on('a', () => void (inner = bus.emit('b', { n: 1 })))
    bus.emit('a', null, { extensions: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'k=v' } })
    const line = codec.encode(inner!)
    expect(line).toBe(JSON.stringify(inner))
    expect(JSON.parse(line)).toMatchObject({ correlationid: expect.any(String), causationid: expect.any(String), tracestate: 'k=v' })
  })

  it('reads the payload as it is when encoded, not as it was at emit', () => {
    const codec = createCodec()
    const payload: Record<string, unknown> = { n: 1 }
    const envelope = createBus().emit('a', payload)
    payload.n = NaN
    expect(() => codec.encode(envelope)).toThrow(expect.objectContaining({ code: 'E_ENCODE', details: expect.objectContaining({ reason: 'not-finite', field: 'data.n' }) }))
  })
})

describe('decode() remembers only what passed its checks', () => {
  it('refuses an empty source, type or time even in the first event a process decodes', async () => {
    for (const member of ['"source":""', '"type":""', '"time":""']) {
      vi.resetModules()
      const { createCodec: fresh } = await import('../../src/codec/codec')
      const attributes = { source: '"source":"/a"', type: '"type":"t"', time: '"time":"2025-01-01T00:00:00Z"' }
      const key = member.slice(1, member.indexOf('"', 1)) as keyof typeof attributes
      const text = `{"specversion":"1.0","id":"x",${Object.values({ ...attributes, [key]: member }).join(',')}}`
      expect(() => fresh().decode(text)).toThrow(expect.objectContaining({ code: 'E_VALIDATION', details: { field: key } }))
    }
  })
})
