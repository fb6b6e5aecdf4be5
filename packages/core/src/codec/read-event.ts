import type { ExtensionValue } from '../envelope'
import { TidingsError } from '../errors'
import {
  ATTRIBUTE_NAME, isCloudEventsString, isInt32, isJsonMediaType, isMediaType, isUri, isUriReference, parseTimestamp,
} from './attribute-types'
import { fromBase64 } from './base64'
import { parseText, scanMembers, scanValue } from './safe-json'
import type { Limits } from './safe-json'

/** The attributes and payload of one event, checked against CloudEvents 1.0 and Tidings' own attributes. */
export interface EventFields {
  readonly id: string
  readonly source: string
  readonly type: string
  readonly time: string | undefined
  /** Epoch ms of `time`, NaN without one. */
  readonly ms: number
  readonly dataversion: number | undefined
  readonly datacontenttype: string | undefined
  readonly dataschema: string | undefined
  readonly subject: string | undefined
  readonly correlationid: string | undefined
  readonly causationid: string | undefined
  readonly extensions: Record<string, ExtensionValue> | undefined
  /** False when the event has neither `data` nor `data_base64` (an explicit `null` is data). */
  readonly hasData: boolean
  /** The payload; a `data_base64` member is decoded to a Uint8Array. */
  readonly data: unknown
}

