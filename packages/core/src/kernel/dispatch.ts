import { context } from '../context'
import type { Envelope } from '../envelope'
import { errorInfo } from '../error-info'
import { TidingsError } from '../errors'
import type { ErrorCode } from '../errors'
import type { Core } from './core'
import { Delivery, SPECIFIC, WILDCARD } from './delivery'
import type { Kind, Tracker, Wrapped } from './delivery'
import type { Dispatch } from './feature'
import type { Slot } from './slot'

type Call = (a: unknown, b: unknown, c?: unknown) => unknown

// A literal, not ErrorCode.HANDLER: reading the object would bundle every code into the emit-only bus.
const E_HANDLER: ErrorCode = 'E_HANDLER'

/** Never throws: a returned value whose `then` cannot be read is a plain result. */
const isThenable = (value: unknown): value is PromiseLike<unknown> => {
  try {
    return typeof (value as { then?: unknown }).then === 'function'
  } catch {
    return false
  }
}

/**
 * Dispatch and delivery: how handlers are called and what becomes of their outcome. The hot path
 * is `dispatchHere` → `run` → `attempt`; the outcome steps are the features' (read from `k`, so
 * a bus without features calls none).
 */
export const createDispatcher = (k: Pick<Core, 'all' | 'registry' | 'closed' | 'report' | 'delivered' | 'failed' | 'gaveUp' | 'retry' | 'keep'>) => {
  const { all, registry } = k
  // Node's global `performance` is a getter (loaded on first use): read once per bus, not per try.
  const perf = performance

  // The hot path is kept in small functions, the rest out of them: V8 inlines a bounded amount of
  // code into emit, and what a bus's features add to the path counts against it too.
  const dispatchHere: Dispatch = (env, slot, tracker) => {
    const prev = context.active
    context.active = env
    const list = all.get(slot.type)
    let ok = list === undefined ? 0 : run(list, SPECIFIC, env, slot, tracker)
    const keys = slot.patternsVersion === registry.version ? slot.matches : registry.patternsOf(slot)
    if (keys.length !== 0) ok += runPatterns(keys, env, slot, tracker)
    const star = all.get('*')
    if (star !== undefined) ok += run(star, WILDCARD, env, slot, tracker)
    context.active = prev
    return ok
  }

  const runPatterns = (keys: readonly string[], env: Envelope, slot: Slot, tracker: Tracker | undefined): number => {
    let ok = 0
    for (let i = 0; i < keys.length; i++) {
      const list = all.get(keys[i]!)
      if (list !== undefined) ok += run(list, WILDCARD, env, slot, tracker)
    }
    return ok
  }

  const run = (list: Wrapped[], kind: Kind, env: Envelope, slot: Slot, tracker: Tracker | undefined): number => {
    if (tracker !== undefined) return follow(list, kind, env, slot, tracker)
    // Not copied: the registry replaces a type's array instead of changing it (mitt semantics:
    // handlers added or removed while dispatching do not change this dispatch).
    let ok = 0
    for (let i = 0; i < list.length; i++) ok += attempt(list[i]!, kind, env, slot, undefined)
    return ok
  }

  /** A followed dispatch: every delivery gets a Delivery, timed from its first try. */
  const follow = (list: Wrapped[], kind: Kind, env: Envelope, slot: Slot, tracker: Tracker): number => {
    for (let i = 0; i < list.length; i++) {
      const h = list[i]!
      if (tracker.unnamedOnly && h.sub?.name !== undefined) continue
      const d = new Delivery(h, kind, env, slot, tracker)
      tracker.start?.(d)
      d.firstStart = d.start = perf.now()
      attempt(h, kind, env, slot, d)
    }
    return 0
  }

  /**
   * The one place a handler is called: calls it, takes a promise it returns, and hands the outcome
   * on. Returns 1 for a synchronous success nobody follows (the common case, which allocates
   * nothing); a Delivery exists only for a followed, failed or asynchronous one.
   */
  const attempt = (h: Wrapped, kind: Kind, env: Envelope, slot: Slot, d: Delivery | undefined): number => {
    let result: unknown
    try {
      result = kind === SPECIFIC ? (h as Call)(env.data, env) : (h as Call)(slot.type, env.data, env)
    } catch (error) {
      fail(d ?? made(h, kind, env, slot), error)
      return 0
    }
    return result == null && d === undefined ? 1 : returned(result, h, kind, env, slot, d)
  }

  /** What a handler returned, when it returned something or its delivery is followed. */
  const returned = (result: unknown, h: Wrapped, kind: Kind, env: Envelope, slot: Slot, d: Delivery | undefined): number => {
    if (result != null && isThenable(result)) {
      settle(result, d ?? made(h, kind, env, slot))
      return 0
    }
    if (d === undefined) return 1
    succeed(d)
    return 0
  }

  const made = (h: Wrapped, kind: Kind, env: Envelope, slot: Slot) => new Delivery(h, kind, env, slot, undefined)

  const settle = (result: PromiseLike<unknown>, d: Delivery) => {
    // Promise.resolve adopts a thenable whose `then` throws as a rejection instead of throwing here.
    void Promise.resolve(result).then(() => succeed(d), (error: unknown) => fail(d, error))
  }

  // One clock reading per outcome, shared by the outcome steps and the tracker (0: untimed).
  const endOf = (d: Delivery) => (d.start === 0 ? 0 : perf.now())

  const succeed = (d: Delivery) => {
    const at = endOf(d)
    k.delivered?.(d, at === 0 ? -1 : at - d.start)
    d.tracker?.done?.(d, undefined, 'delivered', at)
  }

  const fail = (d: Delivery, error: unknown) => {
    const at = endOf(d)
    const ms = at === 0 ? -1 : at - d.start
    d.firstFailedAt ||= Date.now()
    const t = d.tracker
    if (t?.once) {
      k.failed?.(d, error, ms, t.willRetry?.(d, error) === true)
      return t.done?.(d, error, 'failed', at)
    }
    const again = !k.closed && k.retry !== undefined && k.retry.later(d, error)
    k.failed?.(d, error, ms, again)
    if (!again) giveUp(d, error, at)
  }

  const giveUp = (d: Delivery, error: unknown, at = 0) => {
    if (k.keep !== undefined) void k.keep(d.envelope, d.subscription, d.attempt, d.firstFailedAt, error, d.handler)
    else {
      // The advice is for development builds (guarded for browsers without process); `cause` and `details` are in both.
      const message = typeof process !== 'undefined' && process.env.NODE_ENV !== 'production'
        ? `Subscription "${d.subscription}" failed on "${d.slot.type}" (event ${d.envelope.id}, after ${d.attempt} ${d.attempt === 1 ? 'try' : 'tries'}): ${errorInfo(error).message}. Catch the error in the handler, or create the bus with deadLetters() to keep failed deliveries (and retry() to try them again)`
        : `Subscription "${d.subscription}" failed on "${d.slot.type}"`
      k.report(new TidingsError(E_HANDLER, message, {
        cause: error, details: { type: d.slot.type, id: d.envelope.id, subscription: d.subscription, attempts: d.attempt },
      }))
    }
    const outcome = k.keep !== undefined ? 'dead-lettered' : 'failed'
    k.gaveUp?.(d, error, outcome)
    d.tracker?.done?.(d, error, outcome, at)
  }

  const tryAgain = (d: Delivery) => {
    const prev = context.active
    context.active = d.envelope
    d.start = perf.now()
    d.firstStart ||= d.start
    attempt(d.handler, d.kind, d.envelope, d.slot, d)
    context.active = prev
  }

  return { dispatchHere, tryAgain, giveUp }
}
