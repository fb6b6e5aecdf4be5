import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  CLOUDEVENTS_BATCH_CONTENT_TYPE, CLOUDEVENTS_CONTENT_TYPE, createBus, fromCloudEvent, fromCloudEventBatch,
  toCloudEvent, toCloudEventBatch,
} from '@tidings/core'
import type { ErrorCode } from '@tidings/core'
import { tampered, thrown } from './catalog'

const dir = (kind: 'valid' | 'invalid') => new URL(`../fixtures/cloudevents/${kind}/`, import.meta.url)
const fixtures = (kind: 'valid' | 'invalid') => readdirSync(dir(kind)).filter((f) => f.endsWith('.json')).sort()
const read = (kind: 'valid' | 'invalid', file: string) => readFileSync(new URL(file, dir(kind)), 'utf8')

/** CloudEvents reads a null attribute as unset (JSON event format 2.2); `data: null` is a payload. */
const withoutNullAttributes = (event: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(event).filter(([key, value]) => value !== null || key === 'data'))

// What each invalid fixture must fail with. Every file in invalid/ needs an entry, and every entry a file.
const expectedFailures: Record<string, { code: ErrorCode; field?: string }> = {
  'missing-id.json': { code: 'E_VALIDATION', field: 'id' },
  'null-id.json': { code: 'E_VALIDATION', field: 'id' },
  'empty-id.json': { code: 'E_VALIDATION', field: 'id' },
  'numeric-id.json': { code: 'E_VALIDATION', field: 'id' },
  'missing-source.json': { code: 'E_VALIDATION', field: 'source' },
  'empty-source.json': { code: 'E_VALIDATION', field: 'source' },
  'source-not-a-uri-reference.json': { code: 'E_VALIDATION', field: 'source' },
  'source-bad-percent-encoding.json': { code: 'E_VALIDATION', field: 'source' },
  'missing-type.json': { code: 'E_VALIDATION', field: 'type' },
  'type-with-control-character.json': { code: 'E_VALIDATION', field: 'type' },
  'id-with-unpaired-surrogate.json': { code: 'E_VALIDATION', field: 'id' },
  'subject-with-noncharacter.json': { code: 'E_VALIDATION', field: 'subject' },
  'missing-specversion.json': { code: 'E_VALIDATION', field: 'specversion' },
  'specversion-0.3.json': { code: 'E_VALIDATION', field: 'specversion' },
  'specversion-1.0.1.json': { code: 'E_VALIDATION', field: 'specversion' },
  'specversion-as-number.json': { code: 'E_VALIDATION', field: 'specversion' },
  'time-without-zone.json': { code: 'E_VALIDATION', field: 'time' },
  'time-with-space.json': { code: 'E_VALIDATION', field: 'time' },
  'time-impossible-date.json': { code: 'E_VALIDATION', field: 'time' },
  'time-as-epoch-number.json': { code: 'E_VALIDATION', field: 'time' },
  'dataschema-relative.json': { code: 'E_VALIDATION', field: 'dataschema' },
  'datacontenttype-not-a-media-type.json': { code: 'E_VALIDATION', field: 'datacontenttype' },
  'extension-name-upper-case.json': { code: 'E_VALIDATION', field: 'comExampleTenant' },
  'extension-name-too-long.json': { code: 'E_VALIDATION', field: 'abcdefghij0123456789x' },
  'extension-name-with-dash.json': { code: 'E_VALIDATION', field: 'com-example' },
  'extension-object-value.json': { code: 'E_VALIDATION', field: 'comexampleinfo' },
  'extension-array-value.json': { code: 'E_VALIDATION', field: 'comexampletags' },
  'extension-fractional-number.json': { code: 'E_VALIDATION', field: 'comexampleratio' },
  'extension-integer-over-int32.json': { code: 'E_VALIDATION', field: 'comexamplecount' },
  'extension-integer-under-int32.json': { code: 'E_VALIDATION', field: 'comexamplecount' },
  'data-and-data-base64.json': { code: 'E_VALIDATION', field: 'data_base64' },
  'data-base64-not-base64.json': { code: 'E_VALIDATION', field: 'data_base64' },
  'data-base64-without-padding.json': { code: 'E_VALIDATION', field: 'data_base64' },
  'data-base64-not-a-string.json': { code: 'E_VALIDATION', field: 'data_base64' },
  'xml-content-type-with-object-data.json': { code: 'E_VALIDATION', field: 'data' },
  'dataversion-zero.json': { code: 'E_VALIDATION', field: 'dataversion' },
  'dataversion-as-string.json': { code: 'E_VALIDATION', field: 'dataversion' },
  'proto-key-in-data.json': { code: 'E_DECODE', field: 'data.__proto__' },
  'not-an-object.json': { code: 'E_DECODE' },
  'truncated.json': { code: 'E_DECODE' },
  'trailing-comma.json': { code: 'E_DECODE' },
}

