import { describe, expect, it } from 'vitest'
import { deadLetterOwner } from '../src/dlq-actions'
import { RetainedEvents } from '../src/state/retained-events'
import { emitted, envelope, outcome } from './fixtures'

describe('deadLetterOwner()', () => {
  it('is the producer that dead-lettered the delivery, which may not be the emitter', () => {
    const events = new RetainedEvents(10)
    const env = envelope('order.reserved')
    events.apply('service-a', [emitted(env), outcome(env, 'delivered', 'audit')])
    events.apply('service-b', [outcome(env, 'failed', 'charge-payment'), outcome(env, 'dead-lettered', 'charge-payment')])
    const event = events.find(env.id)!
    expect(deadLetterOwner(event, 'charge-payment')).toBe('service-b')
    expect(deadLetterOwner(event, 'audit')).toBe('service-a')
  })
})
