import { describe, expect, it, vi } from 'vitest'
import { createBus } from '../../kernel/create-bus'
import { catalog, sleep } from '../../../test/fixtures'
import { deadLetters } from '../dead-letters/dead-letters'
import { retry } from '../retry/retry'
import { publish } from './publish'

describe('publish()', () => {
  it('settles after async handlers and retries, with an outcome per subscription', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const bus = createBus({}, publish(), retry({ attempts: 1, backoff: { initialMs: 1 } }), deadLetters())
    const done: string[] = []
    bus.on('x', async () => {
      await sleep(5)
      done.push('slow')
    }, { name: 'slow' })
    bus.on('x', () => {
      throw new Error('always')
    }, { name: 'broken' })
    bus.on('*', () => void done.push('star'))
    const report = await bus.publish('x', 7)
    expect(done).toEqual(['star', 'slow'])
    expect(report.envelope.data).toBe(7)
    expect(report).toMatchObject({ dropped: false, delivered: 2, deadLettered: 1, failed: 1 })
    expect(report.subscriptions.map((s) => `${s.subscription}:${s.status}:${s.attempts}`).sort()).toEqual([
      'anonymous:delivered:1', 'broken:dead-lettered:2', 'slow:delivered:1',
    ])
  })

  it('reports a failure as failed on a bus without dead letters', async () => {
    const bus = createBus({}, publish())
    bus.onError(() => {})
    bus.on('x', async () => {
      throw new Error('async boom')
    })
    expect(await bus.publish('x')).toMatchObject({ failed: 1, deadLettered: 0, subscriptions: [{ status: 'failed', error: { message: 'async boom' } }] })
  })

  it('resolves at once when nothing subscribes, and with dropped: true when a middleware drops the event', async () => {
    const bus = createBus({}, publish())
    expect(await bus.publish('nobody')).toMatchObject({ dropped: false, delivered: 0, subscriptions: [] })
    bus.use(() => {})
    expect(await bus.publish('x')).toMatchObject({ dropped: true, subscriptions: [] })
  })

  it('rejects what emit would throw', async () => {
    const bus = createBus({ catalog }, publish())
    await expect(bus.publish('order.shipped', {} as never)).rejects.toMatchObject({ code: 'E_VALIDATION' })
    await bus.close()
    await expect(bus.publish('order.shipped', { orderId: 'o' })).rejects.toMatchObject({ code: 'E_CLOSED' })
  })

  it('follows only its own event: emits from its handlers are not in its report', async () => {
    const bus = createBus({}, publish())
    bus.on('parent', () => void bus.emit('child'))
    bus.on('child', () => {})
    const report = await bus.publish('parent')
    expect(report.subscriptions).toHaveLength(1)
    expect(report.dropped).toBe(false)
  })
})
