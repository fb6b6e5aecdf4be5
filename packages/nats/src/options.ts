import { TidingsError } from '@tidings/core'
import type { Catalog } from '@tidings/core'
import type { StreamConfig } from '@nats-io/jetstream'
import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core'
import { checkPrefix, isKey } from './subjects'

export interface NatsTransportOptions {
  /**
   * The NATS server(s): `nats://host:4222` or `host:4222` (Node, TCP, through
   * `@nats-io/transport-node`), or `ws://` / `wss://` URLs (browsers, or Node ≥ 22, through
   * `wsconnect` against the server's WebSocket listener).
   */
  servers: string | string[]
  /** The JetStream stream that holds the events (default 'TIDINGS'); created, covering `<subjectPrefix>.>`, when missing. */
  stream?: string
  /** The subjects' first token(s) (default 'tidings'): type 'order.placed' travels on 'tidings.order.placed'. */
  subjectPrefix?: string
  /**
   * The catalog incoming events are decoded with (upcast, validated); default: the bus's own.
   * Types it does not define are kept as they are.
   */
  catalog?: Catalog
  /**
   * The event types (and patterns, `'order.*'`, `'order.**'`) that travel through NATS; default:
   * every type. Other types stay in this process, as on a bus without a transport: a browser's UI
   * events, say, while its orders go to the services.
   */
  types?: readonly string[]
  /**
   * Milliseconds a delivery may go unacknowledged before JetStream gives it to another instance
   * (default 30,000): how soon the events a crashed process held are redelivered. While a handler
   * runs, the transport keeps extending it.
   */
  ackWait?: number
  /** Deliveries of one named subscription in progress at once in this process (default 256); the rest wait on the server for any instance. */
  concurrency?: number
  /**
   * Emitted events held while the transport cannot publish (disconnected, or the server does not
   * answer), default 10,000. Beyond it `emit` still returns, but the event is not published: each
   * one is reported through `bus.onError` with E_TRANSPORT_OVERFLOW.
   */
  maxBuffered?: number
  /** Publishes awaiting JetStream's acknowledgement at once (default 1,024). */
  maxInFlight?: number
  /**
   * Options for the NATS client (name, credentials, TLS, reconnect timing…); `servers` above wins.
   * The transport's defaults: `maxReconnectAttempts: -1` (reconnect forever), `noAsyncTraces: true`.
   */
  connection?: Omit<ConnectionOptions, 'servers'>
  /** Opens the connection instead of the default (`wsconnect` for ws:// URLs, else `connect` from `@nats-io/transport-node`). */
  connect?: (options: ConnectionOptions) => Promise<NatsConnection>
  /** Settings for the stream when the transport creates it (retention, `max_age`, storage…); `name` and `subjects` are the transport's. */
  streamConfig?: Partial<StreamConfig>
}

export interface ResolvedOptions {
  servers: string[]
  stream: string
  prefix: string
  catalog: Catalog | undefined
  types: readonly string[] | undefined
  ackWait: number
  concurrency: number
  maxBuffered: number
  maxInFlight: number
  connection: Omit<ConnectionOptions, 'servers'>
  connect: ((options: ConnectionOptions) => Promise<NatsConnection>) | undefined
  streamConfig: Partial<StreamConfig>
}

const invalid = (field: string, rule: string, value: unknown) =>
  new TidingsError('E_INVALID_ARGUMENT', `natsTransport: ${field} must be ${rule}; got ${JSON.stringify(value) ?? String(value)}`, { details: { field } })

const count = (field: string, value: number | undefined, fallback: number, min = 1): number => {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < min) throw invalid(field, `an integer ≥ ${min}`, value)
  return value
}

export const resolveOptions = (options: NatsTransportOptions): ResolvedOptions => {
  const servers = typeof options?.servers === 'string' ? [options.servers] : options?.servers
  if (!Array.isArray(servers) || servers.length === 0 || servers.some((s) => typeof s !== 'string' || s === '')) {
    throw invalid('servers', 'a server URL or a non-empty array of them', options?.servers)
  }
  const stream = options.stream ?? 'TIDINGS'
  if (typeof stream !== 'string' || !/^[^\s.*>/\\]+$/.test(stream)) throw invalid('stream', 'a JetStream stream name (no whitespace, ".", "*", ">", "/" or "\\")', stream)
  const types = options.types
  if (types !== undefined && (!Array.isArray(types) || types.length === 0 || types.some((t) => typeof t !== 'string' || !isKey(t)))) {
    throw invalid('types', 'a non-empty array of event types or patterns ("order.placed", "order.*", "order.**")', types)
  }
  return {
    servers,
    stream,
    prefix: checkPrefix(options.subjectPrefix ?? 'tidings'),
    catalog: options.catalog,
    types,
    ackWait: count('ackWait', options.ackWait, 30_000),
    concurrency: count('concurrency', options.concurrency, 256),
    maxBuffered: count('maxBuffered', options.maxBuffered, 10_000, 0),
    maxInFlight: count('maxInFlight', options.maxInFlight, 1024),
    connection: options.connection ?? {},
    connect: options.connect,
    streamConfig: options.streamConfig ?? {},
  }
}
