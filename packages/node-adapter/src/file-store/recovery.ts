import { open } from 'node:fs/promises'
import { linesBackward, linesForward } from './lines'
import { parseRecord } from './record'
import type { SeekIndex } from './seek-index'
import type { Segment } from './segments'

/**
 * Finds where the valid records of the newest segment end. After a crash its tail may hold a record
 * cut short, or blocks the file system never filled (zeros): the valid part is the longest run of
 * complete records from the start with consecutive positions, and everything after it is dropped.
 * Acknowledged records are never in the dropped part: they were fsync'ed before they were acknowledged.
 * Returns the number of bytes dropped.
 */
export async function recoverTail(segment: Segment, index: SeekIndex, truncate: boolean): Promise<number> {
  const file = await open(segment.path, truncate ? 'r+' : 'r')
  try {
    const { size } = await file.stat()
    let valid = 0
    let expected = segment.first
    let start = 0
    scan: for await (const { lines, ends } of linesForward(file, 0, size)) {
      for (let i = 0; i < lines.length; i++) {
        const record = parseRecord(lines[i]!)
        if (record === undefined || record.p !== expected) break scan
        index.add(segment.first, expected, start)
        expected++
        start = valid = ends[i]!
      }
    }
    segment.size = valid
    segment.last = expected - 1
    if (truncate && valid < size) {
      await file.truncate(valid)
      await file.datasync()
    }
    return size - valid
  } finally {
    await file.close()
  }
}

/** The position of a sealed segment's last record, read from its end. */
export async function lastPositionOf(segment: Segment): Promise<number> {
  const file = await open(segment.path, 'r')
  try {
    for await (const { lines } of linesBackward(file, 0, segment.size)) {
      for (const line of lines) {
        const record = parseRecord(line)
        if (record !== undefined) return record.p
      }
    }
    return segment.first - 1
  } finally {
    await file.close()
  }
}
