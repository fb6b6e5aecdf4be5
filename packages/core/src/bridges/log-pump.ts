import { TidingsError } from '@tidings/core'
import type { Envelope, NamedSubscription, Store } from '@tidings/core'
import type { Cursor } from './cursor'
import { keyMatches } from './keys'

// A first leader (no cursor yet) starts from events shortly before its bridge was created: a
// clock read once per tick may date an event emitted right after createBus() slightly earlier.
const FIRST_READ_MARGIN_MS = 1000
const RETRY_READ_MS = 500

/**
 * Feeds one named subscription from the shared log, in log order, from where the previous leader
 * stopped: what a leader accepted but did not finish is handled by the next one (at least once).
 */
export class LogPump {
  private running = false
  private again = false
  private stopped = false

  constructor(
    private readonly store: Store,
    private readonly subscription: () => NamedSubscription | undefined,
    private readonly cursor: Cursor,
    private readonly startedAt: number,
    private readonly deliver: (sub: NamedSubscription, envelope: Envelope) => Promise<void>,
    private readonly report: (error: TidingsError) => void,
  ) {}

  /** Reads what the log has past the cursor now, or once more after the current read. */
  kick(): void {
    if (this.stopped) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    void this.run().finally(() => (this.running = false))
  }

  stop(): void {
    this.stopped = true
  }

  private async run(): Promise<void> {
    do {
      this.again = false
      const from = this.cursor.get()
      try {
        for await (const { position, envelope } of this.store.read(from === undefined ? { since: this.startedAt - FIRST_READ_MARGIN_MS } : { after: from })) {
          const sub = this.subscription()
          if (this.stopped || sub === undefined) return
          if (keyMatches(sub.key, envelope.type)) await this.deliver(sub, envelope)
          this.cursor.set(position)
        }
      } catch (error) {
        this.report(new TidingsError('E_STORAGE', `The leader of a named subscription could not read the shared log (${error instanceof Error ? error.message : String(error)}); it reads again shortly`, { cause: error }))
        await new Promise((resolve) => setTimeout(resolve, RETRY_READ_MS))
        this.again = true
      }
    } while (this.again && !this.stopped)
  }
}
