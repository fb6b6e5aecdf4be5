import type { Envelope } from '../../envelope'
import { errorInfo } from '../../error-info'
import { TidingsError } from '../../errors'
import type { Bus } from '../../kernel/types'
import { isPattern } from '../../patterns'
import type { EnvelopeOf, EventMap, Keys, MatchingKeys, Pattern, WaitForOptions } from '../../types'
import { createWaiters } from '../../waiters'

type Waiters = ReturnType<typeof createWaiters>

// Made on first use: no work when the module loads.
let perBus: WeakMap<Bus, Waiters> | undefined

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

const aborted = (key: string, signal: AbortSignal | undefined) => new TidingsError('E_ABORTED', `waitFor("${key}") was aborted`, { cause: signal?.reason })

/** Resolves with the next event of `type` (or matching the pattern) that passes `filter`. */
export function waitFor<E extends EventMap, K extends Keys<E>>(bus: Bus<E>, type: K, options?: WaitForOptions<Envelope<K, E[K]>>): Promise<Envelope<K, E[K]>>
/** Resolves with the next event matching the pattern that passes `filter`. */
export function waitFor<E extends EventMap, P extends Pattern>(bus: Bus<E>, type: P, options?: WaitForOptions<EnvelopeOf<E, MatchingKeys<E, P>>>): Promise<EnvelopeOf<E, MatchingKeys<E, P>>>
/* @__NO_SIDE_EFFECTS__ */
export function waitFor(bus: Bus, key: string, options: WaitForOptions<Envelope> = {}): Promise<Envelope> {
  return new Promise<Envelope>((resolve, reject) => {
    const { filter, timeout, signal } = options
    if (signal?.aborted) return reject(aborted(key, signal))
    let timer: ReturnType<typeof setTimeout> | undefined
    const settle = (error: TidingsError | undefined, env?: Envelope, aborting = false) => {
      remove()
      clearTimeout(timer)
      // An abort has already removed this once-listener; removing it again would scan the signal's list.
      if (!aborting) signal?.removeEventListener('abort', onAbort)
      if (error) reject(error)
      else resolve(env!)
    }
    const onAbort = () => settle(aborted(key, signal), undefined, true)
    const check = (env: Envelope) => {
      try {
        if (filter === undefined || filter(env)) settle(undefined, env)
      } catch (error) {
        settle(new TidingsError('E_INVALID_ARGUMENT', `waitFor("${key}"): the filter threw: ${errorInfo(error).message}`, { cause: error }))
      }
    }
    const remove = waitersOf(bus)(key, check)
    if (timeout !== undefined) {
      timer = setTimeout(() => settle(new TidingsError('E_TIMEOUT', `waitFor("${key}") timed out after ${timeout} ms`, { details: { type: key, timeout } })), timeout)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
