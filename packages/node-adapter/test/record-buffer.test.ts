import { crc32 } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sealLine } from '../src/file-store/checksum'
import { crc32Of } from '../src/file-store/crc32'
import { parseRecord } from '../src/file-store/record'
import { RecordBuffer } from '../src/file-store/record-buffer'

const expected = (records: [number, string][]) => Buffer.from(records.map(([p, e]) => sealLine(`"p":${p},"e":${e}`)).join(''))

describe('crc32Of()', () => {
  it('gives zlib\'s crc32 of any byte range', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const start = bytes.length === 0 ? 0 : a % bytes.length
      const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1))
      expect(crc32Of(bytes, start, end)).toBe(crc32(bytes.subarray(start, end)))
    }), { numRuns: 2000 })
  })
})

describe('RecordBuffer', () => {
  it('frames records exactly as sealLine writes them, whatever the CRC\'s length and the text', () => {
    const json = fc.oneof(fc.json(), fc.string({ unit: 'grapheme' }).map((s) => JSON.stringify({ s })))
    fc.assert(fc.property(fc.array(fc.tuple(fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(9, 10, 2 ** 40, Number.MAX_SAFE_INTEGER)), json), { maxLength: 30 }), (records) => {
      const buffer = new RecordBuffer()
      buffer.clear()
      for (const [p, e] of records) buffer.add(p, e)
      expect(buffer.bytes.equals(expected(records))).toBe(true)
    }), { numRuns: 500 })
  })

  it('writes records that read back, CRC checked, at their positions', () => {
    const buffer = new RecordBuffer()
    const lines: [number, string][] = [[1, '{"type":"a","data":"Zoë 🦊"}'], [2, '{"type":"b"}']]
    for (const [p, e] of lines) buffer.add(p, e)
    const read = buffer.bytes.toString().trimEnd().split('\n').map(parseRecord)
    expect(read).toEqual([{ c: expect.any(Number), p: 1, e: { type: 'a', data: 'Zoë 🦊' } }, { c: expect.any(Number), p: 2, e: { type: 'b' } }])
  })

  it('grows for large commits and large records, and starts empty again after clear()', () => {
    const buffer = new RecordBuffer()
    const big = JSON.stringify({ s: 'é'.repeat(100_000) })
    const records: [number, string][] = Array.from({ length: 300 }, (_, i) => [i + 1, i === 7 ? big : JSON.stringify({ i, pad: 'x'.repeat(500) })])
    for (const [p, e] of records) buffer.add(p, e)
    expect(buffer.bytes.equals(expected(records))).toBe(true)
    buffer.clear()
    buffer.add(301, '{}')
    expect(buffer.bytes.equals(expected([[301, '{}']]))).toBe(true)
  })
})
