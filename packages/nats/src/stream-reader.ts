import { TidingsError } from '@tidings/core'
import { DeliverPolicy } from '@nats-io/jetstream'
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream'
import type { WorkerContext } from './durable'

// The server sends a heartbeat this often while a pull waits with nothing to deliver; the client
// calls two missed in a row a stall.
const IDLE_HEARTBEAT_MS = 2_000
const PULL_EXPIRES_MS = 10_000
const RETRY_MIN_MS = 100
const RETRY_MAX_MS = 2_000

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * Reads every event of the stream from the moment it starts, for the bus's unnamed subscriptions,
 * through an ordered consumer (no acks: each bus reads the stream on its own).
 *
 * The client's ordered consumer recovers from a server restart on its own, but can come back
 * asking for only the few messages left of its last pull, and then waits for missed heartbeats
 * (tens of seconds) before asking again. So this reader owns the recovery: after a reconnect,
 * missed heartbeats, or a consumer the server lost, it closes the consumer and makes a new one
 * that starts at the stream sequence after the last event it delivered. Sequences it already
 * delivered are skipped, so that no event is delivered twice or missed.
 */
export class StreamReader {
  /** Stream sequence of the next event to deliver. */
  private next = 1
  private consumer: Consumer | undefined
  private messages: ConsumerMessages | undefined
  private stopped = false
  private restarting = false
  private again = false
  private cancelWait: (() => void) | undefined

  constructor(private readonly ctx: WorkerContext, private readonly deliver: (m: JsMsg) => void) {}

  /** Starts reading at the events published from now on; rejects if the consumer cannot be made. */
  async start(): Promise<void> {
    const { state } = await this.ctx.jsm.streams.info(this.ctx.options.stream)
    this.next = state.last_seq + 1
    await this.open()
  }

  /** The connection is back: the server may have restarted and lost the consumer and its pulls. */
  reconnected(): void {
    if (this.messages !== undefined || this.restarting) this.restart()
  }

  stop(): Promise<void> {
    this.stopped = true
    this.cancelWait?.()
    return this.close()
  }

  private async open() {
    const { js, options } = this.ctx
    const consumer = await js.consumers.get(options.stream, {
      filter_subjects: `${options.prefix}.>`, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.next,
    })
    // Without abort_on_missing_resource the client would keep polling a lost consumer with a 30 s backoff.
    const messages = await consumer.consume({
      callback: (m) => this.take(m), expires: PULL_EXPIRES_MS, idle_heartbeat: IDLE_HEARTBEAT_MS, abort_on_missing_resource: true,
    })
    if (this.stopped) {
      await messages.close().catch(() => {})
      return
    }
    this.consumer = consumer
    this.messages = messages
    void this.watch(messages)
  }

  private take(m: JsMsg) {
    const seq = m.info.streamSequence
    if (seq < this.next) return
    this.next = seq + 1
    this.deliver(m)
  }

  private async watch(messages: ConsumerMessages) {
    void messages.closed().then(() => {
      // Stopped by the client: the consumer or stream is gone, or the server refused a pull.
      if (this.messages === messages) this.restart()
    })
    for await (const status of messages.status()) {
      if (this.messages !== messages) return
      if (status.type === 'heartbeats_missed' || status.type === 'consumer_deleted' || status.type === 'consumer_not_found') {
        this.restart()
        return
      }
    }
  }

  private async close() {
    const { consumer, messages } = this
    this.consumer = undefined
    this.messages = undefined
    if (messages === undefined) return
    await messages.close().catch(() => {})
    // Ordered consumers live in the server's memory; one a restart did not take is removed at once
    // instead of after its inactivity threshold.
    const name = (await consumer?.info(true))?.name
    if (name !== undefined) void this.ctx.jsm.consumers.delete(this.ctx.options.stream, name).catch(() => {})
  }

  /** Replaces the consumer by a new one starting after the last delivered event, retrying until it is made. */
  private restart() {
    if (this.stopped) return
    this.again = true
    if (this.restarting) return
    this.restarting = true
    void (async () => {
      let failures = 0
      while (this.again && !this.stopped) {
        this.again = false
        await this.close()
        await this.ctx.connected()
        try {
          if (!this.stopped) await this.open()
          failures = 0
        } catch (error) {
          if (++failures === 2) {
            this.ctx.host.report(new TidingsError('E_TRANSPORT', `Cannot read the JetStream stream "${this.ctx.options.stream}" for unnamed subscriptions (${message(error)}); retrying from sequence ${this.next}`, { cause: error, details: { stream: this.ctx.options.stream, seq: this.next } }))
          }
          this.again = true
          await this.wait(Math.min(RETRY_MIN_MS * 2 ** failures, RETRY_MAX_MS))
        }
      }
      this.restarting = false
    })()
  }

  private wait(ms: number) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.cancelWait = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }
}
