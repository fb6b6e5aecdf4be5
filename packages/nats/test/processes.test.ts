import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startNatsServer } from './support/nats-server'
import type { NatsServer } from './support/nats-server'
import { gate, natsBuses } from './support/buses'
import { instances } from './support/instances'

let server: NatsServer
let children: Awaited<ReturnType<typeof instances>>
beforeAll(async () => {
  ;[server, children] = await Promise.all([startNatsServer(), instances()])
})
afterAll(async () => {
  await children?.dispose()
  await server?.dispose()
})

const nats = natsBuses(() => ({ servers: server.url }))
const startOf = (line: string) => line.startsWith('start ')

describe('natsTransport(): instances in separate processes', () => {
  it('shares a named subscription: each event is handled once, by one of the processes', async () => {
    const child = children.spawn({ servers: server.url, ...nats.scope(), concurrency: 1, mode: 'release' })
    const bus = nats.bus({ concurrency: 1 })
    const release = gate()
    const started = gate()
    const done: string[] = []
    bus.on('job', async (n) => {
      started.open()
      await release.promise
      done.push(String(n))
    }, { name: 'worker' })
    await Promise.all([bus.ready, child.line((l) => l === 'ready')])
    for (let n = 0; n < 6; n++) bus.emit('job', n)
    // Each process holds one event (concurrency 1), so the other one must have taken another.
    await Promise.all([started.promise, child.line(startOf)])
    release.open()
    child.release()
    const childDone = () => child.lines.filter((l) => l.startsWith('done ')).map((l) => l.slice(5))
    await vi.waitFor(() => expect(done.length + childDone().length).toBe(6), { timeout: 5_000 })
    expect([...done, ...childDone()].sort()).toEqual(['0', '1', '2', '3', '4', '5'])
    expect(done.length).toBeGreaterThan(0)
    expect(childDone().length).toBeGreaterThan(0)
    await child.kill()
  })

  it('redelivers to another instance an event whose process was killed (SIGKILL) before it acked', async () => {
    const child = children.spawn({ servers: server.url, ...nats.scope(), ackWait: 500, mode: 'hold' })
    await child.line((l) => l === 'ready')
    const emitter = nats.bus()
    await emitter.ready
    const sent = emitter.emit('job', 'crash-me')
    await child.line((l) => l === 'start crash-me')
    await child.kill()

    const survivor = nats.bus({ ackWait: 500 })
    const received = gate<string>()
    survivor.on('job', (_data, envelope) => received.open(envelope.id), { name: 'worker' })
    expect(await received.promise).toBe(sent.id)
  })

  it('dead-letters an event whose last delivery went unanswered, without running a handler again', async () => {
    const child = children.spawn({ servers: server.url, ...nats.scope(), ackWait: 500, attempts: 0, mode: 'hold' })
    await child.line((l) => l === 'ready')
    const survivor = nats.bus({ ackWait: 500 })
    const handler = vi.fn()
    await survivor.ready
    const sent = survivor.emit('job', 'poison')
    await child.line((l) => l === 'start poison')
    await child.kill()

    survivor.on('job', handler, { name: 'worker', retry: { attempts: 0 } })
    await vi.waitFor(async () => expect(await survivor.dlq.size()).toBe(1), { timeout: 5_000 })
    expect((await survivor.dlq.list())[0]).toMatchObject({
      subscription: 'worker', attempts: 1, envelope: { id: sent.id }, error: { code: 'E_TRANSPORT' },
    })
    expect(handler).not.toHaveBeenCalled()
  })
})
