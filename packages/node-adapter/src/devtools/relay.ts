import { DEVTOOLS_PROTOCOL_VERSION, TidingsError, decodeDevtoolsFrame, encodeDevtoolsFrame, isTidingsError } from '@tidings/core'
import type {
  HubLimits, HubToProducerFrame, HubToViewerFrame, ProducerFrame, ProducerHelloFrame, ProducerInfo, ViewerCommandFrame,
  ViewerHelloFrame, WireError,
} from '@tidings/core'
import type { RawData, WebSocket } from 'ws'
import { BacklogRing } from './backlog-ring'
import { ProducerIds } from './producer-ids'
import { RateLimiter } from './rate-limiter'
import { ViewerChannel } from './viewer-channel'

export interface HubStats {
  producers: number
  viewers: number
  /** Open WebSocket connections, counted against `maxConnections` (set by the hub). */
  connections: number
  /** Upgrades refused because the hub had `maxConnections` open (set by the hub). */
  refusedConnections: number
  /** Commands sent to producers and not answered yet. */
  pendingCommands: number
  /** Traffic records not sent to slow viewers, since the hub started. */
  viewerDropped: number
  /** Other frames held back from (or, for error frames, not sent to) slow viewers, since the hub started. */
  viewerSkipped: number
  /** Viewers disconnected because they did not read the results of their own commands. */
  slowViewersCut: number
  /** Bytes written to connections and not yet sent: bounded by about one high-water mark plus one frame per connection. */
  bufferedBytes: number
}

export interface RelayOptions {
  limits: Required<HubLimits>
  /** Upper bound of the backlog's (estimated) size in bytes. */
  backlogBytes: number
  /** A connection with more unsent bytes than this is sent nothing more until it catches up. */
  viewerHighWaterMark: number
  helloTimeoutMs: number
  version: string
}

interface ProducerLink {
  readonly ws: WebSocket
  readonly id: string
  readonly secret: string
  alive: boolean
  info: ProducerInfo
  /** The latest `metrics` frame, as relayed to viewers (sent to each new viewer). */
  metrics?: string
}

interface PendingCommand {
  viewer: ViewerChannel
  viewerId: string
  producer: string
  name: string
  timer: ReturnType<typeof setTimeout>
}

/** Closes frames the protocol defines (docs/devtools-protocol.md §6). */
const CLOSE = { shutdown: 1001, policy: 1008, version: 4000, replaced: 4001 } as const

const CATCH_UP_MS = 250
/** Producers that left, remembered (without their catalogs) while the backlog holds their records. */
const DEPARTED = 256
/** The backlog is sent in pages of about this size, each once the previous one has left. */
const BACKLOG_PAGE_BYTES = 256 << 10

/** Appends the producer id to a validated producer frame without re-serializing it; the last key wins in JSON. */
const withProducer = (text: string, producer: string): string =>
  `${text.slice(0, text.lastIndexOf('}'))},"producer":${JSON.stringify(producer)}}`

const textOf = (data: RawData): string =>
  Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8')

/**
 * The hub's routing: producers' traffic and metrics to every live viewer (and the backlog),
 * viewers' commands to the producer they name and its results back, with request ids and timeouts.
 */
export class Relay {
  private readonly producers = new Map<string, ProducerLink>()
  private readonly viewers = new Map<WebSocket, ViewerChannel>()
  private readonly pending = new Map<string, PendingCommand>()
  private readonly ids = new ProducerIds()
  /** Producers that left, oldest first: viewers still name their records by them. */
  private readonly departed = new Map<string, ProducerInfo>()
  private readonly backlog: BacklogRing
  private readonly catchUpTimer: ReturnType<typeof setInterval>
  private commandSeq = 0
  /** Counts of viewers that have left, so the hub's totals never go down. */
  private droppedByGone = 0
  private skippedByGone = 0
  private slowViewersCut = 0
  /** The `producers` frame, encoded once per change however many viewers get it. */
  private producersCache: string | undefined

  constructor(private readonly options: RelayOptions) {
    this.backlog = new BacklogRing(options.limits.backlog, options.backlogBytes)
    this.catchUpTimer = setInterval(() => {
      for (const viewer of this.viewers.values()) viewer.catchUp()
    }, CATCH_UP_MS)
    this.catchUpTimer.unref()
  }

