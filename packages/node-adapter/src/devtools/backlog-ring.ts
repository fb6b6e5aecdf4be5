import type { TrafficRecord } from '@tidings/core'

/**
 * The last traffic records of all producers, for viewers that connect later. Bounded both in
 * records and in (estimated) bytes, so a producer sending large payloads cannot grow the hub.
 */
export class BacklogRing {
  private readonly producers: string[]
  private readonly records: TrafficRecord[]
  private readonly sizes: Float64Array
  private head = 0
  private length = 0
  private bytes = 0

  constructor(readonly capacity: number, readonly maxBytes: number) {
    this.producers = new Array<string>(capacity)
    this.records = new Array<TrafficRecord>(capacity)
    this.sizes = new Float64Array(capacity)
  }

  /** `bytesEach`: the records' share of the frame they came in. */
  add(producer: string, records: readonly TrafficRecord[], bytesEach: number): void {
    if (this.capacity === 0 || bytesEach > this.maxBytes) return
    for (let i = Math.max(0, records.length - this.capacity); i < records.length; i++) {
      while (this.length === this.capacity || this.bytes + bytesEach > this.maxBytes) this.evict()
      const slot = (this.head + this.length) % this.capacity
      this.producers[slot] = producer
      this.records[slot] = records[i]!
      this.sizes[slot] = bytesEach
      this.bytes += bytesEach
      this.length++
    }
  }

  /** Oldest first, consecutive records of one producer grouped into one frame. */
  frames(): Array<{ producer: string; records: TrafficRecord[] }> {
    const out: Array<{ producer: string; records: TrafficRecord[] }> = []
    for (let n = 0; n < this.length; n++) {
      const slot = (this.head + n) % this.capacity
      const producer = this.producers[slot]!
      const last = out[out.length - 1]
      if (last?.producer === producer) last.records.push(this.records[slot]!)
      else out.push({ producer, records: [this.records[slot]!] })
    }
    return out
  }

  private evict(): void {
    this.bytes -= this.sizes[this.head]!
    this.records[this.head] = undefined as unknown as TrafficRecord
    this.head = (this.head + 1) % this.capacity
    this.length--
  }
}
