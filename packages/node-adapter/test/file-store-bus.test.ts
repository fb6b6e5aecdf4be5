import { mkdtemp, open, rm } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as v from 'valibot'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createBus, deadLetters, defineCatalog, defineEvent, history } from '@tidings/core'
import type { Bus, EventMap, TidingsError } from '@tidings/core'
import { fileStore } from '@tidings/node'

const Placed = defineEvent('order.placed', { schema: v.object({ n: v.number() }) })
const Shipped = defineEvent('order.shipped', { schema: v.object({ n: v.number() }) })
const Typing = defineEvent('ui.typing', { schema: v.object({ key: v.string() }), persist: false })
const catalog = defineCatalog(Placed, Shipped, Typing)

describe('createBus({ store: fileStore() })', () => {
  let dir: string
  const buses: Bus<EventMap>[] = []
  const start = () => {
    // Without retry() a failing handler is dead-lettered at its first try; both APIs read the store.
    const bus = createBus({ catalog, source: '/shop', store: fileStore({ dir }) }, deadLetters(), history())
    buses.push(bus as unknown as Bus<EventMap>)
    return bus
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidings-bus-store-'))
  })

  afterEach(async () => {
    vi.restoreAllMocks()
    for (const bus of buses.splice(0)) await bus.close().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  })

  it('appends emitted events in one batch after the emitting code, not during emit', async () => {
    const store = fileStore({ dir })
    const append = vi.spyOn(store, 'append')
    const bus = createBus({ catalog, store })
    buses.push(bus as unknown as Bus<EventMap>)
    bus.emit('order.placed', { n: 1 })
    bus.emit('order.shipped', { n: 1 })
    expect(append).not.toHaveBeenCalled()
    await bus.flush()
    expect(append).toHaveBeenCalledTimes(1)
    expect(append.mock.calls[0]![0].map((e) => e.type)).toEqual(['order.placed', 'order.shipped'])
  })

  it('flush() resolves once the events are on disk, readable by another process', async () => {
    const bus = start()
    const emitted = [bus.emit('order.placed', { n: 1 }), bus.emit('order.placed', { n: 2 })]
    await bus.flush()
    const reader = fileStore({ dir, readOnly: true })
    const ids: string[] = []
    for await (const r of reader.read()) ids.push(r.envelope.id)
    expect(ids).toEqual(emitted.map((e) => e.id))
  })

  it('keeps types defined with persist: false out of the log', async () => {
    const bus = start()
    bus.emit('ui.typing', { key: 'a' })
    bus.emit('order.placed', { n: 1 })
    expect((await bus.history()).map((e) => e.type)).toEqual(['order.placed'])
  })

  it('restarts with its history and dead letters intact', async () => {
    const first = start()
    first.on('order.shipped', () => {
      throw new Error('carrier down')
    }, { name: 'notify-carrier' })
    const placed = [1, 2, 3].map((n) => first.emit('order.placed', { n }))
    const shipped = first.emit('order.shipped', { n: 1 })
    await first.flush()
    const [entry] = await first.dlq.list()
    expect(entry).toMatchObject({ subscription: 'notify-carrier', error: { message: 'carrier down' } })
    await first.close()

    const second = start()
    await second.ready
    const reloaded = await second.dlq.list()
    expect(reloaded.map((e) => e.id)).toEqual([entry!.id])
    expect(reloaded[0]).toMatchObject({ subscription: 'notify-carrier', attempts: 1, error: { name: 'Error', message: 'carrier down' } })
    expect(JSON.stringify(reloaded[0]!.envelope)).toBe(JSON.stringify(shipped))
    const all = [...placed, shipped].map((e) => e.id)
    expect((await second.history()).map((e) => e.id)).toEqual([...all].reverse())
    expect((await second.history({ order: 'asc' })).map((e) => e.id)).toEqual(all)
    expect((await second.history({ order: 'asc', limit: 2 })).map((e) => e.id)).toEqual(all.slice(0, 2))
    expect((await second.history({ type: 'order.placed', limit: 2 })).map((e) => e.id)).toEqual([placed[2]!.id, placed[1]!.id])
    expect((await second.history({ type: 'order.*', order: 'asc' })).map((e) => e.id)).toEqual(all)
  })

  it('retries a reloaded dead letter to the current subscribers, and forgets it for good', async () => {
    const first = start()
    first.on('order.placed', () => {
      throw new Error('down')
    }, { name: 'mailer' })
    first.emit('order.placed', { n: 7 })
    await first.close()

    const second = start()
    const delivered: number[] = []
    second.on('order.placed', (data) => void delivered.push(data.n), { name: 'mailer' })
    await second.ready
    const [entry] = await second.dlq.list()
    expect(await second.dlq.retry(entry!.id)).toEqual({ succeeded: [entry!.id], failed: [] })
    expect(delivered).toEqual([7])
    await second.close()

    const third = start()
    expect(await third.dlq.size()).toBe(0)
  })

  it("reports the store's own failures through bus.onError, keeping the events", async () => {
    const bus = start()
    await bus.ready
    const reported: TidingsError[] = []
    bus.onError((error) => reported.push(error))
    const probe = await open(join(dir, 'probe'), 'w')
    const proto = Object.getPrototypeOf(probe) as FileHandle
    await probe.close()
    const write = proto.write
    vi.spyOn(proto, 'write').mockImplementationOnce(() => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })))
    expect(write).toBeDefined()
    const event = bus.emit('order.placed', { n: 1 })
    await bus.flush()
    expect(reported.map((e) => e.code)).toEqual(['E_STORAGE_QUOTA'])
    expect((await bus.history()).map((e) => e.id)).toEqual([event.id])
  })
})
