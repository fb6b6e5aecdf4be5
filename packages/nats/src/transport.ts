import { TidingsError, createCodec, isTidingsError } from '@tidings/core'
import type { Codec, DeadLetterEntry, Envelope, NamedSubscription, Transport, TransportHost } from '@tidings/core'
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream'
import type { JsMsg } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/nats-core'
import { openConnection } from './connection'
import { DurableWorker, ensureDurable, signatureOf } from './durable'
import type { WorkerContext } from './durable'
import { TARGET, readMessage } from './incoming'
import { resolveOptions } from './options'
import type { NatsTransportOptions } from './options'
import { Publisher, send } from './publisher'
import type { Outgoing } from './publisher'
import { ensureStream } from './stream'
import { StreamReader } from './stream-reader'
import { durableOf, keyMatcher, keysOverlap, subjectOf } from './subjects'
import { traceOf } from './trace'

const RETRY_MIN_MS = 100
const RETRY_MAX_MS = 5_000
const message = (error: unknown) => (error instanceof Error ? error.message : String(error))
// Tells this transport's own events apart when they come back from the stream.
const instanceId = () => Math.random().toString(36).slice(2, 12).padEnd(10, '0')

/**
 * A bus transport over NATS JetStream: `createBus(options, transport(natsTransport({ servers })), deadLetters(), retry())`
 * (retry() sets each named subscription's redelivery limit: without it, one delivery).
 * Emitted events are published to the stream, one subject per type; every bus reads them back for
 * its unnamed subscriptions, and each subscription name has a durable consumer that the
 * instances using that name share.
 */
