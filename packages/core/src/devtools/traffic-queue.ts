import { TidingsEnvelope } from '../codec/tidings-envelope'
import type { CloudEventJSON, Envelope } from '../envelope'
import { TidingsError } from '../errors'
import { BusEnvelope } from '../kernel/envelope'
import type { Observation } from '../types'
import { describeThrown } from './describe-error'
import { jsonDepthExceeds } from './json-depth'

export type Redact = (event: CloudEventJSON) => CloudEventJSON | undefined

/** What `redact` returned is an event the hub will accept: anything else hides the event. */
const isCloudEvent = (value: unknown): value is CloudEventJSON => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const e = value as Record<string, unknown>
  return e.specversion === '1.0' && typeof e.id === 'string' && typeof e.source === 'string' && typeof e.type === 'string'
}

/** Levels a traffic frame adds around an envelope: the frame, its records, the record. */
const FRAME_LEVELS = 3

/** Bytes a JSON frame around the records may add; frames are sized to stay under the hub's limit. */
const FRAME_OVERHEAD = 128
/** A UTF-16 code unit encodes to at most 3 UTF-8 bytes. */
const MAX_BYTES_PER_CHAR = 3

/**
 * A bounded ring of observations waiting to be sent. Pushing is the only work done on the emit
 * path (two stores and an index bump); when the ring is full the oldest record is overwritten and
 * counted as dropped. Serialization and redaction happen in `drain`, off the emit path.
 */
export class TrafficQueue {
  private readonly items: Array<Observation | undefined>
  private readonly times: Float64Array
  private head = 0
  private length = 0
  dropped = 0
  /** Records left out because `redact` failed or the record could not be serialized. */
  refused = 0
  /** Envelope → its JSON after `redact` (null: hidden), so retries and outcomes reuse one decision. */
  private readonly redacted = new WeakMap<Envelope, string | null>()

  /** `onRefused` hears why a record was left out; it must not throw. */
  constructor(
    readonly capacity: number,
    private readonly redact: Redact | undefined,
    private readonly onRefused: (error: TidingsError) => void = () => {},
  ) {
    this.items = new Array<Observation | undefined>(capacity)
    this.times = new Float64Array(capacity)
  }

  get size(): number {
    return this.length
  }

  push(observation: Observation, at: number): void {
    const capacity = this.capacity
    let slot = this.head + this.length
    if (slot >= capacity) slot -= capacity
    this.items[slot] = observation
    this.times[slot] = at
    if (this.length === capacity) {
      this.head = this.head + 1 === capacity ? 0 : this.head + 1
      this.dropped++
    } else {
      this.length++
    }
  }

  /**
   * Removes queued records and returns them as `traffic` frames of at most `maxBytes` each. A
   * record too large for a frame goes without its payload (`truncated`); one that still does
   * not fit is dropped and counted.
   */
  drain(maxBytes: number, maxFrames: number, maxDepth = Number.POSITIVE_INFINITY): string[] {
    const budget = Math.floor((maxBytes - FRAME_OVERHEAD) / MAX_BYTES_PER_CHAR)
    const frames: string[] = []
    let pieces: string[] = []
    let chars = 0
    const close = () => {
      if (pieces.length) frames.push(`{"v":1,"t":"traffic","dropped":${this.dropped},"records":[${pieces.join(',')}]}`)
      pieces = []
      chars = 0
    }
    while (this.length > 0 && frames.length < maxFrames) {
      const slot = this.head
      const observation = this.items[slot]!
      const at = this.times[slot]!
      this.items[slot] = undefined
      this.head = slot + 1 === this.capacity ? 0 : slot + 1
      this.length--
      let piece: string | undefined
      try {
        piece = this.serialize(observation, at, budget, maxDepth - FRAME_LEVELS)
      } catch (error) {
        this.refuse(observation.envelope, 'could not be serialized for devtools', error)
        continue
      }
      if (piece === undefined) continue
      if (chars + piece.length + 1 > budget) close()
      pieces.push(piece)
      chars += piece.length + 1
    }
    close()
    return frames
  }

  /**
   * The envelope's JSON as it may leave the process, or null when `redact` hides it. A `redact`
   * that throws or returns something that is not an event hides the event too (and its outcome
   * records): failing closed, never sending what was meant to be redacted.
   */
  envelopeJSON(envelope: Envelope): string | null {
    if (this.redact === undefined) {
      return envelope instanceof BusEnvelope || envelope instanceof TidingsEnvelope ? this.fastJSON(envelope) : safeStringify(envelope)
    }
    let json = this.redacted.get(envelope)
    if (json === undefined) {
      json = this.applyRedact(envelope)
      this.redacted.set(envelope, json)
    }
    return json
  }

