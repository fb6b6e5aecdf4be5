import * as v from 'valibot'
import type { CloudEventJSON } from '../envelope'
import { TidingsError } from '../errors'
import type { MetricsSnapshot } from '../metrics'
import type { ErrorInfo } from '../store/types'
import { jsonDepthExceeds } from './json-depth'
import type { SubscriptionJSON } from './subscription-json'

/** The version every frame carries as `v`; see docs/devtools-protocol.md. */
export const DEVTOOLS_PROTOCOL_VERSION = 1

/**
 * How deeply a frame may nest (arrays and objects) unless the hub says otherwise in
 * `welcome.limits.maxDepth`: room for an event at the codec's depth limit (64) inside any frame.
 */
export const DEVTOOLS_MAX_DEPTH = 100

/** A TidingsError as data, in command results and `error` frames. */
export interface WireError {
  code: string
  message: string
  details?: Record<string, unknown>
}

/**
 * An optional API a producer's bus has, as its hello advertises it: `metrics` (metrics frames and
 * the `metrics` command), `dlq` (the `dlq.*` commands), `history` (the `history` command). Every
 * producer has traffic and `dispatch`; a reader ignores names it does not know.
 */
export type ProducerFeature = 'metrics' | 'dlq' | 'history'

/** One event type of a producer's catalog, as the devtools page shows it. */
export interface CatalogEntry {
  type: string
  version: number
  description?: string
  persist: boolean
  /** The payload schema's library, as its Standard Schema `vendor` says (`valibot`, `zod`, `arktype`, `effect`). */
  vendor?: string
  /** JSON Schema (draft-07) of the current payload version's input, when the schema converts. */
  schema?: Record<string, unknown>
}

/** Traffic as a producer observed it: an emit, or one subscription's delivery outcome. */
export type TrafficRecord =
  | {
      k: 'emitted'
      at: number
      envelope: CloudEventJSON
      truncated?: true
      /** The event was emitted by another process and reached this bus through its transport. */
      remote?: true
      /** Where it was emitted (the first stack frame outside Tidings), from producers capturing call sites. */
      site?: string
    }
  | {
      /** 'dead-lettered' again after a failed retry from the queue; 'discarded' when the dead letter was discarded. */
      k: 'delivered' | 'failed' | 'dead-lettered' | 'discarded'
      at: number
      id: string
      type: string
      subscription: string
      attempt: number
      durationMs: number
      error?: ErrorInfo
      willRetry?: boolean
    }

/** A dead-letter entry in its JSON form. */
export interface DeadLetterJSON {
  id: string
  envelope: CloudEventJSON
  subscription: string
  attempts: number
  firstFailedAt: string
  lastFailedAt: string
  error: ErrorInfo
}

/** A connected producer, as the hub reports it to viewers. */
export interface ProducerInfo {
  /** The producer's `instance`: stable across its reconnects. */
  id: string
  name: string
  source: string
  runtime?: string
  pid?: number
  storeDir?: string
  connectedAt: number
  paused: boolean
  dropped: number
  /** The optional APIs its bus has (absent from producers before it was added: assume all). */
  features?: ProducerFeature[]
  catalog: CatalogEntry[]
  /** In `producers.departed` only: when it disconnected (epoch ms, hub clock). */
  disconnectedAt?: number
}

export interface HubLimits {
  maxPayload: number
  framesPerSecond: number
  burst: number
  backlog: number
  commandTimeoutMs: number
  /** Deepest nesting of arrays and objects a frame may have (absent from hubs before it was added: 100). */
  maxDepth?: number
}

/** Commands a viewer can run on a producer, by name, with their arguments. */
export interface CommandArgs {
  'dlq.list': { type?: string; subscription?: string; limit?: number }
  'dlq.retry': { id?: string; type?: string; subscription?: string }
  'dlq.discard': { id: string }
  'dlq.purge': Record<string, never>
  dispatch: {
    type: string
    data?: unknown
    correlationid?: string
    causationid?: string
    extensions?: Record<string, string | number | boolean>
  }
  pause: { paused: boolean }
  metrics: Record<string, never>
  history: { type?: string; limit?: number; order?: 'asc' | 'desc' }
  errors: { limit?: number }
  subscriptions: Record<string, never>
  /** One more try of a stored event for one subscription; `data` (when set) replaces its payload. */
  replay: { event: CloudEventJSON; subscription: string; attempt: number; data?: { value: unknown } }
}

