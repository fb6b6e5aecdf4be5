import { DEVTOOLS_PROTOCOL_VERSION, TidingsError, decodeDevtoolsFrame, encodeDevtoolsFrame, isTidingsError } from '@tidings/core'
import type {
  HubLimits, HubToProducerFrame, HubToViewerFrame, ProducerFrame, ProducerHelloFrame, ProducerInfo, ViewerCommandFrame,
  ViewerFrame, ViewerHelloFrame, WireError,
} from '@tidings/core'
import type { RawData, WebSocket } from 'ws'
import { BacklogRing } from './backlog-ring'
import { RateLimiter } from './rate-limiter'

export interface HubStats {
  producers: number
  viewers: number
  /** Commands sent to producers and not answered yet. */
  pendingCommands: number
  /** Traffic records not sent to slow viewers, since the hub started. */
  viewerDropped: number
}

export interface RelayOptions {
  limits: HubLimits
  /** Upper bound of the backlog's (estimated) size in bytes. */
  backlogBytes: number
  /** A viewer with more unsent bytes than this misses traffic frames (counted) until it catches up. */
  viewerHighWaterMark: number
  helloTimeoutMs: number
  version: string
}

interface Link {
  readonly ws: WebSocket
  readonly id: string
  alive: boolean
}

interface ProducerLink extends Link {
  info: ProducerInfo
  /** The latest `metrics` frame, as relayed to viewers (sent to each new viewer). */
  metrics?: string
}

interface ViewerLink extends Link {
  live: boolean
  /** Traffic records this viewer missed because it was too slow. */
  dropped: number
  /** `dropped` changed since the viewer was last told. */
  unreported: boolean
}

interface PendingCommand {
  viewer: ViewerLink
  viewerId: string
  producer: string
  name: string
  timer: ReturnType<typeof setTimeout>
}

/** Closes frames the protocol defines (docs/devtools-protocol.md §6). */
const CLOSE = { shutdown: 1001, policy: 1008, version: 4000, replaced: 4001 } as const

