import { describe, expect, it } from 'vitest'
import { deliveryGroups, groupStatus } from '../src/state/delivery-groups'
import { RetainedEvents } from '../src/state/retained-events'
import { emitted, envelope, outcome } from './fixtures'

const groupsOf = (apply: (events: RetainedEvents, env: ReturnType<typeof envelope>) => void) => {
  const events = new RetainedEvents(10)
  const env = envelope('order.reserved')
  apply(events, env)
  return deliveryGroups(events.find(env.id)!.deliveries).map((g) => ({ key: g.key.replace('\u0000', '@'), producer: g.producer, tries: g.tries.map((t) => `${t.producer}:${t.attempt}:${t.k}`) }))
}

describe('deliveryGroups()', () => {
  it("keeps a named subscription's tries together when the transport moved them from process to process", () => {
    expect(groupsOf((events, env) => {
      events.apply('shop', [emitted(env)])
      events.apply('service-a', [outcome(env, 'failed', 'charge-payment', { attempt: 1 })])
      events.apply('service-b', [outcome(env, 'failed', 'charge-payment', { attempt: 2 }), outcome(env, 'dead-lettered', 'charge-payment', { attempt: 2 })])
    })).toEqual([{ key: 'charge-payment', producer: undefined, tries: ['service-a:1:failed', 'service-b:2:failed', 'service-b:2:dead-lettered'] }])
  })

  it('keeps apart the same-named subscriptions of several processes that each ran it', () => {
    expect(groupsOf((events, env) => {
      events.apply('shop', [emitted(env), outcome(env, 'delivered', 'anonymous')])
      events.apply('service-a', [outcome(env, 'failed', 'anonymous'), outcome(env, 'delivered', 'anonymous', { attempt: 2 })])
    })).toEqual([
      { key: 'anonymous@shop', producer: 'shop', tries: ['shop:1:delivered'] },
      { key: 'anonymous@service-a', producer: 'service-a', tries: ['service-a:1:failed', 'service-a:2:delivered'] },
    ])
  })
})

describe('groupStatus()', () => {
  /** A subscription that failed twice and was dead-lettered, as a bus with retry({ attempts: 1 }) reports it. */
  const deadLettered = (events: RetainedEvents, env: ReturnType<typeof envelope>) => events.apply('shop', [
    emitted(env),
    outcome(env, 'failed', 'smtp', { attempt: 1, willRetry: true }),
    outcome(env, 'failed', 'smtp', { attempt: 2, willRetry: false }),
    outcome(env, 'dead-lettered', 'smtp', { attempt: 2, durationMs: 0 }),
  ])
  const statusAfter = (more: (events: RetainedEvents, env: ReturnType<typeof envelope>) => void) => {
    const events = new RetainedEvents(10)
    const env = envelope('mail.send')
    deadLettered(events, env)
    more(events, env)
    const event = events.find(env.id)!
    return { ...groupStatus(deliveryGroups(event.deliveries)[0]!.tries), event: event.outcome }
  }

  it('counts the handler runs, not the dead-letter step, and offers the queued entry', () => {
    expect(statusAfter(() => {})).toEqual({ label: 'dead-lettered', outcome: 'dead-lettered', attempts: 2, inQueue: true, event: 'dead-lettered' })
  })

  it('reads a failed retry from the queue as dead-lettered again, still retryable', () => {
    // dlq.retry runs the handler once more; on failure the bus reports it and its second dead-letter step.
    expect(statusAfter((events, env) => events.apply('shop', [outcome(env, 'failed', 'smtp', { attempt: 3 }), outcome(env, 'dead-lettered', 'smtp', { attempt: 3, durationMs: 0 })])))
      .toEqual({ label: 'dead-lettered again', outcome: 'dead-lettered', attempts: 3, inQueue: true, event: 'dead-lettered' })
  })

  it('does not call a failed run dead-lettered again before its bus says so', () => {
    expect(statusAfter((events, env) => events.apply('shop', [outcome(env, 'failed', 'smtp', { attempt: 3 })])))
      .toMatchObject({ label: 'failed', inQueue: false })
  })

  it('reads a successful retry as delivered, with nothing left to retry', () => {
    expect(statusAfter((events, env) => events.apply('shop', [outcome(env, 'delivered', 'smtp', { attempt: 3 })])))
      .toEqual({ label: 'delivered', outcome: 'delivered', attempts: 3, inQueue: false, event: 'retried' })
  })

  it('reads a discard the bus reported as discarded, with nothing left to retry', () => {
    expect(statusAfter((events, env) => events.apply('shop', [outcome(env, 'discarded', 'smtp', { attempt: 2, durationMs: 0 })])))
      .toEqual({ label: 'discarded', outcome: 'dead-lettered', attempts: 2, inQueue: false, event: 'dead-lettered' })
  })

  it('keeps a failure that will be retried open, and a final one without a dead letter failed', () => {
    const events = new RetainedEvents(10)
    const env = envelope('mail.send')
    events.apply('shop', [emitted(env), outcome(env, 'failed', 'smtp', { willRetry: true })])
    expect(groupStatus(events.find(env.id)!.deliveries)).toMatchObject({ label: 'failed, will retry', inQueue: false })
    events.apply('shop', [outcome(env, 'failed', 'smtp', { attempt: 2, willRetry: false })])
    expect(groupStatus(events.find(env.id)!.deliveries)).toMatchObject({ label: 'failed', outcome: 'failing', inQueue: false })
  })
})