  stats(): Omit<HubStats, 'connections' | 'refusedConnections'> {
    let viewerDropped = this.droppedByGone
    let viewerSkipped = this.skippedByGone
    let bufferedBytes = 0
    for (const viewer of this.viewers.values()) {
      viewerDropped += viewer.dropped
      viewerSkipped += viewer.skipped
      bufferedBytes += viewer.ws.bufferedAmount
    }
    for (const producer of this.producers.values()) bufferedBytes += producer.ws.bufferedAmount
    return {
      producers: this.producers.size, viewers: this.viewers.size, pendingCommands: this.pending.size,
      viewerDropped, viewerSkipped, slowViewersCut: this.slowViewersCut, bufferedBytes,
    }
  }

  producerList(): ProducerInfo[] {
    return [...this.producers.values()].map((p) => ({ ...p.info }))
  }

  /** Takes an authenticated socket; it must say hello first. */
  accept(ws: WebSocket, id: string): void {
    const limiter = new RateLimiter(this.options.limits.framesPerSecond, this.options.limits.burst)
    const maxDepth = this.options.limits.maxDepth
    let producer: ProducerLink | undefined
    let viewer: ViewerChannel | undefined
    const helloTimer = setTimeout(() => {
      this.refuse(ws, new TidingsError('E_DEVTOOLS_PROTOCOL', `No hello within ${this.options.helloTimeoutMs} ms: send a hello frame first (docs/devtools-protocol.md §3)`), CLOSE.policy)
    }, this.options.helloTimeoutMs)

    ws.on('message', (data, isBinary) => {
      if (!limiter.take()) {
        this.refuse(ws, new TidingsError('E_DEVTOOLS_RATE_LIMIT', `More than ${this.options.limits.framesPerSecond} frames per second: batch messages (the producer sends every 50 ms)`), CLOSE.policy)
        return
      }
      if (isBinary) {
        this.sendError(ws, new TidingsError('E_DEVTOOLS_PROTOCOL', 'Binary messages are not part of the devtools protocol: send JSON text frames'))
        return
      }
      const text = textOf(data)
      try {
        if (producer !== undefined) {
          this.fromProducer(producer, decodeDevtoolsFrame(text, 'producer', maxDepth), text)
        } else if (viewer !== undefined) {
          const frame = decodeDevtoolsFrame(text, 'viewer', maxDepth)
          if (frame.t === 'hello') throw new TidingsError('E_DEVTOOLS_PROTOCOL', 'A second hello on one connection: reconnect to start over')
          this.route(viewer, frame)
        } else {
          clearTimeout(helloTimer)
          const hello = decodeDevtoolsFrame(text, 'hello', maxDepth)
          // Registered before anything is sent, so that the close handler always finds what to release.
          if (hello.role === 'producer') producer = this.addProducer(ws, id, hello)
          else viewer = this.addViewer(ws, id, hello)
        }
      } catch (error) {
        const refusal = isTidingsError(error) ? error : new TidingsError('E_DEVTOOLS_PROTOCOL', `The hub could not handle a frame: ${String(error)}`)
        if (producer !== undefined || viewer !== undefined) this.sendError(ws, refusal)
        else this.refuse(ws, refusal, 'version' in (refusal.details ?? {}) ? CLOSE.version : CLOSE.policy)
      }
    })
    // Protocol violations (an oversized message: 1009) surface here and close the socket; the
    // close handler cleans up. Without a listener they would crash the hub.
    ws.on('error', () => {})
    ws.on('pong', () => {
      if (producer) producer.alive = true
      if (viewer) viewer.alive = true
    })
    ws.on('close', () => {
      clearTimeout(helloTimer)
      if (producer !== undefined) this.removeProducer(producer)
      if (viewer !== undefined) this.removeViewer(viewer)
    })
  }

  /** Pings every connection; one that did not answer the previous ping is dropped. */
  heartbeat(): void {
    for (const link of [...this.producers.values(), ...this.viewers.values()]) {
      if (!link.alive) {
        link.ws.terminate()
        continue
      }
      link.alive = false
      link.ws.ping()
    }
  }

  close(): void {
    clearInterval(this.catchUpTimer)
    for (const p of this.pending.values()) clearTimeout(p.timer)
    this.pending.clear()
    for (const link of [...this.producers.values(), ...this.viewers.values()]) link.ws.close(CLOSE.shutdown, 'hub shutting down')
  }

