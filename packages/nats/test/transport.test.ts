import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as v from 'valibot'
import { connect } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { headers } from '@nats-io/nats-core'
import { TidingsError, createBus, deadLetters, defineCatalog, defineEvent, retry, transport, waitFor } from '@tidings/core'
import type { TransportHost } from '@tidings/core'
import { natsTransport } from '@tidings/nats'
import { startNatsServer } from './support/nats-server'
import type { NatsServer } from './support/nats-server'
import { gate, natsBuses } from './support/buses'

let server: NatsServer
beforeAll(async () => {
  server = await startNatsServer()
})
afterAll(() => server?.dispose())

const nats = natsBuses(() => ({ servers: server.url }))

/** The raw stream, as another NATS client sees it. */
const streamMessages = async (stream: string) => {
  const nc = await connect({ servers: server.url })
  try {
    const jsm = await jetstreamManager(nc)
    const { state } = await jsm.streams.info(stream)
    const out = []
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq })
      if (m) out.push({ subject: m.subject, id: m.header.get('Nats-Msg-Id'), traceparent: m.header.get('traceparent'), json: m.json<Record<string, unknown>>() })
    }
    return out
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

const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'

describe('natsTransport(): events across buses', () => {
  it('delivers an emit to the unnamed subscriptions of every bus, and not synchronously', async () => {
    const a = nats.bus()
    const b = nats.bus()
    await Promise.all([a.ready, b.ready])
    const onA = vi.fn()
    const onB = vi.fn()
    a.on('order.placed', onA)
    b.on('order.*', onB)
    const seenByB = waitFor(b, 'order.placed', { timeout: 5_000 })
    const sent = a.emit('order.placed', { id: 1 })
    expect(onA).not.toHaveBeenCalled()
    const received = await seenByB
    expect(received).toMatchObject({ id: sent.id, type: 'order.placed', source: sent.source, time: sent.time, data: { id: 1 } })
    await vi.waitFor(() => expect(onA).toHaveBeenCalledWith({ id: 1 }, expect.objectContaining({ id: sent.id })))
    expect(onB).toHaveBeenCalledWith('order.placed', { id: 1 }, expect.objectContaining({ id: sent.id }))
    expect([...a.errors, ...b.errors]).toEqual([])
  })

  it('publishes each type on its own subject with the envelope id as Nats-Msg-Id, so a repeated publish is stored once', async () => {
    const a = nats.bus()
    await a.ready
    const first = a.emit('order.placed', { id: 1 }, { id: 'fixed-id' })
    a.emit('order.placed', { id: 1 }, { id: 'fixed-id' })
    a.emit('user signed.up', 'x')
    await a.flush()
    const messages = await streamMessages(nats.scope().stream)
    expect(messages.map((m) => [m.subject, m.id])).toEqual([
      [`${nats.scope().subjectPrefix}.order.placed`, 'fixed-id'],
      [`${nats.scope().subjectPrefix}.user%20signed.up`, expect.any(String)],
    ])
    expect(messages[0]!.json).toEqual(JSON.parse(JSON.stringify(first)))
  })

  it('gives each named subscription each event once across buses, and unnamed ones every event', async () => {
    const buses = [nats.bus(), nats.bus(), nats.bus()]
    const handled: string[] = []
    const everywhere: string[] = []
    buses.forEach((bus, i) => {
      bus.on('job.run', (n) => void handled.push(`${i}:${String(n)}`), { name: 'worker' })
      bus.on('job.*', (_type, n) => void everywhere.push(`${i}:${String(n)}`))
    })
    await Promise.all(buses.map((bus) => bus.ready))
    for (let n = 0; n < 30; n++) buses[n % 3]!.emit('job.run', n)
    await vi.waitFor(() => expect(everywhere).toHaveLength(90), { timeout: 5_000 })
    await vi.waitFor(() => expect(handled).toHaveLength(30), { timeout: 5_000 })
    expect(new Set(handled.map((h) => h.split(':')[1])).size).toBe(30)
  })

  it('reaches a named subscription made just before the emit', async () => {
    const a = nats.bus()
    await a.ready
    const got = gate<unknown>()
    a.on('late.event', (data) => got.open(data), { name: 'late' })
    a.emit('late.event', 'hello')
    expect(await got.promise).toBe('hello')
  })

  it('moves a name to its new key when it is subscribed again with another one', async () => {
    const a = nats.bus()
    const off = a.on('a.*', () => {}, { name: 'mover' })
    await a.ready
    off()
    const got = gate<string>()
    a.on('b', (_data, envelope) => got.open(envelope.type), { name: 'mover' })
    a.emit('a.x')
    a.emit('b')
    expect(await got.promise).toBe('b')
    await vi.waitFor(async () => expect((await consumerInfo(nats.scope().stream, 'mover')).config.filter_subject).toBe(`${nats.scope().subjectPrefix}.b`))
  })

  it('decodes incoming events through the catalog: an older payload version is upcast', async () => {
    const V1 = defineEvent('price.set', { schema: v.object({ amount: v.number() }) })
    const V2 = defineEvent('price.set', {
      version: 2,
      schema: v.object({ amount: v.number(), currency: v.string() }),
      upcast: { 1: (old: { amount: number }) => ({ ...old, currency: 'EUR' }) },
    })
    // The least a transport needs: deadLetters(), for the deliveries it gives up on.
    const old = createBus({ catalog: defineCatalog(V1) }, transport(natsTransport({ servers: server.url, ...nats.scope() })), deadLetters())
    // The transport decodes with the bus's own catalog: it is given once, to createBus.
    const current = createBus({ catalog: defineCatalog(V2) }, transport(natsTransport({ servers: server.url, ...nats.scope() })), deadLetters())
    try {
      await Promise.all([old.ready, current.ready])
      const received = waitFor(current, 'price.set', { timeout: 5_000 })
      old.emit('price.set', { amount: 5 })
      expect(await received).toMatchObject({ dataversion: 2, data: { amount: 5, currency: 'EUR' } })
    } finally {
      await Promise.all([old.close(), current.close()])
    }
  })
})