const DROPPED_NOTICE_MS = 250

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
  private readonly viewers = new Set<ViewerLink>()
  private readonly pending = new Map<string, PendingCommand>()
  private readonly backlog: BacklogRing
  private readonly noticeTimer: ReturnType<typeof setInterval>
  private commandSeq = 0
  /** Drops counted for viewers that have left, so the hub's total never goes down. */
  private droppedByGone = 0

  constructor(private readonly options: RelayOptions) {
    this.backlog = new BacklogRing(options.limits.backlog, options.backlogBytes)
    this.noticeTimer = setInterval(() => this.reportDrops(), DROPPED_NOTICE_MS)
    this.noticeTimer.unref()
  }

  stats(): HubStats {
    let viewerDropped = this.droppedByGone
    for (const viewer of this.viewers) viewerDropped += viewer.dropped
    return { producers: this.producers.size, viewers: this.viewers.size, pendingCommands: this.pending.size, viewerDropped }
  }

  producerList(): ProducerInfo[] {
    return [...this.producers.values()].map((p) => ({ ...p.info }))
  }

  /** Takes an authenticated socket; it must say hello first. */
  accept(ws: WebSocket, id: string): void {
    const limiter = new RateLimiter(this.options.limits.framesPerSecond, this.options.limits.burst)
    let link: ProducerLink | ViewerLink | undefined
    let role: 'producer' | 'viewer' | undefined
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
        if (link === undefined) {
          clearTimeout(helloTimer)
          const hello = this.decodeHello(text)
          role = hello.role
          link = hello.role === 'producer' ? this.addProducer(ws, id, hello) : this.addViewer(ws, id, hello)
        } else if (role === 'producer') {
          this.fromProducer(link as ProducerLink, decodeDevtoolsFrame(text, 'producer'), text)
        } else {
          this.fromViewer(link as ViewerLink, decodeDevtoolsFrame(text, 'viewer'))
        }
      } catch (error) {
        const refusal = isTidingsError(error) ? error : new TidingsError('E_DEVTOOLS_PROTOCOL', String(error))
        if (link !== undefined) this.sendError(ws, refusal)
        else this.refuse(ws, refusal, 'version' in (refusal.details ?? {}) ? CLOSE.version : CLOSE.policy)
      }
    })
    // Protocol violations (an oversized message: 1009) surface here and close the socket; the
    // close handler cleans up. Without a listener they would crash the hub.
    ws.on('error', () => {})
    ws.on('pong', () => {
      if (link) link.alive = true
    })
    ws.on('close', () => {
      clearTimeout(helloTimer)
      if (link === undefined) return
      if (role === 'producer') this.removeProducer(link as ProducerLink)
      else this.removeViewer(link as ViewerLink)
    })
  }

  /** Pings every connection; one that did not answer the previous ping is dropped. */
  heartbeat(): void {
    for (const link of [...this.producers.values(), ...this.viewers]) {
      if (!link.alive) {
        link.ws.terminate()
        continue
      }
      link.alive = false
      link.ws.ping()
    }
  }

  close(): void {
    clearInterval(this.noticeTimer)
    for (const p of this.pending.values()) clearTimeout(p.timer)
    this.pending.clear()
    for (const link of [...this.producers.values(), ...this.viewers]) link.ws.close(CLOSE.shutdown, 'hub shutting down')
  }

  private decodeHello(text: string): ProducerHelloFrame | ViewerHelloFrame {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw new TidingsError('E_DEVTOOLS_PROTOCOL', 'The first frame is not JSON: send a hello frame (docs/devtools-protocol.md §3)')
    }
    const sender = (value as { role?: unknown } | null)?.role === 'producer' ? 'producer' : 'viewer'
    const frame = decodeDevtoolsFrame(value, sender)
    if (frame.t !== 'hello') throw new TidingsError('E_DEVTOOLS_PROTOCOL', `The first frame must be a hello, got "${frame.t}"`)
    return frame
  }

  private welcome(link: Link, role: 'producer' | 'viewer'): void {
    this.send(link.ws, { v: DEVTOOLS_PROTOCOL_VERSION, t: 'welcome', id: link.id, role, hub: { version: this.options.version }, limits: this.options.limits })
  }

  private addProducer(ws: WebSocket, id: string, hello: ProducerHelloFrame): ProducerLink {
    const info: ProducerInfo = {
      id: hello.instance, name: hello.name, source: hello.source, connectedAt: Date.now(),
      paused: hello.paused ?? false, dropped: 0, catalog: hello.catalog,
    }
    if (hello.runtime !== undefined) info.runtime = hello.runtime
    if (hello.pid !== undefined) info.pid = hello.pid
    if (hello.storeDir !== undefined) info.storeDir = hello.storeDir
    const link: ProducerLink = { ws, id, alive: true, info }
    const previous = this.producers.get(info.id)
    this.producers.set(info.id, link)
    if (previous) {
      this.failPending(previous.info.id, 'The producer reconnected before answering: send the command again')
      previous.ws.close(CLOSE.replaced, 'replaced by a newer connection of the same producer')
    }
    this.welcome(link, 'producer')
    this.broadcastProducers()
    return link
  }

  private addViewer(ws: WebSocket, id: string, hello: ViewerHelloFrame): ViewerLink {
    const link: ViewerLink = { ws, id, alive: true, live: hello.live ?? true, dropped: 0, unreported: false }
    this.viewers.add(link)
    this.welcome(link, 'viewer')
    this.send(ws, { v: DEVTOOLS_PROTOCOL_VERSION, t: 'producers', producers: this.producerList() })
    if (link.live) {
      for (const p of this.producers.values()) if (p.metrics) ws.send(p.metrics)
      if (hello.backlog ?? true) this.send(ws, { v: DEVTOOLS_PROTOCOL_VERSION, t: 'backlog', frames: this.backlog.frames() })
    }
    return link
  }

  private removeProducer(link: ProducerLink): void {
    if (this.producers.get(link.info.id) !== link) return
    this.producers.delete(link.info.id)
    this.failPending(link.info.id, `Producer "${link.info.name}" disconnected before answering`)
    this.broadcastProducers()
  }

  private removeViewer(link: ViewerLink): void {
    this.viewers.delete(link)
    this.droppedByGone += link.dropped
    for (const [hubId, p] of this.pending) {
      if (p.viewer === link) {
        clearTimeout(p.timer)
        this.pending.delete(hubId)
      }
    }
  }

  private fromProducer(link: ProducerLink, frame: ProducerFrame, text: string): void {
    switch (frame.t) {
      case 'traffic': {
        link.info.dropped = frame.dropped
        this.backlog.add(link.info.id, frame.records, text.length / frame.records.length)
        if (frame.records.length) this.relayTraffic(withProducer(text, link.info.id), frame.records.length)
        return
      }
      case 'metrics': {
        link.info.dropped = frame.dropped
        link.metrics = withProducer(text, link.info.id)
        for (const viewer of this.viewers) if (viewer.live && viewer.ws.bufferedAmount <= this.options.viewerHighWaterMark) viewer.ws.send(link.metrics)
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
        this.send(pending.viewer.ws, { ...frame, id: pending.viewerId, producer: link.info.id })
        return
      }
      case 'hello':
        throw new TidingsError('E_DEVTOOLS_PROTOCOL', 'A second hello on one connection: reconnect to start over')
    }
  }

  private fromViewer(link: ViewerLink, frame: ViewerFrame): void {
    if (frame.t === 'hello') throw new TidingsError('E_DEVTOOLS_PROTOCOL', 'A second hello on one connection: reconnect to start over')
    this.route(link, frame)
  }

  private route(viewer: ViewerLink, command: ViewerCommandFrame): void {
    const producer = this.producers.get(command.producer)
    if (producer === undefined) {
      this.answer(viewer, command.id, command.producer, { code: 'E_DEVTOOLS_NO_PRODUCER', message: `No producer "${command.producer}" is connected: pick one from the producers list` })
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

  private answer(viewer: ViewerLink, id: string, producer: string, error: WireError): void {
    this.send(viewer.ws, { v: DEVTOOLS_PROTOCOL_VERSION, t: 'result', id, producer, ok: false, error })
  }

  private relayTraffic(text: string, records: number): void {
    const mark = this.options.viewerHighWaterMark
    for (const viewer of this.viewers) {
      if (!viewer.live) continue
      if (viewer.ws.bufferedAmount > mark) {
        viewer.dropped += records
        viewer.unreported = true
        continue
      }
      if (viewer.unreported) this.noticeDrops(viewer)
      viewer.ws.send(text)
    }
  }

  private reportDrops(): void {
    for (const viewer of this.viewers) {
      if (viewer.unreported && viewer.ws.bufferedAmount <= this.options.viewerHighWaterMark) this.noticeDrops(viewer)
    }
  }

  private noticeDrops(viewer: ViewerLink): void {
    viewer.unreported = false
    this.send(viewer.ws, { v: DEVTOOLS_PROTOCOL_VERSION, t: 'dropped', count: viewer.dropped })
  }

  private broadcastProducers(): void {
    if (this.viewers.size === 0) return
    const text = encodeDevtoolsFrame({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'producers', producers: this.producerList() })
    for (const viewer of this.viewers) viewer.ws.send(text)
  }

  private send(ws: WebSocket, frame: HubToProducerFrame | HubToViewerFrame): void {
    if (ws.readyState === ws.OPEN) ws.send(encodeDevtoolsFrame(frame))
  }

  private sendError(ws: WebSocket, error: TidingsError): void {
    this.send(ws, { v: DEVTOOLS_PROTOCOL_VERSION, t: 'error', code: error.code, message: error.message })
  }

  private refuse(ws: WebSocket, error: TidingsError, code: number): void {
    this.sendError(ws, error)
    // A close reason is at most 123 bytes.
    ws.close(code, error.message.replace(/[^\x20-\x7e]/g, '').slice(0, 120))
  }
}
