import { describe, expect, it } from 'vitest'
import { exportNdjson, importNdjson } from '../src/state/ndjson'
import { RetainedEvents } from '../src/state/retained-events'
import { emitted, envelope, outcome } from './fixtures'

describe('NDJSON export and import', () => {
  const events = new RetainedEvents(10)
  const placed = envelope('order.placed', { orderId: 'A-1' }, { correlationid: 'op-1' })
  const failed = envelope('mail.send', { to: 'x@y.z' }, { causationid: placed.id, correlationid: 'op-1' })
  events.apply('p1', [emitted(placed), outcome(placed, 'delivered', 'receipt')])
  events.apply('p1', [emitted(failed)])
  events.apply('p2', [outcome(failed, 'failed', 'smtp', { error: { name: 'Error', message: 'down', stack: 'Error: down\n  at x' } }), outcome(failed, 'dead-lettered', 'smtp')])
  const text = exportNdjson(events, (id) => (id === 'p1' ? 'checkout-api' : id === 'p2' ? 'mailer' : id))

  it('writes one CloudEvents JSON object per line', () => {
    const lines = text.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    for (const line of lines) {
      const ce = JSON.parse(line) as Record<string, unknown>
      expect(ce.specversion).toBe('1.0')
      expect(typeof ce.id).toBe('string')
      expect(typeof ce.source).toBe('string')
      expect(typeof ce.type).toBe('string')
      // Extension attribute names must be lower-case letters and digits, values scalars.
      for (const [key, value] of Object.entries(ce)) {
        if (key === 'data') continue
        expect(key).toMatch(/^[a-z0-9]{1,20}$/)
        expect(['string', 'number', 'boolean']).toContain(typeof value)
      }
    }
  })

  it('loads back the events with their producer, payload and outcomes', () => {
    const { events: loaded, skipped } = importNdjson(text, 'file.ndjson')
    expect(skipped).toEqual([])
    expect(loaded.map((e) => e.envelope.type)).toEqual(['order.placed', 'mail.send'])
    expect(loaded[0]!.producer).toBe('checkout-api')
    expect(loaded[1]!.envelope).toEqual(failed)
    expect(loaded[1]!.deliveries.map((d) => d.k)).toEqual(['failed', 'dead-lettered'])
    expect(loaded[1]!.deliveries[0]!.error?.stack).toContain('at x')
    expect(loaded[1]!.deliveries.map((d) => d.producer)).toEqual(['mailer', 'mailer'])
    const again = new RetainedEvents(10)
    again.merge(loaded)
    expect([...again].map((e) => e.outcome)).toEqual(['delivered', 'dead-lettered'])
  })

  it('credits deliveries of older exports, which name no producer, to the event\'s own', () => {
    const line = { specversion: '1.0', id: '1', source: '/x', type: 'a', devtoolsproducer: 'api', devtoolsdeliveries: JSON.stringify([{ k: 'delivered', at: 1, subscription: 's', attempt: 1, durationMs: 2 }]) }
    expect(importNdjson(JSON.stringify(line), 'f').events[0]!.deliveries).toEqual([{ k: 'delivered', producer: 'api', at: 1, subscription: 's', attempt: 1, durationMs: 2 }])
  })

  it('keeps a discarded dead letter as discarded when loaded back', () => {
    const line = { specversion: '1.0', id: '1', source: '/x', type: 'a', devtoolsproducer: 'api', devtoolsdeliveries: JSON.stringify([
      { k: 'dead-lettered', at: 1, subscription: 's', attempt: 1, durationMs: 0 }, { k: 'discarded', at: 2, subscription: 's', attempt: 1, durationMs: 0 },
    ]) }
    expect(importNdjson(JSON.stringify(line), 'f').events[0]!.deliveries.map((d) => d.k)).toEqual(['dead-lettered', 'discarded'])
  })

  it('reads foreign CloudEvents and reports bad lines without giving up', () => {
    const input = [
      '{"specversion":"1.0","id":"1","source":"/x","type":"a"}',
      'not json',
      '{"specversion":"0.3","id":"2","source":"/x","type":"a"}',
      '',
      '{"specversion":"1.0","id":"3","source":"/x"}',
      '[1,2]',
    ].join('\n')
    const { events: loaded, skipped } = importNdjson(input, 'other.ndjson')
    expect(loaded).toHaveLength(1)
    expect(loaded[0]!.producer).toBe('other.ndjson')
    expect(skipped.map((s) => s.line)).toEqual([2, 3, 5, 6])
    expect(skipped[2]!.reason).toContain('type')
  })

  it('does not let a __proto__ key reach any prototype', () => {
    const { events: loaded } = importNdjson('{"specversion":"1.0","id":"1","source":"/x","type":"a","__proto__":{"polluted":true}}', 'f')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect((loaded[0]!.envelope as Record<string, unknown>).polluted).toBeUndefined()
  })
})
