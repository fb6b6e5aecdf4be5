import { crc32 } from 'node:zlib'

const SEALED = /^\{"c":(\d{1,10}),/
// A sealed line whose key "c" a flipped byte renamed: the old formats never start with a
// one-letter key other than "p" (`{"p":…,"e":…}`), nor with "p" twice (`{"p":<crc>,"p":…}`).
const RENAMED = /^\{"(?:[^"p]":\d{1,10},|p":\d{1,10},"p":)/

/**
 * A line of a store file with its CRC-32: `{"c":<crc of the rest>,<rest>}`. A byte flipped anywhere
 * (a bad sector, a stray write) makes the line fail its check instead of reading back altered.
 */
export const sealLine = (body: string): string => `{"c":${crc32(body)},${body}}\n`

/**
 * The JSON value a line holds, or undefined when the line is damaged. Lines written before
 * checksums existed (`{"p":…}` log records, `{"put":…}` dead-letter operations) are taken as they parse.
 */
export function unsealLine(line: string): unknown {
  const sealed = SEALED.exec(line)
  if (sealed === null && RENAMED.test(line)) return undefined
  if (sealed !== null && (!line.endsWith('}') || crc32(line.slice(sealed[0].length, -1)) !== Number(sealed[1]))) return undefined
  try {
    return JSON.parse(line)
  } catch {
    return undefined
  }
}

/** A line the store blanked after moving its damaged bytes to quarantine: skipped silently, its offsets kept. */
export const isBlank = (line: string): boolean => /^ *$/.test(line)