describe('CloudEvents fixtures', () => {
  it('has an expectation for every invalid fixture and a fixture for every expectation', () => {
    expect(fixtures('invalid')).toEqual(Object.keys(expectedFailures).sort())
  })

  const valid = fixtures('valid')
  it.each(valid.filter((f) => !f.startsWith('batch')))('reads valid/%s and writes it back unchanged', (file) => {
    const text = read('valid', file)
    const original = JSON.parse(text) as Record<string, unknown>
    const envelope = fromCloudEvent(text)
    expect(toCloudEvent(envelope)).toEqual(withoutNullAttributes(original))
    expect(JSON.parse(JSON.stringify(envelope))).toEqual(withoutNullAttributes(original))
    expect(toCloudEvent(fromCloudEvent(original))).toEqual(withoutNullAttributes(original))
  })

  it.each(valid.filter((f) => f.startsWith('batch')))('reads the batch valid/%s and writes it back unchanged', (file) => {
    const text = read('valid', file)
    expect(toCloudEventBatch(fromCloudEventBatch(text))).toEqual(JSON.parse(text))
  })

  it.each(fixtures('invalid'))('rejects invalid/%s with a TidingsError naming the problem', (file) => {
    const error = thrown(() => fromCloudEvent(read('invalid', file)))
    const expected = expectedFailures[file]!
    expect(error.code).toBe(expected.code)
    if (expected.field !== undefined) {
      expect(error.details).toMatchObject({ field: expected.field })
      expect(error.message).toContain(expected.field)
    }
  })
})

describe('fromCloudEvent()', () => {
  const minimal = { specversion: '1.0', id: 'x-1', source: '/a', type: 'com.example.a' }

  it('is stricter than the CloudEvents JS SDK: no generated id, no other spec version, only 32-bit integers', () => {
    const { id: _, ...withoutId } = minimal
    expect(thrown(() => fromCloudEvent(withoutId)).details).toMatchObject({ field: 'id' })
    expect(thrown(() => fromCloudEvent({ ...minimal, specversion: '0.3' })).details).toMatchObject({ field: 'specversion' })
    expect(thrown(() => fromCloudEvent({ ...minimal, count: 2 ** 31 })).details).toMatchObject({ field: 'count' })
  })

  it('exposes the attributes Tidings itself does not set', () => {
    const envelope = fromCloudEvent({ ...minimal, subject: 'img.png', datacontenttype: 'image/png', dataschema: 'https://example.com/s', data_base64: 'AAEC' })
    expect(envelope).toMatchObject({ subject: 'img.png', datacontenttype: 'image/png', dataschema: 'https://example.com/s' })
    expect(envelope.data).toEqual(new Uint8Array([0, 1, 2]))
  })

  it('adds neither time nor dataversion, yet gives the envelope usable values for both', () => {
    const envelope = fromCloudEvent(minimal)
    expect(envelope.dataversion).toBe(1)
    expect(Number.isNaN(Date.parse(envelope.time))).toBe(false)
    expect(toCloudEvent(envelope)).toEqual(minimal)
  })

  it('keeps the absence of data distinct from a null payload', () => {
    expect(toCloudEvent(fromCloudEvent(minimal))).not.toHaveProperty('data')
    expect(toCloudEvent(fromCloudEvent({ ...minimal, data: null }))).toHaveProperty('data', null)
  })

  it('applies size and depth limits', () => {
    expect(thrown(() => fromCloudEvent({ ...minimal, data: 'x'.repeat(200) }, { maxBytes: 100 })).code).toBe('E_TOO_LARGE')
    expect(thrown(() => fromCloudEvent({ ...minimal, data: [[1]] }, { maxDepth: 2 })).code).toBe('E_TOO_LARGE')
  })
})

describe('fromCloudEventBatch()', () => {
  it('names the index of a bad event', () => {
    const error = thrown(() => fromCloudEventBatch([{ specversion: '1.0', id: 'a', source: '/a', type: 't' }, { specversion: '1.0', source: '/a', type: 't' }]))
    expect(error.details).toMatchObject({ index: 1, field: 'id' })
  })

  it('rejects a document that is not an array with E_DECODE', () => {
    expect(thrown(() => fromCloudEventBatch('{"specversion":"1.0"}')).code).toBe('E_DECODE')
  })
})

describe('toCloudEvent()', () => {
  it('gives the JSON.stringify form of an emitted envelope', () => {
    const bus = createBus({ source: 'https://shop.example.com' })
    const envelope = bus.emit('order.placed', { n: 1 }, { extensions: { tenant: 'acme', shard: 3 } })
    expect(toCloudEvent(envelope)).toEqual(JSON.parse(JSON.stringify(envelope)))
  })

  it('writes a Uint8Array payload as data_base64', () => {
    const envelope = createBus({ source: '/f' }).emit('file.stored', new Uint8Array([255, 254]))
    const json = toCloudEvent(envelope)
    expect(json.data_base64).toBe('//4=')
    expect(json).not.toHaveProperty('data')
  })

  it('refuses an envelope that breaks CloudEvents, naming the attribute', () => {
    const envelope = tampered({ source: 'not a uri reference' })
    expect(thrown(() => toCloudEvent(envelope))).toMatchObject({ code: 'E_VALIDATION', details: { field: 'source' } })
  })

  it('names the index of a bad envelope in a batch', () => {
    const bus = createBus({ source: '/s' })
    const batch = [bus.emit('a', 1), tampered({ extensions: { big: 2 ** 40 } }, 'b', 2)]
    expect(thrown(() => toCloudEventBatch(batch)).details).toMatchObject({ index: 1, field: 'big' })
  })

  it('names the media types of structured and batched events', () => {
    expect(CLOUDEVENTS_CONTENT_TYPE).toBe('application/cloudevents+json')
    expect(CLOUDEVENTS_BATCH_CONTENT_TYPE).toBe('application/cloudevents-batch+json')
  })
})
