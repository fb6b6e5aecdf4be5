import type { CloudEventJSON, TrafficRecord } from '@tidings/core'
import { outcomeOf, sameDelivery } from './retained-event'
import type { Delivery, RetainedEvent } from './retained-event'

const keyOf = (producer: string, id: string) => `${producer}\u0000${id}`

/**
 * The events the page keeps: a ring of at most `capacity`, the oldest evicted first, so memory
 * stays bounded whatever the traffic. Sequence numbers are consecutive, which makes `at(seq)`
 * an index into the ring. Outcome records are joined to their event by producer and id.
 */
export class RetainedEvents {
  readonly capacity: number
  private ring: Array<RetainedEvent | undefined>
  private byKey = new Map<string, RetainedEvent>()
  private typeCounts = new Map<string, number>()
  private changed = new Set<number>()
  firstSeq = 0
  nextSeq = 0
  /** Bumped by every change, so views can tell whether to redraw. */
  version = 0

  constructor(capacity: number) {
    this.capacity = capacity
    this.ring = new Array<RetainedEvent | undefined>(capacity)
  }

  get size(): number {
    return this.nextSeq - this.firstSeq
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

  find(producer: string, id: string): RetainedEvent | undefined {
    return this.byKey.get(keyOf(producer, id))
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
        if (this.add(producer, r.at, r.envelope, r.truncated === true)) added++
      } else {
        const event = this.byKey.get(keyOf(producer, r.id))
        if (event) this.deliver(event, r)
      }
    }
    return added
  }

  /** Adds an event unless this producer's event with that id is already kept (a replayed backlog). */
  add(producer: string, at: number, envelope: CloudEventJSON, truncated = false, deliveries: Delivery[] = []): RetainedEvent | undefined {
    const key = keyOf(producer, envelope.id)
    if (this.byKey.has(key)) return undefined
    if (this.size === this.capacity) this.evictOldest()
    let handlerMs = 0
    for (const d of deliveries) handlerMs += d.durationMs
    const event: RetainedEvent = {
      seq: this.nextSeq++, producer, at, envelope, truncated, deliveries, outcome: outcomeOf(deliveries), handlerMs,
    }
    this.ring[event.seq % this.capacity] = event
    this.byKey.set(key, event)
    this.typeCounts.set(envelope.type, (this.typeCounts.get(envelope.type) ?? 0) + 1)
    this.version++
    return event
  }

  /** Seqs whose outcome changed since the last call: a filtered view re-checks only those. */
  drainChanged(): number[] {
    const seqs = [...this.changed]
    this.changed.clear()
    return seqs
  }

  clear(): void {
    this.ring = new Array<RetainedEvent | undefined>(this.capacity)
    this.byKey.clear()
    this.typeCounts.clear()
    this.changed.clear()
    this.firstSeq = this.nextSeq
    this.version++
  }

  private deliver(event: RetainedEvent, record: Extract<TrafficRecord, { subscription: string }>): void {
    const delivery: Delivery = {
      k: record.k, at: record.at, subscription: record.subscription, attempt: record.attempt, durationMs: record.durationMs,
    }
    if (record.error) delivery.error = record.error
    if (record.willRetry !== undefined) delivery.willRetry = record.willRetry
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

  private evictOldest(): void {
    const slot = this.firstSeq % this.capacity
    const old = this.ring[slot]
    this.ring[slot] = undefined
    this.firstSeq++
    if (!old) return
    this.byKey.delete(keyOf(old.producer, old.envelope.id))
    this.changed.delete(old.seq)
    const left = (this.typeCounts.get(old.envelope.type) ?? 1) - 1
    if (left) this.typeCounts.set(old.envelope.type, left)
    else this.typeCounts.delete(old.envelope.type)
  }
}
