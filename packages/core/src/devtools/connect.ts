import type { CloudEventJSON, Envelope } from '../envelope'
import { idPrefix } from '../envelope'
import { TidingsError } from '../errors'
import type { EventMap, Observation } from '../types'
import { catalogEntries } from './catalog-entries'
import type { DevtoolsBus, DevtoolsConnection, DevtoolsOptions, DevtoolsSocket, DevtoolsSocketConstructor, DevtoolsStats } from './connect-types'
import { BusErrorLog } from './bus-errors'
import { runCommand, toWireError } from './commands'
import { connectionFailure } from './connection-failure'
import { describeThrown } from './describe-error'
import { runtimeOf } from './runtime'
import type { Host } from './runtime'
import { devtoolsSocketURL } from './hub-url'
import { jsonDepthExceeds } from './json-depth'
import { DEVTOOLS_MAX_DEPTH, DEVTOOLS_PROTOCOL_VERSION, decodeDevtoolsFrame, encodeDevtoolsFrame } from './protocol'
import type { CatalogEntry, HubToProducerFrame, ProducerFeature, ProducerFrame } from './protocol'
import { TrafficQueue } from './traffic-queue'

/** Which optional APIs a bus has, as its hello advertises them. */
const featuresOf = (bus: DevtoolsBus): ProducerFeature[] => {
  const features: ProducerFeature[] = []
  if (typeof bus.metrics === 'function') features.push('metrics')
  if (bus.dlq !== undefined) features.push('dlq')
  if (typeof bus.history === 'function') features.push('history')
  return features
}

export type { DevtoolsBus, DevtoolsConnection, DevtoolsOptions, DevtoolsSocket, DevtoolsSocketConstructor, DevtoolsStats } from './connect-types'

const OPEN = 1
const STABLE_MS = 10_000
const CLOSE_WAIT_MS = 1000
const DEFAULT_MAX_PAYLOAD = 1 << 20
/** Frames sent per flush at most, so one flush never holds the thread for long. */
const FRAMES_PER_FLUSH = 16
const BACKLOG_RETRY_MS = 5

type Timer = ReturnType<typeof setTimeout>
/** Timers must not keep a Node process alive on their own account. */
const unref = (timer: Timer): Timer => {
  (timer as { unref?: () => void }).unref?.()
  return timer
}

/**
 * Streams a bus's traffic, catalog and metrics to a devtools hub and runs the hub's commands on it.
 * Never slows the bus: observations are queued in a bounded ring and sent in batches; when the hub
 * is slow or away the oldest are dropped and counted. Reconnects with backoff until closed.
 * The bus needs `observe()`; metrics, dead letters and history are shown when it has them.
 */