/** An error the bus reported to its `onError` listeners, as the `errors` command lists it. */
export type BusErrorJSON = WireError & { at: number; name: string; stack?: string }

/** What each command's successful result holds. */
export interface CommandValues {
  'dlq.list': { entries: DeadLetterJSON[] }
  'dlq.retry': { succeeded: string[]; failed: Array<{ id: string; error: ErrorInfo }> }
  'dlq.discard': { discarded: boolean }
  'dlq.purge': { purged: number }
  dispatch: { envelope: CloudEventJSON }
  pause: { paused: boolean }
  metrics: { snapshot: MetricsSnapshot }
  history: { envelopes: CloudEventJSON[] }
  /** The latest first; `total`: every error reported since the producer connected. */
  errors: { errors: BusErrorJSON[]; total: number }
  subscriptions: { subscriptions: SubscriptionJSON[] }
  replay: { delivered: boolean; error?: ErrorInfo }
}

export type CommandName = keyof CommandArgs

type Frame<T extends string, F> = { v: 1; t: T } & F

export type ProducerHelloFrame = Frame<'hello', {
  role: 'producer'
  instance: string
  name: string
  source: string
  runtime?: string
  pid?: number
  storeDir?: string
  paused?: boolean
  /** The optional APIs its bus has (absent from producers before it was added: assume all). */
  features?: ProducerFeature[]
  catalog: CatalogEntry[]
  /** The `resume` secret a previous welcome gave this producer: reclaims its id on reconnect. */
  resume?: string
}>
export type ViewerHelloFrame = Frame<'hello', { role: 'viewer'; name?: string; live?: boolean; backlog?: boolean }>
export type TrafficFrame = Frame<'traffic', { records: TrafficRecord[]; dropped: number }>
export type MetricsFrame = Frame<'metrics', { snapshot: MetricsSnapshot; dropped: number }>
export type ResultFrame = Frame<'result', { id: string; ok: boolean; value?: unknown; error?: WireError }>
export type CatalogFrame = Frame<'catalog', { catalog: CatalogEntry[] }>
export type CommandFrame = Frame<'command', { id: string; name: string; args: Record<string, unknown> }>
export type ViewerCommandFrame = CommandFrame & { producer: string }
export type WelcomeFrame = Frame<'welcome', {
  id: string
  role: 'producer' | 'viewer'
  hub: { version: string }
  limits: HubLimits
  /** To a producer: the id viewers know it by (its `instance`, unless that was taken by another connection). */
  producer?: string
  /** To a producer: the secret that proves, on reconnect, that it owns `producer`. */
  resume?: string
}>
export type ErrorFrame = Frame<'error', { code: string; message: string; ref?: string }>
/** `departed`: producers that left while the hub's backlog still holds their records, so viewers can name them. */
export type ProducersFrame = Frame<'producers', { producers: ProducerInfo[]; departed?: ProducerInfo[] }>
export type RelayedTrafficFrame = TrafficFrame & { producer: string }
export type RelayedMetricsFrame = MetricsFrame & { producer: string }
export type BacklogFrame = Frame<'backlog', { frames: Array<{ producer: string; records: TrafficRecord[] }> }>
export type RelayedResultFrame = ResultFrame & { producer: string }
export type DroppedFrame = Frame<'dropped', { count: number }>

/** Frames a producer sends to the hub. */
export type ProducerFrame = ProducerHelloFrame | TrafficFrame | MetricsFrame | ResultFrame | CatalogFrame
/** Frames a viewer sends to the hub. */
export type ViewerFrame = ViewerHelloFrame | ViewerCommandFrame
/** Frames the hub sends to a producer. */
export type HubToProducerFrame = WelcomeFrame | CommandFrame | ErrorFrame
/** Frames the hub sends to a viewer. */
export type HubToViewerFrame =
  | WelcomeFrame | ProducersFrame | RelayedTrafficFrame | RelayedMetricsFrame | BacklogFrame
  | RelayedResultFrame | DroppedFrame | ErrorFrame

const count = v.pipe(v.number(), v.integer(), v.minValue(0))
const epoch = v.number()
const id = v.pipe(v.string(), v.minLength(1), v.maxLength(64))
const name = v.pipe(v.string(), v.maxLength(200))
const record = v.record(v.string(), v.unknown())

