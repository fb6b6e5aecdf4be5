import { context } from './context'
import type { Envelope } from './envelope'
import type { AnyHandler } from './types'

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
 * The pending `waitFor()` calls, per subscription key: each key has one bus handler and a Set of
 * waiters, so that adding or removing one of 100k waiters costs O(1), not a scan of a handler list.
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
  return (key: string, check: (envelope: Envelope) => void): (() => void) => {
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
}
