import type { Envelope } from '../../envelope'
import type { Bus } from '../../kernel/types'
import { isPattern } from '../../patterns'
import type { EnvelopeOf, EventMap, Keys, MatchingKeys, Pattern, WaitForOptions } from '../../types'
import { createWaiters } from '../../waiters'

type Waiters = ReturnType<typeof createWaiters>

// Made on first use: no work when the module loads.
let perBus: WeakMap<Bus, Waiters> | undefined

/** One set of waiters per bus: its pending waits share one handler per key. */
const waitersOf = (bus: Bus): Waiters => {
  perBus ??= new WeakMap()
  let waiters = perBus.get(bus)
  if (waiters === undefined) {
    waiters = createWaiters(
      (key, handler) => bus.on(key, handler as never),
      (key, handler) => bus.all.get(key)?.includes(handler) === true,
      (key) => key === '*' || isPattern(key),
    )
    perBus.set(bus, waiters)
  }
  return waiters
}

/**
 * Resolves with the next event of `type` that passes `filter`; rejects with E_TIMEOUT after
 * `timeout` ms, E_ABORTED when `signal` aborts, E_CLOSED on a closed bus.
 */
export function waitFor<E extends EventMap, K extends Keys<E>>(bus: Bus<E>, type: K, options?: WaitForOptions<Envelope<K, E[K]>>): Promise<Envelope<K, E[K]>>
/** Resolves with the next event matching the pattern (or '*') that passes `filter`. */
export function waitFor<E extends EventMap, P extends Pattern | '*'>(bus: Bus<E>, type: P, options?: WaitForOptions<EnvelopeOf<E, MatchingKeys<E, P>>>): Promise<EnvelopeOf<E, MatchingKeys<E, P>>>
/* @__NO_SIDE_EFFECTS__ */
export function waitFor(bus: Bus, key: string, options?: WaitForOptions<Envelope>): Promise<Envelope> {
  try {
    return waitersOf(bus)(key, options)
  } catch (error) {
    return Promise.reject(error)
  }
}