const cloudEvent = v.looseObject({
  specversion: v.literal('1.0'),
  id: v.string(),
  source: v.string(),
  type: v.string(),
  time: v.optional(v.string()),
  dataversion: v.optional(v.number()),
  data: v.optional(v.unknown()),
  correlationid: v.optional(v.string()),
  causationid: v.optional(v.string()),
})

const errorInfo = v.looseObject({
  name: v.string(),
  message: v.string(),
  stack: v.optional(v.string()),
  code: v.optional(v.string()),
})

const wireError = v.looseObject({ code: v.string(), message: v.string(), details: v.optional(record) })

const catalogEntry = v.looseObject({
  type: v.string(),
  version: v.number(),
  description: v.optional(v.string()),
  persist: v.boolean(),
  vendor: v.optional(v.pipe(v.string(), v.maxLength(100))),
  schema: v.optional(record),
})
const catalog = v.array(catalogEntry)
// Names, not a picklist: a hub must accept a newer producer that advertises more.
const features = v.pipe(v.array(v.pipe(v.string(), v.maxLength(50))), v.maxLength(32))

const emittedRecord = v.looseObject({
  k: v.literal('emitted'),
  at: epoch,
  envelope: cloudEvent,
  truncated: v.optional(v.literal(true)),
  remote: v.optional(v.literal(true)),
  site: v.optional(v.pipe(v.string(), v.maxLength(1000))),
})
const outcomeRecord = v.looseObject({
  k: v.picklist(['delivered', 'failed', 'dead-lettered', 'discarded']),
  at: epoch,
  id: v.string(),
  type: v.string(),
  subscription: v.string(),
  attempt: count,
  durationMs: v.number(),
  error: v.optional(errorInfo),
  willRetry: v.optional(v.boolean()),
})
// Picked by `k` with a plain function rather than v.variant, which allocates per record: the hub
// validates tens of thousands of records per second.
const trafficRecord = v.lazy((input: unknown) => ((input as { k?: unknown } | null)?.k === 'emitted' ? emittedRecord : outcomeRecord))
const records = v.array(trafficRecord)

const typeCounts = { emitted: count, delivered: count, failed: count, retried: count, deadLettered: count }
const metricsSnapshot = v.looseObject({
  at: epoch,
  totals: v.looseObject(typeCounts),
  types: v.record(v.string(), v.looseObject({
    ...typeCounts,
    latency: v.looseObject({ p50: v.number(), p95: v.number(), p99: v.number(), max: v.number(), samples: count }),
  })),
  rate: v.looseObject({ '1s': v.number(), '10s': v.number(), '60s': v.number() }),
  listeners: v.record(v.string(), count),
  dlq: v.looseObject({ size: count, overflowed: count }),
  errors: count,
})

const frame = <T extends string, E extends v.ObjectEntries>(t: T, entries: E) =>
  v.looseObject({ v: v.literal(DEVTOOLS_PROTOCOL_VERSION), t: v.literal(t), ...entries })

const producerHello = frame('hello', {
  role: v.literal('producer'),
  instance: id,
  name,
  source: v.string(),
  runtime: v.optional(name),
  pid: v.optional(count),
  storeDir: v.optional(v.string()),
  paused: v.optional(v.boolean()),
  features: v.optional(features),
  catalog,
  resume: v.optional(v.pipe(v.string(), v.maxLength(200))),
})
const viewerHello = frame('hello', {
  role: v.literal('viewer'),
  name: v.optional(name),
  live: v.optional(v.boolean()),
  backlog: v.optional(v.boolean()),
})
const traffic = frame('traffic', { records, dropped: count })
const metrics = frame('metrics', { snapshot: metricsSnapshot, dropped: count })
const result = frame('result', { id, ok: v.boolean(), value: v.optional(v.unknown()), error: v.optional(wireError) })
const commandEntries = { id, name: v.string(), args: record }
const limits = v.looseObject({
  maxPayload: count, framesPerSecond: count, burst: count, backlog: count, commandTimeoutMs: count, maxDepth: v.optional(count),
})
const producerInfo = v.looseObject({
  id: v.string(),
  name: v.string(),
  source: v.string(),
  runtime: v.optional(v.string()),
  pid: v.optional(count),
  storeDir: v.optional(v.string()),
  connectedAt: epoch,
  paused: v.boolean(),
  dropped: count,
  features: v.optional(features),
  catalog,
  disconnectedAt: v.optional(epoch),
})

