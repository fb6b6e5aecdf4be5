import type { TidingsError } from '../errors'
import type { DeadLettersApi } from '../features/dead-letters/dead-letters'
import type { HistoryApi } from '../features/history/history'
import type { MetricsApi } from '../features/metrics/metrics'
import type { ObserveApi } from '../features/observe/observe'
import type { ApiOf, Bus } from '../kernel/types'
import type { EventMap } from '../types'
import type { Redact } from './traffic-queue'

/** The part of the WebSocket API used here: the browser's, Node 22's global, or `ws`'s. */
export interface DevtoolsSocket {
  readonly readyState: number
  readonly bufferedAmount: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: EventHandler<unknown> | null
  onmessage: EventHandler<{ data: unknown }> | null
  onclose: EventHandler<{ code: number; reason: string }> | null
  onerror: EventHandler<{ message?: string }> | null
}

/** Declared as a method so that the browser's and ws's own event types are accepted (bivariance). */
type EventHandler<Event> = { handle(event: Event): void }['handle']

export type DevtoolsSocketConstructor = new (url: string) => DevtoolsSocket

/**
 * A bus devtools can stream: it needs `observe()` for the traffic. The APIs of `metrics()`,
 * `deadLetters()` and `history()` are used when the bus has them (`standard()` has all four);
 * without one, the page is told so in the hello and its commands answer with an error.
 */
export type DevtoolsBus<E extends EventMap = EventMap> = Bus<E> & ApiOf<ObserveApi, E>
  & Partial<ApiOf<MetricsApi, E> & ApiOf<DeadLettersApi, E> & ApiOf<HistoryApi, E>>

export interface DevtoolsOptions {
  /** The URL `tidings devtools` printed (`http://127.0.0.1:PORT/?token=…`) or its `ws://…/ws?token=…` endpoint. */
  url: string
  /** Overrides the URL's token. */
  token?: string
  /** How the page names this producer (default: the bus's `source`). */
  name?: string
  /** A WebSocket constructor, for Node 20 (`import WebSocket from 'ws'`); default `globalThis.WebSocket`. */
  WebSocket?: DevtoolsSocketConstructor
  /**
   * Runs on every envelope (in its CloudEvents JSON form) before it leaves the process: return a
   * copy without secrets, or undefined to hide the event.
   */
  redact?: Redact
  /**
   * Capture where each event was emitted, for the page's detail: a stack capture per emit while
   * connected (default: on, unless `process.env.NODE_ENV` is `'production'`).
   */
  callSites?: boolean
  /** Absolute directory of a file store this process owns, so `tidings dlq retry <dir>` can reach it. */
  storeDir?: string
  /** Send traffic every N ms (default 50). */
  batchMs?: number
  /** Send `bus.metrics()` every N ms (default 1000), when the bus has `metrics()`. */
  metricsIntervalMs?: number
  /** Records kept while the hub is slow or away; beyond it the oldest are dropped and counted (default 10,000). */
  maxQueue?: number
  /** Hold traffic while the socket has more than this many bytes unsent (default 1 MiB). */
  highWaterMark?: number
  /** Reconnect backoff: `initialMs` × 2ⁿ with full jitter, capped at `maxMs` (defaults 250 and 30,000). */
  reconnect?: { initialMs?: number; maxMs?: number }
  /**
   * Connection failures, hub refusals, and events left out because `redact` threw or they could
   * not be serialized (`E_ENCODE`), reported instead of thrown: the producer keeps going. Without
   * it, left-out events are reported with `console.warn`.
   */
  onError?: (error: TidingsError) => void
}

export interface DevtoolsStats {
  /** Connected and greeted by the hub. */
  connected: boolean
  /** Records sent to the hub. */
  sent: number
  /** Records dropped because the hub was slow or away (or too large to send). */
  dropped: number
  /** Records left out because `redact` threw (or returned no event) or they could not be serialized. */
  refused: number
  /** Records waiting to be sent. */
  queued: number
  /** Connections opened after the first. */
  reconnects: number
  paused: boolean
  /** Why it is not connected, as reported to `onError`: the latest failure since the hub last greeted it (`details.status` 401: token refused; `details.unreachable`: nothing listens). */
  error?: { code: TidingsError['code']; message: string; details?: Record<string, unknown>; at: number }
}

export interface DevtoolsConnection {
  /** Resolves once the hub has greeted this producer for the first time. */
  readonly connected: Promise<void>
  stats(): DevtoolsStats
  /** Sends what is queued, stops observing the bus and closes the connection. */
  close(): Promise<void>
}