  private welcome(ws: WebSocket, id: string, role: 'producer' | 'viewer', extra: { producer?: string; resume?: string } = {}): void {
    this.send(ws, { v: DEVTOOLS_PROTOCOL_VERSION, t: 'welcome', id, role, hub: { version: this.options.version }, limits: this.options.limits, ...extra })
  }

  private addProducer(ws: WebSocket, connection: string, hello: ProducerHelloFrame): ProducerLink {
    const previous = this.producers.get(hello.instance)
    const { id, secret } = this.ids.claim(hello.instance, hello.resume, previous?.secret, (candidate) => this.producers.has(candidate))
    const info: ProducerInfo = {
      id, name: hello.name, source: hello.source, connectedAt: Date.now(),
      paused: hello.paused ?? false, dropped: 0, catalog: hello.catalog,
    }
    if (hello.runtime !== undefined) info.runtime = hello.runtime
    if (hello.pid !== undefined) info.pid = hello.pid
    if (hello.storeDir !== undefined) info.storeDir = hello.storeDir
    if (hello.features !== undefined) info.features = hello.features
    const link: ProducerLink = { ws, id: connection, secret, alive: true, info }
    this.departed.delete(id)
    const replaced = id === hello.instance ? previous : undefined
    this.producers.set(id, link)
    if (replaced) {
      this.failPending(id, 'The producer reconnected before answering: send the command again')
      replaced.ws.close(CLOSE.replaced, 'replaced by a newer connection of the same producer')
    }
    this.welcome(ws, connection, 'producer', { producer: id, resume: secret })
    this.broadcastProducers()
    return link
  }

  private addViewer(ws: WebSocket, id: string, hello: ViewerHelloFrame): ViewerChannel {
    const pageBytes = Math.min(BACKLOG_PAGE_BYTES, this.options.viewerHighWaterMark)
    const viewer = new ViewerChannel(ws, id, hello.live ?? true, this.options.viewerHighWaterMark, pageBytes, {
      backlog: this.backlog,
      producersText: () => this.producersText(),
      metricsTexts: () => [...this.producers.values()].flatMap((p) => p.metrics ?? []),
    })
    this.viewers.set(ws, viewer)
    this.producersCache = undefined
    this.welcome(ws, id, 'viewer')
    viewer.start(hello.backlog ?? true)
    return viewer
  }

  private removeProducer(link: ProducerLink): void {
    if (this.producers.get(link.info.id) !== link) return
    this.producers.delete(link.info.id)
    this.ids.release(link.info.id, link.secret)
    this.departed.set(link.info.id, { ...link.info, catalog: [], disconnectedAt: Date.now() })
    if (this.departed.size > DEPARTED) this.departed.delete(this.departed.keys().next().value!)
    this.failPending(link.info.id, `Producer "${link.info.name}" disconnected before answering`)
    this.broadcastProducers()
  }

  private removeViewer(viewer: ViewerChannel): void {
    if (!this.viewers.delete(viewer.ws)) return
    this.droppedByGone += viewer.dropped
    this.skippedByGone += viewer.skipped
    for (const [hubId, p] of this.pending) {
      if (p.viewer === viewer) {
        clearTimeout(p.timer)
        this.pending.delete(hubId)
      }
    }
  }

  private fromProducer(link: ProducerLink, frame: ProducerFrame, text: string): void {
    switch (frame.t) {
      case 'traffic': {
        link.info.dropped = frame.dropped
        if (frame.records.length === 0) return
        const kept = this.backlog.add(link.info.id, frame.records, text.length / frame.records.length)
        const relayed = withProducer(text, link.info.id)
        for (const viewer of this.viewers.values()) viewer.traffic(relayed, frame.records.length, kept)
        return
      }
      case 'metrics': {
        link.info.dropped = frame.dropped
        link.metrics = withProducer(text, link.info.id)
        for (const viewer of this.viewers.values()) viewer.metrics(link.metrics)
        return
      }
      case 'catalog':
        link.info.catalog = frame.catalog
        this.broadcastProducers()
        return
      case 'result': {
        const pending = this.pending.get(frame.id)
        if (pending === undefined || pending.producer !== link.info.id) return
        clearTimeout(pending.timer)
        this.pending.delete(frame.id)
        const paused = (frame.value as { paused?: unknown } | undefined)?.paused
        if (pending.name === 'pause' && frame.ok && typeof paused === 'boolean') {
          link.info.paused = paused
          this.broadcastProducers()
        }
        this.reply(pending.viewer, { ...frame, id: pending.viewerId, producer: link.info.id })
        return
      }
      case 'hello':
        throw new TidingsError('E_DEVTOOLS_PROTOCOL', 'A second hello on one connection: reconnect to start over')
    }
  }

