/** Roughly one entry per this many bytes of a segment. */
const SPACING = 64 * 1024

/**
 * A sparse, in-memory map from positions to byte offsets, per segment: a read that starts at a
 * position (`after`, or `before` newest first) seeks close to it instead of scanning the segment
 * from its start. Filled by the writer and by every forward read; always a hint, never required.
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

  /** A byte offset at or before the record just after `position` (0 when unknown). */
  startAfter(segment: number, position: number): number {
    const entry = this.segments.get(segment)
    if (entry === undefined) return 0
    const i = upperBound(entry.positions, position + 1)
    return i > 0 ? entry.offsets[i - 1]! : 0
  }

  /** A byte offset at or after the end of the last record before `position`, or undefined when unknown. */
  endBefore(segment: number, position: number): number | undefined {
    const entry = this.segments.get(segment)
    if (entry === undefined) return undefined
    const i = upperBound(entry.positions, position - 1)
    return i < entry.positions.length ? entry.offsets[i] : undefined
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
