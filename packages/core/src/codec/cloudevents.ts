import type { CloudEventJSON, Envelope } from '../envelope'
import { TidingsError } from '../errors'
import { toBase64 } from './base64'
import { foreignEnvelope } from './cloud-event-envelope'
import type { ForeignAttributes } from './cloud-event-envelope'
import { asDecodeError, describeThrown, located } from './error-context'
import { readEvent } from './read-event'
import { parseInput, resolveLimits } from './safe-json'

/** Media type of one event in structured mode. */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json'
/** Media type of a JSON array of events. */
export const CLOUDEVENTS_BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json'

/** Limits for reading CloudEvents JSON; they apply to the whole document. */
export interface CloudEventOptions {
  /** Largest accepted document in UTF-8 bytes (default 1 MiB). */
  maxBytes?: number
  /** Deepest accepted nesting; an event object is level 1 (default 64). */
  maxDepth?: number
}

/** An envelope read by `fromCloudEvent`, with the CloudEvents attributes Tidings itself never sets. */
export interface CloudEvent<T extends string = string, D = unknown> extends Envelope<T, D>, ForeignAttributes {}

/**
 * The CloudEvents 1.0 JSON form of an envelope (structured mode, `application/cloudevents+json`):
 * `JSON.stringify` it to send. Binary data (a Uint8Array) is written as `data_base64`. An envelope
 * that breaks CloudEvents 1.0 (a time that is no RFC 3339 timestamp, a fractional extension
 * value, …) throws E_VALIDATION naming the attribute.
 */
export function toCloudEvent(envelope: Envelope): CloudEventJSON {
  if (typeof envelope?.toJSON !== 'function') {
    throw new TidingsError('E_INVALID_ARGUMENT', 'Expected an envelope (from emit, decode or fromCloudEvent), which has a toJSON() method')
  }
  let json: CloudEventJSON
  try {
    json = envelope.toJSON()
  } catch (error) {
    throw new TidingsError('E_VALIDATION', `Invalid event: its attributes cannot be written (${describeThrown(error)}); check its "time"`, { cause: error, details: { field: 'time' } })
  }
  if (json.data instanceof Uint8Array) {
    const { data, ...rest } = json
    json = rest as CloudEventJSON
    json.data_base64 = toBase64(data)
  }
  readEvent(json, false)
  return json
}

/** The JSON form of a batch (`application/cloudevents-batch+json`): `JSON.stringify` it to send. */
export function toCloudEventBatch(envelopes: Iterable<Envelope>): CloudEventJSON[] {
  const out: CloudEventJSON[] = []
  let index = 0
  for (const envelope of envelopes) {
    try {
      out.push(toCloudEvent(envelope))
    } catch (error) {
      throw located(error, { index })
    }
    index++
  }
  return out
}

/**
 * Reads one event in structured mode (JSON text, or the parsed object) and checks it against
 * CloudEvents 1.0. It keeps exactly the attributes it was given, so `toCloudEvent(fromCloudEvent(x))`
 * equals `x` (`null` attributes, which CloudEvents reads as absent, are dropped). No catalog is
 * involved: use `createCodec(catalog).decode` to upcast and validate payloads.
 */
export function fromCloudEvent(json: string | object, options?: CloudEventOptions): CloudEvent {
  const limits = resolveLimits(options)
  try {
    const fields = readEvent(parseInput(json, limits))
    return foreignEnvelope(fields, fields.data, fields.dataversion)
  } catch (error) {
    throw asDecodeError(error)
  }
}

/** Reads a JSON batch: an array of events; an error names the event's `index`. */
export function fromCloudEventBatch(json: string | readonly unknown[], options?: CloudEventOptions): CloudEvent[] {
  const limits = resolveLimits(options)
  let value: unknown
  try {
    // The array adds one level above its events.
    value = parseInput(json, { maxBytes: limits.maxBytes, maxDepth: limits.maxDepth + 1 })
  } catch (error) {
    throw asDecodeError(error)
  }
  if (!Array.isArray(value)) {
    throw new TidingsError('E_DECODE', `A CloudEvents batch is a JSON array of events (${CLOUDEVENTS_BATCH_CONTENT_TYPE}); got ${value === null ? 'null' : typeof value}`, { details: { field: '' } })
  }
  return value.map((item: unknown, index) => {
    try {
      const fields = readEvent(item)
      return foreignEnvelope(fields, fields.data, fields.dataversion)
    } catch (error) {
      throw located(error, { index })
    }
  })
}
