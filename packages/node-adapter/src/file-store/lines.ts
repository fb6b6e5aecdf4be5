import type { FileHandle } from 'node:fs/promises'

const CHUNK = 256 * 1024
const NEWLINE = 0x0a

/** Complete lines of one chunk, with the byte offsets where each starts and just past its '\n'. */
export interface Lines {
  readonly lines: string[]
  readonly starts: number[]
  readonly ends: number[]
}

/**
 * Reads the lines of `[start, end)` oldest first, a chunk at a time, so memory stays bounded by the
 * chunk and the longest line. Splitting on the '\n' byte is safe in UTF-8: no multi-byte
 * character contains it. Bytes after the last '\n' (a record still being written) are not a line,
 * unless `partial` says the file is complete (then they are a line that lost its '\n').
 */
export async function* linesForward(file: FileHandle, start: number, end: number, partial = false): AsyncGenerator<Lines> {
  let carry: Buffer | undefined
  let carryStart = start
  for (let offset = start; offset < end;) {
    const length = Math.min(CHUNK, end - offset)
    const chunk = Buffer.allocUnsafe(length)
    const { bytesRead } = await file.read(chunk, 0, length, offset)
    if (bytesRead === 0) break
    const read = chunk.subarray(0, bytesRead)
    const buf = carry ? Buffer.concat([carry, read]) : read
    const base = carry ? carryStart : offset
    const out: Lines = { lines: [], starts: [], ends: [] }
    let from = 0
    for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, from)) {
      out.lines.push(buf.toString('utf8', from, nl))
      out.starts.push(base + from)
      out.ends.push(base + nl + 1)
      from = nl + 1
    }
    carry = from < buf.length ? Buffer.from(buf.subarray(from)) : undefined
    carryStart = base + from
    offset += bytesRead
    if (out.lines.length) yield out
  }
  if (partial && carry) yield { lines: [carry.toString('utf8')], starts: [carryStart], ends: [carryStart + carry.length] }
}

/**
 * Reads the lines of `[start, end)` newest first, a chunk at a time from the end. Bytes after the
 * last '\n' are not a line unless `partial` (as for linesForward).
 */
export async function* linesBackward(file: FileHandle, start: number, end: number, partial = false): AsyncGenerator<Lines> {
  // The oldest, still incomplete line of the chunk read last, with its '\n' (if it has one).
  let carry: Buffer | undefined
  let newest = true
  for (let offset = end; offset > start;) {
    const length = Math.min(CHUNK, offset - start)
    offset -= length
    const chunk = Buffer.allocUnsafe(length)
    const { bytesRead } = await file.read(chunk, 0, length, offset)
    const buf = carry ? Buffer.concat([chunk.subarray(0, bytesRead), carry]) : chunk.subarray(0, bytesRead)
    // Index just past the content of the newest line not yet yielded; `terminated`: it has its '\n' there.
    let to = buf.length - 1
    let terminated = true
    if (newest) {
      if (partial) {
        to = buf.length
        terminated = false
        if (buf[to - 1] === NEWLINE) {
          to--
          terminated = true
        }
      } else {
        to = buf.lastIndexOf(NEWLINE)
        if (to === -1) continue
      }
      newest = false
    }
    const out: Lines = { lines: [], starts: [], ends: [] }
    for (let nl = to > 0 ? buf.lastIndexOf(NEWLINE, to - 1) : -1; nl !== -1; nl = to > 0 ? buf.lastIndexOf(NEWLINE, to - 1) : -1) {
      out.lines.push(buf.toString('utf8', nl + 1, to))
      out.starts.push(offset + nl + 1)
      out.ends.push(offset + to + (terminated ? 1 : 0))
      to = nl
      terminated = true
    }
    if (offset === start) {
      out.lines.push(buf.toString('utf8', 0, to))
      out.starts.push(offset)
      out.ends.push(offset + to + (terminated ? 1 : 0))
    } else {
      carry = Buffer.from(buf.subarray(0, terminated ? to + 1 : to))
      if (!terminated) newest = true
    }
    if (out.lines.length) yield out
  }
}
