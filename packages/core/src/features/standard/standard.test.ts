import { describe, expect, it, vi } from 'vitest'
import { createBus } from '../../kernel/create-bus'
import { memoryStore } from '../../store/memory-store'
import { retry } from '../retry/retry'
import { standard } from './standard'

describe('standard()', () => {
  it("gives a bus today's batteries: retries, dead letters, publish, metrics, history and observe", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const bus = createBus({ store: memoryStore() }, standard({ retry: { attempts: 1, backoff: { initialMs: 1 } }, history: { size: 10 } }))
    const observed = vi.fn()
    bus.observe(observed)
    bus.on('x', () => {
      throw new Error('no')
    }, { name: 'h' })
    const report = await bus.publish('x', 1)
    expect(report).toMatchObject({ deadLettered: 1, subscriptions: [{ subscription: 'h', attempts: 2 }] })
    expect(await bus.dlq.size()).toBe(1)
    expect(bus.metrics().types.x).toMatchObject({ emitted: 1, failed: 2, retried: 1, deadLettered: 1 })
    expect((await bus.history()).map((e) => e.type)).toEqual(['x'])
    expect(bus.stats().total).toBe(1)
    expect(observed).toHaveBeenCalled()
    await bus.close()
  })

  it('takes its features once: another retry() beside it is refused with what to do instead', () => {
    expect(() => createBus({}, standard(), retry())).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', message: expect.stringContaining('standard({ retry') }))
  })
})
