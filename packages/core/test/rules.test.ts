import { afterEach, describe, expect, it, vi } from 'vitest'
import { createBus, defineRule } from '@tidings/core'
import type { RuleMatch } from '@tidings/core'

afterEach(() => {
  vi.useRealTimers()
})

describe('defineRule() thresholds', () => {
  it('fires after the third failure of one worker within the window, not before, and not for others', async () => {
    vi.useFakeTimers({ now: 0 })
    const bus = createBus()
    const alerts: RuleMatch[] = []
    bus.on('alert.raised', (m) => alerts.push(m as RuleMatch))
    bus.use(defineRule({ name: 'worker-failures', on: 'job.failed', groupBy: (d) => (d as { worker: string }).worker, count: 3, within: 600_000, emit: 'alert.raised' }))
    bus.emit('job.failed', { worker: 'w1' })
    await vi.advanceTimersByTimeAsync(60_000)
    bus.emit('job.failed', { worker: 'w2' })
    bus.emit('job.failed', { worker: 'w1' })
    expect(alerts).toEqual([])
    await vi.advanceTimersByTimeAsync(60_000)
    bus.emit('job.failed', { worker: 'w1' })
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ rule: 'worker-failures', group: 'w1', count: 3, within: 600_000, firstAt: new Date(0).toISOString() })
    expect(alerts[0]!.ids).toHaveLength(3)
  })

  it('does not fire when the failures are spread wider than the window', async () => {
    vi.useFakeTimers({ now: 0 })
    const bus = createBus()
    const alert = vi.fn()
    bus.on('alert', alert)
    bus.use(defineRule({ on: 'f', count: 3, within: 1000, emit: 'alert' }))
    for (let i = 0; i < 6; i++) {
      bus.emit('f')
      // Async: the bus reads the clock once per task, so time must pass between tasks.
      await vi.advanceTimersByTimeAsync(600)
    }
    expect(alert).not.toHaveBeenCalled()
  })

  it('starts counting afresh after firing', () => {
    const bus = createBus()
    const alert = vi.fn()
    bus.on('alert', alert)
    bus.use(defineRule({ on: 'f', count: 2, within: 60_000, emit: 'alert' }))
    for (let i = 0; i < 5; i++) bus.emit('f')
    expect(alert).toHaveBeenCalledTimes(2)
  })

  it('stays in bounded memory with a million distinct groups', () => {
    const bus = createBus()
    const rule = defineRule({ on: 'f', groupBy: (d) => String(d), count: 2, within: 60_000, emit: 'alert', maxGroups: 1000 })
    bus.use(rule)
    for (let i = 0; i < 1_000_000; i++) bus.emit('f', i)
    expect(rule.groups).toBeLessThanOrEqual(1001)
    expect(rule.overflowed).toBe(1_000_000 - 1000)
  }, 60_000)

  it("counts new groups as '(other)' when every tracked group is still active, and says so in the alert", () => {
    const bus = createBus()
    const alerts: Array<{ group: string; count: number }> = []
    bus.on('alert', (m) => alerts.push(m as { group: string; count: number }))
    const rule = defineRule({ on: 'f', groupBy: (d) => String(d), count: 2, within: 60_000, emit: 'alert', maxGroups: 2 })
    bus.use(rule)
    for (const user of ['a', 'b', 'c', 'd']) bus.emit('f', user, { time: 1000 })
    expect(alerts.map((m) => m.group)).toEqual(['(other)'])
    expect(rule.overflowed).toBe(2)
    // Tracked groups keep their own counts.
    bus.emit('f', 'a', { time: 1001 })
    expect(alerts.map((m) => m.group)).toEqual(['(other)', 'a'])
  })

  it('makes room from a group whose window has expired before folding into (other)', () => {
    const bus = createBus()
    const alerts: string[] = []
    bus.on('alert', (m) => alerts.push((m as { group: string }).group))
    const rule = defineRule({ on: 'f', groupBy: (d) => String(d), count: 2, within: 1000, emit: 'alert', maxGroups: 2 })
    bus.use(rule)
    bus.emit('f', 'a', { time: 0 })
    bus.emit('f', 'b', { time: 500 })
    bus.emit('f', 'c', { time: 1500 })
    bus.emit('f', 'c', { time: 1600 })
    expect(alerts).toEqual(['c'])
    expect(rule.overflowed).toBe(0)
  })

  it('emits the alert as a consequence of the event that fired it', () => {
    const bus = createBus()
    let alertCause: string | undefined
    bus.on('alert', (_d, e) => (alertCause = e.causationid))
    bus.use(defineRule({ on: 'f', count: 1, within: 1000, emit: 'alert', map: (m) => m.group }))
    const fired = bus.emit('f')
    expect(alertCause).toBe(fired.id)
  })
})

describe('defineRule() rates', () => {
  it('fires when more than max events of a type happen within per ms', () => {
    vi.useFakeTimers({ now: 0 })
    const bus = createBus()
    const alert = vi.fn()
    bus.on('too.fast', alert)
    bus.use(defineRule({ on: 'req.*', rate: { max: 5, per: 1000 }, emit: 'too.fast' }))
    for (let i = 0; i < 5; i++) bus.emit('req.get')
    expect(alert).not.toHaveBeenCalled()
    bus.emit('req.post')
    expect(alert).toHaveBeenCalledOnce()
  })

  it('rejects nonsense limits with E_INVALID_ARGUMENT', () => {
    expect(() => defineRule({ on: 'f', count: 0, within: 1000, emit: 'a' })).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => defineRule({ on: 'f', rate: { max: 1, per: -1 }, emit: 'a' })).toThrowError(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })
})
