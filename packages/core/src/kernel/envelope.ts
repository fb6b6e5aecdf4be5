import { now } from '../clock'
import { jsonOf, traceOf } from '../envelope'
import type { CloudEventJSON, EmitOptions, Envelope, Extensions } from '../envelope'
import { TidingsError } from '../errors'
import type { Slot } from './slot'

/** What an envelope does not take from its slot or its cause: emit options, or a middleware's copy. */
export interface Attributes {
  id?: string
  time?: string
  source?: string
  dataversion?: number
  correlationid?: string
  causationid?: string
  extensions?: Extensions
}

/**
 * The bus's envelope. An emit stores six references: the slot (type, dataversion, source, id
 * prefix), the payload, the clock reading, the counter, the causing envelope (correlation,
 * causation, trace) and the attributes given explicitly; everything else is a getter. Every field
 * is assigned in the constructor, in one order, so property access stays monomorphic.
 */
export class BusEnvelope<T extends string = string, D = unknown> implements Envelope<T, D> {
  declare readonly specversion: '1.0'
  readonly data: D
  /** @internal */ readonly _s: Slot
  /** @internal epoch ms */ readonly _ms: number
  /** @internal */ readonly _n: number
  /** @internal */ readonly _c: Envelope | undefined
  /** @internal */ _a: Attributes | undefined
  /** @internal */ _id: string | undefined
  /** @internal */ _t: string | undefined

  constructor(slot: Slot, data: D, ms: number, n: number, cause: Envelope | undefined, attributes: Attributes | undefined) {
    this._s = slot
    this.data = data
    this._ms = ms
    this._n = n
    this._c = cause
    this._a = attributes
    this._id = undefined
    this._t = undefined
  }

  get type(): T {
    return this._s.type as T
  }

  get id(): string {
    return (this._id ??= this._a?.id ?? this._s.prefix + this._n.toString(36))
  }

  get time(): string {
    return (this._t ??= this._a?.time ?? new Date(this._ms).toISOString())
  }

  get source(): string {
    return this._a?.source ?? this._s.source
  }

  get dataversion(): number {
    return this._a?.dataversion ?? this._s.version
  }

  get correlationid(): string | undefined {
    const c = this._c
    return this._a?.correlationid ?? (c === undefined ? undefined : c.correlationid ?? c.id)
  }

  get causationid(): string | undefined {
    return this._a?.causationid ?? this._c?.id
  }

  /** Given ones, else the cause's trace context, computed once. */
  get extensions(): Extensions | undefined {
    if (this._a !== undefined) return this._a.extensions
    const trace = traceOf(this._c?.extensions)
    if (trace !== undefined) this._a = { extensions: trace }
    return trace
  }

  toJSON(): CloudEventJSON {
    return jsonOf(this)
  }

  /** Node's console shows the CloudEvents form, not the references. */
  [Symbol.for('nodejs.util.inspect.custom')](): CloudEventJSON {
    return this.toJSON()
  }
}
Object.defineProperty(BusEnvelope.prototype, 'specversion', { value: '1.0', enumerable: true })

const EXTENSION_NAME = /^[a-z0-9]{1,20}$/
const RESERVED = /^(specversion|id|source|type|time|dataversion|data|datacontenttype|dataschema|subject|correlationid|causationid)$/
// RFC 3339's shape; Date.parse then reads it.
const RFC3339 = /^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/

// What was wrong is said in development builds (each ternary written out, so that the production
// define drops the long text; guarded for browsers without process); production ones name the option.
const invalid = (type: string, message: string) => new TidingsError('E_INVALID_ARGUMENT', `emit("${type}"): ${message}`)

const isInt32 = (value: unknown) => Number.isInteger(value) && (value as number) >= -0x80000000 && (value as number) <= 0x7fffffff

/** The checked attributes of emit options, the cause's trace context under the given extensions. */
export const attributesOf = (type: string, o: EmitOptions, cause: Envelope | undefined): [ms: number, attributes: Attributes] => {
  let ms: number
  let time: string | undefined
  if (o.time === undefined) ms = now()
  else if (typeof o.time === 'number') ms = o.time
  else if (o.time instanceof Date) ms = o.time.getTime()
  else ms = RFC3339.test((time = String(o.time))) ? Date.parse(time) : NaN
  if (!Number.isFinite(ms)) throw invalid(type, typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? `time must be a Date, epoch milliseconds or an RFC 3339 timestamp such as 2024-05-01T10:00:00Z; got ${String(o.time)}` : 'time')
  if (o.id !== undefined && (typeof o.id !== 'string' || o.id === '')) throw invalid(type, 'id must be a non-empty string')
  for (const name in o.extensions) {
    if (!EXTENSION_NAME.test(name) || RESERVED.test(name)) {
      throw invalid(type, typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? `"${name}" is not a valid extension attribute name: use 1–20 lower-case letters or digits, not a CloudEvents attribute name` : name)
    }
    const value = o.extensions[name]
    if (typeof value !== 'string' && typeof value !== 'boolean' && !isInt32(value)) {
      throw invalid(type, typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? `extension "${name}" must be a string, a boolean or a 32-bit integer (CloudEvents types); got ${String(value)}` : name)
    }
  }
  const trace = traceOf(cause?.extensions)
  return [ms, {
    id: o.id,
    time,
    correlationid: o.correlationid,
    causationid: o.causationid,
    extensions: trace === undefined ? o.extensions : o.extensions === undefined ? trace : { ...trace, ...o.extensions },
  }]
}

const PUBLIC: ReadonlyArray<keyof Attributes> = ['id', 'time', 'source', 'dataversion', 'correlationid', 'causationid', 'extensions']

/**
 * What a middleware passed to `next`: a bus envelope as is, else a copy (`{ ...envelope, data }`,
 * which holds the original's references and the attributes it set) or a plain envelope object.
 */
export const fromNext = (e: Envelope, slotOf: (type: string) => Slot): BusEnvelope => {
  if (e instanceof BusEnvelope) return e
  const copy = e as Envelope & Partial<BusEnvelope>
  const own = (key: string) => Object.hasOwn(copy, key)
  const original = copy._s === undefined ? undefined : Object.setPrototypeOf({ ...copy }, BusEnvelope.prototype) as BusEnvelope
  const type = own('type') ? copy.type : original?.type
  if (typeof type !== 'string' || (original === undefined && typeof copy.id !== 'string')) {
    throw new TidingsError('E_INVALID_ARGUMENT', typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' ? 'A middleware passed next() something that is not an envelope: pass the envelope it received, or a copy such as { ...envelope, data }' : 'next()')
  }
  const attributes: Attributes = {}
  for (const key of PUBLIC) (attributes as Record<string, unknown>)[key] = own(key) || original === undefined ? copy[key] : original[key]
  const ms = own('time') || original === undefined ? Date.parse(attributes.time!) : original._ms
  return new BusEnvelope(slotOf(type), copy.data, Number.isFinite(ms) ? ms : now(), 0, undefined, attributes)
}
