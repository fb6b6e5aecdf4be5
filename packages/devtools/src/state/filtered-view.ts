import type { Filter } from './filter'
import { compileFilter, isEmptyFilter } from './filter'
import type { SourceMatcher } from './filter'
import type { RetainedEvent } from './retained-event'
import type { RetainedEvents } from './retained-events'

/** Index of the first element of a sorted array that is ≥ value. */
const lowerBound = (xs: readonly number[], value: number, from: number): number => {
  let lo = from
  let hi = xs.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (xs[mid]! < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * The seqs of the retained events a filter lets through, in order, as of the last `sync()` (an
 * evicted seq may linger until then: `events.at` returns undefined for it). Kept up to date incrementally:
 * new events are tested once, evicted ones drop off the front, and only events whose outcome or
 * producer changed are tested again (an outcome or source filter can take them in or out).
 */
export class FilteredView {
  private seqs: number[] = []
  /** Index of the first live element of `seqs`: evictions advance it instead of shifting the array. */
  private head = 0
  private scannedTo = 0
  private test: (event: RetainedEvent) => boolean = () => true
  private all = true
  /**
   * Without a filter the view is every kept seq, taken at the last sync: positions must not move
   * between syncs while events keep arriving, or a scrolled list would drift.
   */
  private allFirst = 0
  private allEnd = 0
  /** Whether an event's outcome or producer changing can take it in or out. */
  private retestsChanged = false

  constructor(private readonly events: RetainedEvents, private readonly matchesSource?: SourceMatcher) {
    this.scannedTo = events.firstSeq
  }

  get length(): number {
    return this.all ? this.allEnd - this.allFirst : this.seqs.length - this.head
  }

  /** The seq at a position of the view (0 = oldest shown). */
  seqAt(index: number): number | undefined {
    if (index < 0 || index >= this.length) return undefined
    return this.all ? this.allFirst + index : this.seqs[this.head + index]
  }

  /** Position of a seq in the view, or -1. */
  indexOf(seq: number): number {
    if (this.all) return seq >= this.allFirst && seq < this.allEnd ? seq - this.allFirst : -1
    const i = lowerBound(this.seqs, seq, this.head)
    return this.seqs[i] === seq ? i - this.head : -1
  }

  setFilter(filter: Filter): void {
    this.test = compileFilter(filter, this.matchesSource)
    this.all = isEmptyFilter(filter)
    // A producer changes when the emitting bus's report follows a remote one (its payload with it).
    this.retestsChanged = filter.outcome !== '' || filter.source !== '' || filter.q.trim() !== ''
    this.seqs = []
    this.head = 0
    this.scannedTo = this.events.firstSeq
    this.events.drainChanged()
    this.sync()
  }

  /** Catches up with the events added, evicted and changed since the last call. */
  sync(): void {
    const { events } = this
    const changed = events.drainChanged()
    if (this.all) {
      this.allFirst = events.firstSeq
      this.allEnd = this.scannedTo = events.nextSeq
      return
    }
    while (this.head < this.seqs.length && this.seqs[this.head]! < events.firstSeq) this.head++
    if (this.head > 4096 && this.head * 2 > this.seqs.length) {
      this.seqs = this.seqs.slice(this.head)
      this.head = 0
    }
    if (this.scannedTo < events.firstSeq) this.scannedTo = events.firstSeq
    if (this.retestsChanged) {
      for (const seq of changed) if (seq < this.scannedTo) this.retest(seq)
    }
    for (let seq = this.scannedTo; seq < events.nextSeq; seq++) {
      const event = events.at(seq)
      if (event && this.test(event)) this.seqs.push(seq)
    }
    this.scannedTo = events.nextSeq
  }

  private retest(seq: number): void {
    const event = this.events.at(seq)
    const i = lowerBound(this.seqs, seq, this.head)
    const present = this.seqs[i] === seq
    const wanted = event !== undefined && this.test(event)
    if (wanted && !present) this.seqs.splice(i, 0, seq)
    else if (!wanted && present) this.seqs.splice(i, 1)
  }
}
