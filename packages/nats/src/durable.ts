import { TidingsError, isTidingsError } from '@tidings/core'
import type { Codec, Envelope, NamedSubscription, TransportHost } from '@tidings/core'
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream'
import type { Consumer, ConsumerConfig, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream'
import { nanos } from '@nats-io/nats-core'
import type { NatsConnection, Subscription } from '@nats-io/nats-core'
import { readMessage } from './incoming'
import type { Incoming } from './incoming'
import type { ResolvedOptions } from './options'
import { durableOf, filterOf, keyMatcher } from './subjects'

/** What a worker shares with the transport. */
export interface WorkerContext {
  readonly nc: NatsConnection
  readonly js: JetStreamClient
  readonly jsm: JetStreamManager
  readonly options: ResolvedOptions
  readonly host: TransportHost
  readonly codec: Codec
  /** Resolves once the connection is up (at once when it is). */
  connected(): Promise<void>
}

// A pull waits this long for messages before the next one is issued (the client's default).
const FETCH_EXPIRES_MS = 30_000
const RETRY_MAX_MS = 5_000

const isConsumerNotFound = (error: unknown) =>
  error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound

/** What a worker depends on: a change of key or of retries makes a new worker (and updates the consumer). */
export const signatureOf = (sub: NamedSubscription): string => `${sub.key}\u0000${sub.attempts}`

/**
 * Creates the durable consumer of a subscription name, or brings an existing one (made by another
 * instance, or an earlier run) in line with this one's filter and redelivery settings:
 * `max_deliver` is the subscription's first try plus its retries.
 */
export const ensureDurable = async (ctx: WorkerContext, sub: NamedSubscription): Promise<void> => {
  const { stream, prefix, ackWait } = ctx.options
  const durable = durableOf(sub.name)
  const wanted = { filter_subject: filterOf(prefix, sub.key).subject, max_deliver: sub.attempts + 1, ack_wait: nanos(ackWait) }
  let existing: ConsumerConfig
  try {
    existing = (await ctx.jsm.consumers.info(stream, durable)).config
  } catch (error) {
    if (!isConsumerNotFound(error)) throw error
    await ctx.jsm.consumers.add(stream, { ...wanted, durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New })
    return
  }
  if (existing.filter_subject !== wanted.filter_subject || existing.max_deliver !== wanted.max_deliver || existing.ack_wait !== wanted.ack_wait) {
    await ctx.jsm.consumers.update(stream, durable, wanted)
  }
}

/**
 * Feeds one named subscription from its durable consumer. It asks only for as many messages as
 * it has free slots (`concurrency`), so that the instances sharing the name share the work; a
 * new pull goes out once a quarter of the slots are free, before the open one is used up, so that
 * messages keep flowing. Acks after the handler succeeded, naks with the subscription's backoff
 * after a failure, and dead-letters after its last try. While handlers run it tells JetStream
 * they are still working, so a slow handler is not redelivered elsewhere; only a crashed or
 * disconnected process lets `ackWait` expire. When that happens on the last delivery, JetStream
 * gives up on the event and says so in an advisory: one of the instances (a queue group) reads
 * the event back from the stream and dead-letters it, so that it is not lost silently.
 */
export class DurableWorker {
  private stopped = false
  private consumer: Consumer | undefined
  /** Set while recovering from a failed pull: no other pull starts meanwhile. */
  private recovering = false
  private failures = 0
  /** Messages asked for by open pulls and not received yet. */
  private requested = 0
  private readonly pulls = new Set<ConsumerMessages>()
  private readonly inFlight = new Set<JsMsg>()
  private heartbeat: ReturnType<typeof setInterval> | undefined
  private cancelWait: (() => void) | undefined
  private readonly threshold: number
  private readonly matches: ((type: string) => boolean) | undefined
  private readonly advisories: Subscription
  readonly name: string
  readonly signature: string

  constructor(private readonly ctx: WorkerContext, private readonly sub: NamedSubscription) {
    const { prefix, concurrency, stream } = ctx.options
    this.name = sub.name
    this.signature = signatureOf(sub)
    this.matches = filterOf(prefix, sub.key).exact ? undefined : keyMatcher(sub.key)
    this.threshold = Math.ceil(concurrency / 4)
    const durable = durableOf(sub.name)
    this.advisories = ctx.nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${durable}`, {
      queue: `tidings.dlq.${durable}`,
      callback: (error, m) => {
        if (error === null) void this.abandoned(m.json<{ stream_seq: number; deliveries: number }>())
      },
    })
    void this.recover(undefined)
  }

  stop(): void {
    this.stopped = true
    this.advisories.unsubscribe()
    for (const pull of this.pulls) void pull.close().catch(() => {})
    clearInterval(this.heartbeat)
    this.cancelWait?.()
  }

  private pull() {
    const consumer = this.consumer
    if (this.stopped || this.recovering || consumer === undefined) return
    const free = this.ctx.options.concurrency - this.inFlight.size - this.requested
    if (free <= 0 || (this.requested > 0 && free < this.threshold)) return
    void this.fetch(consumer, free)
  }

  private async fetch(consumer: Consumer, count: number) {
    this.requested += count
    let received = 0
    let pull: ConsumerMessages | undefined
    try {
      pull = await consumer.fetch({ max_messages: count, expires: FETCH_EXPIRES_MS })
      this.pulls.add(pull)
      for await (const m of pull) {
        received++
        this.requested--
        this.take(m)
      }
      this.failures = 0
    } catch (error) {
      if (!this.stopped && !this.recovering) void this.recover(error)
    } finally {
      this.requested -= count - received
      if (pull !== undefined) this.pulls.delete(pull)
    }
    this.pull()
  }

  /** Gets the consumer (made again if it was deleted), after a pause when a pull failed, then pulls. */
  private async recover(error: unknown) {
    const { js, options, host } = this.ctx
    const durable = durableOf(this.name)
    this.recovering = true
    for (let failure = error; !this.stopped; ) {
      if (failure !== undefined) {
        // A single failure is usually the connection going down, which the transport reports.
        if (++this.failures === 2) {
          host.report(new TidingsError('E_TRANSPORT', `Subscription "${this.name}" cannot pull from its JetStream consumer "${durable}" (${(failure as Error)?.message ?? String(failure)}); retrying`, { cause: failure, details: { subscription: this.name, consumer: durable } }))
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(50 * 2 ** this.failures, RETRY_MAX_MS))
          this.cancelWait = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        // Requests made while disconnected would only time out.
        await this.ctx.connected()
      }
      try {
        // A deleted consumer (by an operator, or a server that lost its state) is made again.
        if (isConsumerNotFound(failure)) await ensureDurable(this.ctx, this.sub)
        this.consumer = await js.consumers.get(options.stream, durable)
        break
      } catch (next) {
        failure = next
      }
    }
    this.recovering = false
    this.pull()
  }

  /** A DLQ retry of another subscription, or (with a '**' inside the key) a type the filter let through. */
  private notOurs({ envelope, target }: Incoming) {
    return (target !== undefined && target !== this.name) || (this.matches !== undefined && !this.matches(envelope.type))
  }

  /** JetStream gave up on an event after its last delivery went unanswered (the process handling it died). */
  private async abandoned(advisory: { stream_seq: number; deliveries: number }) {
    const { jsm, options, host, codec } = this.ctx
    try {
      const stored = await jsm.streams.getMessage(options.stream, { seq: advisory.stream_seq })
      if (stored === null) return
      const incoming = readMessage(codec, { subject: stored.subject, seq: stored.seq, headers: stored.header, string: () => stored.string() })
      if (this.notOurs(incoming)) return
      const tries = advisory.deliveries
      await host.deadLetter(incoming.envelope, this.name, tries, new TidingsError('E_TRANSPORT', `No acknowledgement after ${tries} deliveries: the process handling "${this.name}" stopped or lost its connection before the handler finished`, { details: { subscription: this.name, deliveries: tries } }))
    } catch (error) {
      host.report(isTidingsError(error) ? error : new TidingsError('E_TRANSPORT', `Event ${advisory.stream_seq} of stream ${options.stream} went unacknowledged ${advisory.deliveries} times and could not be dead-lettered: ${(error as Error)?.message ?? String(error)}`, { cause: error, details: { subscription: this.name, seq: advisory.stream_seq } }))
    }
  }

  private take(m: JsMsg) {
    const { host, options, codec } = this.ctx
    let incoming
    try {
      incoming = readMessage(codec, m)
    } catch (error) {
      // Terminated first: it would fail the same way on every redelivery.
      m.term()
      host.report(error as TidingsError)
      return
    }
    if (this.notOurs(incoming)) {
      m.ack()
      return
    }
    const { envelope } = incoming
    const count = m.info.deliveryCount
    this.inFlight.add(m)
    this.heartbeat ??= setInterval(() => {
      for (const msg of this.inFlight) msg.working()
    }, options.ackWait / 2)
    host.deliverTo(this.name, envelope, count).then(() => {
      this.release(m)
      m.ack()
    }, (error: unknown) => {
      this.release(m)
      this.failed(m, envelope, count, error)
    })
  }

  /** The message is dropped from JetStream only once the bus has stored its dead letter. */
  private deadLetter(m: JsMsg, envelope: Envelope, deliveries: number, error: unknown) {
    void this.ctx.host.deadLetter(envelope, this.name, deliveries, error).then(() => m.term(), () => m.nak())
  }

  private failed(m: JsMsg, envelope: Envelope, count: number, error: unknown) {
    // The subscription was removed here while the event was on its way: another instance, or a
    // later subscription of the same name, takes it.
    if (this.stopped && isTidingsError(error, 'E_DLQ_NOT_FOUND')) {
      m.nak()
      return
    }
    const delay = count > this.sub.attempts ? undefined : this.sub.retryDelay(error, count)
    if (delay === undefined) this.deadLetter(m, envelope, count, error)
    else m.nak(Math.round(delay))
  }

  private release(m: JsMsg) {
    this.inFlight.delete(m)
    if (this.inFlight.size === 0) {
      clearInterval(this.heartbeat)
      this.heartbeat = undefined
    }
    this.pull()
  }
}
