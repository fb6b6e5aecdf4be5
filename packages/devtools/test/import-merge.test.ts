import { describe, expect, it } from 'vitest'
import { EMPTY_FILTER } from '../src/state/filter'
import { FilteredView } from '../src/state/filtered-view'
import { importMessage } from '../src/state/ndjson'
import type { ImportedEvent } from '../src/state/ndjson'
import { RetainedEvents } from '../src/state/retained-events'
import { emitted, envelope, outcome } from './fixtures'

const imported = (type: string, at: number, more: Partial<ImportedEvent> = {}): ImportedEvent =>
  ({ producer: 'file', at, envelope: envelope(type), truncated: false, deliveries: [], ...more })

describe('RetainedEvents.merge() (import into a live page)', () => {
  it('places imported events among the live ones in time order, marked, and counts the new ones', () => {
    const events = new RetainedEvents(10)
    events.apply('shop', [emitted(envelope('live.a'), 100), emitted(envelope('live.b'), 300)])
    const result = events.merge([imported('file.late', 400), imported('file.early', 50), imported('file.mid', 200)])
    expect(result).toEqual({ added: 3, duplicates: 0 })
    expect([...events].map((e) => `${e.envelope.type}${e.imported ? '*' : ''}`)).toEqual(['file.early*', 'live.a', 'file.mid*', 'live.b', 'file.late*'])
    // Seqs stay consecutive, so at(seq) still indexes the ring, and live traffic goes on after them.
    const seqs = [...events].map((e) => e.seq)
    expect(seqs).toEqual(seqs.map((_, i) => events.firstSeq + i))
    events.apply('shop', [emitted(envelope('live.c'), 500)])
    expect(events.at(events.nextSeq - 1)?.envelope.type).toBe('live.c')
  })

  it('counts an event already shown (or twice in the file) as a duplicate and adds only the deliveries it lacked', () => {
    const events = new RetainedEvents(10)
    const live = envelope('order.placed')
    events.apply('shop', [emitted(live, 100), outcome(live, 'delivered', 'a')])
    const again = imported('x', 100, {
      envelope: live, deliveries: [{ k: 'delivered', producer: 'shop', at: 1_700_000_000_001, subscription: 'a', attempt: 1, durationMs: 2 }, { k: 'failed', producer: 'shop', at: 5, subscription: 'b', attempt: 1, durationMs: 1 }],
    })
    const twice = imported('y', 150)
    expect(events.merge([again, twice, { ...twice }])).toEqual({ added: 1, duplicates: 2 })
    expect(events.find(live.id)!.deliveries.map((d) => d.subscription)).toEqual(['a', 'b'])
    expect(events.find(live.id)!.imported).toBeUndefined()
    expect(events.merge([again])).toEqual({ added: 0, duplicates: 1 })
  })

  it('keeps the newest in time when the ring cannot hold them all, and a filtered view re-reads the new layout', () => {
    const events = new RetainedEvents(3)
    const view = new FilteredView(events)
    view.setFilter({ ...EMPTY_FILTER, type: 'keep.*' })
    events.apply('shop', [emitted(envelope('keep.live'), 300), emitted(envelope('drop.live'), 400)])
    view.sync()
    expect(view.length).toBe(1)
    expect(events.merge([imported('keep.old', 100), imported('keep.new', 350)])).toEqual({ added: 1, duplicates: 0 })
    view.sync()
    expect([...events].map((e) => e.envelope.type)).toEqual(['keep.live', 'keep.new', 'drop.live'])
    expect(Array.from({ length: view.length }, (_, i) => events.at(view.seqAt(i)!)!.envelope.type)).toEqual(['keep.live', 'keep.new'])
  })
})

describe('importMessage()', () => {
  it('says how many events were new and how many duplicates, and the first skipped line', () => {
    expect(importMessage('s.ndjson', 1, 0, [])).toBe('Imported 1 new event from s.ndjson')
    expect(importMessage('s.ndjson', 28, 2, [{ line: 3, reason: 'not JSON' }]))
      .toBe('Imported 28 new events from s.ndjson; 2 were duplicates of events already shown; skipped 1 line(s), first at line 3: not JSON')
  })
})
