import { createBus, decodeDevtoolsFrame, devtoolsSocketURL, observe } from '@tidings/core'
import type { Observation } from '@tidings/core'
import { describe, expect, it } from 'vitest'
import { TrafficQueue } from '../../src/devtools/traffic-queue'

const envelope = { specversion: '1.0', id: 'a-1', source: '/shop', type: 'order.placed', time: '2026-01-01T00:00:00.000Z', dataversion: 1, data: { n: 1 } }

describe('decodeDevtoolsFrame()', () => {
  it('accepts every frame a producer sends, keeping unknown fields', () => {
    const traffic = decodeDevtoolsFrame(JSON.stringify({
      v: 1, t: 'traffic', dropped: 0, future: 'kept',
      records: [{ k: 'emitted', at: 1, envelope: { ...envelope, tenant: 'x' } }, { k: 'failed', at: 2, id: 'a-1', type: 'order.placed', subscription: 's', attempt: 1, durationMs: 0.5, willRetry: true, error: { name: 'Error', message: 'boom' } }],
    }), 'producer')
    expect(traffic).toMatchObject({ t: 'traffic', future: 'kept', records: [{ envelope: { tenant: 'x' } }, { willRetry: true }] })
    const remote = decodeDevtoolsFrame({ v: 1, t: 'traffic', producer: 'p', dropped: 0, records: [{ k: 'emitted', at: 1, envelope, remote: true }] }, 'hub')
    expect(remote).toMatchObject({ records: [{ k: 'emitted', remote: true }] })
    expect(decodeDevtoolsFrame({ v: 1, t: 'result', id: 'h1', ok: true, value: { purged: 2 } }, 'producer').t).toBe('result')
    expect(decodeDevtoolsFrame({ v: 1, t: 'hello', role: 'producer', instance: 'i', name: 'n', source: '/s', catalog: [] }, 'producer').t).toBe('hello')
  })

  it('refuses frames with E_DEVTOOLS_PROTOCOL and says where they are wrong', () => {
    expect(() => decodeDevtoolsFrame('{oops', 'viewer')).toThrow(expect.objectContaining({ code: 'E_DEVTOOLS_PROTOCOL', message: expect.stringContaining('not JSON') }))
    expect(() => decodeDevtoolsFrame({ v: 1, t: 'traffic', dropped: 0, records: [{ k: 'delivered', at: 1, id: 'a', type: 't', subscription: 's', attempt: -1, durationMs: 1 }] }, 'producer'))
      .toThrow(expect.objectContaining({ code: 'E_DEVTOOLS_PROTOCOL', message: expect.stringContaining('"records.0.attempt"') }))
    expect(() => decodeDevtoolsFrame({ v: 1, t: 'traffic', dropped: 0, records: [{ k: 'emitted', at: 1, envelope: { ...envelope, specversion: '0.3' } }] }, 'producer'))
      .toThrow(expect.objectContaining({ code: 'E_DEVTOOLS_PROTOCOL' }))
    expect(() => decodeDevtoolsFrame({ v: 1, t: 'traffic', dropped: 0, records: [{ k: 'emitted', at: 1, envelope, remote: false }] }, 'producer'))
      .toThrow(expect.objectContaining({ code: 'E_DEVTOOLS_PROTOCOL', message: expect.stringContaining('"records.0.remote"') }))
    expect(() => decodeDevtoolsFrame({ v: 1, t: 'command', id: 'x', producer: 'p', name: 'dlq.list', args: {} }, 'producer'))
      .toThrow(expect.objectContaining({ code: 'E_DEVTOOLS_PROTOCOL' }))
  })

  it('accepts producers that left, with when they left, beside the connected ones', () => {
    const info = { id: 'p1', name: 'mailer', source: '/mail', connectedAt: 1, paused: false, dropped: 0, catalog: [] }
    const frame = decodeDevtoolsFrame({ v: 1, t: 'producers', producers: [], departed: [{ ...info, disconnectedAt: 2 }] }, 'hub')
    expect(frame).toMatchObject({ t: 'producers', departed: [{ name: 'mailer', disconnectedAt: 2 }] })
    expect(() => decodeDevtoolsFrame({ v: 1, t: 'producers', producers: [], departed: [{ ...info, disconnectedAt: 'yesterday' }] }, 'hub'))
      .toThrow(expect.objectContaining({ code: 'E_DEVTOOLS_PROTOCOL', message: expect.stringContaining('"departed.0.disconnectedAt"') }))
  })

  it('names a protocol version mismatch', () => {
    expect(() => decodeDevtoolsFrame({ v: 2, t: 'hello', role: 'viewer' }, 'viewer'))
      .toThrow(expect.objectContaining({ code: 'E_DEVTOOLS_PROTOCOL', message: expect.stringContaining('version 2'), details: { version: 2 } }))
  })
})

