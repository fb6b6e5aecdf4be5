import { describe, expect, it } from 'vitest'
import { outcomeOf } from '../src/state/retained-event'
import { RetainedEvents } from '../src/state/retained-events'
import { FilteredView } from '../src/state/filtered-view'
import { EMPTY_FILTER } from '../src/state/filter'
import { emitted, envelope, outcome, received } from './fixtures'

describe('RetainedEvents', () => {
  it('keeps at most its capacity, evicting the oldest first', () => {
    const events = new RetainedEvents(3)
    const envs = [1, 2, 3, 4, 5].map((n) => envelope(`t.${n}`))
    events.apply('p', envs.map((e) => emitted(e)))
    expect(events.size).toBe(3)
    expect([...events].map((e) => e.envelope.type)).toEqual(['t.3', 't.4', 't.5'])
    expect(events.find(envs[0]!.id)).toBeUndefined()
    expect(events.at(events.firstSeq)?.envelope.type).toBe('t.3')
    expect(events.countsByType().get('t.1')).toBeUndefined()
    expect(events.countsByType().get('t.5')).toBe(1)
  })

  it('joins outcome records to their event and sums handler time', () => {
    const events = new RetainedEvents(10)
    const env = envelope('order.placed')
    events.apply('p', [emitted(env), outcome(env, 'delivered', 'a', { durationMs: 3 }), outcome(env, 'delivered', 'b', { durationMs: 4 })])
    const event = events.find(env.id)!
    expect(event.deliveries.map((d) => d.subscription)).toEqual(['a', 'b'])
    expect(event.handlerMs).toBe(7)
    expect(event.outcome).toBe('delivered')
  })

  it('ignores a replayed backlog: the same events and outcomes are not counted twice', () => {
    const events = new RetainedEvents(10)
    const env = envelope('order.placed')
    const batch = [emitted(env), outcome(env, 'delivered')]
    expect(events.apply('p', batch)).toBe(1)
    expect(events.apply('p', batch)).toBe(0)
    expect(events.size).toBe(1)
    expect(events.find(env.id)!.deliveries).toHaveLength(1)
  })

  it('reports which events changed outcome, once', () => {
    const events = new RetainedEvents(10)
    const env = envelope('x')
    events.apply('p', [emitted(env)])
    events.drainChanged()
    events.apply('p', [outcome(env, 'failed', 'h', { willRetry: true })])
    expect(events.drainChanged()).toEqual([events.find(env.id)!.seq])
    expect(events.drainChanged()).toEqual([])
  })

  it('clear() forgets everything but keeps sequence numbers increasing', () => {
    const events = new RetainedEvents(10)
    events.apply('p', [emitted(envelope('a')), emitted(envelope('b'))])
    const next = events.nextSeq
    events.clear()
    expect(events.size).toBe(0)
    expect([...events]).toEqual([])
    events.apply('p', [emitted(envelope('c'))])
    expect(events.firstSeq).toBe(next)
    expect(events.at(next)?.envelope.type).toBe('c')
  })
})

