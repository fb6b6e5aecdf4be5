// The CloudEvents 1.0 type system (spec.md "Type System") as checks on JSON values.

/** Attribute names: lower-case ASCII letters and digits, at most 20 of them. */
export const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/

// Control characters, Unicode noncharacters and unpaired surrogates are not allowed in a String.
const FORBIDDEN_CHARACTER = /[\p{Cc}\p{Noncharacter_Code_Point}\p{Cs}]/u

export const isCloudEventsString = (value: string): boolean => {
  // Ids, types and sources are short and mostly ASCII: a loop over them beats the regex, which
  // only runs once a character from U+D800 up (surrogates, noncharacters) shows up.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false
    if (c >= 0xd800) return !FORBIDDEN_CHARACTER.test(value)
  }
  return true
}

/** Integer: a whole number in the signed 32-bit range. */
export const isInt32 = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647

// RFC 3986, section 3 and appendix A. Every repetition is followed by a character it cannot
// consume, so matching stays linear even on hostile megabyte-long strings.
const UNRESERVED = "A-Za-z0-9\\-._~"
const SUB_DELIMS = "!$&'()*+,;="
const PCT = '%[0-9A-Fa-f]{2}'
const PCHAR = `(?:[${UNRESERVED}${SUB_DELIMS}:@]|${PCT})`
const SEGMENT = `${PCHAR}*`
const SEGMENT_NZ = `${PCHAR}+`
const SEGMENT_NZ_NC = `(?:[${UNRESERVED}${SUB_DELIMS}@]|${PCT})+`
const QUERY = `(?:[${UNRESERVED}${SUB_DELIMS}:@/?]|${PCT})*`
const SCHEME = '[A-Za-z][A-Za-z0-9+.\\-]*'
const USERINFO = `(?:[${UNRESERVED}${SUB_DELIMS}:]|${PCT})*`
const IP_LITERAL = `\\[(?:[0-9A-Fa-f:.]+|[Vv][0-9A-Fa-f]+\\.[${UNRESERVED}${SUB_DELIMS}:]+)\\]`
const REG_NAME = `(?:[${UNRESERVED}${SUB_DELIMS}]|${PCT})*`
const AUTHORITY = `(?:${USERINFO}@)?(?:${IP_LITERAL}|${REG_NAME})(?::[0-9]*)?`
const PATH_ABEMPTY = `(?:/${SEGMENT})*`
const PATH_ABSOLUTE = `/(?:${SEGMENT_NZ}(?:/${SEGMENT})*)?`
const HIER_PART = `(?://${AUTHORITY}${PATH_ABEMPTY}|${PATH_ABSOLUTE}|${SEGMENT_NZ}(?:/${SEGMENT})*|)`
const RELATIVE_PART = `(?://${AUTHORITY}${PATH_ABEMPTY}|${PATH_ABSOLUTE}|${SEGMENT_NZ_NC}(?:/${SEGMENT})*|)`
const TAIL = `(?:\\?${QUERY})?(?:#${QUERY})?`

const URI = new RegExp(`^${SCHEME}:${HIER_PART}${TAIL}$`)
const URI_REFERENCE = new RegExp(`^(?:${SCHEME}:${HIER_PART}|${RELATIVE_PART})${TAIL}$`)

/** URI: an absolute URI (RFC 3986 section 4.3, a fragment tolerated as in section 3). */
export const isUri = (value: string): boolean => URI.test(value)

/** URI-reference: an absolute or relative reference (RFC 3986 section 4.1). */
export const isUriReference = (value: string): boolean => URI_REFERENCE.test(value)

// RFC 2045 section 5.1 (type "/" subtype *(";" parameter)), with the optional whitespace that
// real content types carry around ";" ("application/json; charset=utf-8").
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+"
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|"(?:[^"\\\\\\r\\n]|\\\\[^\\r\\n])*"))*$`)

export const isMediaType = (value: string): boolean => MEDIA_TYPE.test(value)

/** `*\/json` or `*\/*+json`, parameters ignored (JSON event format, section 3.1). */
export const isJsonMediaType = (value: string): boolean => {
  const semicolon = value.indexOf(';')
  const base = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase()
  return base.endsWith('/json') || base.endsWith('+json')
}

