import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createCodec, replayLog } from '@tidings/core'
import { catalog } from './catalog'

// Wire format 1, as @tidings/core 0.1 wrote it. Never edited: see fixtures/golden/README.md.
const v1 = readFileSync(new URL('../fixtures/golden/v1.ndjson', import.meta.url), 'utf8')
const lines = v1.trimEnd().split('\n')

const codec = createCodec(catalog, { unknown: 'keep' })

describe('golden files', () => {
  it('still decode, every line of them, with the current catalog', async () => {
    const report = await replayLog(codec, v1)
    expect(report.failures).toEqual([])
    expect(report.total).toBe(lines.length)
  })

  it('v1.ndjson: old order.placed payloads come out at the current version', () => {
    const [first, second, third] = codec.decodeBatch(v1)
    expect(first).toMatchObject({ dataversion: 3, data: { orderId: 'o-1001', total: { amount: 49.9, currency: 'EUR' } } })
    expect(second).toMatchObject({ dataversion: 3, correlationid: 'r1a8c0q2m9xk-2', data: { orderId: 'o-1002', total: { amount: 1200, currency: 'JPY' } } })
    expect(third).toMatchObject({
      dataversion: 3, correlationid: 'r1a8c0q2m9xk-2', causationid: 'r1a8c0q2m9xk-2',
      extensions: { tenant: 'acme', shard: 3, beta: true },
      data: { orderId: 'o-1003', total: { amount: 15.25, currency: 'EUR' } },
    })
  })

  it('v1.ndjson: strings, times, binary data and foreign attributes survive', () => {
    const events = codec.decodeBatch(v1)
    expect(events[3]).toMatchObject({ time: '2025-03-14T10:26:53.589123+01:00', data: { userId: 'Zoë 🦊 "quoted" \\ back\nslash' } })
    expect(events[4]!.data).toEqual(new Uint8Array([0, 1, 2, 253, 254, 255]))
    expect(events[5]).toMatchObject({ id: 'crm-77', subject: 'u-77', datacontenttype: 'application/json', dataversion: 1 })
    expect(events[6]).toMatchObject({ type: 'audit.logged', dataversion: 5, data: { action: 'login', at: null, tags: [] } })
  })

  it('v1.ndjson: events that need no upcasting are written back byte for byte', () => {
    const events = codec.decodeBatch(v1)
    for (const i of [2, 3, 4, 5, 6]) expect(codec.encode(events[i]!)).toBe(lines[i])
  })
})
