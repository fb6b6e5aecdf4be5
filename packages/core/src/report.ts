import type { Envelope } from './envelope'
import type { DeliveryOutcome, DeliveryReport } from './types'

/** Collects the outcome of every subscription of one published event; resolves when all are final. */
export class ReportCollector {
  readonly report: DeliveryReport = { envelope: undefined!, dropped: false, delivered: 0, failed: 0, deadLettered: 0, subscriptions: [] }
  pending = 0
  sealed = false
  private resolve!: (report: DeliveryReport) => void
  readonly promise = new Promise<DeliveryReport>((resolve) => (this.resolve = resolve))

  finish(outcome: DeliveryOutcome): void {
    const r = this.report
    r.subscriptions.push(outcome)
    if (outcome.status === 'delivered') r.delivered++
    else r.deadLettered++
    if (outcome.attempts > 1 || outcome.status === 'dead-lettered') r.failed++
    if (--this.pending === 0 && this.sealed) this.resolve(r)
  }

  /** Dispatch is over: no new subscription will start. */
  seal(envelope: Envelope, dropped: boolean): void {
    this.report.envelope = envelope
    this.report.dropped = dropped
    this.sealed = true
    if (this.pending === 0) this.resolve(this.report)
  }
}
