import { describe, expect, it, vi } from 'vitest'
import { createBus, deadLetters, retry, standard, transport } from '@tidings/core'
import type { DeadLetterEntry, Envelope, Transport, TransportHost } from '@tidings/core'

/**
 * An in-process broker with a transport's semantics: every bus sees every event in its unnamed
 * subscriptions; each subscription name gets each event once, on one bus (round-robin), with
 * up to `maxDeliver` tries before the event is dead-lettered there.
 */
const broker = (maxDeliver = 2) => {
  const hosts: TransportHost[] = []
  const republished: DeadLetterEntry[] = []
  let turn = 0
  const route = async (envelope: Envelope, from: TransportHost | undefined) => {
    await Promise.resolve() // the network: nothing arrives within the emit
    for (const host of hosts) host.deliverBroadcast(envelope, host === from)
    const names = new Set(hosts.flatMap((h) => h.subscriptions().map((s) => s.name)))
    for (const name of names) {
      const owners = hosts.filter((h) => h.subscriptions().some((s) => s.name === name))
      const owner = owners[turn++ % owners.length]!
      for (let attempt = 1; ; attempt++) {
        try {
          await owner.deliverTo(name, envelope, attempt)
          break
        } catch (error) {
          if (attempt >= maxDeliver) {
            owner.deadLetter(envelope, name, attempt, error)
            break
          }
        }
      }
    }
  }
  const pending = new Set<Promise<void>>()
  const transport = (carried?: (type: string) => boolean): Transport & { published: Envelope[] } => {
    const published: Envelope[] = []
    let self: TransportHost | undefined
    return {
      published,
      ready: Promise.resolve(),
      ...(carried && { carries: carried }),
      attach: (host) => void hosts.push((self = host)),
      publish(envelope) {
        published.push(envelope)
        const p = route(envelope, self)
        pending.add(p)
        void p.finally(() => pending.delete(p))
      },
      async republish(entry) {
        republished.push(entry)
        await route(entry.envelope, undefined)
      },
      flush: async () => void (await Promise.all(pending)),
      close: async () => {},
    }
  }
  return { transport, republished, settled: () => Promise.all(pending) }
}

