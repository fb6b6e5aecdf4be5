import type { IncomingMessage, ServerResponse } from 'node:http'
import { TidingsError, createCodec } from '@tidings/core'
import type { Catalog, Envelope, Store } from '@tidings/core'
import { SseClient } from './sse-client'
import { HEARTBEAT, eventFrame, gapFrame } from './sse-frames'
import { positionOf } from './sse-resume'
import { receiveUpstream } from './sse-upstream'
import type { UpstreamBus } from './sse-upstream'
import { matcher } from './type-filter'

/** What the endpoint needs of a bus: any Tidings bus has it. */
export interface SseBus extends UpstreamBus {
  readonly catalog: Catalog | undefined
  on(type: '*', handler: (type: string, data: unknown, envelope: Envelope) => void): () => void
  flush(): Promise<void>
}

export interface SseEndpointOptions {
  /** Types or patterns streamed (default: every type). A client may narrow them with `?types=a.*,b`. */
  types?: readonly string[]
  /** The bus's store: a browser that reconnects with Last-Event-ID gets what it missed from its log. */
  store?: Store
  /** Decides who may connect (and POST): false answers 401. Read cookies or headers from `req`. */
  authorize?(req: IncomingMessage): boolean | Promise<boolean>
  /** A comment line to every client this often, so proxies keep idle streams open (default 15000 ms). */
  heartbeatMs?: number
  /** Bytes a client may have waiting before it is dropped as too slow (default 1 MiB). */
  maxBufferedBytes?: number
  /** The browser's reconnect delay, sent as SSE `retry:` (default 2000 ms). */
  retryMs?: number
  /** Types or patterns pages may POST to this URL (validated against the bus's catalog). Default: none (405). */
  accept?: readonly string[]
  /** Largest POST body (default 1 MiB). */
  maxBodyBytes?: number
  /** Log records searched back for a Last-Event-ID (default 10000); past them the client is sent a `tidings.gap` event. */
  resumeWindow?: number
  /** Only requests to this path are handled; others go to `next` (middleware) or get 404. Default: every request given. */
  path?: string
}

export interface SseStats {
  /** Streams open now. */
  readonly clients: number
  /** Streams dropped because the client read too slowly. */
  readonly dropped: number
  /** Requests the authorize hook refused. */
  readonly refused: number
  /** Streams that resumed after a Last-Event-ID found in the log. */
  readonly resumed: number
  /** Events POSTed by pages and emitted. */
  readonly accepted: number
}

/**
 * A node:http handler, and a connect/express middleware (`next` is called for other paths):
 * `http.createServer(endpoint)`, `app.use(endpoint)`. Fastify and Hono hand it their raw
 * request and response (see the README).
 */
export interface SseEndpoint {
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void
  stats(): SseStats
  /** Ends every stream and stops listening to the bus. */
  close(): void
}

const pathOf = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://localhost')

/**
 * Server-Sent Events from a bus: each event as `id: <envelope id>` and its CloudEvents JSON, with
 * resume from the store after a dropped connection, an auth hook, heartbeats, and slow clients
 * dropped (counted) instead of buffered without bound. The browser side is `eventSourceBridge(url)`.
 */
export function sseEndpoint(bus: SseBus, options: SseEndpointOptions = {}): SseEndpoint {
  const allowed = matcher(options.types)
  const accepts = options.accept === undefined ? undefined : matcher(options.accept)
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024
  const codec = createCodec(bus.catalog)
  const clients = new Set<SseClient>()
  const counts = { dropped: 0, refused: 0, resumed: 0, accepted: 0 }
  let unsubscribe: (() => void) | undefined
  let heartbeat: ReturnType<typeof setInterval> | undefined

  // One subscription and one frame per event, whatever the number of clients; none while nobody listens.
  const fanOut = (type: string, _data: unknown, envelope: Envelope) => {
    if (!allowed(type)) return
    let frame: string | undefined
    for (const client of clients) {
      if (!client.wants(type)) continue
      frame ??= eventFrame(envelope)
      if (frame === undefined) return
      client.live(envelope.id, frame)
    }
  }

  const remove = (client: SseClient) => {
    if (!clients.delete(client) || clients.size > 0) return
    unsubscribe?.()
    unsubscribe = undefined
    clearInterval(heartbeat)
  }

  const add = (client: SseClient) => {
    clients.add(client)
    if (unsubscribe !== undefined) return
    unsubscribe = bus.on('*', fanOut)
    heartbeat = setInterval(() => {
      for (const c of clients) c.write(HEARTBEAT)
    }, options.heartbeatMs ?? 15_000)
    heartbeat.unref()
  }

  const replay = async (client: SseClient, lastEventId: string) => {
    const store = options.store
    if (store === undefined) return void client.write(gapFrame(lastEventId))
    // Events emitted before this request must be in the log before it is read.
    await bus.flush().catch(() => {})
    const position = await positionOf(store, lastEventId, options.resumeWindow ?? 10_000)
    if (position === undefined) return void client.write(gapFrame(lastEventId))
    counts.resumed++
    for await (const { envelope } of store.read({ after: position })) {
      if (!allowed(envelope.type) || !client.wants(envelope.type)) continue
      const frame = eventFrame(envelope)
      if (frame !== undefined && !client.replay(envelope.id, frame)) return
    }
  }

  const stream = async (req: IncomingMessage, res: ServerResponse) => {
    const narrowed = pathOf(req).searchParams.get('types')
    const wants = narrowed ? matcher(narrowed.split(',').filter(Boolean)) : () => true
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    req.socket.setNoDelay(true)
    res.write(`retry: ${options.retryMs ?? 2000}\n\n`)
    const client = new SseClient(res, wants, maxBuffered, (c) => {
      counts.dropped++
      remove(c)
    })
    add(client)
    res.on('close', () => remove(client))
    const last = req.headers['last-event-id']
    const lastEventId = Array.isArray(last) ? last[0] : last
    try {
      if (lastEventId) await replay(client, lastEventId)
    } catch {
      // The log could not be read: the client says so to the page, which may reload what it shows.
      client.write(gapFrame(lastEventId!))
    }
    client.caughtUp()
  }

  const answer = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (options.authorize !== undefined && !(await options.authorize(req))) {
      counts.refused++
      return answer(res, 401, { code: 'E_INVALID_ARGUMENT', message: 'Not authorized for this event stream' })
    }
    if (req.method === 'POST') {
      const result = await receiveUpstream(req, bus, codec, accepts, options.maxBodyBytes ?? 1024 * 1024)
      if ('accepted' in result.body) counts.accepted += result.body.accepted
      return answer(res, result.status, result.body)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, { code: 'E_INVALID_ARGUMENT', message: 'GET for the stream, POST to send events' })
    await stream(req, res)
  }

  const endpoint = ((req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => {
    if (options.path !== undefined && pathOf(req).pathname !== options.path) {
      if (next) return next()
      return void res.writeHead(404).end()
    }
    handle(req, res).catch((error: unknown) => {
      const failure = error instanceof TidingsError ? error : new TidingsError('E_TRANSPORT', `The event stream failed: ${String(error)}`, { cause: error })
      if (next) return next(failure)
      if (!res.headersSent) answer(res, 500, { code: failure.code, message: failure.message })
      else res.destroy()
    })
  }) as SseEndpoint

  endpoint.stats = () => ({ clients: clients.size, ...counts })
  endpoint.close = () => {
    for (const client of [...clients]) {
      client.end()
      remove(client)
    }
  }
  return endpoint
}
