import { describe, expect, it } from 'vitest'
import { compileFilter, EMPTY_FILTER, typeMatcher } from '../src/state/filter'
import { FilteredView } from '../src/state/filtered-view'
import { RetainedEvents } from '../src/state/retained-events'
import { emitted, envelope, outcome } from './fixtures'

describe('typeMatcher()', () => {
  it('matches one segment with * and any depth with **, like bus patterns', () => {
    const one = typeMatcher('order.*')
    expect(one('order.placed')).toBe(true)
    expect(one('order.item.added')).toBe(false)
    expect(one('orders.placed')).toBe(false)
    const deep = typeMatcher('order.**')
    expect(deep('order.item.added')).toBe(true)
    expect(deep('order')).toBe(false)
  })

  it('treats text without * as a case-insensitive substring', () => {
    expect(typeMatcher('PLACED')('order.placed')).toBe(true)
    expect(typeMatcher('shipped')('order.placed')).toBe(false)
  })

  it('accepts several patterns separated by commas or spaces', () => {
    const m = typeMatcher('user.*, payment.failed')
    expect(m('user.signed-up')).toBe(true)
    expect(m('payment.failed')).toBe(true)
    expect(m('order.placed')).toBe(false)
  })

  it('escapes regular-expression characters in literal segments', () => {
    expect(typeMatcher('a+b.*')('a+b.c')).toBe(true)
    expect(typeMatcher('a+b.*')('aab.c')).toBe(false)
  })
})

describe('compileFilter()', () => {
  const events = new RetainedEvents(10)
  events.apply('shop', [emitted(envelope('order.placed', { orderId: 'A-17', customer: 'Ada' }))])
  events.apply('mail', [emitted(envelope('mail.sent', { to: 'grace@example.com' }))])
  const [order, mail] = [...events]

  it('searches inside payloads, case-insensitively', () => {
    const f = compileFilter({ ...EMPTY_FILTER, q: 'ada' })
    expect(f(order!)).toBe(true)
    expect(f(mail!)).toBe(false)
  })

  it('filters by source (producer) and outcome', () => {
    expect(compileFilter({ ...EMPTY_FILTER, source: 'mail' })(mail!)).toBe(true)
    expect(compileFilter({ ...EMPTY_FILTER, source: 'mail' })(order!)).toBe(false)
    expect(compileFilter({ ...EMPTY_FILTER, outcome: 'none' })(order!)).toBe(true)
    expect(compileFilter({ ...EMPTY_FILTER, outcome: 'delivered' })(order!)).toBe(false)
  })

  it('hides muted types even when everything else matches', () => {
    expect(compileFilter({ ...EMPTY_FILTER, muted: ['mail.sent'] })(mail!)).toBe(false)
    expect(compileFilter({ ...EMPTY_FILTER, muted: ['mail.sent'] })(order!)).toBe(true)
  })

  it('follows one operation: only the events carrying its correlationid', () => {
    const ops = new RetainedEvents(10)
    ops.apply('shop', [
      emitted(envelope('import.started', {}, { correlationid: 'op-1' })),
      emitted(envelope('import.started', {}, { correlationid: 'op-2' })),
      emitted(envelope('order.placed', {})),
    ])
    const view = new FilteredView(ops)
    view.setFilter({ ...EMPTY_FILTER, correlation: 'op-1' })
    expect(view.length).toBe(1)
    expect(ops.at(view.seqAt(0)!)?.envelope.correlationid).toBe('op-1')
  })
})

describe('FilteredView', () => {
  it('shows everything without a filter, in arrival order', () => {
    const events = new RetainedEvents(10)
    const view = new FilteredView(events)
    events.apply('p', [emitted(envelope('a')), emitted(envelope('b'))])
    view.sync()
    expect(view.length).toBe(2)
    expect(events.at(view.seqAt(1)!)?.envelope.type).toBe('b')
  })

  it('keeps positions still between syncs while events arrive and are evicted', () => {
    const events = new RetainedEvents(3)
    const view = new FilteredView(events)
    events.apply('p', [1, 2, 3].map((n) => emitted(envelope(`t.${n}`))))
    view.sync()
    const second = view.seqAt(1)!
    events.apply('p', [emitted(envelope('t.4'))])
    expect(view.seqAt(1)).toBe(second)
    expect(view.length).toBe(3)
    view.sync()
    expect(view.indexOf(second)).toBe(0)
    expect(events.at(view.seqAt(2)!)!.envelope.type).toBe('t.4')
  })

  it('keeps up with new and evicted events incrementally', () => {
    const events = new RetainedEvents(4)
    const view = new FilteredView(events)
    view.setFilter({ ...EMPTY_FILTER, type: 'keep.*' })
    for (let i = 0; i < 6; i++) {
      events.apply('p', [emitted(envelope(i % 2 ? 'keep.me' : 'drop.me', { i }))])
      view.sync()
    }
    const shown = Array.from({ length: view.length }, (_, i) => events.at(view.seqAt(i)!)!.envelope.data)
    expect(shown).toEqual([{ i: 3 }, { i: 5 }])
    expect(view.indexOf(view.seqAt(1)!)).toBe(1)
  })

  it('takes an event in or out when its outcome changes under an outcome filter', () => {
    const events = new RetainedEvents(10)
    const view = new FilteredView(events)
    view.setFilter({ ...EMPTY_FILTER, outcome: 'dead-lettered' })
    const first = envelope('x')
    const second = envelope('y')
    events.apply('p', [emitted(first), emitted(second)])
    view.sync()
    expect(view.length).toBe(0)
    events.apply('p', [outcome(second, 'dead-lettered'), outcome(first, 'dead-lettered')])
    view.sync()
    expect(Array.from({ length: view.length }, (_, i) => events.at(view.seqAt(i)!)!.envelope.type)).toEqual(['x', 'y'])
    events.apply('p', [outcome(first, 'delivered', 'handler', { at: 5 })])
    view.sync()
    expect(view.length).toBe(1)
    expect(events.at(view.seqAt(0)!)!.envelope.type).toBe('y')
  })

  it('stays correct after the kept events are cleared', () => {
    const events = new RetainedEvents(10)
    const view = new FilteredView(events)
    view.setFilter({ ...EMPTY_FILTER, type: 'a' })
    events.apply('p', [emitted(envelope('a'))])
    view.sync()
    events.clear()
    view.sync()
    expect(view.length).toBe(0)
    events.apply('p', [emitted(envelope('a'))])
    view.sync()
    expect(view.length).toBe(1)
  })
})
