import type { Envelope } from '../envelope'
import { BusEnvelope } from '../kernel/envelope'
import { ATTRIBUTE_NAME, isCloudEventsString, isInt32, isUriReference, parseTimestamp } from './attribute-types'
import { TidingsEnvelope } from './tidings-envelope'

/**
 * What JSON writes between the quotes of a CloudEvents String attribute, or undefined when
 * `value` is not one. The scan that finds what JSON must escape also finds what CloudEvents
 * forbids; ids and the like rarely hold either, so most are written as they are.
 */
const stringText = (value: unknown): string | undefined => {
  if (typeof value !== 'string' || value === '') return undefined
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return undefined
    if (c === 34 || c === 92 || c >= 0xd800) return isCloudEventsString(value) ? JSON.stringify(value).slice(1, -1) : undefined
  }
  return value
}

// Dates that toISOString writes as RFC 3339 (years 0000 to 9999); others it writes as ±yyyyyy.
const FIRST_MS = -62167219200000
const LAST_MS = 253402300799999

/** Member names with a meaning of their own: an extension named so would overwrite it in `toJSON`. */
const KNOWN = new Set(['specversion', 'id', 'source', 'type', 'time', 'dataversion', 'datacontenttype', 'dataschema', 'subject', 'correlationid', 'causationid', 'data', 'data_base64'])

const optionalJson = (name: string, value: unknown): string | undefined => {
  if (value === undefined) return ''
  if (value === null) return `,"${name}":null`
  const text = stringText(value)
  return text === undefined ? undefined : `,"${name}":"${text}"`
}

/** `,"name":value` for each extension attribute `toJSON` would write, or undefined for anything unusual. */
const extensionsJson = (extensions: object): string | undefined => {
  // for-in lists the own keys of plain objects, in Object.assign's order but for integer-like names (refused below).
  const proto: unknown = Object.getPrototypeOf(extensions)
  if (proto !== Object.prototype && proto !== null) return undefined
  let out = ''
  for (const name in extensions) {
    const value: unknown = (extensions as Record<string, unknown>)[name]
    if (!ATTRIBUTE_NAME.test(name) || KNOWN.has(name) || name.charCodeAt(0) <= 57) return undefined
    if (value === undefined) continue
    let json: string | undefined
    if (typeof value === 'string') json = value === '' ? '""' : (json = stringText(value)) === undefined ? undefined : `"${json}"`
    else if (typeof value === 'boolean') json = value ? 'true' : 'false'
    else if (isInt32(value)) json = String(value)
    else if (value === null) json = 'null'
    if (json === undefined) return undefined
    out += `,"${name}":${json}`
  }
  return out
}

/**
 * Writes the CloudEvents JSON of the envelopes Tidings itself makes (a bus's `BusEnvelope`, the
 * codec's `TidingsEnvelope`) in one string, without their `toJSON()` object: the attributes a type
 * shares (source, type, dataversion) are checked and written once per run of that type, the
 * clock's reading is formatted once per tick, and what varies per event (id, correlation and
 * causation ids, a time or extensions given at emit) gets the scan JSON needs anyway, which also
 * refuses what CloudEvents forbids. The writer returns undefined for anything it does not vouch
 * for (another class, binary data, an attribute that is not valid): the caller then takes the full
 * path, which says what is wrong. So it writes exactly what `JSON.stringify(envelope)` writes, and
 * `writeData` (which may throw) runs only once every attribute is known to be valid.
 */
export const createOwnJson = (writeData: (data: unknown) => string) => {
  let lastType = ''
  let lastSource = ''
  let lastVersion = 0
  // `","source":…,"type":…,"time":"` of the last (type, source, dataversion), if they are valid.
  let shared: string | undefined
  // The time given to an envelope that passed parseTimestamp last, and the last clock reading formatted.
  let checkedTime = ''
  let lastMs = NaN
  let lastIso = ''
  // Everything from the id's closing quote to the payload, for the last attributes and time.
  let restTime = ''
  let rest = ''
  let restData = ''

  const timeText = (given: string | undefined, ms: number): string | undefined => {
    if (given !== undefined) {
      if (given !== checkedTime) {
        if (typeof given !== 'string' || Number.isNaN(parseTimestamp(given))) return undefined
        checkedTime = given
      }
      return given
    }
    if (ms !== lastMs) {
      if (!(ms >= FIRST_MS && ms <= LAST_MS)) return undefined
      lastIso = new Date(ms).toISOString()
      lastMs = ms
    }
    return lastIso
  }

  return (e: Envelope): string | undefined => {
    let time: string | undefined
    if (e instanceof BusEnvelope) time = timeText(e._a?.time, e._ms)
    else if (Object.getPrototypeOf(e) === TidingsEnvelope.prototype) time = timeText((e as TidingsEnvelope)._time, (e as TidingsEnvelope)._ms)
    if (time === undefined) return undefined
    const type = e.type
    const source = e.source
    const dataversion = e.dataversion
    if (type !== lastType || source !== lastSource || dataversion !== lastVersion || shared === undefined) {
      const typeText = stringText(type)
      const sourceText = stringText(source)
      shared = typeText === undefined || sourceText === undefined || !isUriReference(source) || !isInt32(dataversion) || dataversion < 1
        ? undefined
        : `","source":"${sourceText}","type":"${typeText}","time":"`
      lastType = type
      lastSource = source
      lastVersion = dataversion
      restTime = ''
      if (shared === undefined) return undefined
    }
    if (time !== restTime) {
      rest = `${shared}${time}","dataversion":${dataversion}`
      restData = rest + ',"data":'
      restTime = time
    }
    const id = stringText(e.id)
    if (id === undefined) return undefined
    const data = e.data
    if (data instanceof Uint8Array || typeof (data as { toJSON?: unknown } | null)?.toJSON === 'function') return undefined
    const correlation = optionalJson('correlationid', e.correlationid)
    const causation = optionalJson('causationid', e.causationid)
    const extensions = e.extensions === undefined ? '' : extensionsJson(e.extensions)
    if (correlation === undefined || causation === undefined || extensions === undefined) return undefined
    // As few pieces as can be: a string built of many is copied once more when it is first read whole.
    const head = '{"specversion":"1.0","id":"' + id
    return (data === undefined ? head + rest : head + restData + writeData(data)) + correlation + causation + extensions + '}'
  }
}
