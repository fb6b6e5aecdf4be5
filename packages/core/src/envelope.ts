import { toBase64 } from './codec/base64'

/** A value of a CloudEvents extension attribute. */
export type ExtensionValue = string | number | boolean

/** Extension attributes: names are 1–20 lower-case letters or digits (CloudEvents 1.0). */
export type Extensions = Readonly<Record<string, ExtensionValue>>

/** The CloudEvents 1.0 JSON form of an envelope, as `JSON.stringify(envelope)` writes it. */
export interface CloudEventJSON {
  specversion: '1.0'
  id: string
  source: string
  type: string
  time?: string
  dataversion?: number
  datacontenttype?: string
  data?: unknown
  correlationid?: string
  causationid?: string
  [extension: string]: unknown
}

/** An event in flight: a CloudEvents-1.0-compatible envelope around a payload. */
export interface Envelope<T extends string = string, D = unknown> {
  readonly specversion: '1.0'
  /** Unique across buses and restarts. */
  readonly id: string
  /** The emitting bus's `source` (a URI-reference, e.g. "/shop"). */
  readonly source: string
  readonly type: T
  /** RFC 3339 timestamp. */
  readonly time: string
  /** The payload's schema version. */
  readonly dataversion: number
  readonly data: D
  /** Shared by every event of one operation. */
  readonly correlationid: string | undefined
  /** The id of the event whose handler emitted this one. */
  readonly causationid: string | undefined
  readonly extensions: Extensions | undefined
  toJSON(): CloudEventJSON
}

/** Attributes a caller may set on `emit` / `publish`. */
export interface EmitOptions {
  id?: string
  /** A Date, an RFC 3339 string or epoch milliseconds. */
  time?: Date | string | number
  correlationid?: string
  causationid?: string
  extensions?: Extensions
}

/**
 * Writes the payload (binary as data_base64, CloudEvents JSON format section 3.1), then the
 * correlation and extension attributes: the part of toJSON every envelope class shares.
 */
export const writeRest = (json: CloudEventJSON, e: Envelope, withData: boolean): CloudEventJSON => {
  if (withData) {
    if (e.data instanceof Uint8Array) json.data_base64 = toBase64(e.data)
    else json.data = e.data
  }
  if (e.correlationid !== undefined) json.correlationid = e.correlationid
  if (e.causationid !== undefined) json.causationid = e.causationid
  if (e.extensions) Object.assign(json, e.extensions)
  return json
}

/** The CloudEvents JSON form of an envelope made by Tidings (every attribute present): its `toJSON`. */
export const jsonOf = (e: Envelope): CloudEventJSON =>
  writeRest({ specversion: '1.0', id: e.id, source: e.source, type: e.type, time: e.time, dataversion: e.dataversion }, e, true)

/**
 * Epoch ms of an envelope, without parsing its `time` when a bus or the codec made it (their
 * classes keep the reading as `_ms`; `time` is then a prototype getter, never an own property).
 * A plain object's own `time` wins, even if it was spread from one of those envelopes.
 */
export const epochOf = (e: Envelope): number => {
  const ms = (e as { _ms?: unknown })._ms
  return typeof ms === 'number' && !Object.hasOwn(e, 'time') ? ms : Date.parse(e.time)
}

/** Options for `emit` that make the new event a consequence of `cause`, in its trace (see `traceOf`). */
export const causedBy = (cause: Envelope): Pick<EmitOptions, 'causationid' | 'correlationid' | 'extensions'> => {
  const trace = traceOf(cause.extensions)
  return trace === undefined
    ? { causationid: cause.id, correlationid: cause.correlationid ?? cause.id }
    : { causationid: cause.id, correlationid: cause.correlationid ?? cause.id, extensions: trace }
}

/**
 * The W3C trace context of a cause's extensions (the CloudEvents distributed tracing extension:
 * `traceparent`, `tracestate`), which the events it causes carry on, in this process and through
 * transports, so that one trace follows a chain from a browser to a service to a worker.
 */
export const traceOf = (extensions: Extensions | undefined): Extensions | undefined => {
  if (extensions === undefined || extensions.traceparent === undefined) return undefined
  return extensions.tracestate === undefined
    ? { traceparent: extensions.traceparent }
    : { traceparent: extensions.traceparent, tracestate: extensions.tracestate }
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

/** 12 random base-36 characters (≈62 bits) + '-': ids stay unique across buses and restarts. */
export const idPrefix = (): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(12))
  let s = ''
  for (const b of bytes) s += ALPHABET[b % 36]
  return s + '-'
}
