import type { CloudEventJSON, Envelope, Extensions } from '../envelope'
import { jsonOf } from '../envelope'

/**
 * An event decoded from the JSON Tidings writes (every attribute present): a class rather than a
 * plain object so that `time` is formatted only when read and `JSON.stringify` gives the CloudEvents
 * form back. It lives apart from envelope.ts, which the kernel imports, because of the prototype
 * definition below: a bus that never decodes must not bundle it.
 */
export class TidingsEnvelope<T extends string = string, D = unknown> implements Envelope<T, D> {
  declare readonly specversion: '1.0'
  declare readonly id: string
  declare readonly type: T
  declare readonly data: D
  declare readonly source: string
  declare readonly dataversion: number
  declare readonly correlationid: string | undefined
  declare readonly causationid: string | undefined
  declare readonly extensions: Extensions | undefined
  /** @internal epoch ms */
  declare readonly _ms: number
  /** @internal */
  declare _time: string | undefined

  constructor(
    type: T, data: D, source: string, dataversion: number, ms: number, id: string, time: string | undefined,
    correlationid: string | undefined, causationid: string | undefined, extensions: Extensions | undefined,
  ) {
    this.id = id
    this.type = type
    this.data = data
    this.source = source
    this.dataversion = dataversion
    this.correlationid = correlationid
    this.causationid = causationid
    this.extensions = extensions
    this._ms = ms
    this._time = time
  }

  get time(): string {
    return (this._time ??= new Date(this._ms).toISOString())
  }

  toJSON(): CloudEventJSON {
    return jsonOf(this)
  }

  /** Node's console shows the CloudEvents form, not the internals. */
  [Symbol.for('nodejs.util.inspect.custom')](): CloudEventJSON {
    return this.toJSON()
  }
}
// On the prototype, enumerable, as on the bus's own envelopes: one constant, not a field per event.
Object.defineProperty(TidingsEnvelope.prototype, 'specversion', { value: '1.0', enumerable: true })
