import { open } from 'node:fs/promises'
import { TidingsError } from '@tidings/core'
import type { ReadQuery, TimeBound } from '@tidings/core'
import { errnoOf } from './io'
import { linesBackward, linesForward } from './lines'
import { parseRecord } from './record'
import type { RawRecord } from './record'
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

const damaged = (segment: Segment, offset: number) =>
  new TidingsError('E_STORAGE', `The log file ${segment.path} is damaged at byte ${offset}: restore it from a backup, or move it out of the directory to read the rest of the log`, { details: { path: segment.path, offset } })

/** Whether a query filters on anything but positions (then counting means reading). */
export const filtersContent = (query: ReadQuery): boolean => query.types !== undefined || query.since !== undefined || query.until !== undefined

/**
 * The raw records of `segments` that match `query`, in position order (or reversed), reading one
 * chunk at a time. Segments deleted by retention meanwhile are skipped. A line that is not a record
 * ends the newest segment (a writer may have crashed there; opening the store for writing cuts it
 * off) and is an error anywhere else.
 */
export async function* scanLog(segments: readonly Segment[], index: SeekIndex, query: ReadQuery): AsyncGenerator<RawRecord> {
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
    try {
      const start = index.startAfter(segment.first, after)
      if (!desc) {
        let lineStart = start
        for await (const { lines, ends } of linesForward(file, start, segment.size)) {
          for (let i = 0; i < lines.length; i++) {
            const record = parseRecord(lines[i]!)
            if (record === undefined) {
              if (segment === newest) return
              throw damaged(segment, lineStart)
            }
            index.add(segment.first, record.p, lineStart)
            lineStart = ends[i]!
            if (record.p <= after) continue
            if (record.p >= before) return
            if (!keep(record.e)) continue
            yield record
            if (++count >= limit) return
          }
        }
      } else {
        const end = Math.min(segment.size, index.endBefore(segment.first, before) ?? segment.size)
        for await (const { lines, ends } of linesBackward(file, start, end)) {
          for (let i = 0; i < lines.length; i++) {
            const record = parseRecord(lines[i]!)
            if (record === undefined) {
              if (segment === newest) continue
              throw damaged(segment, ends[i]! - Buffer.byteLength(lines[i]!) - 1)
            }
            if (record.p >= before) continue
            if (record.p <= after) return
            if (!keep(record.e)) continue
            yield record
            if (++count >= limit) return
          }
        }
      }
    } finally {
      await file.close()
    }
  }
}

/** How many records lie in a position range, from the segments alone (positions in a segment are consecutive). */
export function countPositions(segments: readonly Segment[], query: ReadQuery): number {
  const after = query.after ?? 0
  const before = query.before ?? Infinity
  let n = 0
  for (const s of segments) {
    const lo = Math.max(s.first, after + 1)
    const hi = Math.min(s.last, before - 1)
    if (hi >= lo) n += hi - lo + 1
  }
  return Math.min(n, query.limit ?? Infinity)
}
