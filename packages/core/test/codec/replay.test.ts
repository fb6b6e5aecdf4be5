import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { createCodec, defineCatalog, defineEvent, replayLog } from '@tidings/core'
import { catalog, orderLine } from './catalog'

const codec = createCodec(catalog)

const log = [
  orderLine({ id: 'e1' }),
  orderLine({ id: 'e2', dataversion: 1, data: { orderId: 'o-2', amount: 5 } }),
  '{"specversion":"1.0","id":"e3"',
  orderLine({ id: 'e4', type: 'order.refunded' }),
  orderLine({ id: 'e5', dataversion: 2, data: null }),
  orderLine({ id: 'e6', dataversion: 9 }),
]

describe('replayLog()', () => {
  it('decodes every event of NDJSON text and reports each one that fails, with its line', async () => {
    const report = await replayLog(codec, log.join('\n'))
    expect(report.total).toBe(6)
    expect(report.decoded).toBe(2)
    expect(report.failures.map((f) => [f.line, f.code, f.id])).toEqual([
      [3, 'E_DECODE', undefined],
      [4, 'E_UNKNOWN_TYPE', 'e4'],
      [5, 'E_UPCAST', 'e5'],
      [6, 'E_FUTURE_VERSION', 'e6'],
    ])
    expect(report.failures[1]).toMatchObject({ type: 'order.refunded', details: { field: 'type' } })
  })

  it('reads a list of records, text or parsed objects', async () => {
    const records = [JSON.parse(log[0]!), log[3]!, JSON.parse(log[1]!)]
    const report = await replayLog(codec, records)
    expect(report).toMatchObject({ total: 3, decoded: 2, failures: [{ line: 2, code: 'E_UNKNOWN_TYPE' }] })
  })

  it('reads a stream of NDJSON byte chunks, such as a file', async () => {
    const bytes = new TextEncoder().encode(log.join('\n'))
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 64) yield bytes.subarray(i, i + 64)
    }
    const report = await replayLog(codec, chunks())
    expect(report.total).toBe(6)
    expect(report.failures.map((f) => f.line)).toEqual([3, 4, 5, 6])
  })

  it('reports a line over maxBytes and goes on with the next', async () => {
    async function* chunks() {
      yield `${log[0]}\n`
      yield `${'x'.repeat(5000)}\n`
      yield log[1]!
    }
    const report = await replayLog(codec, chunks(), { maxBytes: 1000 })
    expect(report).toMatchObject({ total: 3, decoded: 2, failures: [{ line: 2, code: 'E_TOO_LARGE' }] })
  })

  it('tells, before a catalog change ships, which stored events the new catalog breaks', async () => {
    const stored = createCodec(catalog).encodeBatch(createCodec(catalog).decodeBatch(log.slice(0, 2).join('\n')))
    // v4 forgets the upcaster from v3: every stored event now fails.
    const broken = defineCatalog(defineEvent('order.placed', { version: 4, schema: v.unknown(), upcast: { 1: (d) => d, 2: (d) => d, 3: () => { throw new Error('not written yet') } } }))
    const report = await replayLog(createCodec(broken), stored)
    expect(report.decoded).toBe(0)
    expect(report.failures.every((f) => f.code === 'E_UPCAST' && f.details?.step === 3)).toBe(true)
  })

  it('reports an empty log as empty', async () => {
    expect(await replayLog(codec, '')).toEqual({ total: 0, decoded: 0, failures: [] })
  })
})
