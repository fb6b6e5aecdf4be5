import { now } from './clock'
import { toBase64 } from './codec/base64'
import { TidingsError } from './errors'

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
 * The one envelope implementation. `id` and `time` are computed on first read from a per-bus
 * prefix + counter and a captured epoch, so that emitting costs no string formatting.
 * Fields keep one shape (all assigned in the constructor) so that property access stays monomorphic.
 */
export class TidingsEnvelope<T extends string = string, D = unknown> implements Envelope<T, D> {
  declare readonly specversion: '1.0'
  readonly type: T
  readonly data: D
  readonly source: string
  readonly dataversion: number
  readonly correlationid: string | undefined
  readonly causationid: string | undefined
  readonly extensions: Extensions | undefined
  /** @internal epoch ms */
  _ms: number
  /** @internal */
  _prefix: string
  /** @internal */
  _seq: number
  /** @internal */
  _id: string | undefined
  /** @internal */
  _time: string | undefined

  constructor(
    type: T, data: D, source: string, dataversion: number, ms: number, prefix: string, seq: number,
    id: string | undefined, time: string | undefined,
    correlationid: string | undefined, causationid: string | undefined, extensions: Extensions | undefined,
  ) {
    this.type = type
    this.data = data
    this.source = source
    this.dataversion = dataversion
    this.correlationid = correlationid
    this.causationid = causationid
    this.extensions = extensions
    this._ms = ms
    this._prefix = prefix
    this._seq = seq
    this._id = id
    this._time = time
  }

  get id(): string {
    return (this._id ??= this._prefix + this._seq.toString(36))
  }

  get time(): string {
    return (this._time ??= new Date(this._ms).toISOString())
  }

  toJSON(): CloudEventJSON {
    const json: CloudEventJSON = {
      specversion: '1.0', id: this.id, source: this.source, type: this.type,
      time: this.time, dataversion: this.dataversion,
    }
    return writeRest(json, this, true)
  }

  /** Node's console shows the CloudEvents form, not the lazy internals. */
  [Symbol.for('nodejs.util.inspect.custom')](): CloudEventJSON {
    return this.toJSON()
  }
}
Object.defineProperty(TidingsEnvelope.prototype, 'specversion', { value: '1.0', enumerable: true })

/**
 * Writes the payload (binary as data_base64, CloudEvents JSON format section 3.1), then the
 * correlation and extension attributes: the part of toJSON both envelope classes share.
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

/** Epoch ms of an envelope, without parsing its `time` when the bus made it. */
export const epochOf = (e: Envelope): number => (e instanceof TidingsEnvelope ? e._ms : Date.parse(e.time))

/**
 * Accepts what a middleware passed to `next`: our envelope as is, or a plain object (for example
 * `{ ...envelope, data }`); a spread copy keeps the original's id and time.
 */
export const toEnvelope = (e: Envelope | TidingsEnvelope): TidingsEnvelope => {
  if (e instanceof TidingsEnvelope) return e
  const copy = e as Partial<TidingsEnvelope> & Envelope
  const id = Object.hasOwn(copy, 'id') ? copy.id
    : copy._id ?? (copy._prefix === undefined ? undefined : copy._prefix + (copy._seq ?? 0).toString(36))
  if (typeof id !== 'string' || typeof copy.type !== 'string') {
    throw new TidingsError('E_INVALID_ARGUMENT', 'A middleware passed next() something that is not an envelope: pass the envelope it received, or a copy such as { ...envelope, data }')
  }
  const ownTime = Object.hasOwn(copy, 'time')
  const ms = ownTime ? Date.parse(copy.time) : copy._ms ?? now()
  return new TidingsEnvelope(copy.type, copy.data, copy.source, copy.dataversion ?? 1, ms, '', 0, id,
    ownTime ? copy.time : copy._time, copy.correlationid, copy.causationid, copy.extensions)
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