describe('natsTransport(): what a bus keeps and reports', () => {
  it("keeps the other processes' events in history, its own once, and tells observers which were remote", async () => {
    const a = nats.bus()
    const b = nats.bus()
    await Promise.all([a.ready, b.ready])
    const remote: string[] = []
    const local: string[] = []
    a.observe((o) => { if (o.kind === 'emitted') (o.remote ? remote : local).push(o.envelope.type) })
    const fromB = waitFor(a, 'from.b', { timeout: 5_000 })
    a.emit('from.a')
    b.emit('from.b')
    await fromB
    await vi.waitFor(async () => expect((await a.history({ order: 'asc' })).map((e) => e.type).sort()).toEqual(['from.a', 'from.b']))
    // Its own event came back through NATS too (its unnamed subscriptions get it), without a second record.
    await a.flush()
    expect(local).toEqual(['from.a'])
    expect(remote).toEqual(['from.b'])
    expect(await a.history()).toHaveLength(2)
  })

  it('carries only the types given in `types`: the others stay in the process, and get no consumer', async () => {
    const shop = nats.bus({ types: ['order.*'] })
    const service = nats.bus()
    const inShop = vi.fn()
    const inService = vi.fn()
    shop.on('cart.item.added', inShop, { name: 'cart-view' })
    service.on('cart.item.added', inService)
    const placed = waitFor(service, 'order.placed', { timeout: 5_000 })
    await Promise.all([shop.ready, service.ready])
    shop.emit('cart.item.added', { sku: 'TEA-001' })
    expect(inShop).toHaveBeenCalledOnce()
    shop.emit('order.placed', { id: 1 })
    await placed
    await shop.flush()
    expect((await streamMessages(nats.scope().stream)).map((m) => m.json.type)).toEqual(['order.placed'])
    expect(inService).not.toHaveBeenCalled()
    await expect(consumerInfo(nats.scope().stream, 'cart-view')).rejects.toThrow(/consumer not found/i)
    // Events of other types sent by other buses are not delivered to the shop either.
    const seen = vi.fn()
    shop.on('*', seen)
    service.emit('inventory.low', { sku: 'TEA-001' })
    service.emit('order.paid', { id: 1 })
    await vi.waitFor(() => expect(seen).toHaveBeenCalledWith('order.paid', { id: 1 }, expect.anything()))
    expect(seen.mock.calls.map(([type]) => type)).not.toContain('inventory.low')
  })

  it("sets the consumer's max_deliver from the subscription's retry policy: attempts + 1", async () => {
    const a = nats.bus()
    a.on('mail.send', () => {}, { name: 'mailer', retry: { attempts: 2 } })
    a.on('mail.send', () => {}, { name: 'audit' })
    await a.ready
    expect((await consumerInfo(nats.scope().stream, 'mailer')).config.max_deliver).toBe(3)
    // The bus's default policy: 3 retries.
    expect((await consumerInfo(nats.scope().stream, 'audit')).config.max_deliver).toBe(4)
  })

  it('delivers once (max_deliver 1) on a bus without retry(), whatever the subscription asks, and with retry() as given', async () => {
    const scope = { servers: server.url, ...nats.scope() }
    const once = createBus({}, transport(natsTransport(scope)), deadLetters())
    const retried = createBus({}, transport(natsTransport(scope)), deadLetters(), retry({ attempts: 1 }))
    try {
      // Without retry() a subscription's own policy has nothing to apply it.
      once.on('mail.send', () => {}, { name: 'plain', retry: { attempts: 2 } })
      retried.on('mail.send', () => {}, { name: 'retried' })
      await Promise.all([once.ready, retried.ready])
      expect((await consumerInfo(nats.scope().stream, 'plain')).config.max_deliver).toBe(1)
      expect((await consumerInfo(nats.scope().stream, 'retried')).config.max_deliver).toBe(2)
    } finally {
      await Promise.all([once.close(), retried.close()])
    }
  })
})

