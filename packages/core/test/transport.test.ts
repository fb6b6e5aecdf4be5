import { describe, expect, it, vi } from 'vitest'
import { createBus } from '@tidings/core'
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
  const route = async (envelope: Envelope) => {
    await Promise.resolve() // the network: nothing arrives within the emit
    for (const host of hosts) host.deliverBroadcast(envelope)
    const names = new Set(hosts.flatMap((h) => h.subscriptions().map((s) => s.name)))
    for (const name of names) {
      const owners = hosts.filter((h) => h.subscriptions().some((s) => s.name === name))
      const owner = owners[turn++ % owners.length]!
      for (let attempt = 1; ; attempt++) {
        try {
          await owner.deliverTo(name, envelope)
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
  const transport = (): Transport & { published: Envelope[] } => {
    const published: Envelope[] = []
    return {
      published,
      ready: Promise.resolve(),
      attach: (host) => void hosts.push(host),
      publish(envelope) {
        published.push(envelope)
        const p = route(envelope)
        pending.add(p)
        void p.finally(() => pending.delete(p))
      },
      async republish(entry) {
        republished.push(entry)
        await route(entry.envelope)
      },
      flush: async () => void (await Promise.all(pending)),
      close: async () => {},
    }
  }
  return { transport, republished, settled: () => Promise.all(pending) }
}

describe('createBus({ transport })', () => {
  it('publishes emits instead of dispatching them; every bus sees them in its unnamed subscriptions', async () => {
    const net = broker()
    const a = createBus({ transport: net.transport() })
    const b = createBus({ transport: net.transport() })
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
    const buses = [createBus({ transport: net.transport() }), createBus({ transport: net.transport() })]
    const handled: number[] = []
    buses.forEach((bus, i) => bus.on('job.run', () => void handled.push(i), { name: 'worker' }))
    for (let n = 0; n < 4; n++) buses[0]!.emit('job.run', n)
    await net.settled()
    expect(handled).toHaveLength(4)
    expect(new Set(handled)).toEqual(new Set([0, 1]))
  })

  it('reports named subscriptions and their changes to the transport', () => {
    let host!: TransportHost
    const bus = createBus({ transport: { ...broker().transport(), attach: (h) => void (host = h) } })
    const changed = vi.fn()
    host.onSubscriptionsChange(changed)
    const off = bus.on('a.*', () => {}, { name: 'audit' })
    bus.on('b', () => {})
    expect(host.subscriptions()).toEqual([{ key: 'a.*', name: 'audit' }])
    off()
    expect(host.subscriptions()).toEqual([])
    expect(changed).toHaveBeenCalledTimes(2)
  })

  it('dead-letters what the transport gave up on, and a DLQ retry republishes it', async () => {
    const net = broker(2)
    const bus = createBus({ transport: net.transport() })
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
    broken = false
    expect((await bus.dlq.retry(entry!.id)).succeeded).toEqual([entry!.id])
    expect(net.republished.map((e) => e.id)).toEqual([entry!.id])
    expect(received).toEqual([{ to: 'a@b.co' }])
  })

  it('rejects deliverTo for a name this bus does not have', async () => {
    let host!: TransportHost
    createBus({ transport: { ...broker().transport(), attach: (h) => void (host = h) } })
    const other = createBus().emit('x')
    await expect(host.deliverTo('nobody', other)).rejects.toMatchObject({ code: 'E_DLQ_NOT_FOUND' })
  })

  it('waits for the transport in ready and flush, and closes it', async () => {
    const t = broker().transport()
    let connected!: () => void
    const flush = vi.fn(async () => {})
    const close = vi.fn(async () => {})
    const bus = createBus({ transport: { ...t, ready: new Promise<void>((r) => (connected = r)), flush, close } })
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
})