describe('createBus(options, transport(t), deadLetters())', () => {
  it('publishes emits instead of dispatching them; every bus sees them in its unnamed subscriptions', async () => {
    const net = broker()
    const a = createBus({}, transport(net.transport()), deadLetters())
    const b = createBus({}, transport(net.transport()), deadLetters())
    const seenA = vi.fn()
    const seenB = vi.fn()
    a.on('order.placed', seenA)
    b.on('order.*', seenB)
    const envelope = a.emit('order.placed', { id: 1 })
    expect(seenA).not.toHaveBeenCalled()
    await net.settled()
    expect(seenA).toHaveBeenCalledWith({ id: 1 }, envelope)
    expect(seenB).toHaveBeenCalledWith('order.placed', { id: 1 }, envelope)
  })

  it('gives each named subscription each event once, across buses', async () => {
    const net = broker()
    const buses = [createBus({}, transport(net.transport()), deadLetters()), createBus({}, transport(net.transport()), deadLetters())]
    const handled: number[] = []
    buses.forEach((bus, i) => bus.on('job.run', () => void handled.push(i), { name: 'worker' }))
    for (let n = 0; n < 4; n++) buses[0]!.emit('job.run', n)
    await net.settled()
    expect(handled).toHaveLength(4)
    expect(new Set(handled)).toEqual(new Set([0, 1]))
  })

  it('reports named subscriptions and their changes to the transport', () => {
    let host!: TransportHost
    // retry() with its defaults: the transport is given each named subscription's policy (3 retries).
    const bus = createBus({}, transport({ ...broker().transport(), attach: (h) => void (host = h) }), deadLetters(), retry())
    const changed = vi.fn()
    host.onSubscriptionsChange(changed)
    const off = bus.on('a.*', () => {}, { name: 'audit' })
    bus.on('b', () => {})
    expect(host.subscriptions()).toMatchObject([{ key: 'a.*', name: 'audit', attempts: 3 }])
    off()
    expect(host.subscriptions()).toEqual([])
    expect(changed).toHaveBeenCalledTimes(2)
  })

  it('dead-letters what the transport gave up on, and a DLQ retry republishes it', async () => {
    const net = broker(2)
    const bus = createBus({}, transport(net.transport()), standard())
    const tries: Array<{ kind: string; attempt: number; willRetry?: boolean }> = []
    bus.observe((o) => { if (o.kind !== 'emitted' && o.subscription === 'mailer') tries.push({ kind: o.kind, attempt: o.attempt, willRetry: o.willRetry }) })
    let broken = true
    const received: unknown[] = []
    bus.on('mail.send', (data) => {
      if (broken) throw new Error('smtp down')
      received.push(data)
    }, { name: 'mailer' })
    bus.emit('mail.send', { to: 'a@b.co' })
    await net.settled()
    const [entry] = await bus.dlq.list()
    expect(entry).toMatchObject({ subscription: 'mailer', attempts: 2, error: { message: 'smtp down' }, envelope: { type: 'mail.send' } })
    // Observers are told the transport's delivery count, whether it will try again, and the dead letter.
    expect(tries).toEqual([
      { kind: 'failed', attempt: 1, willRetry: true }, { kind: 'failed', attempt: 2, willRetry: true }, { kind: 'dead-lettered', attempt: 2, willRetry: undefined },
    ])
    broken = false
    expect((await bus.dlq.retry(entry!.id)).succeeded).toEqual([entry!.id])
    expect(net.republished.map((e) => e.id)).toEqual([entry!.id])
    expect(received).toEqual([{ to: 'a@b.co' }])
  })

  it('rejects deliverTo for a name this bus does not have', async () => {
    let host!: TransportHost
    createBus({}, transport({ ...broker().transport(), attach: (h) => void (host = h) }), deadLetters())
    const other = createBus().emit('x')
    await expect(host.deliverTo('nobody', other)).rejects.toMatchObject({ code: 'E_DLQ_NOT_FOUND' })
  })

  it('waits for the transport in ready and flush, and closes it', async () => {
    const t = broker().transport()
    let connected!: () => void
    const flush = vi.fn(async () => {})
    const close = vi.fn(async () => {})
    const bus = createBus({}, transport({ ...t, ready: new Promise<void>((r) => (connected = r)), flush, close }), deadLetters())
    let ready = false
    void bus.ready.then(() => (ready = true))
    await Promise.resolve()
    expect(ready).toBe(false)
    connected()
    await bus.ready
    await bus.flush()
    await bus.close()
    expect(flush).toHaveBeenCalled()
    expect(close).toHaveBeenCalledOnce()
  })

  it("gives the transport each named subscription's retry policy", () => {
    let host!: TransportHost
    const bus = createBus({}, transport({ ...broker().transport(), attach: (h) => void (host = h) }), deadLetters(), retry({ attempts: 5 }))
    bus.on('pay', () => {}, { name: 'charge', retry: { attempts: 2, backoff: { initialMs: 300, factor: 2, jitter: 0 } } })
    bus.on('mail', () => {}, { name: 'mailer' })
    const [charge, mailer] = host.subscriptions()
    expect(charge).toMatchObject({ name: 'charge', attempts: 2 })
    expect(mailer).toMatchObject({ name: 'mailer', attempts: 5 })
    const error = new Error('timeout')
    expect([1, 2, 3].map((attempt) => charge!.retryDelay(error, attempt))).toEqual([300, 600, undefined])
    expect(charge!.retryDelay(Object.assign(new Error('declined'), { retryable: false }), 1)).toBeUndefined()
  })

  it('hands the transport the catalog, keeps remote events in history once, and tells observers which were remote', async () => {
    const net = broker()
    let host!: TransportHost
    const t = net.transport()
    const a = createBus({}, transport({ ...t, attach: (h) => { host = h; t.attach(h) } }), standard())
    const b = createBus({}, transport(net.transport()), standard())
    expect(host.catalog).toBeUndefined()
    const seen: Array<[string, string, boolean]> = []
    a.observe((o) => { if (o.kind === 'emitted') seen.push(['a', o.envelope.type, o.remote === true]) })
    b.observe((o) => { if (o.kind === 'emitted') seen.push(['b', o.envelope.type, o.remote === true]) })
    a.emit('from.a')
    b.emit('from.b')
    await net.settled()
    expect(seen.sort()).toEqual([['a', 'from.a', false], ['a', 'from.b', true], ['b', 'from.a', true], ['b', 'from.b', false]])
    // In the order each bus saw them: its own emit at once, the other's when it arrived.
    expect((await a.history({ order: 'asc' })).map((e) => e.type)).toEqual(['from.a', 'from.b'])
    expect((await b.history({ order: 'asc' })).map((e) => e.type)).toEqual(['from.b', 'from.a'])
    expect(a.metrics().totals.emitted).toBe(1)
  })

  it('keeps the types the transport does not carry in this process', async () => {
    const net = broker(1)
    const t = net.transport((type) => type.startsWith('order.'))
    const bus = createBus({}, transport(t), deadLetters())
    const other = createBus({}, transport(net.transport()), deadLetters())
    const here = vi.fn()
    const there = vi.fn()
    bus.on('cart.item.added', here)
    other.on('cart.item.added', there)
    bus.emit('cart.item.added', { sku: 'TEA-001' })
    expect(here).toHaveBeenCalledOnce()
    bus.emit('order.placed', { id: 1 })
    await net.settled()
    expect(t.published.map((e) => e.type)).toEqual(['order.placed'])
    expect(there).not.toHaveBeenCalled()

    // A dead letter of a local type is retried here, not through the transport.
    let broken = true
    bus.on('cart.item.removed', () => { if (broken) throw new Error('view broken') }, { name: 'cart-view', retry: { attempts: 0 } })
    bus.emit('cart.item.removed', { sku: 'TEA-001' })
    await bus.flush()
    const [entry] = await bus.dlq.list()
    broken = false
    expect((await bus.dlq.retry(entry!.id)).succeeded).toEqual([entry!.id])
    expect(net.republished).toEqual([])
  })
})
