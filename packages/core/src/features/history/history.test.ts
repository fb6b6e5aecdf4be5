import { describe, expect, it } from 'vitest'
import { createBus } from '../../kernel/create-bus'
import { memoryStore } from '../../store/memory-store'
import { history } from './history'

describe('history()', () => {
  it('keeps the latest events in memory, newest first, filtered by type or pattern', async () => {
    const bus = createBus({}, history({ size: 3 }))
    for (const type of ['order.placed', 'user.signed-up', 'order.shipped', 'order.placed']) bus.emit(type)
    expect((await bus.history()).map((e) => e.type)).toEqual(['order.placed', 'order.shipped', 'user.signed-up'])
    expect((await bus.history({ type: 'order.*', order: 'asc' })).map((e) => e.type)).toEqual(['order.shipped', 'order.placed'])
    expect(await bus.history({ limit: 1 })).toHaveLength(1)
  })

  it('counts recent events by type, source or payload field', () => {
    const bus = createBus({}, history())
    bus.emit('a', { who: 'x' })
    bus.emit('a', { who: 'y' })
    bus.emit('b', { who: 'x' })
    expect(bus.stats().groups).toEqual([expect.objectContaining({ key: 'a', count: 2 }), expect.objectContaining({ key: 'b', count: 1 })])
    expect(bus.stats({ groupBy: 'data.who' }).groups[0]).toMatchObject({ key: 'x', count: 2 })
  })

  it("reads the store's log when the bus has a store, events emitted just before included", async () => {
    const bus = createBus({ store: memoryStore() }, history({ size: 0 }))
    bus.emit('a', 1)
    bus.emit('b', 2)
    expect((await bus.history()).map((e) => e.data)).toEqual([2, 1])
    expect(bus.stats()).toMatchObject({ total: 0, groups: [] })
  })

  it('says what to do when it has nothing to read', async () => {
    const bus = createBus({}, history({ size: 0 }))
    await expect(bus.history()).rejects.toMatchObject({ code: 'E_NO_STORE' })
  })
})
