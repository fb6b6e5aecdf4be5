import { open } from 'node:fs/promises'
import { isBlank } from './checksum'
import { DamageRuns } from './damage-runs'
import { linesBackward, linesForward } from './lines'
import { parseRecord } from './record'
import type { RawRecord } from './record'
import type { Quarantine } from './quarantine'
import type { SeekIndex } from './seek-index'
import type { Segment } from './segments'

/**
 * Checks the newest segment (the one a crash may have left unfinished) before writing to it again.
 * Damaged lines anywhere in it go to quarantine and every good record stays where it is. Bytes
 * after the last '\n' are a write the crash cut short, never acknowledged: they are kept in
 * quarantine (not reported) and cut off, unless they are a whole record that only lost its '\n'.
 * Damaged lines after the last good record are taken for as many records as they hold record
 * starts (at least one), so that their positions, which may have been acknowledged, are never
 * given to another event.
 */
export async function recoverNewest(segment: Segment, index: SeekIndex, quarantine: Quarantine): Promise<void> {
  const runs = new DamageRuns(segment.path, (damage) => quarantine.keep(damage))
  let last = segment.first - 1
  let complete = 0
  const good = async (record: RawRecord, start: number) => {
    await runs.close(last + 1, record.p - 1)
    last = record.p
    index.add(segment.first, record.p, start)
  }
  const file = await open(segment.path, 'r+')
  try {
    const { size } = await file.stat()
    for await (const { lines, starts, ends } of linesForward(file, 0, size)) {
      for (let i = 0; i < lines.length; i++) {
        complete = ends[i]!
        if (isBlank(lines[i]!)) continue
        const record = parseRecord(lines[i]!)
        if (record === undefined || record.p <= last) runs.damaged(starts[i]!, ends[i]!, recordsIn(lines[i]!))
        else await good(record, starts[i]!)
      }
    }
    if (complete < size) {
      const tail = Buffer.alloc(size - complete)
      await file.read(tail, 0, tail.length, complete)
      const whole = tail[tail.length - 1] === 0x7d ? tail : tail.subarray(0, -1)
      const record = parseRecord(whole.toString('utf8'))
      if (record !== undefined && record.p > last) {
        await file.write(Buffer.from('\n'), 0, 1, complete + whole.length)
        await file.datasync()
        await good(record, complete)
        complete += whole.length + 1
      } else {
        await quarantine.keep({ path: segment.path, offset: complete, bytes: tail.length, count: 1 }, 'cut')
      }
    }
  } finally {
    await file.close()
  }
  const trailing = runs.lines
  await runs.close(last + 1, last + trailing)
  segment.size = complete
  segment.last = last + trailing
}

/**
 * How many records a damaged line may hold: one per record start in it. A flipped '\n' joins two
 * records into one line; counting too many (a payload that contains the same text) only leaves a
 * gap in the positions, counting too few would give an acknowledged position out again.
 */
const recordsIn = (line: string): number => {
  let count = 0
  for (const start of RECORD_STARTS) for (let i = line.indexOf(start); i >= 0; i = line.indexOf(start, i + 1)) count++
  return Math.max(1, count)
}
const RECORD_STARTS = ['{"c":', '{"p":']

/** The position of the newest good record of a segment being written by another process, read from its end. */
export async function lastPositionOf(segment: Segment): Promise<number> {
  const file = await open(segment.path, 'r')
  try {
    for await (const { lines } of linesBackward(file, 0, segment.size)) {
      for (const line of lines) {
        const record = parseRecord(line)
        if (record !== undefined && record.p >= segment.first) return record.p
      }
    }
    return segment.first - 1
  } finally {
    await file.close()
  }
}