export const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`

/** A short, printable rendering of a bad value for an error message. */
export const preview = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return kindOf(value)
}

const invalid = (field: string, problem: string) =>
  new TidingsError('E_VALIDATION', `Invalid event: "${field}" ${problem}`, { details: { field } })

const text = (field: string, value: unknown): string => {
  if (typeof value !== 'string') throw invalid(field, `must be a string; got ${preview(value)}`)
  if (value === '') throw invalid(field, 'must not be empty')
  if (!isCloudEventsString(value)) throw invalid(field, 'contains a control character, a Unicode noncharacter or an unpaired surrogate, which CloudEvents strings exclude')
  return value
}

const extensionValue = (name: string, value: unknown): ExtensionValue => {
  if (!ATTRIBUTE_NAME.test(name)) {
    throw invalid(name, 'is not a valid attribute name: CloudEvents attribute and extension names are 1–20 lower-case letters or digits (put other fields inside "data")')
  }
  if (typeof value === 'string') {
    if (!isCloudEventsString(value)) throw invalid(name, 'contains a control character, a Unicode noncharacter or an unpaired surrogate, which CloudEvents strings exclude')
    return value
  }
  if (typeof value === 'boolean' || isInt32(value)) return value
  throw invalid(name, typeof value === 'number'
    ? `must be a whole number from -2147483648 to 2147483647 (a CloudEvents Integer); got ${preview(value)}`
    : `must be a string, a boolean or an integer (the CloudEvents attribute types); got ${preview(value)}`)
}

// Events of one producer share their source, runs of events their type, and the events of one
// tick their time: the last of each that passed its checks is remembered (valid ones to begin with).
let checkedSource = '/'
let checkedType = 't'
let checkedTime = '1970-01-01T00:00:00Z'
let checkedMs = 0

const missing = (field: string) =>
  new TidingsError('E_VALIDATION', `Invalid event: the required attribute "${field}" is missing`, { details: { field } })

/** Every member name with a meaning of its own; any other member is an extension attribute. */
const KNOWN = new Set([
  'specversion', 'id', 'source', 'type', 'time', 'dataversion', 'datacontenttype', 'dataschema', 'subject',
  'correlationid', 'causationid', 'data', 'data_base64',
])

/** The members of an event object, as read by name (faster than a loop over its keys). */
interface EventObject {
  specversion?: unknown
  id?: unknown
  source?: unknown
  type?: unknown
  time?: unknown
  dataversion?: unknown
  datacontenttype?: unknown
  dataschema?: unknown
  subject?: unknown
  correlationid?: unknown
  causationid?: unknown
  data?: unknown
  data_base64?: unknown
  [extension: string]: unknown
}

const optionalText = (field: string, value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : text(field, value)

/**
 * Reads the CloudEvents JSON form of one event (structured mode) and checks every attribute
 * against its type. A `null` attribute counts as absent (JSON event format, section 2.2), but a
 * required one is then missing; `data: null` is a null payload. `decodeBinary: false` leaves
 * `data_base64` undecoded, for checking an event about to be written. `count` is the number of
 * members, when the caller counted them already (-1: not counted).
 */
export const readEvent = (value: unknown, decodeBinary = true, count = -1): EventFields => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TidingsError('E_DECODE', `Expected an event: a JSON object with specversion, id, source and type; got ${kindOf(value)}`, { details: { field: '' } })
  }
  const obj = value as EventObject
  const specversion = obj.specversion
  if (specversion !== '1.0') {
    throw specversion === undefined || specversion === null ? missing('specversion')
      : invalid('specversion', `must be exactly "1.0" (this codec reads CloudEvents 1.0 only); got ${preview(specversion)}`)
  }
  // Members read, to tell whether any others (extensions, nulls) are left to look at.
  let members = 1

  if (obj.id === undefined || obj.id === null) throw missing('id')
  const id = text('id', obj.id)
  members++

  const rawSource = obj.source
  if (rawSource === undefined || rawSource === null) throw missing('source')
  let source: string
  if (rawSource === checkedSource) source = rawSource
  else {
    source = text('source', rawSource)
    if (!isUriReference(source)) throw invalid('source', `must be a URI-reference (RFC 3986), e.g. "/shop" or "https://example.com/shop"; got ${preview(source)}`)
    checkedSource = source
  }
  members++

  const rawType = obj.type
  if (rawType === undefined || rawType === null) throw missing('type')
  const type = rawType === checkedType ? rawType : (checkedType = text('type', rawType))
  members++

  const rawTime = obj.time
  let time: string | undefined
  let ms = NaN
  if (rawTime === checkedTime) {
    time = rawTime
    ms = checkedMs
    members++
  } else if ((time = optionalText('time', rawTime)) !== undefined) {
    ms = parseTimestamp(time)
    if (Number.isNaN(ms)) throw invalid('time', `must be an RFC 3339 timestamp such as "2024-05-01T12:00:00Z"; got ${preview(time)}`)
    checkedTime = time
    checkedMs = ms
    members++
  }

  const rawVersion = obj.dataversion
  let dataversion: number | undefined
  if (rawVersion !== undefined && rawVersion !== null) {
    if (!isInt32(rawVersion) || rawVersion < 1) throw invalid('dataversion', `must be a whole number from 1 (the payload's schema version); got ${preview(rawVersion)}`)
    dataversion = rawVersion
    members++
  }

  const datacontenttype = optionalText('datacontenttype', obj.datacontenttype)
  if (datacontenttype !== undefined) {
    if (!isMediaType(datacontenttype)) throw invalid('datacontenttype', `must be a media type (RFC 2046) such as "application/json"; got ${preview(datacontenttype)}`)
    members++
  }

  const dataschema = optionalText('dataschema', obj.dataschema)
  if (dataschema !== undefined) {
    if (!isUri(dataschema)) throw invalid('dataschema', `must be an absolute URI (RFC 3986); got ${preview(dataschema)}`)
    members++
  }

  const subject = optionalText('subject', obj.subject)
  if (subject !== undefined) members++
  const correlationid = optionalText('correlationid', obj.correlationid)
  if (correlationid !== undefined) members++
  const causationid = optionalText('causationid', obj.causationid)
  if (causationid !== undefined) members++

  let data: unknown = obj.data
  let hasData = data !== undefined
  if (hasData) members++
  const base64 = obj.data_base64
  if (base64 !== undefined && base64 !== null) {
    if (typeof base64 !== 'string') throw invalid('data_base64', `must be a base64 string; got ${preview(base64)}`)
    if (hasData) throw invalid('data_base64', 'cannot appear together with "data": an event carries its payload in one of them (JSON event format, section 3.1.1)')
    hasData = true
    members++
    if (decodeBinary) {
      data = fromBase64(base64)
      if (data === undefined) throw invalid('data_base64', 'must be canonical base64 (RFC 4648 section 4: padded, no whitespace)')
    } else data = base64
  } else if (hasData && datacontenttype !== undefined && typeof data !== 'string' && !isJsonMediaType(datacontenttype)) {
    throw invalid('data', `must be a string: "datacontenttype" is ${preview(datacontenttype)}, which is not JSON (JSON event format, section 3.1.2)`)
  }

  let extensions: Record<string, ExtensionValue> | undefined
  if ((count === -1 ? Object.keys(obj).length : count) !== members) {
    for (const key of Object.keys(obj)) {
      if (KNOWN.has(key)) continue
      const v = obj[key]
      if (v === undefined || v === null) continue
      ;(extensions ??= {})[key] = extensionValue(key, v)
    }
  }
  return { id, source, type, time, ms, dataversion, datacontenttype, dataschema, subject, correlationid, causationid, extensions, hasData, data }
}

/** The event of one JSON text: parsed within `limits`, its depth and keys checked, then read. */
export const readEventText = (text: string, limits: Limits): EventFields => {
  const value = parseText(text, limits)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    scanValue(value, limits)
    return readEvent(value)
  }
  return readEvent(value, true, scanMembers(value, limits))
}
