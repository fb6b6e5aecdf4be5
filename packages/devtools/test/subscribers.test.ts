import type { SubscriptionJSON } from '@tidings/core'
import { describe, expect, it } from 'vitest'
import { RetainedEvents } from '../src/state/retained-events'
import { describeRetry, subscriberRows } from '../src/state/subscribers'
import { emitted, envelope, outcome } from './fixtures'

const policy = { attempts: 3, initialMs: 100, factor: 2, maxMs: 5000, jitter: 0.2 }

describe('subscriberRows()', () => {
  it('lists each bus\'s subscriptions with the outcomes of the kept events they handled', () => {
    const events = new RetainedEvents(10)
    const [a, b, c] = [envelope('order.placed'), envelope('order.placed'), envelope('order.shipped')]
    events.apply('shop', [emitted(a), emitted(b), emitted(c), outcome(a, 'delivered', 'charge'), outcome(b, 'failed', 'charge'), outcome(b, 'dead-lettered', 'charge')])
    events.apply('shop', [outcome(c, 'delivered', 'log'), outcome(a, 'delivered', 'log')])
    // A service that was never asked (or is gone): known from its traffic only.
    events.apply('mailer', [outcome(a, 'failed', 'smtp', { willRetry: true })])
    const listings = new Map<string, SubscriptionJSON[]>([['shop', [
      { on: 'order.*', name: 'log', named: true, retry: policy },
      { on: 'order.placed', name: 'charge', named: true, retry: policy },
      { on: 'order.placed', name: 'idle', named: false },
    ]]])
    expect(subscriberRows(listings, events).map((r) => [r.on, r.name, r.producer, describeRetry(r.retry), r.delivered, r.failing, r.deadLettered])).toEqual([
      ['order.*', 'log', 'shop', '3 retries from 100 ms ×2, up to 5 s', 2, 0, 0],
      ['order.placed', 'charge', 'shop', '3 retries from 100 ms ×2, up to 5 s', 1, 0, 1],
      ['order.placed', 'idle', 'shop', 'no retry()', 0, 0, 0],
      ['order.placed', 'smtp', 'mailer', '—', 0, 1, 0],
    ])
  })

  it('says when a policy allows no retries', () => {
    expect(describeRetry({ ...policy, attempts: 0 })).toBe('no retries')
    expect(describeRetry({ ...policy, attempts: 1, maxMs: 50 })).toBe('1 retry from 100 ms ×2, up to 50 ms')
  })
})
