import { describe, expect, it } from 'vitest'
import { operationChain } from '../src/state/operation-chain'
import { RetainedEvents } from '../src/state/retained-events'
import { emitted, envelope } from './fixtures'

describe('operationChain()', () => {
  const events = new RetainedEvents(100)
  const placed = envelope('order.placed', {}, { correlationid: 'op' })
  const reserved = envelope('stock.reserved', {}, { correlationid: 'op', causationid: placed.id })
  const charged = envelope('payment.charged', {}, { correlationid: 'op', causationid: placed.id })
  const shipped = envelope('order.shipped', {}, { correlationid: 'op', causationid: reserved.id })
  const unrelated = envelope('user.signed-up', {}, { correlationid: 'other' })
  const uncorrelated = envelope('audit.logged', {}, { causationid: charged.id })
  events.apply('p', [placed, reserved, unrelated, charged, shipped, uncorrelated].map((e) => emitted(e)))
  const find = (id: string) => events.find('p', id)!

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
    expect(operationChain(ring, ring.find('p', 'A')!).map((c) => c.event.envelope.id).sort()).toEqual(['A', 'B'])
  })
})
