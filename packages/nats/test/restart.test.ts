import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { connect } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { startNatsServer } from './support/nats-server'
import type { NatsServer } from './support/nats-server'
import { waitFor } from '@tidings/core'
import { natsBuses } from './support/buses'

let server: NatsServer
beforeAll(async () => {
  server = await startNatsServer()
})
afterAll(() => server?.dispose())

const nats = natsBuses(() => ({ servers: server.url }))
const RECOVERY_LIMIT_MS = 8_000

/** SIGKILL: the server gets no chance to save anything, then it starts again on the same port and store. */
const killAndRestart = async () => {
  const child = server.child
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
  await server.start()
}

const ackFloor = async (stream: string, durable: string) => {
  const nc = await connect({ servers: server.url })
  try {
    return (await (await jetstreamManager(nc)).consumers.info(stream, durable)).ack_floor.stream_seq
  } finally {
    await nc.close()
  }
}

/** Deletes every consumer of the stream, as an operator could: `nats consumer rm`. */
const deleteConsumers = async (stream: string) => {
  const nc = await connect({ servers: server.url })
  try {
    const jsm = await jetstreamManager(nc)
    const names: string[] = []
    for await (const info of jsm.consumers.list(stream)) names.push(info.name)
    await Promise.all(names.map((name) => jsm.consumers.delete(stream, name)))
    return names.length
  } finally {
    await nc.close()
  }
}

describe('natsTransport(): nats-server killed and restarted', () => {
  it('keeps unnamed subscriptions, waitFor and named subscriptions receiving within seconds, nothing lost or repeated', async () => {
    const a = nats.bus()
    const b = nats.bus()
    const everything: number[] = []
    const ticks: number[] = []
    const named: number[] = []
    b.on('*', (_type, n) => void everything.push(n as number))
    b.on('tick.*', (_type, n) => void ticks.push(n as number))
    b.on('tick.sent', (n) => void named.push(n as number), { name: 'ticks' })
    await Promise.all([a.ready, b.ready])
    const before = [1, 2, 3]
    for (const n of before) a.emit('tick.sent', n)
    await vi.waitFor(() => expect(everything).toEqual(before), { timeout: 5_000 })
    await vi.waitFor(() => expect(named).toEqual(before), { timeout: 5_000 })
    // The acks must reach the server before it dies, or 1–3 are (rightly) delivered again after it.
    await vi.waitFor(async () => expect(await ackFloor(nats.scope().stream, 'ticks')).toBe(3), { timeout: 5_000 })

    await killAndRestart()
    const back = Date.now()
    const waited = waitFor(b, 'tick.sent', { timeout: RECOVERY_LIMIT_MS })
    // More than the few messages left in the pull the client had open before the kill.
    const after = Array.from({ length: 20 }, (_, i) => 4 + i)
    for (const n of after) a.emit('tick.sent', n)
    await vi.waitFor(() => expect(everything.length).toBeGreaterThan(3), { timeout: RECOVERY_LIMIT_MS, interval: 10 })
    const first = Date.now() - back
    const all = [...before, ...after]
    await vi.waitFor(() => expect(everything).toEqual(all), { timeout: RECOVERY_LIMIT_MS, interval: 10 })
    const unnamedGap = Date.now() - back
    await vi.waitFor(() => expect(named).toEqual(all), { timeout: RECOVERY_LIMIT_MS, interval: 10 })
    // TIDINGS_REPORT_GAP=1 prints the gaps, for the README's figures.
    if (process.env.TIDINGS_REPORT_GAP) console.log(`nats-server back → first event: ${first} ms, all ${after.length}: ${unnamedGap} ms, named all: ${Date.now() - back} ms`)
    expect(unnamedGap).toBeLessThan(RECOVERY_LIMIT_MS)
    expect((await waited).data).toBe(4)
    expect(ticks).toEqual(all)
    expect((await b.history({ order: 'asc' })).map((e) => e.data)).toEqual(all)
    // Quiet a while: the consumers keep working after the recovery.
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    a.emit('tick.sent', 24)
    await vi.waitFor(() => expect(everything).toEqual([...all, 24]), { timeout: 5_000 })
    await vi.waitFor(() => expect(named).toEqual([...all, 24]), { timeout: 5_000 })
    // Losing the connection is reported; nothing else went wrong.
    expect(new Set(b.errors.map((e) => e.code))).toEqual(new Set(['E_TRANSPORT']))
  }, 60_000)

  it('makes the unnamed subscriptions\' consumer again when the server deletes it', async () => {
    const a = nats.bus()
    const b = nats.bus()
    const seen: number[] = []
    b.on('*', (_type, n) => void seen.push(n as number))
    await Promise.all([a.ready, b.ready])
    a.emit('tick', 1)
    await vi.waitFor(() => expect(seen).toEqual([1]), { timeout: 5_000 })
    const removed = await deleteConsumers(nats.scope().stream)
    expect(removed).toBeGreaterThanOrEqual(2)
    a.emit('tick', 2)
    a.emit('tick', 3)
    await vi.waitFor(() => expect(seen).toEqual([1, 2, 3]), { timeout: RECOVERY_LIMIT_MS })
  }, 15_000)

  it('notices a frozen server by its missing heartbeats and reads on once it answers again', async () => {
    const a = nats.bus()
    const b = nats.bus()
    const seen: number[] = []
    b.on('*', (_type, n) => void seen.push(n as number))
    await Promise.all([a.ready, b.ready])
    a.emit('tick', 1)
    await vi.waitFor(() => expect(seen).toEqual([1]), { timeout: 5_000 })
    // SIGSTOP: the connection stays open, but nothing comes through it, not even heartbeats.
    server.child.kill('SIGSTOP')
    await new Promise((resolve) => setTimeout(resolve, 6_000))
    server.child.kill('SIGCONT')
    const back = Date.now()
    a.emit('tick', 2)
    await vi.waitFor(() => expect(seen).toEqual([1, 2]), { timeout: RECOVERY_LIMIT_MS, interval: 10 })
    if (process.env.TIDINGS_REPORT_GAP) console.log(`nats-server thawed → event: ${Date.now() - back} ms`)
    a.emit('tick', 3)
    await vi.waitFor(() => expect(seen).toEqual([1, 2, 3]), { timeout: 5_000 })
  }, 30_000)
})
