import type { Envelope } from '../envelope'
import type { AnyHandler, RetryPolicy } from '../types'
import type { Slot } from './slot'

/** How handlers are called: `(data, envelope)` for one type, `(type, data, envelope)` for `'*'` and patterns. */
export const SPECIFIC = 0
export const WILDCARD = 1
export type Kind = typeof SPECIFIC | typeof WILDCARD

/** A subscription made with options or `once`: the handler map holds a wrapper that knows it. */
export interface Subscription {
  readonly fn: AnyHandler
  readonly key: string
  readonly name: string | undefined
  readonly retry: RetryPolicy | undefined
  readonly signal: AbortSignal | undefined
  abort: (() => void) | undefined
}

/** A function of the handler map: the user's own, or a wrapper (`sub` set) around it. */
export type Wrapped = AnyHandler & { sub?: Subscription }

/**
 * Follows deliveries from their first try to their final outcome (a publish report, a
 * re-delivery's promise), and makes every one of them timed. `done` gets the outcome once.
 */
export interface Tracker {
  /** Deliveries to named subscriptions are skipped (a transport delivers those itself). */
  readonly unnamedOnly?: boolean
  /** Failures go back to the caller: no retry, no dead letter. */
  readonly once?: boolean
  /** With `once`: whether the caller will try again, as the outcome steps are told. */
  willRetry?(d: Delivery, error: unknown): boolean
  start?(d: Delivery): void
  /** `at`: the performance.now() reading that ended the try, 0 when there was none. */
  done?(d: Delivery, error: unknown, outcome: Outcome, at: number): void
}

export type Outcome = 'delivered' | 'failed' | 'dead-lettered'

/** One subscription's delivery of one event, allocated once it needs following: timed, async, failed or retried. */
export class Delivery {
  attempt = 1
  /** performance.now() at the start of the current try; 0 while untimed. */
  start = 0
  firstStart = 0
  firstFailedAt = 0
  error: unknown = undefined
  timer: ReturnType<typeof setTimeout> | undefined = undefined
  constructor(
    readonly handler: Wrapped, readonly kind: Kind, readonly envelope: Envelope, readonly slot: Slot,
    readonly tracker: Tracker | undefined,
    /** For deliveries made elsewhere (a transport's), whose handler is not in this process. */
    readonly name?: string,
  ) {}

  get subscription(): string {
    return this.name ?? nameOf(this.handler)
  }
}

/** The subscription's name, else the function's; never throws whatever the function's `name` does. */
export const nameOf = (h: Wrapped): string => {
  if (h.sub?.name !== undefined) return h.sub.name
  try {
    const name: unknown = (h.sub?.fn ?? h).name
    return typeof name === 'string' && name !== '' ? name : 'anonymous'
  } catch {
    return 'anonymous'
  }
}
