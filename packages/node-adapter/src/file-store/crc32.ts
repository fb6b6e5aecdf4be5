// CRC-32 (IEEE 802.3, as zlib's crc32) over bytes, in JavaScript: node:zlib's crc32 costs more per
// call (~0.5 µs) than a record's ~300 bytes take here, and the log computes one per record.

/** Eight 256-entry tables for slicing-by-8: table k holds a byte's CRC shifted through k more zero bytes. */
const TABLES = /* @__PURE__ */ (() => {
  const t = new Int32Array(8 * 256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c
  }
  for (let n = 0; n < 256; n++) for (let k = 256; k < 8 * 256; k += 256) t[k + n] = (t[k - 256 + n]! >>> 8) ^ t[t[k - 256 + n]! & 0xff]!
  return t
})()

/** The CRC-32 of `bytes[start..end)`, the same number zlib's crc32 gives for those bytes. */
export const crc32Of = (bytes: Uint8Array, start: number, end: number): number => {
  const t = TABLES
  let c = -1
  let i = start
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))
    c = t[1792 + (a & 0xff)]! ^ t[1536 + ((a >>> 8) & 0xff)]! ^ t[1280 + ((a >>> 16) & 0xff)]! ^ t[1024 + (a >>> 24)]!
      ^ t[768 + bytes[i + 4]!]! ^ t[512 + bytes[i + 5]!]! ^ t[256 + bytes[i + 6]!]! ^ t[bytes[i + 7]!]!
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ -1) >>> 0
}
