import { describe, expect, it } from 'vitest'
import { RetainedEvents } from '../src/state/retained-events'
import { listOperations, sequenceDiagram } from '../src/state/sequence'
import { emitted, envelope, outcome, received } from './fixtures'

const T = 1_700_000_000_000

/** An order from the browser, charged by a service, mailed by another; plus an unrelated event. */
function orderAcrossProcesses() {
  const events = new RetainedEvents(100)
  const placed = envelope('order.placed', {}, { correlationid: 'op-1' })
  const charged = envelope('payment.charged', {}, { correlationid: 'op-1', causationid: placed.id })
  const mailed = envelope('mail.send', {}, { correlationid: 'op-1', causationid: charged.id })
  events.apply('browser', [emitted(placed, T), emitted(envelope('other', {}, { correlationid: 'op-2' }), T + 1)])
  events.apply('service-a', [received(placed, T + 2), outcome(placed, 'delivered', 'charge'), emitted(charged, T + 3)])
  // The mail service's clock runs behind: its event seems older than its cause.
  events.apply('service-b', [emitted(mailed, T + 2), outcome(mailed, 'failed', 'smtp'), outcome(mailed, 'dead-lettered', 'smtp', { durationMs: 0 })])
  return { events, placed, charged, mailed }
}

describe('sequenceDiagram()', () => {
  it('puts each event on the lane of the bus that emitted it, linked to its cause and its handlers', () => {
    const { events } = orderAcrossProcesses()
    const d = sequenceDiagram(events, 'op-1')
    expect(d.lanes).toEqual(['browser', 'service-a', 'service-b'])
    expect(d.steps.map((s) => [s.event.envelope.type, d.lanes[s.lane], s.cause === undefined ? '-' : d.steps[s.cause]!.event.envelope.type])).toEqual([
      ['order.placed', 'browser', '-'],
      ['mail.send', 'service-b', 'payment.charged'],
      ['payment.charged', 'service-a', 'order.placed'],
    ])
    expect(d.steps[0]!.handlers).toEqual([expect.objectContaining({ subscription: 'charge', lane: 1, status: expect.objectContaining({ label: 'delivered' }) })])
    expect(d.steps[1]!.handlers[0]).toMatchObject({ subscription: 'smtp', lane: 2, status: { label: 'dead-lettered' } })
    expect(d.truncated).toBe(false)
  })

  it('shows at most `limit` events and says so, and nothing for an operation not kept', () => {
    const { events } = orderAcrossProcesses()
    const d = sequenceDiagram(events, 'op-1', 2)
    expect(d.steps).toHaveLength(2)
    expect(d.truncated).toBe(true)
    expect(sequenceDiagram(events, 'gone')).toEqual({ lanes: [], steps: [], truncated: false })
  })
})

describe('listOperations()', () => {
  it('lists each correlation id once, the latest first, with its first event and size', () => {
    const { events } = orderAcrossProcesses()
    expect(listOperations(events).map((o) => [o.correlationid, o.first.envelope.type, o.count])).toEqual([['op-1', 'order.placed', 3], ['op-2', 'other', 1]])
  })

  it('counts the first event of a causedBy() chain, whose id is the correlation id, in its operation', () => {
    const events = new RetainedEvents(10)
    const root = envelope('order.placed')
    const next = envelope('order.accepted', {}, { correlationid: root.id, causationid: root.id })
    events.apply('web', [emitted(root, T), emitted(next, T + 1)])
    expect(listOperations(events).map((o) => [o.correlationid, o.first.envelope.type, o.count])).toEqual([[root.id, 'order.placed', 2]])
    expect(sequenceDiagram(events, root.id).steps.map((s) => s.event.envelope.type)).toEqual(['order.placed', 'order.accepted'])
  })
})