  private applyRedact(envelope: Envelope): string | null {
    let kept: unknown
    try {
      kept = this.redact!(envelope.toJSON())
    } catch (error) {
      this.refuse(envelope, 'was not sent to devtools: redact threw', error)
      return null
    }
    if (kept === undefined) return null
    if (!isCloudEvent(kept)) {
      this.refuse(envelope, 'was not sent to devtools: redact returned something that is not an event (return a copy of the event, or undefined to hide it)', undefined)
      return null
    }
    return safeStringify(kept)
  }

  private refuse(envelope: Envelope, what: string, thrown: unknown): void {
    this.refused++
    const reason = thrown === undefined ? '' : ` (${describeThrown(thrown)})`
    let id: unknown
    let type: unknown
    try {
      ({ id, type } = envelope)
    } catch {
      // An envelope is read for the report only; the event is left out either way.
    }
    this.onRefused(new TidingsError('E_ENCODE', `An event ${what}${reason}: fix it so it never throws; the event is left out of devtools, the app is unaffected`, {
      cause: thrown, details: { id: String(id), type: String(type) },
    }))
  }

  private lastMs = Number.NaN
  private lastTime = ''

  /**
   * `JSON.stringify(envelope)` without the intermediate object of `toJSON()`, and with one date
   * formatting per distinct millisecond: a burst of events shares its clock reading.
   */
  private fastJSON(e: BusEnvelope | TidingsEnvelope): string {
    // The time given at emit (or already formatted), else the clock reading, formatted here.
    let time = e instanceof BusEnvelope ? e._t ?? e._a?.time : e._time
    if (time === undefined) {
      if (e._ms !== this.lastMs) {
        this.lastMs = e._ms
        this.lastTime = new Date(e._ms).toISOString()
      }
      time = this.lastTime
    }
    let data: string | undefined
    try {
      data = JSON.stringify(e.data)
    } catch (error) {
      data = JSON.stringify({ $unserializable: describeThrown(error) })
    }
    let json = `{"specversion":"1.0","id":${JSON.stringify(e.id)},"source":${JSON.stringify(e.source)},"type":${JSON.stringify(e.type)},"time":"${time}","dataversion":${e.dataversion}`
    if (data !== undefined) json += `,"data":${data}`
    if (e.correlationid !== undefined) json += `,"correlationid":${JSON.stringify(e.correlationid)}`
    if (e.causationid !== undefined) json += `,"causationid":${JSON.stringify(e.causationid)}`
    if (e.extensions) for (const name in e.extensions) json += `,${JSON.stringify(name)}:${JSON.stringify(e.extensions[name])}`
    return `${json}}`
  }

  private serialize(o: Observation, at: number, budget: number, envelopeDepth: number): string | undefined {
    const envelope = this.envelopeJSON(o.envelope)
    if (envelope === null) return undefined
    if (o.kind === 'emitted') {
      let head = o.remote === true ? `{"k":"emitted","at":${at},"remote":true` : `{"k":"emitted","at":${at}`
      if (o.site !== undefined) head += `,"site":${JSON.stringify(o.site.slice(0, 1000))}`
      const piece = `${head},"envelope":${envelope}}`
      // Too deep for the hub is sent like too large: without its payload.
      if (piece.length <= budget && !jsonDepthExceeds(envelope, envelopeDepth)) return piece
      const { data: _data, ...rest } = JSON.parse(envelope) as CloudEventJSON
      return this.fit(`${head},"truncated":true,"envelope":${JSON.stringify(rest)}}`, budget)
    }
    const head = `{"k":"${o.kind}","at":${at},"id":${JSON.stringify(o.envelope.id)},"type":${JSON.stringify(o.envelope.type)},"subscription":${JSON.stringify(o.subscription)},"attempt":${o.attempt},"durationMs":${o.durationMs}`
    const tail = o.willRetry === undefined ? '}' : `,"willRetry":${o.willRetry}}`
    if (o.error === undefined) return this.fit(head + tail, budget)
    const piece = `${head},"error":${JSON.stringify(o.error)}${tail}`
    if (piece.length <= budget) return piece
    return this.fit(`${head},"error":${JSON.stringify({ name: o.error.name, message: o.error.message.slice(0, 1000) })}${tail}`, budget)
  }

  private fit(piece: string, budget: number): string | undefined {
    if (piece.length <= budget) return piece
    this.dropped++
    return undefined
  }
}

/**
 * JSON of a value that may hold cycles or BigInts: those payloads go as a description instead.
 * Throws when even that fails (an attribute other than `data` is unserializable): the caller
 * then leaves the record out.
 */
const safeStringify = (value: unknown): string => {
  try {
    return JSON.stringify(value)
  } catch (error) {
    const json = (value as { toJSON?: () => CloudEventJSON }).toJSON?.() ?? (value as CloudEventJSON)
    return JSON.stringify({ ...json, data: { $unserializable: describeThrown(error) } })
  }
}