describe('natsTransport(): failures, redelivery and the DLQ', () => {
  it("redelivers a failed event with the subscription's backoff and dead-letters it after its last try, with the delivery count", async () => {
    const a = nats.bus()
    const attempts: number[] = []
    let broken = true
    const received: unknown[] = []
    a.on('mail.send', (data) => {
      attempts.push(Date.now())
      if (broken) throw new Error('smtp down')
      received.push(data)
    }, { name: 'mailer', retry: { attempts: 2, backoff: { initialMs: 10, factor: 2, jitter: 0 } } })
    const bystander = vi.fn()
    a.on('mail.send', bystander, { name: 'audit' })
    await a.ready
    const sent = a.emit('mail.send', { to: 'a@b.co' })
    await vi.waitFor(async () => expect(await a.dlq.size()).toBe(1), { timeout: 5_000 })
    const [entry] = await a.dlq.list()
    expect(entry).toMatchObject({ subscription: 'mailer', attempts: 3, error: { message: 'smtp down' }, envelope: { id: sent.id, type: 'mail.send' } })
    expect(attempts).toHaveLength(3)
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(9)
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(19)

    // The retry goes to 'mailer' only: 'audit' handled the event once already.
    broken = false
    expect((await a.dlq.retry(entry!.id)).succeeded).toEqual([entry!.id])
    await vi.waitFor(() => expect(received).toEqual([{ to: 'a@b.co' }]), { timeout: 5_000 })
    expect(bystander).toHaveBeenCalledTimes(1)
    expect(await a.dlq.size()).toBe(0)
  })

  it('dead-letters at once an error marked retryable: false', async () => {
    const a = nats.bus()
    const handler = vi.fn(() => {
      throw new TidingsError('E_VALIDATION', 'bad order', { retryable: false })
    })
    a.on('order.bad', handler, { name: 'checker' })
    await a.ready
    a.emit('order.bad', {})
    await vi.waitFor(async () => expect(await a.dlq.size()).toBe(1), { timeout: 5_000 })
    expect(handler).toHaveBeenCalledTimes(1)
    expect((await a.dlq.list())[0]).toMatchObject({ attempts: 1, subscription: 'checker' })
  })

  it('buffers while NATS is unreachable, reports each event beyond maxBuffered, and on close those never published', async () => {
    const reported: TidingsError[] = []
    const host: TransportHost = {
      source: '/test', catalog: undefined, subscriptions: () => [], onSubscriptionsChange: () => () => {},
      deliverBroadcast() {}, deliverTo: async () => {}, deadLetter: async () => {}, report: (error) => void reported.push(error),
    }
    const transport = natsTransport({ servers: 'nats://127.0.0.1:1', maxBuffered: 2 })
    transport.attach(host)
    const local = createBus()
    const sent = [local.emit('a'), local.emit('b'), local.emit('c')]
    for (const envelope of sent) transport.publish(envelope)
    expect(reported.filter((e) => e.code === 'E_TRANSPORT_OVERFLOW').map((e) => e.details?.id)).toEqual([sent[2]!.id])
    const flushed = transport.flush()
    await transport.close()
    await flushed
    expect(reported.find((e) => Array.isArray(e.details?.ids))).toMatchObject({ code: 'E_TRANSPORT', details: { ids: [sent[0]!.id, sent[1]!.id] } })
  })
})