describe('devtoolsSocketURL()', () => {
  it('turns the printed page URL into the ws endpoint and keeps a ws URL', () => {
    expect(devtoolsSocketURL('http://127.0.0.1:7420/?token=abc')).toBe('ws://127.0.0.1:7420/ws?token=abc')
    expect(devtoolsSocketURL('https://hub.test/?token=abc')).toBe('wss://hub.test/ws?token=abc')
    expect(devtoolsSocketURL('ws://127.0.0.1:7420/ws?token=abc')).toBe('ws://127.0.0.1:7420/ws?token=abc')
    expect(devtoolsSocketURL('http://127.0.0.1:7420/', 'xyz')).toBe('ws://127.0.0.1:7420/ws?token=xyz')
  })

  it('refuses URLs without a token, or of another scheme', () => {
    expect(() => devtoolsSocketURL('http://127.0.0.1:7420/')).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => devtoolsSocketURL('ftp://x/?token=a')).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => devtoolsSocketURL('not a url')).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })
})

describe('TrafficQueue', () => {
  const observed = () => {
    const bus = createBus({ source: '/shop' }, observe())
    const seen: Observation[] = []
    bus.observe((o) => seen.push(o))
    return { bus, seen }
  }
  const records = (frames: string[]) => frames.flatMap((f) => (JSON.parse(f) as { records: unknown[] }).records)

  it('sends each envelope exactly as JSON.stringify(envelope) writes it', () => {
    const { bus, seen } = observed()
    const e = bus.emit('order.placed', { n: 1, s: 'é"\n' }, { correlationid: 'c', causationid: 'k', extensions: { tenant: 'acme', shard: 3, beta: true } })
    const queue = new TrafficQueue(10, undefined)
    queue.push(seen[0]!, 5)
    expect(records(queue.drain(1 << 20, 16))).toEqual([{ k: 'emitted', at: 5, envelope: JSON.parse(JSON.stringify(e)) }])
  })

  it('writes the time and id given at emit, as JSON.stringify(envelope) does', () => {
    const { bus, seen } = observed()
    const e = bus.emit('order.placed', { n: 1 }, { id: 'given-1', time: '2024-05-01T10:00:00Z' })
    bus.emit('order.placed', { n: 2 })
    const queue = new TrafficQueue(10, undefined)
    for (const o of seen) queue.push(o, 5)
    const sent = records(queue.drain(1 << 20, 16)) as Array<{ envelope: unknown }>
    expect(sent[0]!.envelope).toEqual(JSON.parse(JSON.stringify(e)))
    expect(sent[0]!.envelope).toMatchObject({ id: 'given-1', time: '2024-05-01T10:00:00Z' })
    expect(sent[1]!.envelope).toEqual(JSON.parse(JSON.stringify((seen[1] as { envelope: unknown }).envelope)))
  })

  it('marks a remote emit, truncated or not', () => {
    const { bus, seen } = observed()
    const small = bus.emit('order.placed', { n: 1 })
    const huge = bus.emit('huge', { blob: 'y'.repeat(20_000) })
    const queue = new TrafficQueue(10, undefined)
    queue.push({ kind: 'emitted', envelope: small, remote: true }, 1)
    queue.push({ kind: 'emitted', envelope: huge, remote: true }, 2)
    queue.push(seen[0]!, 3)
    const frames = queue.drain(8192, 16)
    for (const frame of frames) expect(decodeDevtoolsFrame(frame, 'producer').t).toBe('traffic')
    const sent = records(frames) as Array<Record<string, unknown>>
    expect(sent.map((r) => [r.remote, r.truncated])).toEqual([[true, undefined], [true, true], [undefined, undefined]])
    expect(sent[0]).toEqual({ k: 'emitted', at: 1, remote: true, envelope: JSON.parse(JSON.stringify(small)) })
  })

  it('drops the oldest records when full and counts them', () => {
    const { bus, seen } = observed()
    for (let n = 0; n < 5; n++) bus.emit('tick', { n })
    const queue = new TrafficQueue(3, undefined)
    for (const o of seen) queue.push(o, 0)
    expect(queue.dropped).toBe(2)
    const sent = records(queue.drain(1 << 20, 16)) as Array<{ envelope: { data: { n: number } } }>
    expect(sent.map((r) => r.envelope.data.n)).toEqual([2, 3, 4])
    expect(queue.size).toBe(0)
  })

  it('splits records into frames under the byte limit and sends an oversized payload truncated', () => {
    const { bus, seen } = observed()
    for (let n = 0; n < 50; n++) bus.emit('tick', { n, pad: 'x'.repeat(100) })
    bus.emit('huge', { blob: 'y'.repeat(20_000) })
    const queue = new TrafficQueue(100, undefined)
    for (const o of seen) queue.push(o, 0)
    const frames = queue.drain(8192, 100)
    expect(frames.length).toBeGreaterThan(1)
    for (const f of frames) expect(Buffer.byteLength(f)).toBeLessThanOrEqual(8192)
    const all = records(frames) as Array<{ truncated?: true; envelope: { type: string; data?: unknown } }>
    expect(all).toHaveLength(51)
    expect(all[50]).toMatchObject({ truncated: true, envelope: { type: 'huge' } })
    expect(all[50]!.envelope.data).toBeUndefined()
  })

  it('calls redact once per envelope and hides the outcomes of what it hides', () => {
    const bus = createBus({ source: '/shop' }, observe())
    bus.on('*', () => {}, { name: 'all' })
    const seen: Observation[] = []
    bus.observe((o) => seen.push(o))
    bus.emit('keep', { secret: 's' })
    bus.emit('hide', {})
    let calls = 0
    const queue = new TrafficQueue(10, (event) => {
      calls++
      return event.type === 'hide' ? undefined : { ...event, data: { secret: '***' } }
    })
    for (const o of seen) queue.push(o, 0)
    const sent = records(queue.drain(1 << 20, 16)) as Array<{ k: string; type?: string; envelope?: { data: unknown } }>
    expect(sent.map((r) => r.k)).toEqual(['emitted', 'delivered'])
    expect(sent[0]!.envelope!.data).toEqual({ secret: '***' })
    expect(calls).toBe(2)
  })
})

describe('decodeDevtoolsFrame(): nesting depth', () => {
  const command = (depth: number) => `{"v":1,"t":"command","id":"c","producer":"p","name":"dispatch","args":{"data":${'['.repeat(depth)}${']'.repeat(depth)}}}`

  it('accepts a frame at the depth limit and refuses one level more, before parsing, with E_DEVTOOLS_PROTOCOL', () => {
    // The frame and its args are two levels around the data.
    expect(decodeDevtoolsFrame(command(98), 'viewer', 100).t).toBe('command')
    expect(() => decodeDevtoolsFrame(command(99), 'viewer', 100)).toThrow(expect.objectContaining({ code: 'E_DEVTOOLS_PROTOCOL', details: { maxDepth: 100 } }))
  })

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = `{"v":1,"t":"command","id":"c","producer":"p","name":"dispatch","args":{"data":"\\"${'['.repeat(500)}"}}`
    expect(decodeDevtoolsFrame(text, 'viewer', 5).t).toBe('command')
  })

  it('refuses a million levels quickly, without a stack overflow', () => {
    expect(() => decodeDevtoolsFrame(command(1_000_000), 'viewer')).toThrow(expect.objectContaining({ code: 'E_DEVTOOLS_PROTOCOL' }))
  })
})
