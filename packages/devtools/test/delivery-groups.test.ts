import { describe, expect, it } from 'vitest'
import { deliveryGroups } from '../src/state/delivery-groups'
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
