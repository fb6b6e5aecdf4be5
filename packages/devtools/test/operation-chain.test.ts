import { describe, expect, it } from 'vitest'
import { operationChain, producerPath } from '../src/state/operation-chain'
import { RetainedEvents } from '../src/state/retained-events'
import { emitted, envelope, outcome, received } from './fixtures'

describe('operationChain()', () => {
  const events = new RetainedEvents(100)
  const placed = envelope('order.placed', {}, { correlationid: 'op' })
  const reserved = envelope('stock.reserved', {}, { correlationid: 'op', causationid: placed.id })
  const charged = envelope('payment.charged', {}, { correlationid: 'op', causationid: placed.id })
  const shipped = envelope('order.shipped', {}, { correlationid: 'op', causationid: reserved.id })
  const unrelated = envelope('user.signed-up', {}, { correlationid: 'other' })
  const uncorrelated = envelope('audit.logged', {}, { causationid: charged.id })
  events.apply('p', [placed, reserved, unrelated, charged, shipped, uncorrelated].map((e) => emitted(e)))
  const find = (id: string) => events.find(id)!

  it('shows the whole operation as a causation tree, from any of its events', () => {
    const chain = operationChain(events, find(shipped.id))
    expect(chain.map((c) => [c.event.envelope.type, c.depth])).toEqual([
      ['order.placed', 0],
      ['stock.reserved', 1],
      ['order.shipped', 2],
      ['payment.charged', 1],
      ['audit.logged', 2],
    ])
    expect(operationChain(events, find(placed.id))).toEqual(chain)
  })

  it('follows causationid for events without a correlationid', () => {
    expect(operationChain(events, find(uncorrelated.id)).map((c) => c.event.envelope.type)).toContain('order.placed')
  })

  it('survives a causation cycle', () => {
    const ring = new RetainedEvents(10)
    const a = envelope('a', {}, { id: 'A', causationid: 'B' })
    const b = envelope('b', {}, { id: 'B', causationid: 'A' })
    ring.apply('p', [emitted(a), emitted(b)])
    expect(operationChain(ring, ring.find('A')!).map((c) => c.event.envelope.id).sort()).toEqual(['A', 'B'])
  })

  it('follows an operation across processes, each event under the bus that emitted it', () => {
    const shop = new RetainedEvents(100)
    const placed = envelope('order.placed', {}, { correlationid: 'checkout' })
    const reserved = envelope('order.reserved', {}, { correlationid: 'checkout', causationid: placed.id })
    const charged = envelope('payment.charged', {}, { correlationid: 'checkout', causationid: reserved.id })
    // Each bus reports what it emitted and what it received; reports arrive in any order.
    shop.apply('service-b', [received(placed), received(reserved), outcome(reserved, 'delivered', 'charge-payment'), emitted(charged)])
    shop.apply('service-a', [received(placed), outcome(placed, 'delivered', 'reserve-stock'), emitted(reserved), received(charged)])
    shop.apply('browser', [emitted(placed), received(reserved), received(charged)])
    expect(shop.size).toBe(3)
    const chain = operationChain(shop, shop.find(charged.id)!)
    expect(chain.map((c) => [c.event.envelope.type, c.event.producer, c.depth])).toEqual([
      ['order.placed', 'browser', 0],
      ['order.reserved', 'service-a', 1],
      ['payment.charged', 'service-b', 2],
    ])
    expect(shop.find(reserved.id)!.deliveries.map((d) => d.producer)).toEqual(['service-b'])
    expect(producerPath((id) => shop.find(id), shop.find(charged.id)!)).toEqual(['browser', 'service-a', 'service-b'])
    expect(producerPath((id) => shop.find(id), shop.find(placed.id)!)).toEqual(['browser'])
  })
})
