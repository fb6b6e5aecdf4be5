import { crc32Of } from './crc32'

// `{"c":` + the CRC's up to 10 digits + `,`: room kept before each record's body.
const HEAD_ROOM = 16
// `"p":` + a position's up to 16 digits + `,"e":` and the closing `}\n`.
const FRAME = 4 + 16 + 5 + 2
/** A buffer that grew past this for one large commit is let go afterwards rather than kept. */
const KEPT_BYTES = 4 * 1024 * 1024

const digitsOf = (n: number): number => {
  let digits = 1
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++
  return digits
}

/** Writes the decimal digits of a non-negative integer at `at`; returns the offset after them. */
const writeDigits = (buf: Uint8Array, at: number, n: number, digits = digitsOf(n)): number => {
  for (let i = at + digits - 1; i >= at; i--) {
    buf[i] = 48 + (n % 10)
    n = Math.floor(n / 10)
  }
  return at + digits
}

const writeAscii = (buf: Uint8Array, at: number, text: string): number => {
  for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i)
  return at + text.length
}

/**
 * The bytes of one commit's log records, framed in place: each record (see record.ts) is written
 * once into one buffer, kept between commits, and handed to a single write. Its body goes in
 * first, HEAD_ROOM bytes in; once the body's CRC is known its head is put right before it, and the
 * record is moved back over the room the head did not need (a quarter of records: most CRCs have
 * ten digits).
 */
export class RecordBuffer {
  private buf = Buffer.allocUnsafeSlow(64 * 1024)
  private length = 0

  get bytes(): Buffer {
    return this.buf.subarray(0, this.length)
  }

  /** Appends the record of `encoded` (one envelope's JSON) at `position`. */
  add(position: number, encoded: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    this.reserve(HEAD_ROOM + FRAME + encoded.length * 3)
    const buf = this.buf
    const start = this.length
    const body = start + HEAD_ROOM
    let end = writeAscii(buf, body, '"p":')
    end = writeDigits(buf, end, position)
    end = writeAscii(buf, end, ',"e":')
    end += buf.write(encoded, end)
    const crc = crc32Of(buf, body, end)
    const digits = digitsOf(crc)
    const head = body - 6 - digits
    writeDigits(buf, writeAscii(buf, head, '{"c":'), crc, digits)
    buf[body - 1] = 44
    buf[end++] = 125
    buf[end++] = 10
    if (head > start) {
      buf.copyWithin(start, head, end)
      end -= head - start
    }
    this.length = end
  }

  /** Empties the buffer for the next commit. */
  clear(): void {
    this.length = 0
    if (this.buf.length > KEPT_BYTES) this.buf = Buffer.allocUnsafeSlow(64 * 1024)
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.length + bytes))
    this.buf.copy(grown, 0, 0, this.length)
    this.buf = grown
  }
}
