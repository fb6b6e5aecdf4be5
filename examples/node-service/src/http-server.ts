import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { isTidingsError } from '@tidings/core'
import type { ServiceBus } from './bus'

/** An error that is the client's to fix: answered with its status and message. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly details?: unknown) {
    super(message)
  }
}

export interface Reply {
  status: number
  body: unknown
}

export interface Route {
  method: 'GET' | 'POST'
  /** Matched against the path; its capture groups become `params`. */
  path: RegExp
  handle(params: string[], body: unknown): Reply | Promise<Reply>
}

const MAX_BODY_BYTES = 64 * 1024

const readJson = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk)
  }
  if (size === 0) return undefined
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
  } catch {
    throw new HttpError(400, 'request body is not JSON')
  }
}

/** Failures the client can act on keep their message; anything else is a 500 with the details in the log. */
const errorReply = (error: unknown): Reply => {
  if (error instanceof HttpError) return { status: error.status, body: { error: error.message, details: error.details } }
  if (isTidingsError(error, 'E_VALIDATION')) return { status: 400, body: { error: error.message, details: error.details } }
  if (isTidingsError(error, 'E_DLQ_NOT_FOUND')) return { status: 404, body: { error: error.message } }
  console.error(error)
  return { status: 500, body: { error: 'internal error' } }
}

const route = async (routes: readonly Route[], req: IncomingMessage, path: string): Promise<Reply> => {
  let pathMatched = false
  for (const r of routes) {
    const match = r.path.exec(path)
    if (match === null) continue
    pathMatched = true
    if (r.method !== req.method) continue
    return r.handle(match.slice(1), r.method === 'POST' ? await readJson(req) : undefined)
  }
  throw pathMatched ? new HttpError(405, `${req.method} is not allowed on ${path}`) : new HttpError(404, `no route for ${path}`)
}

/** Handles the requests it wants (an event stream) and hands the others, or its failure, to `next`. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void

/** A JSON API server whose every request becomes an `http.request` event once answered; `before` sees each request first. */
export function createApiServer(bus: ServiceBus, routes: readonly Route[], before?: Middleware): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now()
    const path = new URL(req.url ?? '/', 'http://service').pathname
    res.on('finish', () => {
      const ms = Math.round((performance.now() - started) * 10) / 10
      bus.emit('http.request', { method: req.method ?? 'GET', path, status: res.statusCode, ms })
    })
    const answer = (reply: Promise<Reply>) => reply
      .catch(errorReply)
      .then(({ status, body }) => {
        // A stream that failed after it began cannot be answered any more: only ended.
        if (res.headersSent) return void res.destroy()
        res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`)
      })
    const routed = () => answer(route(routes, req, path))
    if (before === undefined) return void routed()
    before(req, res, (error) => void (error === undefined ? routed() : answer(Promise.reject(error))))
  })
}
