import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as v from 'valibot'
import { connect } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { defineCatalog, defineEvent, isTidingsError } from '@tidings/core'
import { startNatsServer } from './support/nats-server'
import type { NatsServer } from './support/nats-server'
import { natsBuses } from './support/buses'

let server: NatsServer
beforeAll(async () => {
  server = await startNatsServer()
})
afterAll(() => server?.dispose())

const nats = natsBuses(() => ({ servers: server.url }))
const catalog = defineCatalog(defineEvent('price.set', { schema: v.object({ amount: v.number() }) }))

const event = (data: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ specversion: '1.0', id: `p-${Math.random()}`, source: '/other', type: 'price.set', time: new Date().toISOString(), data, ...extra })

/** What another publisher on the stream's subjects could send. */
const hostile: [string, string | Uint8Array][] = [
  ['bytes that are not UTF-8 text', new Uint8Array([0xff, 0xfe, 0x00, 0x7b, 0xc3])],
  ['text that is not JSON', 'price.set amount=5'],
  ['JSON that is not an event', '[1, 2, 3]'],
  ['an event without id', JSON.stringify({ specversion: '1.0', source: '/x', type: 'price.set', data: { amount: 1 } })],
  ['a payload the catalog refuses', event({ amount: 'five' })],
  ['a payload nested 100,000 levels deep', event({ amount: 1, deep: 0 }).replace('"deep":0', `"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}`)],
  ['a future payload version', event({ amount: 1 }, { dataversion: 99 })],
  ['an empty message', ''],
]

const publishRaw = async (subject: string, payloads: (string | Uint8Array)[]) => {
  const nc = await connect({ servers: server.url })
  try {
    const js = (await jetstreamManager(nc)).jetstream()
    const seqs = []
    for (const payload of payloads) seqs.push((await js.publish(subject, payload)).seq)
    return seqs
  } finally {
    await nc.close()
  }
}

const consumerInfo = async (stream: string, durable: string) => {
  const nc = await connect({ servers: server.url })
  try {
    return await (await jetstreamManager(nc)).consumers.info(stream, durable)
  } finally {
    await nc.close()
  }
}

describe('natsTransport(): messages it cannot read', () => {
  it('reports each one once per consumer with its sequence, terminates it for named subscriptions, and delivers the next events', async () => {
    const bus = nats.bus({ ackWait: 2_000, catalog })
    const everything: unknown[] = []
    const named: unknown[] = []
    bus.on('*', (_type, data) => void everything.push(data))
    bus.on('price.set', (data) => void named.push(data), { name: 'prices' })
    await bus.ready
    const subject = `${nats.scope().subjectPrefix}.price.set`
    const seqs = await publishRaw(subject, hostile.map(([, payload]) => payload))
    const [good] = await publishRaw(subject, [event({ amount: 5 })])

    await vi.waitFor(() => expect(everything).toEqual([{ amount: 5 }]), { timeout: 5_000 })
    await vi.waitFor(() => expect(named).toEqual([{ amount: 5 }]), { timeout: 5_000 })
    // Longer than ackWait: a message neither acked nor terminated would be delivered again by now.
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    const info = await consumerInfo(nats.scope().stream, 'prices')
    expect(info).toMatchObject({ num_ack_pending: 0, num_redelivered: 0, num_pending: 0, ack_floor: { stream_seq: good } })

    expect(bus.errors.every((e) => isTidingsError(e) && e.details?.subject === subject)).toBe(true)
    // Once by the unnamed subscriptions' consumer, once by the named subscription's.
    expect(bus.errors.map((e) => e.details?.seq).sort((x, y) => Number(x) - Number(y))).toEqual(seqs.flatMap((seq) => [seq, seq]))
    const codes = new Set(bus.errors.map((e) => e.code))
    expect([...codes].every((code) => ['E_DECODE', 'E_VALIDATION', 'E_FUTURE_VERSION', 'E_TOO_LARGE'].includes(code))).toBe(true)
    expect(bus.errors.every((e) => e.message.includes('it is skipped'))).toBe(true)

    // The bus goes on as before.
    bus.emit('price.set', { amount: 6 })
    await vi.waitFor(() => expect(named).toEqual([{ amount: 5 }, { amount: 6 }]), { timeout: 5_000 })
    await vi.waitFor(() => expect(everything).toEqual([{ amount: 5 }, { amount: 6 }]), { timeout: 5_000 })
  }, 15_000)
})
