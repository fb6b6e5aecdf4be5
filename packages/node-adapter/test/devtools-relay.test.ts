import { createBus, defineCatalog, defineEvent, metrics, observe, standard } from '@tidings/core'
import type { CommandValues } from '@tidings/core'
import { startDevtoolsHub } from '@tidings/node'
import * as v from 'valibot'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import WebSocket from 'ws'
import { hub, produce, until, viewer } from './devtools-helpers'

const OrderPlaced = defineEvent('order.placed', {
  version: 2,
  description: 'A customer placed an order',
  schema: v.object({ orderId: v.string(), amount: v.number() }),
  upcast: { 1: (old) => ({ ...old, amount: 0 }) },
})
const catalog = defineCatalog(OrderPlaced)

describe('devtools hub: traffic', () => {
  it('relays emits and delivery outcomes, with timing and the producer, to a live viewer', async () => {
    const h = await hub()
    const bus = createBus({ source: '/shop' }, standard())
    bus.on('order.placed', () => {}, { name: 'send-receipt' })
    bus.on('order.placed', () => { throw new Error('card declined') }, { name: 'charge', retry: { attempts: 0 } })
    const producer = produce(bus, h.url, { name: 'checkout' })
    await producer.connected
    const page = await viewer(h.wsUrl)

    const envelope = bus.emit('order.placed', { orderId: 'o-1', amount: 12 })

    const records = await until(() => page.records().length >= 4 && page.records(), 3000, 'four records')
    const emitted = records.find((r) => r.k === 'emitted')!
    expect(emitted).toMatchObject({ k: 'emitted', envelope: JSON.parse(JSON.stringify(envelope)) })
    expect(emitted.producer).toBe(h.producers()[0]!.id)
    const outcomes = records.flatMap((r) => (r.k === 'emitted' ? [] : [r]))
    expect(outcomes).toEqual(expect.arrayContaining([
      expect.objectContaining({ k: 'delivered', id: envelope.id, type: 'order.placed', subscription: 'send-receipt', attempt: 1 }),
      expect.objectContaining({ k: 'failed', id: envelope.id, subscription: 'charge', willRetry: false, error: expect.objectContaining({ message: 'card declined' }) }),
      expect.objectContaining({ k: 'dead-lettered', id: envelope.id, subscription: 'charge' }),
    ]))
    for (const r of outcomes) expect(r.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('gives a viewer that connects later the recent traffic as a backlog, bounded by the ring size', async () => {
    const h = await hub({ backlog: 5 })
    const bus = createBus({ source: '/shop' }, standard())
    const producer = produce(bus, h.url)
    await producer.connected
    for (let i = 0; i < 8; i++) bus.emit('order.placed', { orderId: `o-${i}` })
    await until(() => producer.stats().sent === 8, 3000, 'eight records sent')

    const late = await viewer(h.wsUrl)
    const backlog = await late.next('backlog')
    const records = backlog.frames.flatMap((f) => f.records)
    expect(records.map((r) => (r.k === 'emitted' ? (r.envelope.data as { orderId: string }).orderId : r.k))).toEqual(['o-3', 'o-4', 'o-5', 'o-6', 'o-7'])
  })

  it('announces producers with their catalog as JSON Schema, and removes them when they leave', async () => {
    const h = await hub()
    const page = await viewer(h.wsUrl)
    const bus = createBus({ catalog, source: '/shop' }, standard())
    const producer = produce(bus, h.url, { name: 'checkout', storeDir: '/srv/shop/events' })
    const joined = await page.next('producers', (f) => f.producers.length === 1)
    expect(joined.producers[0]).toMatchObject({
      name: 'checkout', source: '/shop', runtime: 'node', pid: process.pid, storeDir: '/srv/shop/events', paused: false, dropped: 0,
      catalog: [{
        type: 'order.placed', version: 2, description: 'A customer placed an order', persist: true,
        schema: expect.objectContaining({ type: 'object', required: ['orderId', 'amount'] }),
      }],
    })
    await producer.close()
    await page.next('producers', (f) => f.producers.length === 0 && page.frames.filter((x) => x.t === 'producers').length === 3)
    expect(h.producers()).toEqual([])
  })

  it('keeps naming a producer that left while the backlog holds its records', async () => {
    const h = await hub({ backlog: 3 })
    const gone = createBus({ source: '/mail' }, standard())
    const goneProducer = produce(gone, h.url, { name: 'mailer' })
    const quiet = produce(createBus({ source: '/idle' }, standard()), h.url, { name: 'idle' })
    await Promise.all([goneProducer.connected, quiet.connected])
    gone.emit('mail.sent', { to: 'ada' })
    await until(() => goneProducer.stats().sent === 1, 3000, 'the record sent')
    await goneProducer.close()
    await quiet.close()
    await until(() => h.producers().length === 0, 3000, 'both gone')

    // A page opened afterwards learns the name of the bus whose records it is sent; the idle one left nothing to name.
    const late = await viewer(h.wsUrl)
    const frame = await late.next('producers')
    expect(frame.producers).toEqual([])
    expect(frame.departed).toEqual([expect.objectContaining({ name: 'mailer', source: '/mail', catalog: [], disconnectedAt: expect.any(Number) })])
    const [record] = late.records()
    expect(record!.producer).toBe(frame.departed![0]!.id)

    // Once its records have left the ring, so has its name.
    const other = createBus({ source: '/shop' }, standard())
    const otherProducer = produce(other, h.url, { name: 'shop' })
    await otherProducer.connected
    for (let i = 0; i < 3; i++) other.emit('order.placed', { orderId: `o-${i}` })
    await until(() => otherProducer.stats().sent === 3, 3000, 'three records sent')
    await otherProducer.close()
    const later = await viewer(h.wsUrl)
    expect((await later.next('producers')).departed?.map((p) => p.name)).toEqual(['shop'])
  })

  it('relays metrics snapshots and sends the latest to new viewers', async () => {
    const h = await hub()
    const bus = createBus({ source: '/shop' }, standard())
    bus.on('order.placed', () => {})
    produce(bus, h.url, { metricsIntervalMs: 20 })
    bus.emit('order.placed', {})
    const page = await viewer(h.wsUrl)
    const metrics = await page.next('metrics', (f) => f.snapshot.totals.emitted === 1)
    expect(metrics.snapshot.listeners).toEqual({ 'order.placed': 1 })
  })

  it('applies redact before anything leaves the process, and hides what it drops', async () => {
    const h = await hub()
    const bus = createBus({ source: '/auth' }, standard())
    bus.on('user.login', () => {}, { name: 'audit' })
    bus.on('secret.rotated', () => {}, { name: 'audit' })
    produce(bus, h.url, {
      redact: (event) => (event.type === 'secret.rotated' ? undefined : { ...event, data: { ...(event.data as object), password: '***' } }),
    })
    const page = await viewer(h.wsUrl)
    bus.emit('secret.rotated', { key: 'k-1' })
    bus.emit('user.login', { user: 'ada', password: 'hunter2' })
    const records = await until(() => page.records().length >= 2 && page.records(), 3000, 'records')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(JSON.stringify(page.frames)).not.toContain('hunter2')
    expect(JSON.stringify(page.frames)).not.toContain('k-1')
    expect(records.map((r) => (r.k === 'emitted' ? r.envelope.type : r.type))).toEqual(['user.login', 'user.login'])
    expect(records[0]).toMatchObject({ envelope: { data: { user: 'ada', password: '***' } } })
  })
})

describe('devtools hub: commands', () => {
  const failingOnce = () => {
    let failing = true
    const bus = createBus({ catalog, source: '/shop' }, standard({ retry: { attempts: 0 } }))
    const seen: string[] = []
    bus.on('order.placed', (data) => {
      if (failing) throw new Error('warehouse offline')
      seen.push(data.orderId)
    }, { name: 'reserve-stock' })
    return { bus, seen, recover: () => void (failing = false) }
  }

  it('lists, retries (re-delivering to the handler), discards and purges dead letters', async () => {
    const h = await hub()
    const { bus, seen, recover } = failingOnce()
    produce(bus, h.url)
    const page = await viewer(h.wsUrl)
    const { producers: [p] } = await page.next('producers', (f) => f.producers.length === 1)
    await bus.publish('order.placed', { orderId: 'o-1', amount: 1 })
    await bus.publish('order.placed', { orderId: 'o-2', amount: 2 })
    await bus.publish('order.placed', { orderId: 'o-3', amount: 3 })

    const listed = await page.command(p!.id, 'dlq.list', {})
    expect(listed.ok).toBe(true)
    const entries = (listed.value as CommandValues['dlq.list']).entries
    expect(entries.map((e) => [e.subscription, (e.envelope.data as { orderId: string }).orderId, e.error.message])).toEqual([
      ['reserve-stock', 'o-1', 'warehouse offline'], ['reserve-stock', 'o-2', 'warehouse offline'], ['reserve-stock', 'o-3', 'warehouse offline'],
    ])

    recover()
    const retried = await page.command(p!.id, 'dlq.retry', { id: entries[0]!.id })
    expect(retried).toMatchObject({ ok: true, producer: p!.id, value: { succeeded: [entries[0]!.id], failed: [] } })
    expect(seen).toEqual(['o-1'])

    expect(await page.command(p!.id, 'dlq.discard', { id: entries[1]!.id })).toMatchObject({ ok: true, value: { discarded: true } })
    expect(await page.command(p!.id, 'dlq.discard', { id: 'nope' })).toMatchObject({ ok: true, value: { discarded: false } })
    expect(await page.command(p!.id, 'dlq.purge')).toMatchObject({ ok: true, value: { purged: 1 } })
    expect(await bus.dlq.size()).toBe(0)
  })

  it('dispatches an event through the bus, which validates it against its catalog', async () => {
    const h = await hub()
    const { bus, seen, recover } = failingOnce()
    recover()
    produce(bus, h.url)
    const page = await viewer(h.wsUrl)
    const { producers: [p] } = await page.next('producers', (f) => f.producers.length === 1)

    const ok = await page.command(p!.id, 'dispatch', { type: 'order.placed', data: { orderId: 'o-9', amount: 9 }, correlationid: 'c-1' })
    expect(ok).toMatchObject({ ok: true, value: { envelope: { type: 'order.placed', source: '/shop', correlationid: 'c-1', data: { orderId: 'o-9', amount: 9 } } } })
    expect(seen).toEqual(['o-9'])

    const invalid = await page.command(p!.id, 'dispatch', { type: 'order.placed', data: { orderId: 9 } })
    expect(invalid).toMatchObject({ ok: false, error: { code: 'E_VALIDATION' } })
    const unknown = await page.command(p!.id, 'dispatch', { type: 'order.lost', data: {} })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'E_UNKNOWN_TYPE' } })
    expect(seen).toEqual(['o-9'])
  })

  it('pauses and resumes a producer’s traffic, and tells viewers', async () => {
    const h = await hub()
    const bus = createBus({ source: '/shop' }, standard())
    produce(bus, h.url)
    const page = await viewer(h.wsUrl)
    const { producers: [p] } = await page.next('producers', (f) => f.producers.length === 1)

    expect(await page.command(p!.id, 'pause', { paused: true })).toMatchObject({ ok: true, value: { paused: true } })
    await page.next('producers', (f) => f.producers[0]?.paused === true)
    bus.emit('order.placed', { orderId: 'hidden' })
    await page.command(p!.id, 'pause', { paused: false })
    bus.emit('order.placed', { orderId: 'shown' })
    await until(() => page.records().length === 1, 3000, 'one record')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(page.records().map((r) => r.k === 'emitted' && (r.envelope.data as { orderId: string }).orderId)).toEqual(['shown'])
  })

  it('answers commands for unknown producers, unknown commands, bad arguments and silent producers with errors', async () => {
    const h = await hub({ commandTimeoutMs: 100 })
    const bus = createBus({ source: '/shop' }, standard())
    produce(bus, h.url)
    const page = await viewer(h.wsUrl)
    const { producers: [p] } = await page.next('producers', (f) => f.producers.length === 1)

    expect(await page.command('ghost', 'dlq.list')).toMatchObject({ ok: false, error: { code: 'E_DEVTOOLS_NO_PRODUCER' } })
    expect(await page.command(p!.id, 'reboot')).toMatchObject({ ok: false, error: { code: 'E_DEVTOOLS_PROTOCOL' } })
    expect(await page.command(p!.id, 'dlq.discard', { id: 42 })).toMatchObject({ ok: false, error: { code: 'E_DEVTOOLS_PROTOCOL' } })

    // A producer that never answers.
    const mute = new WebSocket(h.wsUrl)
    await new Promise((resolve) => mute.on('open', resolve))
    mute.send(JSON.stringify({ v: 1, t: 'hello', role: 'producer', instance: 'mute', name: 'mute', source: '/mute', catalog: [] }))
    await page.next('producers', (f) => f.producers.some((x) => x.id === 'mute'))
    expect(await page.command('mute', 'dlq.list')).toMatchObject({ ok: false, error: { code: 'E_TIMEOUT' } })
    mute.close()
  })
})

