import type { FileHandle } from 'node:fs/promises'

const CHUNK = 256 * 1024
const NEWLINE = 0x0a

/** Complete lines of one chunk, with the byte offset just past each line's '\n'. */
export interface Lines {
  readonly lines: string[]
  readonly ends: number[]
}

/**
 * Reads the lines of `[start, end)` oldest first, a chunk at a time, so memory stays bounded by the
 * chunk and the longest line. Splitting on the '\n' byte is safe in UTF-8: no multi-byte
 * character contains it. Bytes after the last '\n' (a record still being written) are not a line.
 */
export async function* linesForward(file: FileHandle, start: number, end: number): AsyncGenerator<Lines> {
  let carry: Buffer | undefined
  let carryStart = start
  for (let offset = start; offset < end;) {
    const length = Math.min(CHUNK, end - offset)
    const chunk = Buffer.allocUnsafe(length)
    const { bytesRead } = await file.read(chunk, 0, length, offset)
    if (bytesRead === 0) return
    const read = chunk.subarray(0, bytesRead)
    const buf = carry ? Buffer.concat([carry, read]) : read
    const base = carry ? carryStart : offset
    const out: Lines = { lines: [], ends: [] }
    let from = 0
    for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, from)) {
      out.lines.push(buf.toString('utf8', from, nl))
      out.ends.push(base + nl + 1)
      from = nl + 1
    }
    carry = from < buf.length ? Buffer.from(buf.subarray(from)) : undefined
    carryStart = base + from
    offset += bytesRead
    if (out.lines.length) yield out
  }
}

/**
 * Reads the lines of `[start, end)` newest first, a chunk at a time from the end. Bytes after the
 * last '\n' (a record still being written) are not a line.
 */
export async function* linesBackward(file: FileHandle, start: number, end: number): AsyncGenerator<Lines> {
  // The oldest, still partial line of the chunk read last, with its '\n'.
  let carry: Buffer | undefined
  let trailing = true
  for (let offset = end; offset > start;) {
    const length = Math.min(CHUNK, offset - start)
    offset -= length
    const chunk = Buffer.allocUnsafe(length)
    const { bytesRead } = await file.read(chunk, 0, length, offset)
    const buf = carry ? Buffer.concat([chunk.subarray(0, bytesRead), carry]) : chunk.subarray(0, bytesRead)
    // Index of the '\n' that ends the newest line not yet yielded.
    let to = buf.length - 1
    if (trailing) {
      to = buf.lastIndexOf(NEWLINE)
      if (to === -1) continue
      trailing = false
    }
    const out: Lines = { lines: [], ends: [] }
    for (let nl = to > 0 ? buf.lastIndexOf(NEWLINE, to - 1) : -1; nl !== -1; nl = to > 0 ? buf.lastIndexOf(NEWLINE, to - 1) : -1) {
      out.lines.push(buf.toString('utf8', nl + 1, to))
      out.ends.push(offset + to + 1)
      to = nl
    }
    if (offset === start) {
      out.lines.push(buf.toString('utf8', 0, to))
      out.ends.push(offset + to + 1)
    } else {
      carry = Buffer.from(buf.subarray(0, to + 1))
    }
    if (out.lines.length) yield out
  }
}
