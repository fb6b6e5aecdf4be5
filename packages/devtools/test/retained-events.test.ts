import { describe, expect, it } from 'vitest'
import { outcomeOf } from '../src/state/retained-event'
import { RetainedEvents } from '../src/state/retained-events'
import { emitted, envelope, outcome } from './fixtures'

describe('RetainedEvents', () => {
  it('keeps at most its capacity, evicting the oldest first', () => {
    const events = new RetainedEvents(3)
    const envs = [1, 2, 3, 4, 5].map((n) => envelope(`t.${n}`))
    events.apply('p', envs.map((e) => emitted(e)))
    expect(events.size).toBe(3)
    expect([...events].map((e) => e.envelope.type)).toEqual(['t.3', 't.4', 't.5'])
    expect(events.find('p', envs[0]!.id)).toBeUndefined()
    expect(events.at(events.firstSeq)?.envelope.type).toBe('t.3')
    expect(events.countsByType().get('t.1')).toBeUndefined()
    expect(events.countsByType().get('t.5')).toBe(1)
  })

  it('joins outcome records to their event and sums handler time', () => {
    const events = new RetainedEvents(10)
    const env = envelope('order.placed')
    events.apply('p', [emitted(env), outcome(env, 'delivered', 'a', { durationMs: 3 }), outcome(env, 'delivered', 'b', { durationMs: 4 })])
    const event = events.find('p', env.id)!
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
    expect(events.find('p', env.id)!.deliveries).toHaveLength(1)
  })

  it('keeps events of two producers with the same id apart', () => {
    const events = new RetainedEvents(10)
    const env = envelope('x')
    events.apply('p1', [emitted(env)])
    events.apply('p2', [emitted(env), outcome(env, 'dead-lettered')])
    expect(events.find('p1', env.id)!.outcome).toBe('none')
    expect(events.find('p2', env.id)!.outcome).toBe('dead-lettered')
  })

  it('reports which events changed outcome, once', () => {
    const events = new RetainedEvents(10)
    const env = envelope('x')
    events.apply('p', [emitted(env)])
    events.drainChanged()
    events.apply('p', [outcome(env, 'failed', 'h', { willRetry: true })])
    expect(events.drainChanged()).toEqual([events.find('p', env.id)!.seq])
    expect(events.drainChanged()).toEqual([])
  })

  it('clear() forgets everything but keeps sequence numbers increasing', () => {
    const events = new RetainedEvents(10)
    events.apply('p', [emitted(envelope('a')), emitted(envelope('b'))])
    const next = events.nextSeq
    events.clear()
    expect(events.size).toBe(0)
    expect([...events]).toEqual([])
    const added = events.add('p', 0, envelope('c'))!
    expect(added.seq).toBe(next)
  })
})

describe('outcomeOf()', () => {
  const d = (k: 'delivered' | 'failed' | 'dead-lettered', subscription = 'h', willRetry?: boolean) =>
    ({ k, subscription, at: 0, attempt: 1, durationMs: 0, ...(willRetry === undefined ? {} : { willRetry }) })

  it('is "none" before any handler reported', () => expect(outcomeOf([])).toBe('none'))
  it('is "delivered" when every subscription succeeded first time', () => expect(outcomeOf([d('delivered', 'a'), d('delivered', 'b')])).toBe('delivered'))
  it('is "failing" while a retry is pending', () => expect(outcomeOf([d('delivered', 'a'), d('failed', 'b', true)])).toBe('failing'))
  it('is "retried" when a failure was followed by success', () => expect(outcomeOf([d('failed', 'a', true), d('delivered', 'a')])).toBe('retried'))
  it('is "dead-lettered" when any subscription gave up', () => expect(outcomeOf([d('delivered', 'a'), d('failed', 'b'), d('dead-lettered', 'b')])).toBe('dead-lettered'))
  it('is "retried" after a dead letter was retried successfully', () =>
    expect(outcomeOf([d('failed', 'a'), d('dead-lettered', 'a'), d('delivered', 'a')])).toBe('retried'))
})