describe('RetainedEvents across producers (buses sharing a transport)', () => {
  it('keeps an event reported by three producers once, under the bus that emitted it', () => {
    const events = new RetainedEvents(10)
    const env = envelope('order.placed')
    expect(events.apply('browser', [emitted(env)])).toBe(1)
    expect(events.apply('service-a', [received(env)])).toBe(0)
    expect(events.apply('service-b', [received(env)])).toBe(0)
    expect(events.size).toBe(1)
    expect(events.find(env.id)).toMatchObject({ producer: 'browser', at: 1_700_000_000_000 })
    expect(events.find(env.id)!.via).toBeUndefined()
    expect(events.countsByType().get('order.placed')).toBe(1)
  })

  it('keeps a remotely reported event provisionally until the emitter reports it, in place', () => {
    const events = new RetainedEvents(10)
    const first = envelope('order.placed')
    const env = envelope('order.placed', { secret: 'plain' })
    const last = envelope('order.shipped')
    const view = new FilteredView(events)
    view.setFilter({ ...EMPTY_FILTER, source: 'browser' })
    events.apply('browser', [emitted(first)])
    events.apply('service-a', [received(env, 50), emitted(last)])
    view.sync()
    expect(events.find(env.id)).toMatchObject({ producer: 'service-a', via: 'service-a', at: 50 })
    expect(view.length).toBe(1)

    const seq = events.find(env.id)!.seq
    expect(events.apply('browser', [emitted({ ...env, data: { secret: '***' } }, 40)])).toBe(0)
    expect(events.find(env.id)).toMatchObject({ seq, producer: 'browser', at: 40, envelope: { data: { secret: '***' } } })
    expect(events.find(env.id)!.via).toBeUndefined()
    expect([...events].map((e) => e.envelope.id)).toEqual([first.id, env.id, last.id])
    expect(events.size).toBe(3)
    expect(events.countsByType().get('order.placed')).toBe(2)
    view.sync()
    expect([view.seqAt(0), view.seqAt(1), view.length]).toEqual([events.find(first.id)!.seq, seq, 2])

    // Later remote reports and a replay change nothing.
    events.apply('service-b', [received(env, 60)])
    events.apply('browser', [emitted(env, 40)])
    expect(events.find(env.id)).toMatchObject({ producer: 'browser', at: 40 })
  })

  it('joins an outcome reported by another producer and records which one ran the handler', () => {
    const events = new RetainedEvents(10)
    const env = envelope('order.placed')
    events.apply('browser', [emitted(env)])
    events.apply('service-a', [received(env), outcome(env, 'delivered', 'reserve-stock', { durationMs: 5 })])
    events.apply('service-b', [received(env), outcome(env, 'failed', 'notify', { willRetry: true })])
    const event = events.find(env.id)!
    expect(event.deliveries.map((d) => [d.subscription, d.producer, d.k])).toEqual([['reserve-stock', 'service-a', 'delivered'], ['notify', 'service-b', 'failed']])
    expect(event).toMatchObject({ producer: 'browser', outcome: 'failing', handlerMs: 7 })
  })

  it('attaches outcomes that arrive before their event, from another producer or in the same batch', () => {
    const events = new RetainedEvents(10)
    const env = envelope('order.reserved')
    const other = envelope('payment.charged')
    events.apply('service-b', [outcome(env, 'failed', 'charge-payment', { willRetry: true, durationMs: 1 })])
    events.apply('service-b', [outcome(env, 'failed', 'charge-payment', { willRetry: true, durationMs: 1 })])
    expect(events.size).toBe(0)
    expect(events.pendingSize).toBe(1)
    events.apply('service-a', [outcome(other, 'delivered', 'audit'), emitted(other), emitted(env)])
    expect(events.find(env.id)).toMatchObject({ producer: 'service-a', outcome: 'failing', handlerMs: 1 })
    expect(events.find(env.id)!.deliveries).toHaveLength(1)
    expect(events.find(other.id)).toMatchObject({ outcome: 'delivered', deliveries: [{ producer: 'service-a', subscription: 'audit' }] })
    expect(events.pendingSize).toBe(0)
    events.apply('service-b', [outcome(env, 'delivered', 'charge-payment', { attempt: 2 })])
    expect(events.find(env.id)!.outcome).toBe('retried')
  })

  it('holds outcomes for a bounded number of unknown events, dropping the oldest first', () => {
    const events = new RetainedEvents(10, 3)
    const envs = [1, 2, 3, 4, 5].map((n) => envelope(`t.${n}`))
    for (const env of envs) events.apply('p', [outcome(env, 'delivered')])
    expect(events.pendingSize).toBe(3)
    events.apply('p', envs.map((e) => emitted(e)))
    expect(envs.map((e) => events.find(e.id)!.outcome)).toEqual(['none', 'none', 'delivered', 'delivered', 'delivered'])
    expect(events.pendingSize).toBe(0)

    // Attached ids leave the order too: the next drops are still the oldest waiting.
    const more = [6, 7, 8, 9].map((n) => envelope(`t.${n}`))
    for (const env of more) events.apply('p', [outcome(env, 'delivered')])
    events.apply('p', [emitted(more[1]!)])
    events.apply('p', [outcome(envelope('t.10'), 'delivered')])
    expect(events.pendingSize).toBe(3)
    events.apply('p', [emitted(more[0]!), emitted(more[2]!), emitted(more[3]!)])
    expect([more[0], more[1], more[2], more[3]].map((e) => events.find(e!.id)!.outcome)).toEqual(['none', 'delivered', 'delivered', 'delivered'])
  })

  it('forgets evicted events by id, so their outcomes wait again and a replay adds them anew', () => {
    const events = new RetainedEvents(2)
    const [a, b, c] = ['a', 'b', 'c'].map((t) => envelope(t)) as [ReturnType<typeof envelope>, ReturnType<typeof envelope>, ReturnType<typeof envelope>]
    events.apply('p1', [emitted(a), emitted(b)])
    events.apply('p2', [received(c)])
    expect(events.find(a.id)).toBeUndefined()
    events.apply('p2', [outcome(a, 'delivered')])
    expect(events.pendingSize).toBe(1)
    events.apply('p1', [emitted(c)])
    expect(events.find(c.id)).toMatchObject({ producer: 'p1' })
    events.clear()
    expect([events.size, events.pendingSize, events.find(b.id)]).toEqual([0, 0, undefined])
  })
})

describe('outcomeOf()', () => {
  const d = (k: 'delivered' | 'failed' | 'dead-lettered', subscription = 'h', willRetry?: boolean) =>
    ({ k, producer: 'p', subscription, at: 0, attempt: 1, durationMs: 0, ...(willRetry === undefined ? {} : { willRetry }) })

  it('is "none" before any handler reported', () => expect(outcomeOf([])).toBe('none'))
  it('is "delivered" when every subscription succeeded first time', () => expect(outcomeOf([d('delivered', 'a'), d('delivered', 'b')])).toBe('delivered'))
  it('is "failing" while a retry is pending', () => expect(outcomeOf([d('delivered', 'a'), d('failed', 'b', true)])).toBe('failing'))
  it('is "retried" when a failure was followed by success', () => expect(outcomeOf([d('failed', 'a', true), d('delivered', 'a')])).toBe('retried'))
  it('is "dead-lettered" when any subscription gave up', () => expect(outcomeOf([d('delivered', 'a'), d('failed', 'b'), d('dead-lettered', 'b')])).toBe('dead-lettered'))
  it('is "retried" after a dead letter was retried successfully', () =>
    expect(outcomeOf([d('failed', 'a'), d('dead-lettered', 'a'), d('delivered', 'a')])).toBe('retried'))
})

describe('RetainedEvents call sites', () => {
  it('keeps where the emitting bus says the event was emitted, not where a receiving bus heard it', () => {
    const events = new RetainedEvents(10)
    const env = envelope('order.placed')
    events.apply('service', [{ k: 'emitted', at: 1, envelope: env, remote: true, site: 'never (the receiver has no call site)' }])
    expect(events.find(env.id)!.site).toBe('never (the receiver has no call site)')
    events.apply('shop', [{ k: 'emitted', at: 2, envelope: env, site: 'placeOrder (src/shop.ts:42:7)' }])
    expect(events.find(env.id)).toMatchObject({ producer: 'shop', site: 'placeOrder (src/shop.ts:42:7)' })
  })
})
