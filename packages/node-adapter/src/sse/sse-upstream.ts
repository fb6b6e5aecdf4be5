import type { IncomingMessage } from 'node:http'
import { TidingsError, isTidingsError } from '@tidings/core'
import type { Codec, EmitOptions, Envelope } from '@tidings/core'

/** What the endpoint needs of a bus to take events a page POSTs. */
export interface UpstreamBus {
  emit(type: string, data?: unknown, options?: EmitOptions): unknown
}

export interface UpstreamAnswer {
  readonly status: number
  readonly body: { code: string; message: string; index?: number } | { accepted: number }
}

const refused = (status: number, code: string, message: string, index?: number): UpstreamAnswer =>
  ({ status, body: { code, message, ...(index !== undefined && { index }) } })

/** The request body, up to `max` bytes; a framework that parsed it already (express.json, fastify) left it in `req.body`. */
const readBody = async (req: IncomingMessage & { body?: unknown }, max: number): Promise<unknown> => {
  if (req.body !== undefined) return typeof req.body === 'string' ? JSON.parse(req.body) : req.body
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > max) throw new TidingsError('E_TOO_LARGE', `The body is over ${max} bytes: send fewer events per request, or raise maxBodyBytes`)
    chunks.push(chunk as Buffer)
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

/**
 * Takes the events a page POSTs (one CloudEvent, or a batch): every one is read through the
 * server's catalog first, and only if all are valid and of an accepted type are they emitted, with
 * their own ids, so that the page recognises them when they come back on its stream.
 */
export const receiveUpstream = async (
  req: IncomingMessage, bus: UpstreamBus, codec: Codec, accepts: ((type: string) => boolean) | undefined, maxBody: number,
): Promise<UpstreamAnswer> => {
  if (accepts === undefined) return refused(405, 'E_INVALID_ARGUMENT', 'This endpoint takes no events from pages: create it with sseEndpoint(bus, { accept: ["cart.*"] })')
  let body: unknown
  try {
    body = await readBody(req, maxBody)
  } catch (error) {
    if (isTidingsError(error)) return refused(413, error.code, error.message)
    return refused(400, 'E_DECODE', `The body is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  const items = Array.isArray(body) ? body : [body]
  const envelopes: Envelope[] = []
  for (const [index, item] of items.entries()) {
    let envelope: Envelope
    try {
      envelope = codec.decode(item as object)
    } catch (error) {
      const e = isTidingsError(error) ? error : new TidingsError('E_DECODE', String(error))
      return refused(400, e.code, `Event ${index} was refused: ${e.message}`, index)
    }
    if (!accepts(envelope.type)) return refused(403, 'E_INVALID_ARGUMENT', `Event ${index} ("${envelope.type}") is not a type this endpoint accepts from pages`, index)
    envelopes.push(envelope)
  }
  for (const [index, e] of envelopes.entries()) {
    try {
      bus.emit(e.type, e.data, { id: e.id, time: e.time, correlationid: e.correlationid, causationid: e.causationid, extensions: e.extensions })
    } catch (error) {
      // A middleware of the server's bus refused it; the ones before it were emitted.
      const err = isTidingsError(error) ? error : new TidingsError('E_MIDDLEWARE', String(error))
      return refused(422, err.code, `Event ${index} was refused by the server's bus (${index} before it were emitted): ${err.message}`, index)
    }
  }
  return { status: 202, body: { accepted: envelopes.length } }
}