export function connectDevtools<E extends EventMap>(bus: DevtoolsBus<E>, options: DevtoolsOptions): DevtoolsConnection {
  // The commands take any event type from the page: the bus is used untyped from here on.
  const target = bus as unknown as DevtoolsBus
  if (typeof target.observe !== 'function') {
    throw new TidingsError('E_INVALID_ARGUMENT', 'connectDevtools: the bus has no observe(): create it with createBus(options, observe()) or standard()')
  }
  const features = featuresOf(target)
  const callSites = options.callSites ?? (typeof process === 'undefined' || process.env.NODE_ENV !== 'production')
  const host = globalThis as Host
  const runtime = runtimeOf(host)
  const metrics = target.metrics?.bind(target)
  const url = devtoolsSocketURL(options.url, options.token)
  const Socket = options.WebSocket ?? (globalThis as { WebSocket?: DevtoolsSocketConstructor }).WebSocket
  if (Socket === undefined) {
    throw new TidingsError('E_INVALID_ARGUMENT', 'connectDevtools: this runtime has no global WebSocket (Node 20): pass { WebSocket } from the "ws" package')
  }
  const batchMs = options.batchMs ?? 50
  const metricsMs = options.metricsIntervalMs ?? 1000
  const highWaterMark = options.highWaterMark ?? 1 << 20
  const initialMs = options.reconnect?.initialMs ?? 250
  const maxMs = options.reconnect?.maxMs ?? 30_000
  let instance = idPrefix().slice(0, -1)
  /** The hub's proof that this producer owns `instance`, presented on reconnect. */
  let resume: string | undefined
  let lastError = ''
  let failure: DevtoolsStats['error']
  const report = (error: TidingsError) => {
    if (error.message === lastError) return
    lastError = error.message
    try {
      if (options.onError) options.onError(error)
      else if (error.code === 'E_ENCODE') console.warn(error.message)
    } catch {
      // A throwing error listener must not stop the producer; there is nowhere left to report to.
    }
  }
  const queue = new TrafficQueue(options.maxQueue ?? 10_000, options.redact, report)

  let socket: DevtoolsSocket | undefined
  let greeted = false
  let closed = false
  let paused = false
  let sent = 0
  let connections = 0
  let failures = 0
  let openedAt = 0
  let maxPayload = DEFAULT_MAX_PAYLOAD
  let maxDepth = DEVTOOLS_MAX_DEPTH
  let flushTimer: Timer | undefined
  let metricsTimer: ReturnType<typeof setInterval> | undefined
  let reconnectTimer: Timer | undefined
  let catalog: CatalogEntry[] | undefined
  let unobserve: (() => void) | undefined
  let markConnected: () => void = () => {}
  const connected = new Promise<void>((resolve) => (markConnected = resolve))

  const fail = (code: TidingsError['code'], message: string) => report(new TidingsError(code, message))
  const connectionFailed = (error: TidingsError) => {
    failure = { code: error.code, message: error.message, at: Date.now(), ...(error.details && { details: error.details }) }
    report(error)
  }

  /** Sends text; a socket that throws (closing, in some runtimes) is left to its close event. */
  const transmit = (text: string) => {
    if (socket?.readyState !== OPEN) return
    try {
      socket.send(text)
    } catch (error) {
      fail('E_DEVTOOLS_CONNECTION', `Sending to the devtools hub failed: ${describeThrown(error)}`)
    }
  }

  const send = (frame: ProducerFrame) => transmit(encodeDevtoolsFrame(frame))

  const flush = () => {
    flushTimer = undefined
    if (!greeted || socket === undefined) return
    if (socket.bufferedAmount <= highWaterMark && queue.size > 0) {
      const before = queue.size
      const frames = queue.drain(maxPayload, FRAMES_PER_FLUSH, maxDepth)
      for (const frame of frames) transmit(frame)
      sent += before - queue.size
    }
    // A backlog (the socket was busy, or more than one flush's worth queued) goes out as soon as
    // the socket drains, not one batch interval later: the interval batches, it must not throttle.
    if (queue.size > 0 && !closed) schedule(BACKLOG_RETRY_MS)
  }

  const schedule = (delay = batchMs) => {
    flushTimer ??= unref(setTimeout(flush, delay))
  }

  const observer = (observation: Observation) => {
    queue.push(observation, Date.now())
    if (flushTimer === undefined && greeted) schedule()
  }

  const setPaused = (value: boolean) => {
    paused = value
    unobserve?.()
    unobserve = paused ? undefined : target.observe(observer, { callSites })
  }

  const sendMetrics = () => {
    if (metrics !== undefined && greeted && socket !== undefined && socket.bufferedAmount <= highWaterMark) {
      send({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'metrics', snapshot: metrics(), dropped: queue.dropped })
    }
  }

  const expose = (envelope: Envelope): CloudEventJSON | undefined => {
    const json = queue.envelopeJSON(envelope)
    return json === null ? undefined : (JSON.parse(json) as CloudEventJSON)
  }

  const answer = async (id: string, name: string, args: Record<string, unknown>) => {
    let text: string
    try {
      const value = await runCommand(name, args, { bus: target, expose, setPaused, busErrors: (limit) => busErrors.list(limit) })
      text = encodeDevtoolsFrame({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'result', id, ok: true, value })
      if (text.length * 3 > maxPayload && new TextEncoder().encode(text).length > maxPayload) {
        throw new TidingsError('E_TOO_LARGE', `The result of "${name}" exceeds the hub's ${maxPayload}-byte frame limit: ask for fewer items (limit)`)
      }
      if (jsonDepthExceeds(text, maxDepth)) {
        throw new TidingsError('E_TOO_LARGE', `The result of "${name}" nests deeper than the hub's limit of ${maxDepth} levels: ask for other items`)
      }
    } catch (error) {
      text = encodeDevtoolsFrame({ v: DEVTOOLS_PROTOCOL_VERSION, t: 'result', id, ok: false, error: toWireError(error) })
    }
    transmit(text)
  }

  const receive = (data: unknown) => {
    let frame: HubToProducerFrame
    try {
      frame = decodeDevtoolsFrame(typeof data === 'string' ? data : String(data), 'hub') as HubToProducerFrame
    } catch (error) {
      fail('E_DEVTOOLS_PROTOCOL', describeThrown(error))
      return
    }
    if (frame.t === 'welcome') {
      maxPayload = frame.limits.maxPayload
      maxDepth = frame.limits.maxDepth ?? DEVTOOLS_MAX_DEPTH
      if (frame.producer !== undefined) instance = frame.producer
      if (frame.resume !== undefined) resume = frame.resume
      greeted = true
      lastError = ''
      failure = undefined
      markConnected()
      sendMetrics()
      if (metrics !== undefined) metricsTimer ??= unref(setInterval(sendMetrics, metricsMs))
      flush()
    } else if (frame.t === 'command') {
      void answer(frame.id, frame.name, frame.args)
    } else if (frame.t === 'error') {
      fail(frame.code as TidingsError['code'], `The devtools hub refused a frame: ${frame.message}`)
    }
  }

  /** The hello; a catalog whose JSON Schemas would exceed the hub's frame or depth limit goes without them. */
  const helloText = () => {
    catalog ??= catalogEntries(target.catalog)
    const hello = (entries: CatalogEntry[]) => encodeDevtoolsFrame({
      v: DEVTOOLS_PROTOCOL_VERSION, t: 'hello', role: 'producer', instance,
      name: options.name ?? target.source, source: target.source, runtime, paused, features, catalog: entries,
      ...(host.process?.pid !== undefined && { pid: host.process.pid }),
      ...(options.storeDir !== undefined && { storeDir: options.storeDir }),
      ...(resume !== undefined && { resume }),
    })
    const text = hello(catalog)
    const fits = text.length * 3 <= DEFAULT_MAX_PAYLOAD || new TextEncoder().encode(text).length <= DEFAULT_MAX_PAYLOAD
    if (fits && !jsonDepthExceeds(text, maxDepth)) return text
    fail('E_TOO_LARGE', `The catalog's JSON Schemas exceed the devtools hub's ${DEFAULT_MAX_PAYLOAD}-byte or ${maxDepth}-level frame limit: the page gets the types without their schemas`)
    return hello(catalog.map(({ schema: _schema, ...entry }) => entry))
  }

  const retry = () => {
    if (openedAt && Date.now() - openedAt >= STABLE_MS) failures = 0
    openedAt = 0
    const delay = Math.random() * Math.min(maxMs, initialMs * 2 ** failures++)
    reconnectTimer = unref(setTimeout(connect, delay))
  }

  const connect = () => {
    reconnectTimer = undefined
    if (closed) return
    let ws: DevtoolsSocket
    try {
      ws = new Socket(url)
    } catch (error) {
      connectionFailed(new TidingsError('E_DEVTOOLS_CONNECTION', `Cannot open a WebSocket to the devtools hub: ${describeThrown(error)}`))
      retry()
      return
    }
    socket = ws
    /** Whether this connection's failure was reported already (an error event precedes its close). */
    let failed = false
    ws.onopen = () => {
      openedAt = Date.now()
      connections++
      transmit(helloText())
    }
    ws.onmessage = (event) => receive(event.data)
    ws.onerror = (event) => {
      if (closed) return
      failed = true
      connectionFailed(connectionFailure(url, event.message))
    }
    ws.onclose = (event) => {
      if (socket !== ws) return
      socket = undefined
      greeted = false
      if (metricsTimer !== undefined) clearInterval(metricsTimer)
      metricsTimer = undefined
      if (closed) return
      if (event.code === 1008 || event.code === 1009 || event.code === 4000) {
        connectionFailed(new TidingsError('E_DEVTOOLS_PROTOCOL', `The devtools hub closed the connection (${event.code} ${event.reason})`))
      } else if (!failed) {
        // The hub went away (shut down, 1001) or the network did (1006): said once, then retried quietly.
        connectionFailed(new TidingsError('E_DEVTOOLS_CONNECTION', `The devtools hub closed the connection (${event.code}${event.reason ? ` ${event.reason}` : ''}): this bus reconnects when it is back`))
      }
      retry()
    }
  }

  unobserve = target.observe(observer, { callSites })
  const busErrors = new BusErrorLog(target)
  connect()

  return {
    connected,
    stats: () => ({
      connected: greeted, sent, dropped: queue.dropped, refused: queue.refused, queued: queue.size,
      reconnects: Math.max(0, connections - 1), paused, ...(failure && { error: failure }),
    }),
    close() {
      if (closed) return Promise.resolve()
      closed = true
      unobserve?.()
      unobserve = undefined
      busErrors.close()
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer)
      if (flushTimer !== undefined) clearTimeout(flushTimer)
      if (metricsTimer !== undefined) clearInterval(metricsTimer)
      // The last events go out before the connection counts as ended (its close event comes later).
      flush()
      greeted = false
      const ws = socket
      if (ws === undefined) return Promise.resolve()
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          resolve()
        }
        const timer = setTimeout(() => {
          ws.onclose = null
          resolve()
        }, CLOSE_WAIT_MS)
        ws.onclose = done
        ws.close(1000, 'producer closed')
      })
    },
  }
}
