import { unsealLine } from './checksum'

/**
 * The on-disk form of one log record: a line `{"c":<crc>,"p":<position>,"e":<the codec's JSON of the
 * envelope>}`. A line counts only once its '\n' is written; JSON never contains a raw newline, so a
 * record cut short by a crash can always be told from a complete one, and the checksum tells a
 * damaged one.
 */
export interface RawRecord {
  readonly p: number
  readonly e: { readonly type?: unknown; readonly time?: unknown }
}

/** The record a line holds, or undefined when the line is not a complete, undamaged record. */
export const parseRecord = (line: string): RawRecord | undefined => {
  const record = unsealLine(line) as RawRecord | null | undefined
  return record !== null && typeof record === 'object' && Number.isSafeInteger(record.p) && record.e !== null && typeof record.e === 'object'
    ? record
    : undefined
}
