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

/** Follows every delivery of one published event; its promise resolves when all have an outcome and dispatch is over. */
export const createReport = () => {
  const report: DeliveryReport = { envelope: undefined!, dropped: false, delivered: 0, failed: 0, deadLettered: 0, subscriptions: [] }
  let pending = 0
  let sealed = false
  let resolve!: (report: DeliveryReport) => void
  const promise = new Promise<DeliveryReport>((r) => (resolve = r))
  const tracker: Tracker = {
    start() {
      pending++
    },
    done(d: Delivery, error: unknown, status: Outcome) {
      const outcome: DeliveryOutcome = { subscription: d.subscription, status, attempts: d.attempt, durationMs: performance.now() - d.firstStart }
      if (status !== 'delivered') outcome.error = errorInfo(error)
      report.subscriptions.push(outcome)
      if (status === 'delivered') report.delivered++
      else if (status === 'dead-lettered') report.deadLettered++
      if (d.attempt > 1 || status !== 'delivered') report.failed++
      if (--pending === 0 && sealed) resolve(report)
    },
  }
  return {
    tracker,
    promise,
    /** Dispatch is over: no new delivery will start. */
    seal(envelope: Envelope, dropped: boolean) {
      report.envelope = envelope
      report.dropped = dropped
      sealed = true
      if (pending === 0) resolve(report)
    },
  }
}
