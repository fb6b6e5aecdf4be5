import type { TrafficRecord } from '@tidings/core'

/** Consecutive records of one producer, as a `backlog` frame lists them. */
export interface BacklogGroup {
  producer: string
  records: TrafficRecord[]
}

/**
 * The last traffic records of all producers, for viewers that connect later. Bounded both in
 * records and in (estimated) bytes, so a producer sending large payloads cannot grow the hub.
 * Every record gets a sequence number, so a viewer can read the ring page by page at its own
 * pace and learn how many records were evicted before it read them.
 */
export class BacklogRing {
  private readonly producers: string[]
  private readonly records: TrafficRecord[]
  private readonly sizes: Float64Array
  /** Records kept per producer: a producer that left is remembered while the ring holds any of its records. */
  private readonly perProducer = new Map<string, number>()
  private head = 0
  private length = 0
  private bytes = 0
  /** Sequence number of the record at `head`. */
  private base = 0

  constructor(readonly capacity: number, readonly maxBytes: number) {
    this.producers = new Array<string>(capacity)
    this.records = new Array<TrafficRecord>(capacity)
    this.sizes = new Float64Array(capacity)
  }

  /** Sequence number of the oldest record kept. */
  get firstSeq(): number {
    return this.base
  }

  /** Sequence number the next record will get. */
  get nextSeq(): number {
    return this.base + this.length
  }

  /** Whether any record of this producer is still kept. */
  holds(producer: string): boolean {
    return this.perProducer.has(producer)
  }

  /** `bytesEach`: the records' share of the frame they came in. False when they are too large to keep. */
  add(producer: string, records: readonly TrafficRecord[], bytesEach: number): boolean {
    if (this.capacity === 0 || bytesEach > this.maxBytes) return false
    for (let i = Math.max(0, records.length - this.capacity); i < records.length; i++) {
      while (this.length === this.capacity || this.bytes + bytesEach > this.maxBytes) this.evict()
      const slot = (this.head + this.length) % this.capacity
      this.producers[slot] = producer
      this.perProducer.set(producer, (this.perProducer.get(producer) ?? 0) + 1)
      this.records[slot] = records[i]!
      this.sizes[slot] = bytesEach
      this.bytes += bytesEach
      this.length++
    }
    // Records that did not fit even the empty ring count as passed through it.
    this.base += Math.max(0, records.length - this.capacity)
    return true
  }

  /**
   * Records from `seq` on (or the oldest kept, if later), oldest first, grouped by producer, up
   * to about `maxBytes` (at least one record); `next` is where the following page starts.
   */
  read(seq: number, maxBytes: number): { groups: BacklogGroup[]; next: number } {
    const groups: BacklogGroup[] = []
    let n = Math.max(0, seq - this.base)
    let bytes = 0
    for (; n < this.length && (bytes === 0 || bytes + this.sizes[(this.head + n) % this.capacity]! <= maxBytes); n++) {
      const slot = (this.head + n) % this.capacity
      bytes += this.sizes[slot]!
      const producer = this.producers[slot]!
      const last = groups[groups.length - 1]
      if (last?.producer === producer) last.records.push(this.records[slot]!)
      else groups.push({ producer, records: [this.records[slot]!] })
    }
    return { groups, next: this.base + n }
  }

  private evict(): void {
    this.bytes -= this.sizes[this.head]!
    const producer = this.producers[this.head]!
    const left = this.perProducer.get(producer)! - 1
    if (left === 0) this.perProducer.delete(producer)
    else this.perProducer.set(producer, left)
    this.records[this.head] = undefined as unknown as TrafficRecord
    this.head = (this.head + 1) % this.capacity
    this.length--
    this.base++
  }
}
