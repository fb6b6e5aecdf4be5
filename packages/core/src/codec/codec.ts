import type { Catalog, CatalogEnvelope, EventDefinition } from '../catalog'
import type { Envelope } from '../envelope'
import { TidingsError } from '../errors'
import { validatePayload } from '../validation'
import { envelopeOf } from './cloud-event-envelope'
import { toCloudEvent } from './cloudevents'
import { checkEncodable, checkEncodableExtensions } from './encodable'
import { asDecodeError, describeThrown, isTidings, located } from './error-context'
import { oversized, splitLines, textLines } from './ndjson'
import type { Chunks } from './ndjson'
import { createOwnJson } from './own-json'
import { readEvent, readEventText } from './read-event'
import { surelyValid } from './schema-shortcut'
import type { EventFields } from './read-event'
import { excessSize, parseInput, resolveLimits } from './safe-json'
import { upcast } from './upcast'

export interface CodecOptions {
  /** An event whose type the catalog lacks: `'reject'` throws E_UNKNOWN_TYPE, `'keep'` returns it untyped, as is. Default `'reject'` with a catalog, `'keep'` without. */
  unknown?: 'reject' | 'keep'
  /** A payload version newer than the catalog's: `'reject'` throws E_FUTURE_VERSION, `'keep'` returns it as is (not upcast, not validated). Default `'reject'`. */
  future?: 'reject' | 'keep'
  /** Validate payloads against the catalog's schemas after upcasting (default true). */
  validate?: boolean
  /** Largest event, in UTF-8 bytes of its JSON (default 1 MiB); applies to encode and decode. */
  maxBytes?: number
  /** Deepest nesting of objects and arrays, the event object being level 1 (default 64). */
  maxDepth?: number
}

/**
 * What a catalog's codec decodes to: the union of its types' envelopes, narrowed by `type`; any
 * envelope when the options let through unknown types, newer versions or unvalidated payloads.
 */
export type DecodedEnvelope<C extends Catalog, O extends CodecOptions> = O extends { unknown: 'keep' } | { future: 'keep' } | { validate: false }
  ? Envelope
  : CatalogEnvelope<C>

/** Turns envelopes into text and back: the wire format of stores, transports and the devtools hub. */
export interface Codec<Env extends Envelope = Envelope> {
  /** One line of JSON (the envelope's CloudEvents form), without a newline. */
  encode(envelope: Envelope): string
  /** Reads JSON text or a parsed object: checks the attributes, upcasts old payloads, validates. */
  decode(input: string | object): Env
  /** NDJSON: each envelope's line followed by "\n". */
  encodeBatch(envelopes: Iterable<Envelope>): string
  /** Every non-blank NDJSON line; an error carries `details.line`. */
  decodeBatch(text: string): Env[]
  /** NDJSON chunks (text or UTF-8 bytes) split anywhere, decoded as they arrive. */
  decodeStream(chunks: Chunks): AsyncIterable<Env>
}

const choice = (name: string, value: string | undefined, fallback: 'reject' | 'keep'): boolean => {
  if (value === undefined) return fallback === 'keep'
  if (value !== 'reject' && value !== 'keep') {
    throw new TidingsError('E_INVALID_ARGUMENT', `createCodec: ${name} must be 'reject' or 'keep'; got ${String(value)}`)
  }
  return value === 'keep'
}

/**
 * Re-throws a payload's E_VALIDATION with `details.field` pointing into `data`; whatever a
 * schema's own check throws (a string, a BigInt, a circular object…) becomes E_VALIDATION too.
 */
const checkPayload = (def: EventDefinition, data: unknown): void => {
  try {
    validatePayload(def, data)
  } catch (error) {
    if (!isTidings(error)) {
      throw new TidingsError('E_VALIDATION', `Invalid "${def.type}" payload: its schema threw ${describeThrown(error)}: fix the schema's custom checks, which should return false rather than throw`, { cause: error, details: { type: def.type, field: 'data' } })
    }
    if (error.code !== 'E_VALIDATION') throw error
    const issues = error.details?.issues as { path: string }[] | undefined
    const path = issues?.[0]?.path
    throw new TidingsError('E_VALIDATION', error.message, { cause: error, details: { ...error.details, field: path ? `data.${path}` : 'data' } })
  }
}

/**
 * A codec for a catalog's events. Decoding checks the envelope against CloudEvents 1.0, bounds
 * size and depth, upcasts older payload versions step by step to the current one, then
 * validates the payload: handlers only ever see current versions. Every failure is a
 * TidingsError with a stable code, whatever the input.
 */
