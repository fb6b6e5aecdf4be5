import type { CloudEventJSON, TrafficRecord } from '@tidings/core'
import { outcomeOf, sameDelivery } from './retained-event'
import type { Delivery, RetainedEvent } from './retained-event'
import type { ImportedEvent } from './ndjson'

type OutcomeRecord = Extract<TrafficRecord, { subscription: string }>

/** Events whose outcome records wait for the event itself, at most; the oldest are dropped first. */
const PENDING_IDS = 5000
/** Outcome records held per waiting event: a retry storm for an event never seen must not grow without end. */
const PENDING_PER_ID = 64

const deliveryOf = (producer: string, record: OutcomeRecord): Delivery => {
  const delivery: Delivery = {
    k: record.k, producer, at: record.at, subscription: record.subscription, attempt: record.attempt, durationMs: record.durationMs,
  }
  if (record.error) delivery.error = record.error
  if (record.willRetry !== undefined) delivery.willRetry = record.willRetry
  return delivery
}

const replayKey = (id: string, subscription: string, attempt: number) => `${id}\u0000${subscription}\u0000${attempt}`

/**
 * The events the page keeps: a ring of at most `capacity`, the oldest evicted first, so memory
 * stays bounded whatever the traffic. Sequence numbers are consecutive, which makes `at(seq)`
 * an index into the ring.
 *
 * Buses sharing a transport all report the same event, so an event is kept once per envelope id:
 * its producer is the bus that emitted it (a `remote` report stands in until the emitter's own
 * arrives), and outcome records join it by id whichever producer ran the handler. Outcome records
 * that arrive before their event wait in a bounded map and are attached when it comes.
 */
export class RetainedEvents {
  readonly capacity: number
  private ring: Array<RetainedEvent | undefined>
  private byId = new Map<string, RetainedEvent>()
  private pending = new Map<string, Delivery[]>()
  /**
   * Walks `pending` in insertion order. A Map iterator skips deleted keys and sees keys added after
   * it was made, and every key it has passed was dropped, so its next key is always the oldest one
   * still waiting: dropping costs O(1) where `pending.keys().next()` would rescan the deleted slots.
   */
  private pendingOrder = this.pending.keys()
  private typeCounts = new Map<string, number>()
  /** Tries this page asked for with a replay, not yet reported: their records are marked `replay`. */
  private replays = new Set<string>()
  private changed = new Set<number>()
  firstSeq = 0
  nextSeq = 0
  /** Bumped by every change, so views can tell whether to redraw. */
  version = 0

  constructor(capacity: number, readonly pendingCapacity = PENDING_IDS) {
    this.capacity = capacity
    this.ring = new Array<RetainedEvent | undefined>(capacity)
  }

  get size(): number {
    return this.nextSeq - this.firstSeq
  }

  /** Events not kept (yet) that outcome records are waiting for. */
  get pendingSize(): number {
    return this.pending.size
  }

  at(seq: number): RetainedEvent | undefined {
    return seq >= this.firstSeq && seq < this.nextSeq ? this.ring[seq % this.capacity] : undefined
  }

  /** Oldest first. */
  *[Symbol.iterator](): Iterator<RetainedEvent> {
    for (let seq = this.firstSeq; seq < this.nextSeq; seq++) {
      const event = this.ring[seq % this.capacity]
      if (event) yield event
    }
  }

  /** The kept event with this envelope id, whichever producers reported it. */
  find(id: string): RetainedEvent | undefined {
    return this.byId.get(id)
  }

  /** Retained events per type, muted ones included. */
  countsByType(): ReadonlyMap<string, number> {
    return this.typeCounts
  }

  /** Applies one producer's records in order; returns how many events were new. */
  apply(producer: string, records: readonly TrafficRecord[]): number {
    let added = 0
    for (const r of records) {
      if (r.k === 'emitted') {
        const known = this.byId.get(r.envelope.id)
        if (known === undefined) {
          this.insert(producer, r.at, r.envelope, r.truncated === true, [], r.remote === true, r.site)
          added++
        } else if (known.via !== undefined && r.remote !== true) {
          this.takeOver(known, producer, r)
        }
      } else {
        const delivery = deliveryOf(producer, r)
        if (this.replays.size !== 0 && this.replays.delete(replayKey(r.id, r.subscription, r.attempt))) delivery.replay = true
        const event = this.byId.get(r.id)
        if (event) this.deliver(event, delivery)
        else this.hold(r.id, delivery)
      }
    }
    return added
  }

