/** Roughly one entry per this many bytes of a segment. */
const SPACING = 64 * 1024

/** A record's position and the byte offset where its line starts. */
export interface Mark {
  readonly position: number
  readonly offset: number
}

/**
 * A sparse, in-memory map from positions to byte offsets, per segment: a read that starts at a
 * position (`after`, or `before` newest first) seeks close to it instead of scanning the segment
 * from its start. Filled by the writer and by every forward read; always a hint, never required.
 * Only records that read back whole are indexed, so a mark never points into damaged bytes.
 */
export class SeekIndex {
  /** Per segment (by first position): sorted positions and the byte offsets where their records start. */
  private readonly segments = new Map<number, { positions: number[]; offsets: number[] }>()

  add(segment: number, position: number, offset: number): void {
    let entry = this.segments.get(segment)
    if (entry === undefined) this.segments.set(segment, (entry = { positions: [], offsets: [] }))
    const i = upperBound(entry.positions, position)
    const before = i > 0 ? entry.offsets[i - 1]! : -Infinity
    const after = i < entry.offsets.length ? entry.offsets[i]! : Infinity
    if (offset - before < SPACING || after - offset < SPACING) return
    entry.positions.splice(i, 0, position)
    entry.offsets.splice(i, 0, offset)
  }

  /** Where to start reading for the record just after `position`: a record at or before it (the segment's start when unknown). */
  startAfter(segment: number, position: number): Mark {
    const entry = this.segments.get(segment)
    const i = entry === undefined ? 0 : upperBound(entry.positions, position + 1)
    return i > 0 ? { position: entry!.positions[i - 1]!, offset: entry!.offsets[i - 1]! } : { position: segment, offset: 0 }
  }

  /** Where to stop reading backwards for the records before `position`: a record at or after it, or undefined when unknown. */
  endBefore(segment: number, position: number): Mark | undefined {
    const entry = this.segments.get(segment)
    if (entry === undefined) return undefined
    const i = upperBound(entry.positions, position - 1)
    return i < entry.positions.length ? { position: entry.positions[i]!, offset: entry.offsets[i]! } : undefined
  }

  forget(segment: number): void {
    this.segments.delete(segment)
  }
}

/** Index of the first element greater than `value` in a sorted array. */
const upperBound = (xs: number[], value: number): number => {
  let lo = 0
  let hi = xs.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (xs[mid]! <= value) lo = mid + 1
    else hi = mid
  }
  return lo
}