// RFC 3339 section 5.6, read by character codes: a regex with ten capture groups cost more than
// the rest of an event's checks together. "T" and "Z" may be lower case (ABNF strings are not
// case-sensitive); fractions of any length are allowed and truncated to milliseconds.

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), computed one
 * 400-year era later so that every division is of a positive number and can truncate.
 */
const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = year + 400 - (month <= 2 ? 1 : 0)
  const era = (y / 400) | 0
  const yoe = y - era * 400
  const doy = (((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) | 0) + day - 1
  return (era - 1) * 146097 + yoe * 365 + ((yoe / 4) | 0) - ((yoe / 100) | 0) + doy - 719468
}

/** Epoch milliseconds of an RFC 3339 timestamp, or NaN when `value` is not one. */
export const parseTimestamp = (value: string): number => {
  // yyyy-mm-ddThh:mm:ss is 19 characters; a zone designator follows.
  if (value.length < 20 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58) return NaN
  const t = value.charCodeAt(10)
  if (t !== 84 && t !== 116) return NaN
  const y0 = value.charCodeAt(0) - 48
  const y1 = value.charCodeAt(1) - 48
  const y2 = value.charCodeAt(2) - 48
  const y3 = value.charCodeAt(3) - 48
  const m0 = value.charCodeAt(5) - 48
  const m1 = value.charCodeAt(6) - 48
  const d0 = value.charCodeAt(8) - 48
  const d1 = value.charCodeAt(9) - 48
  const h0 = value.charCodeAt(11) - 48
  const h1 = value.charCodeAt(12) - 48
  const i0 = value.charCodeAt(14) - 48
  const i1 = value.charCodeAt(15) - 48
  const s0 = value.charCodeAt(17) - 48
  const s1 = value.charCodeAt(18) - 48
  // d is a digit exactly when d and 9 - d are both ≥ 0: one sign bit in the OR tells them all.
  if ((y0 | (9 - y0) | y1 | (9 - y1) | y2 | (9 - y2) | y3 | (9 - y3) | m0 | (9 - m0) | m1 | (9 - m1) | d0 | (9 - d0) | d1 | (9 - d1)
    | h0 | (9 - h0) | h1 | (9 - h1) | i0 | (9 - i0) | i1 | (9 - i1) | s0 | (9 - s0) | s1 | (9 - s1)) < 0) return NaN
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
  const month = m0 * 10 + m1
  const day = d0 * 10 + d1
  const hour = h0 * 10 + h1
  const minute = i0 * 10 + i1
  const second = s0 * 10 + s1
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return NaN
  let i = 19
  let ms = 0
  if (value.charCodeAt(i) === 46) {
    const start = ++i
    for (let c = value.charCodeAt(i); c >= 48 && c <= 57; c = value.charCodeAt(++i)) {
      if (i - start < 3) ms = ms * 10 + c - 48
    }
    if (i === start) return NaN
    if (i - start < 3) ms *= i - start === 1 ? 100 : 10
  }
  let offset = 0
  const zone = value.charCodeAt(i)
  if (zone === 90 || zone === 122) {
    if (i + 1 !== value.length) return NaN
  } else if (zone === 43 || zone === 45) {
    if (i + 6 !== value.length || value.charCodeAt(i + 3) !== 58) return NaN
    const oh0 = value.charCodeAt(i + 1) - 48
    const oh1 = value.charCodeAt(i + 2) - 48
    const om0 = value.charCodeAt(i + 4) - 48
    const om1 = value.charCodeAt(i + 5) - 48
    if ((oh0 | (9 - oh0) | oh1 | (9 - oh1) | om0 | (9 - om0) | om1 | (9 - om1)) < 0) return NaN
    const oh = oh0 * 10 + oh1
    const om = om0 * 10 + om1
    if (oh > 23 || om > 59) return NaN
    offset = (zone === 45 ? -1 : 1) * (oh * 60 + om) * 60000
  } else return NaN
  // A leap second (:60) lands on the next minute's :00, as Date cannot hold it.
  return daysFromCivil(year, month, day) * 86400000 + ((hour * 60 + minute) * 60 + second) * 1000 + ms - offset
}
