import { describe, expect, it } from 'vitest'
import { RetainedEvents } from '../src/state/retained-events'
import { describeSpan, waterfall } from '../src/state/waterfall'
import { emitted, envelope, outcome } from './fixtures'

const T = 1_700_000_000_000
const ms = (n: number) => `${n} ms`

describe('waterfall()', () => {
  it('lays out queue wait, tries, backoff, the dead-letter hop and time in the queue per subscription', () => {
    const events = new RetainedEvents(10)
    const env = envelope('mail.send')
    events.apply('shop', [
      emitted(env, T),
      outcome(env, 'delivered', 'audit', { at: T + 3, durationMs: 1 }),
      outcome(env, 'failed', 'smtp', { at: T + 4, durationMs: 2, willRetry: true }),
      outcome(env, 'failed', 'smtp', { at: T + 14, durationMs: 3, attempt: 2, willRetry: false }),
      outcome(env, 'dead-lettered', 'smtp', { at: T + 15, durationMs: 0, attempt: 2 }),
      outcome(env, 'delivered', 'smtp', { at: T + 1000, durationMs: 5, attempt: 3 }),
    ])
    const w = waterfall(events.find(env.id)!)
    expect(w).toMatchObject({ start: T, end: T + 1000 })
    const spans = Object.fromEntries(w.lanes.map((l) => [l.subscription, l.spans.map((s) => `${s.kind}${s.attempt ?? ''}:${s.from - T}-${s.to - T}`)]))
    expect(spans).toEqual({
      audit: ['wait:0-2', 'run1:2-3'],
      smtp: ['wait:0-2', 'run1:2-4', 'backoff:4-11', 'run2:11-14', 'dead-letter:14-15', 'in-queue:15-995', 'run3:995-1000'],
    })
  })

  it('never starts a try before the event when another process\'s clock is behind', () => {
    const events = new RetainedEvents(10)
    const env = envelope('order.placed')
    events.apply('shop', [emitted(env, T)])
    events.apply('service', [outcome(env, 'delivered', 'charge', { at: T - 5, durationMs: 2 })])
    const [lane] = waterfall(events.find(env.id)!).lanes
    expect(lane!.spans).toEqual([{ kind: 'run', from: T, to: T, attempt: 1, outcome: 'delivered', durationMs: 2 }])
    expect(lane!.producers).toEqual(['service'])
  })

  it('describes each kind of span in words', () => {
    expect(describeSpan({ kind: 'run', from: 0, to: 4, attempt: 2, outcome: 'failed', durationMs: 3.5 }, ms)).toBe('attempt 2: failed in 3.5 ms')
    expect(describeSpan({ kind: 'backoff', from: 0, to: 7, }, ms)).toBe('backoff 7 ms before the next try')
    expect(describeSpan({ kind: 'in-queue', from: 0, to: 9 }, ms)).toBe('9 ms in the dead-letter queue, then retried from it')
  })
})