export function natsTransport(options: NatsTransportOptions): Transport {
  const opts = resolveOptions(options)
  const origin = instanceId()
  const carried = opts.types?.map(keyMatcher)
  const carries = carried === undefined ? undefined : (type: string) => carried.some((matches) => matches(type))
  let codec!: Codec
  const subjects = new Map<string, string>()
  const workers = new Map<string, DurableWorker>()
  let host: TransportHost | undefined
  let ctx: WorkerContext | undefined
  let nc: NatsConnection | undefined
  let reader: StreamReader | undefined
  let connected = false
  let onConnected: (() => void)[] = []
  let closed = false
  // Consumer set-up runs one step at a time; publishing waits for it, so that an event emitted
  // after a subscription was made reaches that subscription's (new) consumer.
  let setup: Promise<void> = Promise.resolve()
  let cancelWait: (() => void) | undefined

  const report = (error: TidingsError) => host?.report(error)
  const publisher = new Publisher(opts.maxBuffered, opts.maxInFlight, report)
  let connectedOnce!: () => void
  const ready = new Promise<void>((resolve) => (connectedOnce = resolve))

  const setConnected = (up: boolean) => {
    connected = up
    if (up || closed) for (const resolve of onConnected.splice(0)) resolve()
  }
  const whenConnected = () => (connected || closed ? Promise.resolve() : new Promise<void>((resolve) => onConnected.push(resolve)))

  const subjectFor = (type: string): string => {
    let subject = subjects.get(type)
    if (subject === undefined) subjects.set(type, (subject = subjectOf(opts.prefix, type)))
    return subject
  }

  const wait = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    cancelWait = () => {
      clearTimeout(timer)
      resolve()
    }
  })

  /** Runs `step` until it succeeds or the transport closes, reporting the first failure of a streak. */
  const persist = async <T>(what: string, step: () => Promise<T>): Promise<T | undefined> => {
    for (let attempt = 0; !closed; attempt++) {
      try {
        return await step()
      } catch (error) {
        if (closed) break
        // A configuration error does not go away by trying again.
        if (isTidingsError(error, 'E_INVALID_ARGUMENT')) {
          report(error)
          break
        }
        if (attempt === 0) report(new TidingsError('E_TRANSPORT', `${what} failed (${message(error)}); retrying`, { cause: error, details: { servers: opts.servers, stream: opts.stream } }))
        await wait(Math.min(RETRY_MIN_MS * 2 ** attempt, RETRY_MAX_MS))
      }
    }
    return undefined
  }

  const onEvent = (m: JsMsg) => {
    try {
      const { envelope, target, from } = readMessage(codec, m)
      // A DLQ retry is for one named subscription only.
      if (target !== undefined || (carries !== undefined && !carries(envelope.type))) return
      host!.deliverBroadcast(envelope, from === origin)
    } catch (error) {
      report(error instanceof TidingsError ? error : new TidingsError('E_TRANSPORT', message(error), { cause: error }))
    }
  }

  /** The named subscriptions that can receive events of the carried types. */
  const wantedSubscriptions = (): Map<string, NamedSubscription> => {
    const subs = host!.subscriptions()
    const types = opts.types
    return new Map((types === undefined ? subs : subs.filter((s) => types.some((t) => keysOverlap(s.key, t)))).map((s) => [s.name, s]))
  }

  /** Stops the workers of names no longer subscribed (or subscribed with another key or retries) at once. */
  const dropStale = () => {
    const wanted = wantedSubscriptions()
    for (const [name, worker] of workers) {
      const sub = wanted.get(name)
      if (sub === undefined || signatureOf(sub) !== worker.signature) {
        worker.stop()
        workers.delete(name)
      }
    }
    return wanted
  }

  /** Gives every named subscription a durable consumer and a worker pulling from it. */
  const reconcile = async () => {
    if (ctx === undefined || closed) return
    const c = ctx
    const added = [...dropStale().values()].filter((sub) => !workers.has(sub.name))
    await Promise.all(added.map(async (sub) => {
      // A worker whose consumer could not be made keeps trying to make it.
      await ensureDurable(c, sub).catch((error: unknown) =>
        report(new TidingsError('E_TRANSPORT', `Could not create the JetStream consumer of subscription "${sub.name}" (${message(error)}); retrying`, { cause: error, details: { subscription: sub.name } })))
      if (!closed) workers.set(sub.name, new DurableWorker(c, sub))
    }))
  }

  const schedule = (step: () => Promise<void>) => {
    setup = setup.then(step).catch((error: unknown) =>
      report(new TidingsError('E_TRANSPORT', `Setting up JetStream consumers failed: ${message(error)}`, { cause: error })))
    publisher.hold(setup)
  }

  const watch = async (conn: NatsConnection) => {
    for await (const s of conn.status()) {
      if (s.type === 'disconnect') {
        setConnected(false)
        publisher.disconnect()
        report(new TidingsError('E_TRANSPORT', `Lost the connection to NATS (${s.server}); reconnecting. Emitted events wait, up to ${opts.maxBuffered}`, { details: { server: s.server } }))
      } else if (s.type === 'reconnect') {
        setConnected(true)
        if (ctx !== undefined) publisher.connect(ctx.js)
        reader?.reconnected()
      } else if (s.type === 'error') {
        report(new TidingsError('E_TRANSPORT', `NATS reported: ${message(s.error)}`, { cause: s.error }))
      }
    }
  }

  const start = async () => {
    const conn = await persist(`Connecting to NATS at ${opts.servers.join(', ')}`, () => openConnection(opts))
    if (conn === undefined) return
    if (closed) return void (await conn.close())
    nc = conn
    setConnected(true)
    void watch(conn)
    void conn.closed().then((error) => {
      setConnected(false)
      publisher.disconnect()
      if (!closed) report(new TidingsError('E_TRANSPORT', `The NATS connection closed${error ? ` (${message(error)})` : ''}; emitted events are no longer published`, { cause: error }))
    })
    const jsm = await persist('Setting up the JetStream stream', async () => {
      const m = await jetstreamManager(conn)
      await ensureStream(m, opts)
      return m
    })
    if (jsm === undefined) return
    const js = jsm.jetstream()
    ctx = { nc: conn, js, jsm, options: opts, host: host!, codec, connected: whenConnected }
    const r = (reader = new StreamReader(ctx, onEvent))
    if ((await persist('Reading the JetStream stream', () => r.start().then(() => r))) === undefined) return
    await reconcile()
    if (closed) return
    publisher.connect(js)
    connectedOnce()
  }

  const durableExists = async (c: WorkerContext, name: string) => {
    if (workers.has(name)) return true
    try {
      await c.jsm.consumers.info(opts.stream, durableOf(name))
      return true
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound) return false
      throw error
    }
  }

  return {
    ready,
    ...(carries !== undefined && { carries }),
    attach(h) {
      if (host !== undefined) throw new TidingsError('E_INVALID_ARGUMENT', 'natsTransport: a transport serves one bus; create one per bus')
      host = h
      codec = createCodec(opts.catalog ?? h.catalog, { unknown: 'keep' })
      h.onSubscriptionsChange(() => {
        if (ctx === undefined) return
        dropStale()
        schedule(reconcile)
      })
      schedule(start)
    },
    publish(envelope: Envelope) {
      if (closed) {
        report(new TidingsError('E_CLOSED', `Event ${envelope.id} (${envelope.type}) was emitted after the transport closed; it is not published`, { details: { id: envelope.id, type: envelope.type } }))
        return
      }
      let payload: string
      try {
        payload = codec.encode(envelope)
      } catch (error) {
        report(new TidingsError((error as TidingsError).code ?? 'E_VALIDATION', `Event ${envelope.id} (${envelope.type}) cannot be published: ${message(error)}`, { cause: error, details: { id: envelope.id, type: envelope.type } }))
        return
      }
      const out: Outgoing = { subject: subjectFor(envelope.type), payload, id: envelope.id, traceparent: traceOf(envelope), origin }
      if (!publisher.push(out)) {
        report(new TidingsError('E_TRANSPORT_OVERFLOW', `Event ${envelope.id} (${envelope.type}) is not published: ${opts.maxBuffered} emitted events already wait for NATS (maxBuffered)`, { details: { id: envelope.id, type: envelope.type, maxBuffered: opts.maxBuffered } }))
      }
    },
    async republish(entry: DeadLetterEntry) {
      if (closed) throw new TidingsError('E_CLOSED', `Dead letter ${entry.id} cannot be re-published: the transport is closed`, { details: { id: entry.id } })
      const c = ctx
      if (c === undefined || !connected) {
        throw new TidingsError('E_TRANSPORT', `Dead letter ${entry.id} cannot be re-published while NATS is unreachable; retry it later`, { details: { id: entry.id } })
      }
      const env = entry.envelope
      try {
        // To its own subscription while that still has a consumer; else to every current subscriber.
        const targeted = await durableExists(c, entry.subscription)
        await send(c.js, {
          subject: subjectFor(env.type), payload: codec.encode(env), id: `${env.id}/dlq/${entry.id}`, traceparent: traceOf(env), origin,
          extra: targeted ? { [TARGET]: entry.subscription } : undefined,
        })
      } catch (error) {
        throw new TidingsError('E_TRANSPORT', `Could not re-publish dead letter ${entry.id} to JetStream: ${message(error)}`, { cause: error, details: { id: entry.id } })
      }
    },
    flush: () => publisher.flush(),
    async close() {
      if (closed) return
      closed = true
      setConnected(false)
      cancelWait?.()
      for (const worker of workers.values()) worker.stop()
      workers.clear()
      const lost = publisher.close()
      if (lost.length > 0) {
        report(new TidingsError('E_TRANSPORT', `${lost.length} emitted events were not stored by JetStream before the transport closed`, { details: { ids: lost.map((o) => o.id) } }))
      }
      await reader?.stop()
      await nc?.close()
    },
  }
}
