import { describe, expect, it, vi } from 'vitest'
import type { Envelope } from '../../envelope'
import { TidingsError } from '../../errors'
import type { TidingsError as TidingsErrorType } from '../../errors'
import { createBus } from '../../kernel/create-bus'
import type { Transport, TransportHost } from '../../transport'
import type { Observation } from '../../types'
import { deadLetters } from '../dead-letters/dead-letters'
import { observe } from '../observe/observe'
import { retry } from '../retry/retry'
import { transport } from './transport'

/** A transport that keeps what it is given and lets the test play the broker. */
const fake = (carries?: (type: string) => boolean) => {
  const published: Envelope[] = []
  let host: TransportHost | undefined
  const t: Transport = {
    ...(carries && { carries }),
    ready: Promise.resolve(),
    attach: (h) => void (host = h),
    publish: (e) => void published.push(e),
    republish: vi.fn(async () => {}),
    flush: vi.fn(async () => {}),
    close: vi.fn(async () => {}),
  }
  return { t, published, host: () => host! }
}

describe('transport()', () => {
  it('hands carried types to the transport instead of dispatching them, and dispatches the others here', () => {
    const { t, published } = fake((type) => type !== 'local')
    const bus = createBus({}, transport(t), deadLetters())
    const seen = vi.fn()
    bus.on('*', seen)
    const e = bus.emit('shared', 1)
    bus.emit('local', 2)
    expect(published).toEqual([e])
    expect(seen.mock.calls.map((c) => c[0])).toEqual(['local'])
  })

  it('delivers events coming back to unnamed subscriptions, remote ones observed as remote', () => {
    const { t, host } = fake()
    const bus = createBus({}, transport(t), deadLetters(), observe())
    const seen: Observation[] = []
    bus.observe((o) => seen.push(o))
    const unnamed = vi.fn()
    const named = vi.fn()
    bus.on('x', unnamed)
    bus.on('x', named, { name: 'worker' })
    const own = bus.emit('x', 1)
    host().deliverBroadcast(own, true)
    const remote = { ...own, id: 'remote-1', source: '/other', type: 'x', data: 2, toJSON: () => ({}) } as unknown as Envelope
    host().deliverBroadcast(remote)
    expect(unnamed.mock.calls.map((c) => c[0])).toEqual([1, 2])
    expect(named).not.toHaveBeenCalled()
    expect(seen.filter((o) => o.kind === 'emitted').map((o) => 'remote' in o && o.remote)).toEqual([false, true])
  })

  it("delivers to a named subscription once per call, with its retry policy as the transport's redelivery policy", async () => {
    const { t, host } = fake()
    const bus = createBus({}, transport(t), retry({ attempts: 4, backoff: { initialMs: 10, jitter: 0 } }), deadLetters())
    let fail = true
    bus.on('x', () => {
      if (fail) throw new Error('down')
    }, { name: 'worker' })
    expect(host().subscriptions()).toEqual([expect.objectContaining({ key: 'x', name: 'worker', attempts: 4 })])
    expect(host().subscriptions()[0]!.retryDelay(new Error('x'), 1)).toBe(10)
    const e = bus.emit('x')
    await expect(host().deliverTo('worker', e, 1)).rejects.toThrow('down')
    fail = false
    await expect(host().deliverTo('worker', e, 2)).resolves.toBeUndefined()
    await expect(host().deliverTo('nobody', e)).rejects.toMatchObject({ code: 'E_DLQ_NOT_FOUND' })
  })

  it("keeps the transport's dead letters, and retries them through the transport", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { t, host } = fake()
    const bus = createBus({}, transport(t), deadLetters())
    bus.on('x', () => {}, { name: 'worker' })
    const e = bus.emit('x')
    await host().deadLetter(e, 'worker', 3, new Error('gave up'))
    const [entry] = await bus.dlq.list()
    expect(entry).toMatchObject({ subscription: 'worker', attempts: 3, error: { message: 'gave up' } })
    await bus.dlq.retry(entry!.id)
    expect(t.republish).toHaveBeenCalledWith(entry)
  })

  it('waits for the transport in ready, flush and close; a dropped event makes flush() reject', async () => {
    const { t, host } = fake()
    const bus = createBus({}, transport(t), deadLetters())
    const errors: TidingsErrorType[] = []
    bus.onError((e) => errors.push(e))
    await bus.ready
    host().report(new TidingsError('E_TRANSPORT_OVERFLOW', 'buffer full'))
    await expect(bus.flush()).rejects.toMatchObject({ code: 'E_NOT_DURABLE' })
    expect(errors).toEqual([expect.objectContaining({ code: 'E_TRANSPORT_OVERFLOW' })])
    await bus.close()
    expect(t.flush).toHaveBeenCalled()
    expect(t.close).toHaveBeenCalledOnce()
  })
})
