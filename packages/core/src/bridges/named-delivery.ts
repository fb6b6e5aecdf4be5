import { TidingsError, isTidingsError } from '@tidings/core'
import type { Envelope, NamedSubscription, TransportHost } from '@tidings/core'

/**
 * Delivers events to named subscriptions the way a broker's consumer would: each try through
 * `host.deliverTo`, the subscription's retry policy between tries, a dead letter when it gives up.
 * Closing cuts the waits short: what was still waiting for a retry is dead-lettered, never dropped.
 */
export class NamedDelivery {
  private readonly pending = new Set<Promise<void>>()
  private readonly wakers = new Set<() => void>()
  private closed = false

  constructor(private readonly host: TransportHost) {}

  /** Resolves once the event was delivered, dead-lettered, or the subscription is gone. Never rejects. */
  deliver(sub: NamedSubscription, envelope: Envelope): Promise<void> {
    const run = this.run(sub, envelope)
    this.pending.add(run)
    void run.finally(() => this.pending.delete(run))
    return run
  }

  async close(): Promise<void> {
    this.closed = true
    for (const wake of this.wakers) wake()
    while (this.pending.size > 0) await Promise.allSettled([...this.pending])
  }

  private async run(sub: NamedSubscription, envelope: Envelope): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.host.deliverTo(sub.name, envelope, attempt)
      } catch (error) {
        // Unsubscribed since: nobody left to deliver to, as with a consumer deleted by its owner.
        if (isTidingsError(error, 'E_DLQ_NOT_FOUND')) return
        const delay = sub.retryDelay(error, attempt)
        if (delay === undefined || this.closed) return this.giveUp(sub, envelope, attempt, error)
        await this.sleep(delay)
      }
    }
  }

  private async giveUp(sub: NamedSubscription, envelope: Envelope, attempts: number, error: unknown): Promise<void> {
    try {
      await this.host.deadLetter(envelope, sub.name, attempts, error)
    } catch (failure) {
      this.host.report(new TidingsError('E_TRANSPORT', `Event ${envelope.id} ("${envelope.type}") failed in subscription "${sub.name}" and could not be dead-lettered: ${String(failure)}`, {
        cause: failure, details: { id: envelope.id, type: envelope.type, subscription: sub.name },
      }))
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        this.wakers.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      this.wakers.add(wake)
    })
  }
}
