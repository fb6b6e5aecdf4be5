import { recordsIn } from './segments'
import type { Segment } from './segments'

/**
 * How much of the log to keep. Checked when the store opens and whenever a segment is closed: whole
 * segments are deleted, oldest first, until the log is within every limit. The segment being
 * written is always kept, so the log may exceed a limit by up to one segment.
 */
export interface RetentionOptions {
  /** Deletes segments last written longer ago than this (ms). */
  maxAgeMs?: number
  /** Deletes old segments while the log is larger than this many bytes. */
  maxBytes?: number
  /** Deletes old segments while the log holds more than this many events. */
  maxEvents?: number
}

/** The oldest segments that retention removes now (never the newest one, which is being written). */
export function expiredSegments(segments: readonly Segment[], retention: RetentionOptions, now: number): Segment[] {
  let bytes = 0
  let events = 0
  for (const s of segments) {
    bytes += s.size
    events += recordsIn(s)
  }
  const out: Segment[] = []
  for (const s of segments.slice(0, -1)) {
    const old = retention.maxAgeMs !== undefined && now - s.mtimeMs > retention.maxAgeMs
    const big = retention.maxBytes !== undefined && bytes > retention.maxBytes
    const many = retention.maxEvents !== undefined && events > retention.maxEvents
    if (!old && !big && !many) break
    out.push(s)
    bytes -= s.size
    events -= recordsIn(s)
  }
  return out
}
