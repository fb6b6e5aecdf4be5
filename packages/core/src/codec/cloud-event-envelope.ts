import { now } from '../clock'
import { writeRest } from '../envelope'
import type { CloudEventJSON, Extensions } from '../envelope'
import type { EventFields } from './read-event'
import { TidingsEnvelope } from './tidings-envelope'

/** Bits of `CloudEventEnvelope._present`: which optional members the event carried. */
export const HAS_TIME = 1
export const HAS_DATAVERSION = 2
export const HAS_DATA = 4

/** The optional CloudEvents attributes that Tidings' own envelopes never set. */
export interface ForeignAttributes {
  readonly datacontenttype: string | undefined
  readonly dataschema: string | undefined
  readonly subject: string | undefined
}

/**
 * An envelope read from elsewhere that `TidingsEnvelope` cannot reproduce exactly: it lacks
 * `time`, `dataversion` or `data`, or carries `datacontenttype`, `dataschema`, `subject` or
 * `data_base64`. `toJSON()` writes back exactly the attributes it was given. Without `time`,
 * `envelope.time` reads the time it was received (as CloudEvents allows for an unknown time)
 * but is not serialized; without `dataversion`, `envelope.dataversion` is 1 and not serialized.
 */
export class CloudEventEnvelope<T extends string = string, D = unknown> extends TidingsEnvelope<T, D> implements ForeignAttributes {
  declare readonly datacontenttype: string | undefined
  declare readonly dataschema: string | undefined
  declare readonly subject: string | undefined
  /** @internal HAS_* bits */
  declare readonly _present: number

  constructor(
    type: T, data: D, source: string, dataversion: number, ms: number, id: string, time: string | undefined,
    correlationid: string | undefined, causationid: string | undefined, extensions: Extensions | undefined,
    attributes: ForeignAttributes, present: number,
  ) {
    super(type, data, source, dataversion, ms, id, time, correlationid, causationid, extensions)
    this.datacontenttype = attributes.datacontenttype
    this.dataschema = attributes.dataschema
    this.subject = attributes.subject
    this._present = present
  }

  override toJSON(): CloudEventJSON {
    const json: CloudEventJSON = { specversion: '1.0', id: this.id, source: this.source, type: this.type }
    if (this._present & HAS_TIME) json.time = this.time
    if (this.datacontenttype !== undefined) json.datacontenttype = this.datacontenttype
    if (this.dataschema !== undefined) json.dataschema = this.dataschema
    if (this.subject !== undefined) json.subject = this.subject
    if (this._present & HAS_DATAVERSION) json.dataversion = this.dataversion
    return writeRest(json, this, (this._present & HAS_DATA) !== 0)
  }
}

/** The CloudEvents-only envelope for events from outside Tidings, whatever attributes they carry. */
export const foreignEnvelope = (f: EventFields, data: unknown, dataversion: number | undefined): CloudEventEnvelope => {
  const present = (f.time === undefined ? 0 : HAS_TIME) | (dataversion === undefined ? 0 : HAS_DATAVERSION) | (f.hasData ? HAS_DATA : 0)
  return new CloudEventEnvelope(f.type, data, f.source, dataversion ?? 1, f.time === undefined ? now() : f.ms, f.id, f.time,
    f.correlationid, f.causationid, f.extensions, f, present)
}

/**
 * The envelope for decoded fields: the bus's own class when it reproduces the event exactly (every
 * event Tidings writes), else a CloudEventEnvelope. `dataversion` is undefined to leave it unset.
 */
export const envelopeOf = (f: EventFields, data: unknown, dataversion: number | undefined): TidingsEnvelope =>
  f.time !== undefined && dataversion !== undefined && f.hasData && f.datacontenttype === undefined
    && f.dataschema === undefined && f.subject === undefined && !(data instanceof Uint8Array)
    ? new TidingsEnvelope(f.type, data, f.source, dataversion, f.ms, f.id, f.time, f.correlationid, f.causationid, f.extensions)
    : foreignEnvelope(f, data, dataversion)