describe('devtools producer: resilience', () => {
  it('reconnects with backoff after the hub restarts, keeping its id', async () => {
    const first = await startDevtoolsHub({ port: 0 })
    const { port, token } = first
    const bus = createBus({ source: '/shop' }, standard())
    const producer = produce(bus, first.url, { reconnect: { initialMs: 20, maxMs: 100 } })
    await producer.connected
    const id = first.producers()[0]!.id
    await first.close()
    await until(() => !producer.stats().connected, 3000, 'disconnect')

    const second = await hub({ port, token })
    await until(() => producer.stats().connected, 3000, 'reconnect')
    expect(second.producers().map((p) => p.id)).toEqual([id])
    expect(producer.stats().reconnects).toBe(1)
    const page = await viewer(second.wsUrl)
    bus.emit('order.placed', { orderId: 'after-restart' })
    await until(() => page.records().some((r) => r.k === 'emitted'), 3000, 'traffic after restart')
  })

  it('drops the oldest records and counts them while the hub is away, never blocking emit', async () => {
    const h = await hub()
    const { port, token } = h
    await h.close()
    const bus = createBus({ source: '/shop' }, standard())
    const errors: string[] = []
    const producer = produce(bus, `http://127.0.0.1:${port}/?token=${token}`, {
      maxQueue: 10, reconnect: { initialMs: 20, maxMs: 50 }, onError: (e) => errors.push(e.code),
    })
    const start = performance.now()
    for (let i = 0; i < 1000; i++) bus.emit('order.placed', { orderId: `o-${i}` })
    expect(performance.now() - start).toBeLessThan(500)
    expect(producer.stats()).toMatchObject({ connected: false, queued: 10, dropped: 990 })
    await until(() => errors.length > 0, 3000, 'a connection error')
    expect(errors[0]).toBe('E_DEVTOOLS_CONNECTION')

    const back = await hub({ port, token })
    const page = await viewer(back.wsUrl)
    const traffic = await page.next('traffic')
    expect(traffic.dropped).toBe(990)
    expect(traffic.records.map((r) => r.k === 'emitted' && (r.envelope.data as { orderId: string }).orderId)).toEqual(
      Array.from({ length: 10 }, (_, i) => `o-${990 + i}`),
    )
    expect(back.producers()[0]!.dropped).toBe(990)
  })

  it('drops traffic for a viewer that stops reading, counts it, and keeps serving the others', async () => {
    const h = await hub({ viewerHighWaterMark: 64 * 1024 })
    const bus = createBus({ source: '/shop' }, standard())
    const producer = produce(bus, h.url, { maxQueue: 100_000 })
    await producer.connected
    const stalled = await viewer(h.wsUrl)
    const healthy = await viewer(h.wsUrl)
    ;(stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause()
    const payload = 'x'.repeat(1000)
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 500; i++) bus.emit('bulk.item', { payload, i })
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await until(() => healthy.records().length === 10_000, 10_000, 'all records at the healthy viewer')
    expect(h.stats().viewerDropped).toBeGreaterThan(0)
  })
})

describe('devtools hub: errors the buses report', () => {
  it('lists what a bus reported to onError (latest first, with code, stack and when), and still writes it to the console', async () => {
    const h = await hub()
    const bus = createBus({ source: '/shop' }, observe(), metrics())
    bus.on('order.placed', () => { throw new Error('card declined') }, { name: 'charge' })
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => {})
    onTestFinished(() => console.mockRestore())
    const producer = produce(bus, h.url)
    await producer.connected
    const page = await viewer(h.wsUrl)
    const before = Date.now()
    bus.emit('order.placed', { orderId: 'o-1' })
    bus.emit('order.placed', { orderId: 'o-2' })

    const result = await page.command(h.producers()[0]!.id, 'errors', { limit: 1 })
    expect(result.ok).toBe(true)
    const { errors, total } = result.value as CommandValues['errors']
    expect(total).toBe(2)
    expect(errors).toEqual([expect.objectContaining({ code: 'E_HANDLER', name: 'TidingsError', message: expect.stringContaining('card declined'), stack: expect.any(String) })])
    expect(errors[0]!.at).toBeGreaterThanOrEqual(before)
    expect(console).toHaveBeenCalledTimes(2)
  })
})