  private route(viewer: ViewerChannel, command: ViewerCommandFrame): void {
    const producer = this.producers.get(command.producer)
    if (producer === undefined) {
      this.answer(viewer, command.id, command.producer, { code: 'E_DEVTOOLS_NO_PRODUCER', message: `No producer "${command.producer}" is connected: pick one from the producers list` })
      return
    }
    if (producer.ws.bufferedAmount > this.options.viewerHighWaterMark) {
      this.answer(viewer, command.id, command.producer, { code: 'E_TIMEOUT', message: `Producer "${producer.info.name}" is not reading what the hub sends it: try again later` })
      return
    }
    const hubId = `h${++this.commandSeq}`
    const timer = setTimeout(() => {
      this.pending.delete(hubId)
      this.answer(viewer, command.id, command.producer, { code: 'E_TIMEOUT', message: `Producer "${producer.info.name}" did not answer "${command.name}" within ${this.options.limits.commandTimeoutMs} ms` })
    }, this.options.limits.commandTimeoutMs)
    this.pending.set(hubId, { viewer, viewerId: command.id, producer: command.producer, name: command.name, timer })
    this.send(producer.ws, { v: DEVTOOLS_PROTOCOL_VERSION, t: 'command', id: hubId, name: command.name, args: command.args })
  }

  private failPending(producer: string, message: string): void {
    for (const [hubId, p] of this.pending) {
      if (p.producer !== producer) continue
      clearTimeout(p.timer)
      this.pending.delete(hubId)
      this.answer(p.viewer, p.viewerId, producer, { code: 'E_DEVTOOLS_NO_PRODUCER', message })
    }
  }

  private answer(viewer: ViewerChannel, id: string, producer: string, error: WireError): void {
    this.reply(viewer, { v: DEVTOOLS_PROTOCOL_VERSION, t: 'result', id, producer, ok: false, error })
  }

  /**
   * A viewer that does not read the answers to its own commands would make the hub buffer them
   * without bound: it is disconnected instead (a page reconnects and starts afresh).
   */
  private reply(viewer: ViewerChannel, frame: HubToViewerFrame): void {
    if (viewer.reply(encodeDevtoolsFrame(frame))) return
    this.slowViewersCut++
    this.removeViewer(viewer)
    viewer.ws.terminate()
  }

  private producersText(): string {
    if (this.producersCache !== undefined) return this.producersCache
    for (const id of this.departed.keys()) if (!this.backlog.holds(id)) this.departed.delete(id)
    const departed = [...this.departed.values()]
    return this.producersCache = encodeDevtoolsFrame({
      v: DEVTOOLS_PROTOCOL_VERSION, t: 'producers', producers: this.producerList(), ...(departed.length > 0 && { departed }),
    })
  }

  private broadcastProducers(): void {
    this.producersCache = undefined
    for (const viewer of this.viewers.values()) viewer.producersChanged()
  }

  private send(ws: WebSocket, frame: HubToProducerFrame | HubToViewerFrame): void {
    if (ws.readyState === ws.OPEN && ws.bufferedAmount <= this.options.viewerHighWaterMark) ws.send(encodeDevtoolsFrame(frame))
  }

  private sendError(ws: WebSocket, error: TidingsError): void {
    const text = encodeDevtoolsFrame({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'error', code: error.code, message: error.message })
    const viewer = this.viewers.get(ws)
    if (viewer !== undefined) viewer.notice(text)
    else if (ws.readyState === ws.OPEN && ws.bufferedAmount <= this.options.viewerHighWaterMark) ws.send(text)
  }

  private refuse(ws: WebSocket, error: TidingsError, code: number): void {
    this.sendError(ws, error)
    // A close reason is at most 123 bytes.
    ws.close(code, error.message.replace(/[^\x20-\x7e]/g, '').slice(0, 120))
  }
}
