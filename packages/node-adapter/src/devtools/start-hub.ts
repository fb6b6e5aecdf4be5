import { createServer } from 'node:http'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { TidingsError } from '@tidings/core'
import type { HubLimits, ProducerInfo } from '@tidings/core'
import { WebSocketServer } from 'ws'
import { HubCredentials, checkToken, createToken, originAllowed } from './auth'
import { isLoopback, urlHost } from './bind-address'
import { packageVersion } from './package-version'
import { Relay } from './relay'
import type { HubStats } from './relay'
import { securityHeaders } from './security-headers'
import { findPageDir, pageHandler } from './static-site'

export interface DevtoolsHubOptions {
  /** Interface to bind (default 127.0.0.1). Anything but loopback needs `allowRemote`. */
  host?: string
  /** Port (default 7420; 0 picks a free one). */
  port?: number
  /** Access token, at least 16 characters (default: 32 random bytes). */
  token?: string
  /** Allow binding a non-loopback interface: anyone who can reach it and has the token sees your events. */
  allowRemote?: boolean
  /** Browser origins, besides the hub's own and loopback ones, allowed to open a WebSocket (e.g. "https://app.test"). */
  origins?: readonly string[]
  /** Directory of the built devtools page (default: `@tidings/devtools`'s `dist`, else a placeholder page). */
  staticDir?: string
  /** Traffic records kept for viewers that connect later (default 2000). */
  backlog?: number
  /** Upper bound of the backlog in bytes (default 16 MiB). */
  backlogBytes?: number
  /** Largest accepted WebSocket message (default 1 MiB). */
  maxPayload?: number
  /** Deepest nesting of arrays and objects an incoming frame may have (default 100); deeper frames are refused. */
  maxDepth?: number
  /** Open WebSocket connections at most (default 64); more are refused with 503. */
  maxConnections?: number
  /** Frames per second each connection may send, sustained (default 200) and at once (`burst`, default 400). */
  framesPerSecond?: number
  burst?: number
  /** How long a command waits for its producer's result (default 15 s). */
  commandTimeoutMs?: number
  /** Unsent bytes above which a connection is sent nothing more until it catches up (default 4 MiB): viewers miss traffic (counted), get the latest state later. */
  viewerHighWaterMark?: number
  /** Interval of WebSocket pings; a connection that misses one is dropped (default 30 s). */
  pingIntervalMs?: number
  /** How long a new connection may take to send its hello (default 10 s). */
  helloTimeoutMs?: number
  /** Where warnings go (default console.warn). */
  warn?: (message: string) => void
}

export interface DevtoolsHub {
  /** The page URL with its token: `http://127.0.0.1:PORT/?token=…`. */
  readonly url: string
  /** The WebSocket endpoint with its token: `ws://127.0.0.1:PORT/ws?token=…`. */
  readonly wsUrl: string
  readonly host: string
  readonly port: number
  readonly token: string
  /** Producers connected now. */
  producers(): ProducerInfo[]
  /** Connection counts, what slow viewers missed, and the bytes waiting to be sent. */
  stats(): HubStats
  /** Closes every connection (1001) and stops listening. */
  close(): Promise<void>
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }

