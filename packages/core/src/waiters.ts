import { context } from './context'
import type { Envelope } from './envelope'
import { errorInfo } from './error-info'
import { TidingsError } from './errors'
import type { AnyHandler, WaitForOptions } from './types'

interface Waiter {
  /** The event being dispatched when the waiter was added: it waits for the next one, as a new handler would. */
  readonly skip: Envelope | undefined
  readonly check: (envelope: Envelope) => void
}

interface Group {
  readonly waiters: Set<Waiter>
  readonly handler: AnyHandler
  readonly off: () => void
}

/**
 * `bus.waitFor()`. The pending calls are kept per subscription key: each key has one bus handler
 * and a Set of waiters, so that adding or removing one of 100k waiters costs O(1), not a scan of a
 * handler list.
 */
export const createWaiters = (
  subscribe: (key: string, handler: AnyHandler) => () => void,
  isSubscribed: (key: string, handler: AnyHandler) => boolean,
  isWildcard: (key: string) => boolean,
) => {
  const groups = new Map<string, Group>()

  const open = (key: string): Group => {
    const waiters = new Set<Waiter>()
    const deliver = (envelope: Envelope) => {
      for (const waiter of waiters) if (waiter.skip !== envelope) waiter.check(envelope)
    }
    const handler = (isWildcard(key) ? (_t: unknown, _d: unknown, e: Envelope) => deliver(e) : (_d: unknown, e: Envelope) => deliver(e)) as AnyHandler
    const group: Group = { waiters, handler, off: subscribe(key, handler) }
    groups.set(key, group)
    return group
  }

  /** Adds a waiter; returns the function that removes it. `check` must not throw. */
  const add = (key: string, check: (envelope: Envelope) => void): (() => void) => {
    let group = groups.get(key)
    // bus.off(key) may have removed the group's handler: its waiters keep their timeout and signal.
    if (group === undefined || !isSubscribed(key, group.handler)) group = open(key)
    const waiter: Waiter = { skip: context.active, check }
    const { waiters } = group
    waiters.add(waiter)
    const own = group
    return () => {
      if (!waiters.delete(waiter) || waiters.size !== 0) return
      own.off()
      if (groups.get(key) === own) groups.delete(key)
    }
  }

  return (key: string, options: WaitForOptions<Envelope> = {}) =>
    new Promise<Envelope>((resolve, reject) => {
      const { filter, timeout, signal } = options
      if (signal?.aborted) return reject(new TidingsError('E_ABORTED', `waitFor("${key}") was aborted`, { cause: signal.reason }))
      let timer: ReturnType<typeof setTimeout> | undefined
      const settle = (error: TidingsError | undefined, env?: Envelope, aborting = false) => {
        remove()
        clearTimeout(timer)
        // An abort has already removed this once-listener; removing it again would scan the signal's list.
        if (!aborting) signal?.removeEventListener('abort', onAbort)
        if (error) reject(error)
        else resolve(env!)
      }
      const onAbort = () => settle(new TidingsError('E_ABORTED', `waitFor("${key}") was aborted`, { cause: signal?.reason }), undefined, true)
      const remove = add(key, (env) => {
        try {
          if (filter === undefined || filter(env)) settle(undefined, env)
        } catch (error) {
          settle(new TidingsError('E_INVALID_ARGUMENT', `waitFor("${key}"): the filter threw: ${errorInfo(error).message}`, { cause: error }))
        }
      })
      if (timeout !== undefined) {
        timer = setTimeout(() => settle(new TidingsError('E_TIMEOUT', `waitFor("${key}") timed out after ${timeout} ms`, { details: { type: key, timeout } })), timeout)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    })
}
