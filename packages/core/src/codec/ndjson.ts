import { TidingsError } from '../errors'
import { DEFAULT_MAX_BYTES } from './safe-json'

/** One line of NDJSON and its 1-based number. */
export interface NdjsonLine {
  readonly line: number
  /** The line without its "\n" (or "\r\n"). */
  readonly text: string
}

/** A line as read from a stream: `text` is undefined when the line was longer than `maxBytes` and skipped. */
export interface StreamLine {
  readonly line: number
  readonly text: string | undefined
}

/** Chunks of NDJSON text or UTF-8 bytes: a `ReadableStream`, a Node stream, an array of strings… */
export type Chunks = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>

const BLANK = /^[ \t\r]*$/

const trimCR = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line)

/** The non-blank lines of NDJSON text (blank lines are skipped but counted). */
export function* textLines(text: string): Generator<NdjsonLine> {
  let line = 0
  let from = 0
  while (from <= text.length) {
    let end = text.indexOf('\n', from)
    if (end === -1) end = text.length
    line++
    const t = text.slice(from, end)
    if (!BLANK.test(t)) yield { line, text: trimCR(t) }
    from = end + 1
  }
}

/**
 * Lines of an NDJSON stream whose chunks may split lines (and UTF-8 characters) anywhere; the
 * last line needs no newline. A line longer than `maxBytes` is never buffered whole: it is
 * reported with `text: undefined` as soon as it is too long, and the rest of it skipped. Bytes
 * that are not UTF-8 throw E_DECODE.
 */
export async function* splitLines(chunks: Chunks, maxBytes: number): AsyncGenerator<StreamLine> {
  let decoder: TextDecoder | undefined
  let pending = ''
  // After an oversized line is reported, everything up to its newline is dropped.
  let skipping = false
  let line = 0
  const ready: StreamLine[] = []
  const feed = (text: string) => {
    let from = 0
    let end: number
    while ((end = text.indexOf('\n', from)) !== -1) {
      line++
      const t = pending + text.slice(from, end)
      pending = ''
      from = end + 1
      if (skipping) skipping = false
      else if (t.length > maxBytes) ready.push({ line, text: undefined })
      else if (!BLANK.test(t)) ready.push({ line, text: trimCR(t) })
    }
    if (skipping) return
    pending += text.slice(from)
    // UTF-16 units never outnumber UTF-8 bytes: past maxBytes units the line is surely too large.
    if (pending.length > maxBytes) {
      pending = ''
      skipping = true
      ready.push({ line: line + 1, text: undefined })
    }
  }
  const decode = (bytes: Uint8Array | undefined): string => {
    try {
      decoder ??= new TextDecoder('utf-8', { fatal: true })
      return bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true })
    } catch (error) {
      throw new TidingsError('E_DECODE', `Line ${line + 1}: the bytes are not UTF-8 text: NDJSON must be UTF-8 encoded`, { cause: error, details: { line: line + 1 } })
    }
  }
  for await (const chunk of chunks) {
    try {
      if (typeof chunk === 'string') feed(decoder === undefined ? chunk : decode(undefined) + chunk)
      else if (chunk instanceof Uint8Array) {
        // A line at a time ("\n" never occurs inside a UTF-8 sequence), so bad bytes are blamed on their own line.
        for (let start = 0; start < chunk.length;) {
          const newline = chunk.indexOf(10, start)
          const end = newline === -1 ? chunk.length : newline + 1
          feed(decode(chunk.subarray(start, end)))
          start = end
        }
      } else {
        throw new TidingsError('E_DECODE', `Line ${line + 1}: expected chunks of text or bytes (Uint8Array); got ${chunk === null ? 'null' : typeof chunk}`, { details: { line: line + 1 } })
      }
    } finally {
      // Lines completed before a failure are still delivered, then the failure.
      yield* ready.splice(0)
    }
  }
  if (decoder !== undefined && !skipping) pending += decode(undefined)
  if (!skipping && !BLANK.test(pending)) yield { line: line + 1, text: trimCR(pending) }
}

/**
 * The lines of an NDJSON stream (text or UTF-8 byte chunks, split anywhere), for reading a log
 * line by line. A line over `maxBytes` (default 1 MiB) throws E_TOO_LARGE without being buffered.
 */
export async function* ndjsonLines(chunks: Chunks, options: { maxBytes?: number } = {}): AsyncGenerator<NdjsonLine> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  for await (const { line, text } of splitLines(chunks, maxBytes)) {
    if (text === undefined) throw oversized(line, maxBytes)
    yield { line, text }
  }
}

export const oversized = (line: number, maxBytes: number): TidingsError =>
  new TidingsError('E_TOO_LARGE', `Line ${line} is longer than the limit of ${maxBytes} bytes: split the event, or raise the maxBytes option`, { details: { line, limit: maxBytes } })
