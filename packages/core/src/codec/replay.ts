import type { ErrorCode } from '../errors'
import type { Codec } from './codec'
import { asDecodeError } from './error-context'
import { oversized, splitLines, textLines } from './ndjson'
import { DEFAULT_MAX_BYTES } from './safe-json'

/** An event of a log that the current codec no longer decodes. */
export interface ReplayFailure {
  /** 1-based line (NDJSON) or position (a list of records). */
  readonly line: number
  readonly code: ErrorCode
  readonly message: string
  readonly details: Record<string, unknown> | undefined
  /** The event's id and type, when the record is readable enough to tell. */
  readonly id: string | undefined
  readonly type: string | undefined
}

export interface ReplayReport {
  /** Records read (blank NDJSON lines not counted). */
  readonly total: number
  /** Records that decoded. */
  readonly decoded: number
  /** Every record that did not, in log order. */
  readonly failures: readonly ReplayFailure[]
}

export interface ReplayOptions {
  /** Longest NDJSON line read from a stream (default 1 MiB); longer ones are failures. Match the codec's maxBytes. */
  maxBytes?: number
}

/** A log: NDJSON text, a list of records (one line or object each), or async NDJSON chunks (a file stream…). */
export type ReplaySource = string | Iterable<string | object> | AsyncIterable<string | Uint8Array>

// Best effort, for the report only: which event failed. A record that throws when read says nothing.
const identify = (record: unknown): { id: string | undefined; type: string | undefined } => {
  try {
    const value: unknown = typeof record === 'string' ? JSON.parse(record) : record
    const obj = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
    const id = obj.id
    const type = obj.type
    return { id: typeof id === 'string' ? id : undefined, type: typeof type === 'string' ? type : undefined }
  } catch {
    return { id: undefined, type: undefined }
  }
}

/**
 * Replays a stored log through the codec's current catalog (upcasters and schemas) and reports
 * every event that no longer decodes, instead of stopping at the first. Run it in tests against
 * golden logs, and before shipping a catalog change against a copy of production data.
 */
export async function replayLog(codec: Codec, log: ReplaySource, options: ReplayOptions = {}): Promise<ReplayReport> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  const failures: ReplayFailure[] = []
  let total = 0
  const attempt = (line: number, record: unknown, decode: () => unknown) => {
    total++
    try {
      decode()
    } catch (error) {
      const e = asDecodeError(error)
      failures.push({ line, code: e.code, message: e.message, details: e.details, ...identify(record) })
    }
  }
  if (typeof log === 'string') {
    for (const { line, text } of textLines(log)) attempt(line, text, () => codec.decode(text))
  } else if (Symbol.asyncIterator in log) {
    try {
      for await (const { line, text } of splitLines(log, maxBytes)) {
        attempt(line, text, () => {
          if (text === undefined) throw oversized(line, maxBytes)
          return codec.decode(text)
        })
      }
    } catch (error) {
      // Bytes that are not UTF-8: nothing after them can be read reliably.
      const e = asDecodeError(error)
      total++
      failures.push({ line: (e.details?.line as number | undefined) ?? total, code: e.code, message: `${e.message}; reading stopped here`, details: e.details, id: undefined, type: undefined })
    }
  } else {
    let line = 0
    for (const record of log) {
      line++
      attempt(line, record, () => codec.decode(record))
    }
  }
  return { total, decoded: total - failures.length, failures }
}
