import { afterEach, describe, expect, it, vi } from 'vitest'
import { createBus } from '../../kernel/create-bus'
import type { Observation } from '../../types'
import { deadLetters } from '../dead-letters/dead-letters'
import { observe } from './observe'

afterEach(() => {
  vi.restoreAllMocks()
})

const steps = (seen: Observation[]) => seen.map((o) => ('subscription' in o ? `${o.kind}:${o.subscription}:${o.attempt}` : o.kind))

const failingBus = () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {})
  const bus = createBus({}, observe(), deadLetters())
  let fail = true
  bus.on('x', () => {
    if (fail) throw new Error('down')
  }, { name: 'mail' })
  const seen: Observation[] = []
  const stop = bus.observe((o) => seen.push(o))
  return { bus, seen, stop, heal: () => (fail = false) }
}

describe('observe() and dead letters kept in the queue', () => {
  it('reports a retry from the queue that fails again as dead-lettered again, one attempt later', async () => {
    const { bus, seen } = failingBus()
    bus.emit('x')
    await bus.flush().catch(() => {})
    const [entry] = await bus.dlq.list()
    const result = await bus.dlq.retry(entry!.id)
    expect(result.failed).toHaveLength(1)
    expect(steps(seen)).toEqual(['emitted', 'failed:mail:1', 'dead-lettered:mail:1', 'failed:mail:2', 'dead-lettered:mail:2'])
    expect(seen[4]).toMatchObject({ error: { message: 'down' } })
  })

  it('reports a retry that gets through as delivered, and no dead-letter step', async () => {
    const { bus, seen, heal } = failingBus()
    bus.emit('x')
    const [entry] = await bus.dlq.list()
    heal()
    await bus.dlq.retry(entry!.id)
    expect(steps(seen).slice(3)).toEqual(['delivered:mail:2'])
  })

  it('reports a discarded or purged dead letter as discarded, and nothing for an unknown id', async () => {
    const { bus, seen } = failingBus()
    bus.emit('x', 1)
    bus.emit('x', 2)
    const [first] = await bus.dlq.list()
    expect(await bus.dlq.discard('nope')).toBe(false)
    expect(await bus.dlq.discard(first!.id)).toBe(true)
    expect(await bus.dlq.purge()).toBe(1)
    const discarded = seen.filter((o) => o.kind === 'discarded')
    expect(discarded.map((o) => o.envelope.data)).toEqual([1, 2])
    expect(discarded[0]).toMatchObject({ subscription: 'mail', attempt: 1, durationMs: 0 })
  })

  it('reports nothing once the last observer left', async () => {
    const { bus, seen, stop } = failingBus()
    bus.emit('x')
    const [entry] = await bus.dlq.list()
    stop()
    const before = seen.length
    await bus.dlq.retry(entry!.id)
    await bus.dlq.discard(entry!.id)
    expect(seen).toHaveLength(before)
  })
})