export function createCodec<const C extends Catalog, const O extends CodecOptions = {}>(catalog: C, options?: O): Codec<DecodedEnvelope<C, O>>
export function createCodec(catalog?: Catalog, options?: CodecOptions): Codec
/* @__NO_SIDE_EFFECTS__ */
export function createCodec(catalog?: Catalog, options: CodecOptions = {}): Codec {
  const limits = resolveLimits(options)
  const keepUnknown = choice('unknown', options.unknown, catalog === undefined ? 'keep' : 'reject')
  const keepFuture = choice('future', options.future, 'reject')
  const validate = options.validate ?? true

  // Events come in runs of one type: the last definition looked up is remembered.
  let lastType = ''
  let lastDef: EventDefinition | undefined

  const typed = (f: EventFields): Envelope => {
    let def = lastDef
    if (f.type !== lastType) {
      def = catalog?.get(f.type)
      lastType = f.type
      lastDef = def
    }
    if (def === undefined) {
      if (keepUnknown) return envelopeOf(f, f.data, f.dataversion)
      throw new TidingsError('E_UNKNOWN_TYPE', `"${f.type}" is not in the codec's catalog: add its definition, or createCodec(catalog, { unknown: 'keep' }) to keep such events untyped`, { details: { type: f.type, field: 'type' } })
    }
    // A missing dataversion means version 1; it is not added unless the payload is upcast.
    const from = f.dataversion ?? 1
    if (from === def.version) {
      if (validate && !surelyValid(def.schema, f.data)) checkPayload(def, f.data)
      return envelopeOf(f, f.data, f.dataversion)
    }
    if (from > def.version) {
      if (keepFuture) return envelopeOf(f, f.data, f.dataversion)
      throw new TidingsError('E_FUTURE_VERSION', `"${f.type}" v${from} is newer than the catalog's v${def.version}: update the catalog to the release that emits it, or createCodec(catalog, { future: 'keep' }) to keep such events as they are`, { details: { type: f.type, field: 'dataversion', version: from, current: def.version } })
    }
    const data = upcast(def, f.data, from)
    if (validate && !surelyValid(def.schema, data)) {
      try {
        checkPayload(def, data)
      } catch (error) {
        // checkPayload throws only TidingsErrors
        const e = error as TidingsError
        throw new TidingsError('E_UPCAST', `Upcasting "${f.type}" from v${from} to v${def.version} gave an invalid payload (${e.message}): fix the upcasters`, { cause: error, details: { type: f.type, field: 'data', from, to: def.version, issues: e.details?.issues } })
      }
    }
    return envelopeOf(f, data, def.version)
  }

  const decode = (input: string | object): Envelope => {
    try {
      return typed(typeof input === 'string' ? readEventText(input, limits) : readEvent(parseInput(input, limits)))
    } catch (error) {
      throw asDecodeError(error)
    }
  }

  // A getter or toJSON in the payload threw.
  const unserializable = (error: unknown) =>
    new TidingsError('E_ENCODE', `Cannot encode the event: "data" cannot be written as JSON (${describeThrown(error)}): keep payloads to plain data`, { cause: error, details: { reason: 'unserializable', field: 'data' } })

  const dataJson = (data: unknown): string => {
    try {
      checkEncodable(data, limits)
      return JSON.stringify(data)
    } catch (error) {
      throw isTidings(error) ? error : unserializable(error)
    }
  }
  const ownJson = createOwnJson(dataJson)

  // Any other envelope: every attribute checked on its toJSON() form, as decode would check it.
  const checkedJson = (envelope: Envelope): string => {
    const extensions = envelope?.extensions
    if (extensions !== undefined) checkEncodableExtensions(extensions)
    const json = toCloudEvent(envelope)
    try {
      // The attributes are flat and checked: only the payload can nest.
      checkEncodable(json.data, limits)
      return JSON.stringify(json)
    } catch (error) {
      throw isTidings(error) ? error : unserializable(error)
    }
  }

  const encode = (envelope: Envelope): string => {
    const text = ownJson(envelope) ?? checkedJson(envelope)
    const size = excessSize(text, limits)
    if (size > 0) {
      throw new TidingsError('E_ENCODE', `Cannot encode the event: it is ${size} bytes of JSON, more than the limit of ${limits.maxBytes}: split the payload, or raise the codec's maxBytes option`, { details: { reason: 'too-large', field: 'data', limit: limits.maxBytes, size } })
    }
    return text
  }

  return {
    encode,
    decode,
    encodeBatch(envelopes) {
      let out = ''
      let line = 0
      for (const envelope of envelopes) {
        line++
        try {
          out += encode(envelope) + '\n'
        } catch (error) {
          throw located(error, { line })
        }
      }
      return out
    },
    decodeBatch(text) {
      if (typeof text !== 'string') throw new TidingsError('E_DECODE', `decodeBatch expects NDJSON text; got ${text === null ? 'null' : typeof text}`, { details: { field: '' } })
      const out: Envelope[] = []
      for (const { line, text: t } of textLines(text)) {
        try {
          out.push(decode(t))
        } catch (error) {
          throw located(error, { line })
        }
      }
      return out
    },
    async *decodeStream(chunks) {
      for await (const { line, text } of splitLines(chunks, limits.maxBytes)) {
        if (text === undefined) throw oversized(line, limits.maxBytes)
        let envelope: Envelope
        try {
          envelope = decode(text)
        } catch (error) {
          throw located(error, { line })
        }
        yield envelope
      }
    },
  }
}
