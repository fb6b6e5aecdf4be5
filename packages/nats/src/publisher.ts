import { TidingsError } from '@tidings/core'
import { JetStreamApiError } from '@nats-io/jetstream'
import type { JetStreamClient } from '@nats-io/jetstream'
import { InvalidArgumentError, PermissionViolationError, headers } from '@nats-io/nats-core'
import { ORIGIN } from './incoming'
import { TRACEPARENT } from './trace'

/** One emitted event on its way to JetStream. */
export interface Outgoing {
  readonly subject: string
  /** The event's CloudEvents JSON. */
  readonly payload: string
  /** The envelope id: JetStream's Nats-Msg-Id, so that a publish retried after a lost ack is stored once. */
  readonly id: string
  readonly traceparent: string | undefined
  /** The publishing transport's instance id. */
  readonly origin: string
  /** Extra headers (a DLQ retry's target subscription). */
  readonly extra?: Readonly<Record<string, string>>
}

/** Errors that publishing the same bytes again cannot fix: the event is reported and given up. */
const isPermanent = (error: unknown) =>
  error instanceof JetStreamApiError || error instanceof InvalidArgumentError || error instanceof PermissionViolationError

const RETRY_MIN_MS = 100
const RETRY_MAX_MS = 5_000

/** Sends one event; rejects as `js.publish` does. */
export const send = (js: JetStreamClient, out: Outgoing) => {
  const h = headers()
  h.set(ORIGIN, out.origin)
  if (out.traceparent !== undefined) h.set(TRACEPARENT, out.traceparent)
  if (out.extra !== undefined) for (const [k, v] of Object.entries(out.extra)) h.set(k, v)
  return js.publish(out.subject, out.payload, { msgID: out.id, headers: h })
}

/**
 * Publishes emitted events to JetStream in emit order, with up to `maxInFlight` awaiting their
 * acknowledgement. Events wait in memory while the connection is down, the server does not
 * answer, or consumers are being set up (so that a subscription made before an emit gets it);
 * while it cannot publish it holds at most `maxBuffered` of them and refuses the rest.
 * A failed publish is retried with the same Nats-Msg-Id, so JetStream stores it once.
 */
export class Publisher {
  private js: JetStreamClient | undefined
  private connected = false
  private stalled = false
  private closed = false
  private retryMs = RETRY_MIN_MS
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private gate: Promise<void> | undefined
  private queue: (Outgoing | undefined)[] = []
  private head = 0
  private readonly retries: Outgoing[] = []
  // Events sent and not yet answered, with the try they are on: a reconnect sends them again
  // instead of waiting for the requests lost with the old connection to time out.
  private readonly inFlight = new Map<Outgoing, number>()
  private tries = 0
  private scheduled = false
  // Every accepted event until it is stored or given up, with its acceptance number, in
  // acceptance order: the first entry is the oldest unsettled event, which flush() waits on.
  private readonly unsettled = new Map<Outgoing, number>()
  private accepted = 0
  private readonly flushes: { upTo: number; resolve: () => void }[] = []

  constructor(
    private readonly maxBuffered: number,
    private readonly maxInFlight: number,
    private readonly report: (error: TidingsError) => void,
  ) {}

  /** Queues an event; false when the buffer is full and publishing is blocked (the caller reports it). */
  push(out: Outgoing): boolean {
    if (this.closed) return false
    if (!this.flowing() && this.waiting() >= this.maxBuffered) return false
    this.queue.push(out)
    this.unsettled.set(out, ++this.accepted)
    if (!this.scheduled) {
      this.scheduled = true
      queueMicrotask(this.pump)
    }
    return true
  }

  /** The connection is up (again). */
  connect(js: JetStreamClient): void {
    this.js = js
    this.connected = true
    for (const out of this.inFlight.keys()) this.retries.push(out)
    this.inFlight.clear()
    this.unstall()
    this.pump()
  }

  disconnect(): void {
    this.connected = false
  }

  /** Holds publishing until `setup` settles (consumers being created for new subscriptions). */
  hold(setup: Promise<void>): void {
    const gate = setup.then(() => {
      if (this.gate !== gate) return
      this.gate = undefined
      this.pump()
    })
    this.gate = gate
  }

  /** Resolves when every event accepted so far is stored by JetStream or given up (and reported). */
  flush(): Promise<void> {
    if (this.unsettled.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.flushes.push({ upTo: this.accepted, resolve }))
  }

  /** Stops publishing; returns the events that were never stored. */
  close(): Outgoing[] {
    this.closed = true
    clearTimeout(this.retryTimer)
    const lost = [...this.unsettled.keys()]
    this.unsettled.clear()
    this.queue = []
    this.retries.length = 0
    this.inFlight.clear()
    this.settleFlushes()
    return lost
  }

  private flowing() {
    return this.connected && !this.stalled
  }

  private waiting() {
    return this.queue.length - this.head + this.retries.length
  }

  private readonly pump = (): void => {
    this.scheduled = false
    const js = this.js
    if (js === undefined || !this.flowing() || this.gate !== undefined || this.closed) return
    while (this.inFlight.size < this.maxInFlight) {
      let out = this.retries.shift()
      if (out === undefined) {
        if (this.head === this.queue.length) break
        out = this.queue[this.head]!
        this.queue[this.head++] = undefined
      }
      const attempt = ++this.tries
      this.inFlight.set(out, attempt)
      send(js, out).then(() => this.stored(out, attempt), (error: unknown) => this.failed(out, attempt, error))
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
  }

  private stored(out: Outgoing, attempt: number) {
    if (this.inFlight.get(out) !== attempt) return
    this.inFlight.delete(out)
    this.retryMs = RETRY_MIN_MS
    this.settle(out)
    this.pump()
  }

  private failed(out: Outgoing, attempt: number, error: unknown) {
    if (this.inFlight.get(out) !== attempt) return
    this.inFlight.delete(out)
    if (this.closed) return
    if (isPermanent(error)) {
      this.report(new TidingsError('E_TRANSPORT', `JetStream refused event ${out.id} on ${out.subject}: ${(error as Error).message}`, { cause: error, details: { id: out.id, subject: out.subject } }))
      this.settle(out)
      this.pump()
      return
    }
    this.retries.push(out)
    if (this.stalled) return
    this.stalled = true
    this.report(new TidingsError('E_TRANSPORT', `Publishing to JetStream failed (${(error as Error)?.message ?? String(error)}); ${this.unsettled.size} events wait to be published again`, { cause: error, details: { waiting: this.unsettled.size } }))
    this.retryTimer = setTimeout(() => {
      this.unstall()
      this.pump()
    }, this.retryMs)
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS)
  }

  private unstall() {
    clearTimeout(this.retryTimer)
    this.stalled = false
  }

  private settle(out: Outgoing) {
    this.unsettled.delete(out)
    if (this.flushes.length > 0) this.settleFlushes()
  }

  private settleFlushes() {
    const oldest = this.unsettled.values().next().value ?? Infinity
    for (let i = 0; i < this.flushes.length; i++) {
      const f = this.flushes[i]!
      if (f.upTo < oldest) {
        f.resolve()
        this.flushes.splice(i--, 1)
      }
    }
  }
}
