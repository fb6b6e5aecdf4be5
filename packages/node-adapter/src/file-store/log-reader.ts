import { open } from 'node:fs/promises'
import type { ReadQuery, TimeBound } from '@tidings/core'
import { isBlank } from './checksum'
import { DamageRuns } from './damage-runs'
import { errnoOf } from './io'
import { linesBackward, linesForward } from './lines'
import { parseRecord } from './record'
import type { RawRecord } from './record'
import type { Quarantine } from './quarantine'
import type { SeekIndex } from './seek-index'
import type { Segment } from './segments'

const toEpoch = (t: TimeBound): number => (typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime())

/** Type and time filters, checked on the raw record so that skipped records are never decoded. */
const rawFilter = (query: ReadQuery): ((e: RawRecord['e']) => boolean) => {
  const types = query.types ? new Set(query.types) : undefined
  const since = query.since === undefined ? -Infinity : toEpoch(query.since)
  const until = query.until === undefined ? Infinity : toEpoch(query.until)
  if (since === -Infinity && until === Infinity) return types ? (e) => types.has(e.type as string) : () => true
  return (e) => {
    if (types && !types.has(e.type as string)) return false
    const t = typeof e.time === 'string' ? Date.parse(e.time) : NaN
    return t >= since && t < until
  }
}

/** Whether a query filters on anything but positions (then counting means reading). */
export const filtersContent = (query: ReadQuery): boolean => query.types !== undefined || query.since !== undefined || query.until !== undefined

/**
 * The raw records of `segments` that match `query`, in position order (or reversed), reading one
 * chunk at a time. Segments deleted by retention meanwhile are skipped. A line that is not a whole
 * record with a position between its neighbours' is damage: it is skipped and handed to the
 * quarantine once the next good record says which positions it held; reading goes on. Bytes after
 * the last '\n' are a record still being written in the newest segment, and damage in any other.
 */
export async function* scanLog(segments: readonly Segment[], index: SeekIndex, query: ReadQuery, quarantine: Quarantine): AsyncGenerator<RawRecord> {
  const after = query.after ?? 0
  const before = query.before ?? Infinity
  const limit = query.limit ?? Infinity
  if (limit <= 0 || query.types?.length === 0) return
  const keep = rawFilter(query)
  const desc = query.order === 'desc'
  const newest = segments[segments.length - 1]
  let count = 0
  for (const segment of desc ? [...segments].reverse() : segments) {
    if (segment.last <= after || segment.first >= before || segment.size === 0) continue
    const file = await open(segment.path, 'r').catch((error: unknown) => {
      if (errnoOf(error) === 'ENOENT') return undefined
      throw error
    })
    if (file === undefined) continue
    const runs = new DamageRuns(segment.path, (damage) => quarantine.keep(damage))
    const sealed = segment !== newest
    try {
      const start = index.startAfter(segment.first, after)
      if (!desc) {
        let last = start.position - 1
        for await (const { lines, starts, ends } of linesForward(file, start.offset, segment.size, sealed)) {
          for (let i = 0; i < lines.length; i++) {
            if (isBlank(lines[i]!)) continue
            const record = parseRecord(lines[i]!)
            if (record === undefined || record.p <= last || record.p > segment.last) {
              runs.damaged(starts[i]!, ends[i]!)
              continue
            }
            await runs.close(last + 1, record.p - 1)
            last = record.p
            index.add(segment.first, record.p, starts[i]!)
            if (record.p <= after) continue
            if (record.p >= before) return
            if (!keep(record.e)) continue
            yield record
            if (++count >= limit) return
          }
        }
        await runs.close(last + 1, segment.last)
      } else {
        const stop = index.endBefore(segment.first, before)
        const end = stop === undefined ? segment.size : Math.min(segment.size, stop.offset)
        let next = stop === undefined || stop.offset >= segment.size ? segment.last + 1 : stop.position
        for await (const { lines, starts, ends } of linesBackward(file, start.offset, end, sealed && end === segment.size)) {
          for (let i = 0; i < lines.length; i++) {
            if (isBlank(lines[i]!)) continue
            const record = parseRecord(lines[i]!)
            if (record === undefined || record.p >= next || record.p < segment.first) {
              runs.damaged(starts[i]!, ends[i]!)
              continue
            }
            await runs.close(record.p + 1, next - 1)
            next = record.p
            if (record.p >= before) continue
            if (record.p <= after) return
            if (!keep(record.e)) continue
            yield record
            if (++count >= limit) return
          }
        }
        await runs.close(start.position, next - 1)
      }
    } finally {
      await file.close()
    }
  }
}

/** How many records lie in a position range, from the segments alone (positions in a segment are consecutive), less those lost to damage. */
export async function countPositions(segments: readonly Segment[], query: ReadQuery, quarantine: Quarantine): Promise<number> {
  const after = query.after ?? 0
  const before = query.before ?? Infinity
  let n = 0
  for (const s of segments) {
    const lo = Math.max(s.first, after + 1)
    const hi = Math.min(s.last, before - 1)
    if (hi >= lo) n += hi - lo + 1 - (await quarantine.lost(s.path, lo, hi))
  }
  return Math.min(n, query.limit ?? Infinity)
}