const schemas = {
  producer: v.variant('t', [
    producerHello, traffic, metrics, result, frame('catalog', { catalog }),
  ]),
  viewer: v.variant('t', [viewerHello, frame('command', { ...commandEntries, producer: v.string() })]),
  /** The first frame of a connection, before the hub knows the sender's role. */
  hello: v.variant('role', [producerHello, viewerHello]),
  hub: v.variant('t', [
    frame('welcome', {
      id: v.string(), role: v.picklist(['producer', 'viewer']), hub: v.looseObject({ version: v.string() }), limits,
      producer: v.optional(v.string()), resume: v.optional(v.string()),
    }),
    frame('command', commandEntries),
    frame('error', { code: v.string(), message: v.string(), ref: v.optional(v.string()) }),
    frame('producers', { producers: v.array(producerInfo), departed: v.optional(v.array(producerInfo)) }),
    frame('traffic', { records, dropped: count, producer: v.string() }),
    frame('metrics', { snapshot: metricsSnapshot, dropped: count, producer: v.string() }),
    frame('backlog', { frames: v.array(v.looseObject({ producer: v.string(), records })) }),
    frame('result', { id, ok: v.boolean(), value: v.optional(v.unknown()), error: v.optional(wireError), producer: v.string() }),
    frame('dropped', { count }),
  ]),
} as const

/** Who sent a frame: decides which frame types are acceptable. */
export type FrameSender = keyof typeof schemas

/** The frames a sender may send: what `decodeDevtoolsFrame(text, sender)` returns. */
export interface FramesFrom {
  producer: ProducerFrame
  viewer: ViewerFrame
  hello: ProducerHelloFrame | ViewerHelloFrame
  hub: HubToProducerFrame | HubToViewerFrame
}

const refuse = (message: string, details?: Record<string, unknown>) =>
  new TidingsError('E_DEVTOOLS_PROTOCOL', message, details ? { details } : {})

/**
 * Parses and validates one frame (JSON text, or an already parsed value) sent by `sender`.
 * Throws a TidingsError `E_DEVTOOLS_PROTOCOL` saying what is wrong; unknown fields are kept.
 * Text nested deeper than `maxDepth` is refused before it is parsed. Hub frames wrap what they
 * relay in up to two more levels, so their default allows for that.
 */
export function decodeDevtoolsFrame<S extends FrameSender>(input: string | unknown, sender: S, maxDepth = sender === 'hub' ? DEVTOOLS_MAX_DEPTH + 8 : DEVTOOLS_MAX_DEPTH): FramesFrom[S] {
  let value: unknown = input
  if (typeof input === 'string') {
    if (jsonDepthExceeds(input, maxDepth)) {
      throw refuse(`A devtools frame nests arrays and objects more than ${maxDepth} levels deep: send shallower data (the producer truncates deeper events)`, { maxDepth })
    }
    try {
      value = JSON.parse(input)
    } catch {
      throw refuse('A devtools frame is not JSON: send one JSON object per WebSocket text message')
    }
  }
  const parsed = v.safeParse(schemas[sender], value)
  if (parsed.success) return parsed.output as unknown as FramesFrom[S]
  const frame = value as { v?: unknown; t?: unknown } | null
  if (frame?.v !== DEVTOOLS_PROTOCOL_VERSION) {
    throw refuse(`Unsupported devtools protocol version ${JSON.stringify(frame?.v)}: this end speaks version ${DEVTOOLS_PROTOCOL_VERSION}; upgrade the older side`, { version: frame?.v })
  }
  const issue = parsed.issues[0]
  const path = v.getDotPath(issue) ?? ''
  throw refuse(`Invalid devtools frame ${JSON.stringify(frame.t)} from a ${sender === 'hello' ? 'new connection (its first frame must be a hello)' : sender}${path ? ` at "${path}"` : ''}: ${issue.message}`, { type: frame.t, path })
}

/** Serializes a frame; every frame is one JSON text message. */
export const encodeDevtoolsFrame = (frame: ProducerFrame | ViewerFrame | HubToProducerFrame | HubToViewerFrame): string =>
  JSON.stringify(frame)
