import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as v from 'valibot'
import { afterEach, describe, expect, it } from 'vitest'
import { createBus, defineCatalog, defineEvent, memoryStore } from '@tidings/core'
import { sseEndpoint } from '@tidings/node'
import type { SseEndpoint, SseEndpointOptions } from '@tidings/node'
import { connectSse } from './support/sse-client'

const catalog = defineCatalog(
  defineEvent('order.placed', { schema: v.object({ orderId: v.string() }) }),
  defineEvent('order.shipped', { schema: v.object({ orderId: v.string() }) }),
  defineEvent('cart.changed', { schema: v.object({ items: v.number() }) }),
  defineEvent('audit.logged', { schema: v.object({ pad: v.string() }) }),
)

let server: Server | undefined
let endpoint: SseEndpoint | undefined

afterEach(async () => {
  endpoint?.close()
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined))
  server = undefined
})

const serve = async (options: SseEndpointOptions = {}) => {
  const store = memoryStore()
  const bus = createBus({ catalog, source: '/orders', store })
  endpoint = sseEndpoint(bus, { store, path: '/events', ...options })
  server = createServer(endpoint)
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`
  return { bus, store, url, endpoint }
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json', ...headers }, body: JSON.stringify(body) })

const waitUntil = async (check: () => boolean, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('sseEndpoint()', () => {
  it('streams each event with id: its envelope id and data: its CloudEvents JSON, filtered by type or pattern', async () => {
    const { bus, url } = await serve({ types: ['order.*'] })
    const all = await connectSse(url)
    const shipped = await connectSse(`${url}?types=order.shipped`)
    expect(all.response.headers['content-type']).toContain('text/event-stream')
    await waitUntil(() => endpoint!.stats().clients === 2)
    const placed = bus.emit('order.placed', { orderId: 'A-1' }, { correlationid: 'c-1' })
    bus.emit('cart.changed', { items: 2 })
    const sent = bus.emit('order.shipped', { orderId: 'A-1' })
    const messages = await all.waitFor(2)
    expect(messages.map((m) => m.id)).toEqual([placed.id, sent.id])
    expect(JSON.parse(messages[0]!.data!)).toMatchObject({ specversion: '1.0', id: placed.id, type: 'order.placed', data: { orderId: 'A-1' }, correlationid: 'c-1' })
    expect((await shipped.waitFor(1)).map((m) => m.id)).toEqual([sent.id])
    all.close()
    shipped.close()
  })

  it('resumes after a dropped connection from Last-Event-ID: everything stored meanwhile, once, then live events', async () => {
    const { bus, url } = await serve()
    const first = await connectSse(url)
    await waitUntil(() => endpoint!.stats().clients === 1)
    const before = [bus.emit('order.placed', { orderId: '1' }), bus.emit('order.placed', { orderId: '2' })]
    const got = await first.waitFor(2)
    first.close()
    await waitUntil(() => endpoint!.stats().clients === 0)
    const missed = [bus.emit('order.placed', { orderId: '3' }), bus.emit('order.shipped', { orderId: '1' }), bus.emit('cart.changed', { items: 1 })]
    const again = await connectSse(url, { 'last-event-id': got[1]!.id! })
    await waitUntil(() => endpoint!.stats().clients === 1)
    const live = bus.emit('order.placed', { orderId: '4' })
    const resumed = await again.waitFor(4)
    expect(resumed.map((m) => m.id)).toEqual([...missed, live].map((e) => e.id))
    expect(got.map((m) => m.id)).toEqual(before.map((e) => e.id))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(again.messages).toHaveLength(4)
    expect(endpoint!.stats().resumed).toBe(1)
    again.close()
  })

  it('sends a tidings.gap event when the Last-Event-ID is not in the log', async () => {
    const { url } = await serve()
    const client = await connectSse(url, { 'last-event-id': 'long-gone' })
    const [gap] = await client.waitFor(1)
    expect(gap).toMatchObject({ event: 'tidings.gap', data: JSON.stringify({ lastEventId: 'long-gone' }) })
    client.close()
  })

  it('answers 401 when the authorize hook refuses, and counts it', async () => {
    const { url } = await serve({ authorize: (req) => req.headers.cookie === 'session=ok' })
    const refused = await connectSse(url)
    expect(refused.status).toBe(401)
    const allowed = await connectSse(url, { cookie: 'session=ok' })
    expect(allowed.status).toBe(200)
    expect(endpoint!.stats()).toMatchObject({ refused: 1, clients: 1 })
    refused.close()
    allowed.close()
  })

  it('sends heartbeats to idle streams', async () => {
    const { url } = await serve({ heartbeatMs: 30 })
    const client = await connectSse(url)
    await waitUntil(() => client.comments >= 3)
    expect(client.messages).toEqual([])
    client.close()
  })

  it('drops a client that does not read, counts it, and keeps serving the others', async () => {
    const { bus, url } = await serve({ maxBufferedBytes: 256 * 1024 })
    const slow = await connectSse(url)
    const fast = await connectSse(url)
    await waitUntil(() => endpoint!.stats().clients === 2)
    slow.response.pause()
    const pad = 'x'.repeat(16 * 1024)
    // Far more than the socket buffers hold: the slow client's backlog must pass the bound.
    for (let i = 0; i < 2000; i++) {
      bus.emit('audit.logged', { pad })
      // A burst smaller than the bound: a client that reads keeps up.
      if (i % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    }
    await fast.waitFor(2000, 20_000)
    expect(endpoint!.stats()).toMatchObject({ dropped: 1, clients: 1 })
    fast.close()
    slow.close()
  }, 30_000)

  it('emits the events a page POSTs, with their ids, after validating them against the catalog', async () => {
    const { bus, url } = await serve({ accept: ['cart.*'] })
    const received: string[] = []
    bus.on('cart.changed', (_data, envelope) => void received.push(envelope.id))
    const event = { specversion: '1.0', id: 'page-1', source: '/page', type: 'cart.changed', time: new Date().toISOString(), dataversion: 1, data: { items: 3 } }
    const ok = await post(url, [event])
    expect(ok.status).toBe(202)
    expect(await ok.json()).toEqual({ accepted: 1 })
    expect(received).toEqual(['page-1'])

    const invalid = await post(url, [{ ...event, id: 'page-2' }, { ...event, id: 'page-3', data: { items: 'three' } }])
    expect(invalid.status).toBe(400)
    expect(await invalid.json()).toMatchObject({ code: 'E_VALIDATION', index: 1 })
    const other = await post(url, [{ ...event, id: 'page-4', type: 'order.placed', data: { orderId: 'x' } }])
    expect(other.status).toBe(403)
    expect(received).toEqual(['page-1'])
    expect(endpoint!.stats().accepted).toBe(1)
  })

  it('refuses POSTs when it accepts no types', async () => {
    const { url } = await serve()
    const res = await post(url, [])
    expect(res.status).toBe(405)
    expect((await res.json() as { message: string }).message).toContain('accept')
  })
})
