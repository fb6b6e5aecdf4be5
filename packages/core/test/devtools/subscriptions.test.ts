import { describe, expect, it, vi } from 'vitest'
import { runCommand } from '../../src/devtools/commands'
import type { CommandContext } from '../../src/devtools/commands'
import type { CommandValues } from '../../src/devtools/protocol'
import { createBus, observe, retry, standard } from '../../src/index'
import type { Observation } from '../../src/types'

const contextOf = (bus: CommandContext['bus']): CommandContext => ({
  bus, expose: (e) => e.toJSON(), setPaused: () => {}, busErrors: () => ({ errors: [], total: 0 }),
})

describe('devtools command "subscriptions"', () => {
  it('lists what each subscription listens to, its name and the retry policy it follows', async () => {
    const bus = createBus({}, observe(), retry({ attempts: 2, backoff: { initialMs: 10, factor: 3, maxMs: 50, jitter: 0 } }))
    bus.on('order.placed', () => {}, { name: 'charge' })
    bus.on('order.placed', function audit() {}, { retry: { attempts: 5 } })
    bus.on('order.*', () => {}, { name: 'log' })
    const { subscriptions } = await runCommand('subscriptions', {}, contextOf(bus)) as CommandValues['subscriptions']
    expect(subscriptions).toEqual([
      { on: 'order.placed', name: 'charge', named: true, retry: { attempts: 2, initialMs: 10, factor: 3, maxMs: 50, jitter: 0 } },
      { on: 'order.placed', name: 'audit', named: false, retry: { attempts: 5, initialMs: 10, factor: 3, maxMs: 50, jitter: 0 } },
      { on: 'order.*', name: 'log', named: true, retry: { attempts: 2, initialMs: 10, factor: 3, maxMs: 50, jitter: 0 } },
    ])
  })

  it('leaves the retry policy out on a bus without retry()', async () => {
    const bus = createBus({}, observe())
    bus.on('x', () => {}, { name: 'only' })
    expect(await runCommand('subscriptions', {}, contextOf(bus))).toEqual({ subscriptions: [{ on: 'x', name: 'only', named: true }] })
  })
})

describe('devtools command "replay"', () => {
  const setup = () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const bus = createBus({}, standard())
    const seen: string[] = []
    const observed: Observation[] = []
    bus.observe((o) => observed.push(o))
    bus.on('order.placed', (data) => void seen.push(`charge:${JSON.stringify(data)}`), { name: 'charge' })
    bus.on('order.placed', function audit(data) {
      if ((data as { bad?: boolean }).bad) throw new Error('audit refused it')
      seen.push(`audit:${JSON.stringify(data)}`)
    })
    return { bus, seen, observed }
  }

  it('delivers a stored event to the one subscription named, observed as one more attempt', async () => {
    const { bus, seen, observed } = setup()
    const event = bus.emit('order.placed', { id: 1 }).toJSON()
    seen.length = 0
    observed.length = 0
    const result = await runCommand('replay', { event, subscription: 'charge', attempt: 2 }, contextOf(bus))
    expect(result).toEqual({ delivered: true })
    expect(seen).toEqual(['charge:{"id":1}'])
    expect(observed).toEqual([expect.objectContaining({ kind: 'delivered', subscription: 'charge', attempt: 2 })])
    expect(observed[0]!.envelope.id).toBe(event.id)
  })

  it('replays an edited payload into an unnamed subscription by its function name, and reports a failure without retrying or dead-lettering it', async () => {
    const { bus, seen, observed } = setup()
    const event = bus.emit('order.placed', { id: 2 }).toJSON()
    seen.length = 0
    observed.length = 0
    const result = await runCommand('replay', { event, subscription: 'audit', attempt: 2, data: { value: { id: 2, bad: true } } }, contextOf(bus)) as CommandValues['replay']
    expect(result).toMatchObject({ delivered: false, error: { message: 'audit refused it' } })
    expect(observed.map((o) => o.kind)).toEqual(['failed'])
    expect(observed[0]).toMatchObject({ willRetry: false, envelope: { data: { id: 2, bad: true } } })
    await new Promise((r) => setTimeout(r, 20))
    expect(await bus.dlq.size()).toBe(0)
    expect(seen).toEqual([])
  })

  it('refuses a subscription that does not listen to the type, saying where to look', async () => {
    const { bus } = setup()
    const event = bus.emit('order.placed', { id: 3 }).toJSON()
    await expect(runCommand('replay', { event, subscription: 'ship', attempt: 2 }, contextOf(bus)))
      .rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringContaining('Nothing named "ship" subscribes to "order.placed"') })
  })
})
