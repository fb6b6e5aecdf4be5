import { describe, expect, it } from 'vitest'
import { createBus, memoryStore } from '@tidings/core'
import { catalog, order } from './fixtures'

describe('bus.history()', () => {
  it('reads the store log back, newest first by default, with a limit', async () => {
    const bus = createBus({ catalog, store: memoryStore() })
    for (let i = 0; i < 5; i++) bus.emit('order.placed', order(`o-${i}`))
    expect((await bus.history({ limit: 2 })).map((e) => (e.data as { orderId: string }).orderId)).toEqual(['o-4', 'o-3'])
    expect((await bus.history({ order: 'asc', limit: 2 })).map((e) => (e.data as { orderId: string }).orderId)).toEqual(['o-0', 'o-1'])
  })

  it('filters by type or pattern and skips types defined with persist: false', async () => {
    const bus = createBus({ catalog, store: memoryStore() })
    bus.emit('order.placed', order())
    bus.emit('order.shipped', { orderId: 'o-1' })
    bus.emit('user.signed-up', { email: 'a@b.co' })
    bus.emit('app.heartbeat')
    expect((await bus.history({ type: 'order.*', order: 'asc' })).map((e) => e.type)).toEqual(['order.placed', 'order.shipped'])
    expect((await bus.history({ type: 'user.signed-up' })).length).toBe(1)
    expect((await bus.history()).map((e) => e.type)).not.toContain('app.heartbeat')
  })

  it('without a store, rejects with E_NO_STORE telling how to add one', async () => {
    await expect(createBus().history()).rejects.toMatchObject({ code: 'E_NO_STORE', message: expect.stringMatching(/memoryStore/) })
  })
})