  /**
   * Adds events read from a file among the kept ones in time order (by `at`), marked `imported`.
   * The ring is laid out again with new seqs from `nextSeq` on, so a view re-reads it as after a
   * clear; when the events do not all fit, the oldest in time go. An event already kept (or twice
   * in the file) is a duplicate: only the deliveries it did not know are added to it.
   */
  merge(incoming: Iterable<ImportedEvent>): { added: number; duplicates: number } {
    const fresh = new Map<string, RetainedEvent>()
    let duplicates = 0
    for (const e of incoming) {
      const known = this.byId.get(e.envelope.id) ?? fresh.get(e.envelope.id)
      if (known) {
        duplicates++
        for (const d of e.deliveries) this.deliver(known, d)
        continue
      }
      const deliveries = [...e.deliveries]
      fresh.set(e.envelope.id, {
        seq: -1, producer: e.producer, at: e.at, envelope: e.envelope, truncated: e.truncated, deliveries,
        outcome: outcomeOf(deliveries), handlerMs: 0, imported: true,
      })
    }
    if (fresh.size === 0) return { added: 0, duplicates }
    // Array.prototype.sort is stable: events of the same millisecond keep their order.
    const all = [...this, ...fresh.values()].sort((a, b) => a.at - b.at).slice(-this.capacity)
    this.ring = new Array<RetainedEvent | undefined>(this.capacity)
    this.byId.clear()
    this.typeCounts.clear()
    this.changed.clear()
    this.firstSeq = this.nextSeq
    let added = 0
    for (const event of all) {
      if (event.imported === true && event.seq === -1) added++
      this.place(event)
    }
    this.version++
    return { added, duplicates }
  }

  /** Marks the try a replay from this page will be reported as, so it is told apart from the delivery's own tries. */
  expectReplay(id: string, subscription: string, attempt: number): void {
    this.replays.add(replayKey(id, subscription, attempt))
  }

  /** Seqs whose outcome or producer changed since the last call: a filtered view re-checks only those. */
  drainChanged(): number[] {
    const seqs = [...this.changed]
    this.changed.clear()
    return seqs
  }

  clear(): void {
    this.ring = new Array<RetainedEvent | undefined>(this.capacity)
    this.byId.clear()
    this.pending.clear()
    this.pendingOrder = this.pending.keys()
    this.typeCounts.clear()
    this.changed.clear()
    this.firstSeq = this.nextSeq
    this.version++
  }

  private insert(producer: string, at: number, envelope: CloudEventJSON, truncated: boolean, deliveries: Delivery[], remote: boolean, site: string | undefined): RetainedEvent {
    if (this.size === this.capacity) this.evictOldest()
    const event: RetainedEvent = { seq: -1, producer, at, envelope, truncated, deliveries, outcome: 'none', handlerMs: 0 }
    if (remote) event.via = producer
    if (site !== undefined) event.site = site
    this.place(event)
    this.version++
    return event
  }

  /** Puts an event at the next seq, with outcome records that waited for it. */
  private place(event: RetainedEvent): void {
    const held = this.pending.get(event.envelope.id)
    if (held) {
      this.pending.delete(event.envelope.id)
      for (const d of held) if (!event.deliveries.some((kept) => sameDelivery(kept, d))) event.deliveries.push(d)
    }
    let handlerMs = 0
    for (const d of event.deliveries) handlerMs += d.durationMs
    event.handlerMs = handlerMs
    event.outcome = outcomeOf(event.deliveries)
    event.seq = this.nextSeq++
    this.ring[event.seq % this.capacity] = event
    this.byId.set(event.envelope.id, event)
    this.typeCounts.set(event.envelope.type, (this.typeCounts.get(event.envelope.type) ?? 0) + 1)
  }

  /** The emitter's own report of an event first reported by a bus that received it: the emitter becomes its producer. */
  private takeOver(event: RetainedEvent, producer: string, record: Extract<TrafficRecord, { k: 'emitted' }>): void {
    event.producer = producer
    event.via = undefined
    event.at = record.at
    if (record.site !== undefined) event.site = record.site
    // The emitter's redaction of the same event; the type (and so the counts) cannot differ.
    if (record.envelope.type === event.envelope.type) {
      event.envelope = record.envelope
      event.truncated = record.truncated === true
    }
    this.changed.add(event.seq)
    this.version++
  }

  private deliver(event: RetainedEvent, delivery: Delivery): void {
    if (event.deliveries.some((d) => sameDelivery(d, delivery))) return
    event.deliveries.push(delivery)
    event.handlerMs += delivery.durationMs
    const outcome = outcomeOf(event.deliveries)
    if (outcome !== event.outcome) {
      event.outcome = outcome
      this.changed.add(event.seq)
    }
    this.version++
  }

  /** Keeps an outcome record until its event arrives (it may come later, from another producer). */
  private hold(id: string, delivery: Delivery): void {
    const list = this.pending.get(id)
    if (list) {
      if (list.length < PENDING_PER_ID && !list.some((d) => sameDelivery(d, delivery))) list.push(delivery)
      return
    }
    if (this.pending.size >= this.pendingCapacity) {
      const oldest = this.pendingOrder.next()
      if (!oldest.done) this.pending.delete(oldest.value)
    }
    this.pending.set(id, [delivery])
  }

  private evictOldest(): void {
    const slot = this.firstSeq % this.capacity
    const old = this.ring[slot]
    this.ring[slot] = undefined
    this.firstSeq++
    if (!old) return
    this.byId.delete(old.envelope.id)
    this.changed.delete(old.seq)
    const left = (this.typeCounts.get(old.envelope.type) ?? 1) - 1
    if (left) this.typeCounts.set(old.envelope.type, left)
    else this.typeCounts.delete(old.envelope.type)
  }
}