describe('natsTransport(): trace context', () => {
  it('carries traceparent as the extension and the NATS header, and on to events a handler emits', async () => {
    const a = nats.bus()
    const b = nats.bus()
    b.on('checkout.started', () => void b.emit('payment.requested', {}))
    await Promise.all([a.ready, b.ready])
    const child = waitFor(a, 'payment.requested', { timeout: 5_000 })
    const parent = waitFor(b, 'checkout.started', { timeout: 5_000 })
    a.emit('checkout.started', {}, { extensions: { traceparent: TRACE } })
    expect((await parent).extensions).toEqual({ traceparent: TRACE })
    expect((await child).extensions).toEqual({ traceparent: TRACE })
    const messages = await streamMessages(nats.scope().stream)
    expect(messages.map((m) => m.traceparent)).toEqual([TRACE, TRACE])
  })

  it('turns a traceparent header from another publisher into the extension', async () => {
    const a = nats.bus()
    await a.ready
    const received = waitFor(a, 'external.thing', { timeout: 5_000 })
    const nc = await connect({ servers: server.url })
    const h = headers()
    h.set('traceparent', TRACE)
    const event = { specversion: '1.0', id: 'ext-1', source: '/other', type: 'external.thing', time: new Date().toISOString(), data: 1 }
    await (await jetstreamManager(nc)).jetstream().publish(`${nats.scope().subjectPrefix}.external.thing`, JSON.stringify(event), { headers: h })
    await nc.close()
    expect(await received).toMatchObject({ id: 'ext-1', extensions: { traceparent: TRACE } })
  })
})

describe('natsTransport(): connections', () => {
  it('lets a bus over WebSocket (as in a browser) and a bus over TCP exchange events', async () => {
    const WebSocket = (await import('ws')).default
    const g = globalThis as { WebSocket?: unknown }
    // Node 20 has no global WebSocket, which wsconnect needs.
    g.WebSocket ??= WebSocket
    const ws = nats.bus({ servers: server.wsUrl })
    const tcp = nats.bus()
    tcp.on('ping', (n: unknown) => void tcp.emit('pong', Number(n) + 1))
    await Promise.all([ws.ready, tcp.ready])
    const pong = waitFor(ws, 'pong', { timeout: 5_000 })
    ws.emit('ping', 41)
    expect((await pong).data).toBe(42)
  })

  it('survives a server restart: events emitted meanwhile are published after it, and subscriptions keep receiving', async () => {
    const connection = { reconnectTimeWait: 50 }
    const a = nats.bus({ connection })
    const b = nats.bus({ connection })
    const named: unknown[] = []
    const unnamed: unknown[] = []
    b.on('tick', (n) => void named.push(n), { name: 'ticks' })
    b.on('tick', (n) => void unnamed.push(n))
    await Promise.all([a.ready, b.ready])
    a.emit('tick', 1)
    await vi.waitFor(() => expect(named).toEqual([1]), { timeout: 5_000 })
    await vi.waitFor(() => expect(unnamed).toEqual([1]), { timeout: 5_000 })
    // The ack must reach the server before it stops, or 1 is (rightly) delivered again after the restart.
    await vi.waitFor(async () => expect((await consumerInfo(nats.scope().stream, 'ticks')).ack_floor.stream_seq).toBe(1), { timeout: 5_000 })

    await server.stop()
    a.emit('tick', 2)
    await server.start()
    a.emit('tick', 3)
    await a.flush()
    await vi.waitFor(() => expect(named.sort(), 'named').toEqual([1, 2, 3]), { timeout: 15_000 })
    await vi.waitFor(() => expect(unnamed.sort(), 'unnamed').toEqual([1, 2, 3]), { timeout: 15_000 })
    expect(a.errors.map((e) => e.code)).toContain('E_TRANSPORT')
  }, 30_000)
})