const refuseUpgrade = (socket: Duplex, status: number, message: string) => {
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`)
}

/** How long closing waits for clients to acknowledge the close frame before cutting them off. */
const CLOSE_GRACE_MS = 500

const UNAUTHORIZED = 'Open the URL `tidings devtools` printed: it carries the access token (?token=…).\n'

/**
 * Starts the devtools hub: an HTTP server for the page and a WebSocket endpoint (`/ws`) where
 * buses connect as producers and pages as viewers. Every request needs the token (query or cookie).
 */
export async function startDevtoolsHub(options: DevtoolsHubOptions = {}): Promise<DevtoolsHub> {
  const host = options.host ?? '127.0.0.1'
  const warn = options.warn ?? ((message: string) => console.warn(message))
  if (!isLoopback(host)) {
    if (!options.allowRemote) {
      throw new TidingsError('E_INVALID_ARGUMENT', `Refusing to bind the devtools hub to ${host}: it would expose your events beyond this machine. Bind 127.0.0.1, or pass allowRemote: true (CLI: --allow-remote) if you mean it`)
    }
    warn(`Warning: the devtools hub listens on ${host}: anyone who can reach it and has the token sees and can replay your events.`)
  }
  const token = options.token ?? createToken()
  checkToken(token)
  const credentials = new HubCredentials(token)
  const limits: Required<HubLimits> = {
    maxPayload: options.maxPayload ?? 1 << 20,
    framesPerSecond: options.framesPerSecond ?? 200,
    burst: options.burst ?? 400,
    backlog: options.backlog ?? 2000,
    commandTimeoutMs: options.commandTimeoutMs ?? 15_000,
    maxDepth: options.maxDepth ?? 100,
  }
  const maxConnections = options.maxConnections ?? 64
  const relay = new Relay({
    limits,
    backlogBytes: options.backlogBytes ?? 16 << 20,
    viewerHighWaterMark: options.viewerHighWaterMark ?? 4 << 20,
    helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
    version: packageVersion(),
  })
  const page = pageHandler(findPageDir(options.staticDir))
  const headers = securityHeaders(page.csp)
  const origins = options.origins ?? []
  let port = 0
  let connectionSeq = 0
  /** Upgraded sockets still open: each is released when its TCP socket closes, however it ends. */
  let open = 0
  let refusedConnections = 0

  const server = createServer((req, res) => {
    for (const name in headers) res.setHeader(name, headers[name]!)
    const credential = credentials.credentialOf(req, port)
    if (credential === undefined) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end(UNAUTHORIZED)
      return
    }
    if (credential === 'query') res.setHeader('set-cookie', credentials.sessionCookie(port))
    page(req, res)
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayload })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    if (new URL(req.url ?? '/', 'http://hub').pathname !== '/ws') return refuseUpgrade(socket, 404, 'The devtools WebSocket endpoint is /ws\n')
    const credential = credentials.credentialOf(req, port)
    if (credential === undefined) return refuseUpgrade(socket, 401, UNAUTHORIZED)
    if (!originAllowed(req, credential, origins)) {
      return refuseUpgrade(socket, 403, `Origin ${req.headers.origin} may not connect: start the hub with --origin ${req.headers.origin} (origins option) to allow it\n`)
    }
    if (open >= maxConnections) {
      refusedConnections++
      return refuseUpgrade(socket, 503, `The devtools hub has ${maxConnections} connections open, its maximum: close pages or producers you no longer use, or raise it (--max-connections, maxConnections option)\n`)
    }
    open++
    socket.once('close', () => open--)
    wss.handleUpgrade(req, socket, head, (ws) => relay.accept(ws, `c${++connectionSeq}`))
  })

  const requested = options.port ?? 7420
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => {
      const hint = error.code === 'EADDRINUSE' ? `port ${requested} is in use: pick another (--port, 0 = any free port)` : error.message
      reject(new TidingsError('E_INVALID_ARGUMENT', `The devtools hub cannot listen on ${host}:${requested}: ${hint}`, { cause: error }))
    }
    server.once('error', fail)
    server.listen(requested, host, () => {
      server.off('error', fail)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  const pinger = setInterval(() => relay.heartbeat(), options.pingIntervalMs ?? 30_000)
  pinger.unref()

  const base = `http://${urlHost(host)}:${port}`
  return {
    url: `${base}/?token=${token}`,
    wsUrl: `ws://${urlHost(host)}:${port}/ws?token=${token}`,
    host,
    port,
    token,
    producers: () => relay.producerList(),
    stats: () => ({ ...relay.stats(), connections: open, refusedConnections }),
    async close() {
      clearInterval(pinger)
      relay.close()
      const closing = [...wss.clients].map((ws) => new Promise((resolve) => ws.once('close', resolve)))
      await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS))])
      for (const ws of wss.clients) ws.terminate()
      wss.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}
