import type { Envelope } from '../../envelope'
import { errorInfo } from '../../error-info'
import type { Delivery, Outcome, Tracker } from '../../kernel/delivery'
import type { ErrorInfo } from '../../store/types'

/** The outcome of one subscription's delivery of a published event. */
export interface DeliveryOutcome {
  subscription: string
  /** 'failed': given up on a bus without deadLetters() (and reported through onError). */
  status: Outcome
  /** Tries, the first included. */
  attempts: number
  /** From the first try to the outcome, retries included. */
  durationMs: number
  error?: ErrorInfo
}

/** What `publish` resolves to once every handler, retries included, has an outcome. */
export interface DeliveryReport<Env extends Envelope = Envelope> {
  envelope: Env
  /** A middleware dropped the event: nothing was dispatched. */
  dropped: boolean
  delivered: number
  /** Subscriptions that failed at least once (retried, given up or dead-lettered). */
  failed: number
  deadLettered: number
  subscriptions: DeliveryOutcome[]
}

/**
 * Follows every delivery of one published event; `promise` resolves when all have an outcome and
 * dispatch is over. One object per publish: it is the tracker too.
 */
export class ReportTracker implements Tracker {
  readonly report: DeliveryReport = { envelope: undefined!, dropped: false, delivered: 0, failed: 0, deadLettered: 0, subscriptions: [] }
  readonly promise: Promise<DeliveryReport>
  private pending = 0
  private sealed = false
  private resolve!: (report: DeliveryReport) => void

  constructor() {
    this.promise = new Promise<DeliveryReport>((resolve) => (this.resolve = resolve))
  }

  start(): void {
    this.pending++
  }

  done(d: Delivery, error: unknown, status: Outcome, at: number): void {
    const r = this.report
    const outcome: DeliveryOutcome = { subscription: d.subscription, status, attempts: d.attempt, durationMs: (at || performance.now()) - d.firstStart }
    if (status !== 'delivered') outcome.error = errorInfo(error)
    // Most reports have one subscription: an array of one, not push()'s first growth to sixteen.
    if (r.subscriptions.length === 0) r.subscriptions = [outcome]
    else r.subscriptions.push(outcome)
    if (status === 'delivered') r.delivered++
    else if (status === 'dead-lettered') r.deadLettered++
    if (d.attempt > 1 || status !== 'delivered') r.failed++
    if (--this.pending === 0 && this.sealed) this.resolve(r)
  }

  /** Dispatch is over: no new delivery will start. */
  seal(envelope: Envelope, dropped: boolean): void {
    this.report.envelope = envelope
    this.report.dropped = dropped
    this.sealed = true
    if (this.pending === 0) this.resolve(this.report)
  }
}
