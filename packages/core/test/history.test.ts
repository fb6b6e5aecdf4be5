import { describe, expect, it } from 'vitest'
import { createBus, memoryStore, standard } from '@tidings/core'
import { catalog, order } from './fixtures'

describe('bus.history()', () => {
  it('reads the store log back, newest first by default, with a limit', async () => {
    const bus = createBus({ catalog, store: memoryStore() }, standard())
    for (let i = 0; i < 5; i++) bus.emit('order.placed', order(`o-${i}`))
    expect((await bus.history({ limit: 2 })).map((e) => (e.data as { orderId: string }).orderId)).toEqual(['o-4', 'o-3'])
    expect((await bus.history({ order: 'asc', limit: 2 })).map((e) => (e.data as { orderId: string }).orderId)).toEqual(['o-0', 'o-1'])
  })

  it('filters by type or pattern and skips types defined with persist: false', async () => {
    const bus = createBus({ catalog, store: memoryStore() }, standard())
    bus.emit('order.placed', order())
    bus.emit('order.shipped', { orderId: 'o-1' })
    bus.emit('user.signed-up', { email: 'a@b.co' })
    bus.emit('app.heartbeat')
    expect((await bus.history({ type: 'order.*', order: 'asc' })).map((e) => e.type)).toEqual(['order.placed', 'order.shipped'])
    expect((await bus.history({ type: 'user.signed-up' })).length).toBe(1)
    expect((await bus.history()).map((e) => e.type)).not.toContain('app.heartbeat')
  })

  it('answers "everything with correlation id X" across types, oldest first', async () => {
    const bus = createBus({ catalog, store: memoryStore() }, standard())
    bus.on('order.placed', (o) => void bus.emit('order.shipped', { orderId: o.orderId }))
    const root = bus.emit('order.placed', order('o-42'))
    bus.emit('order.placed', order('o-43'))
    const chain = await bus.history({ correlationid: root.id, order: 'asc' })
    expect(chain.map((e) => [e.type, (e.data as { orderId: string }).orderId])).toEqual([
      ['order.placed', 'o-42'], ['order.shipped', 'o-42'],
    ])
  })

  it('filters by source, time and a where predicate', async () => {
    const bus = createBus({ catalog, store: memoryStore(), source: '/a' }, standard())
    bus.emit('order.placed', order('old'), { time: '2020-01-01T00:00:00Z' })
    bus.emit('order.placed', order('new'))
    expect((await bus.history({ since: '2021-01-01T00:00:00Z' })).length).toBe(1)
    expect((await bus.history({ source: '/b' })).length).toBe(0)
    expect((await bus.history({ where: (e) => (e.data as { orderId: string }).orderId === 'old' })).length).toBe(1)
  })
})

describe('bus.history() without a store', () => {
  it('reads the in-memory history: the latest N events, bounded', async () => {
    const bus = createBus({}, standard({ history: { size: 3 } }))
    for (let i = 0; i < 10; i++) bus.emit(`t.${i % 2}`, i)
    expect((await bus.history()).map((e) => e.data)).toEqual([9, 8, 7])
    expect((await bus.history({ order: 'asc', type: 't.1' })).map((e) => e.data)).toEqual([7, 9])
  })

  it('rejects with E_NO_STORE when in-memory history is off too', async () => {
    await expect(createBus({}, standard({ history: { size: 0 } })).history()).rejects.toMatchObject({ code: 'E_NO_STORE', message: expect.stringMatching(/memoryStore/) })
  })
})

describe('bus.stats()', () => {
  it('counts recent events by type, source or a payload field, with events per minute', () => {
    const bus = createBus({ catalog }, standard())
    bus.emit('order.placed', order('a'))
    bus.emit('order.placed', order('a'))
    bus.emit('order.placed', order('b'))
    bus.emit('order.shipped', { orderId: 'a' })
    bus.emit('order.placed', order('z'), { time: Date.now() - 120_000 })
    const byType = bus.stats({ window: 60_000 })
    expect(byType.total).toBe(4)
    expect(byType.groups).toEqual([
      { key: 'order.placed', count: 3, perMinute: 3 },
      { key: 'order.shipped', count: 1, perMinute: 1 },
    ])
    expect(bus.stats({ groupBy: 'data.orderId', window: 30_000 }).groups[0]).toEqual({ key: 'a', count: 3, perMinute: 6 })
    expect(bus.stats({ groupBy: 'source' }).groups).toEqual([{ key: '/tidings', count: 4, perMinute: 4 }])
  })
})
