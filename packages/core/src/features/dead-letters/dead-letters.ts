import { createDeadLetters } from '../../dlq'
import { idPrefix } from '../../envelope'
import { errorInfo } from '../../error-info'
import { TidingsError } from '../../errors'
import type { Kernel } from '../../kernel/feature'
import { defineFeature } from '../../kernel/host'
import type { Feature, FeatureApi } from '../../kernel/types'
import type { DeadLetterEntry } from '../../store/types'
import type { AnyHandler, DeadLetterQueue } from '../../types'
import { deadLetterSteps } from './dead-letter-steps'
import { deliveryTargets } from './delivery-targets'
import type { DeadLetterStep } from './dead-letter-steps'

export interface DeadLettersOptions {
  /** Entries held at most (default 10,000); past it a new one is refused and reported (E_DLQ_OVERFLOW), and flush() rejects. */
  max?: number
}

export interface DeadLettersApi extends FeatureApi {
  readonly api: {
    /** Deliveries that failed for good, kept in the bus's store when it has one. */
    readonly dlq: DeadLetterQueue
  }
}

/** Re-delivers a dead letter: to its handler if still subscribed, else its named subscription, else the type's subscribers. */
const redeliverer = (kernel: Kernel) => async (entry: DeadLetterEntry, handler: AnyHandler | undefined) => {
  const through = kernel.republish(entry)
  if (through !== undefined) return through
  const env = entry.envelope
  const targets = deliveryTargets(kernel, env.type, entry.subscription, handler, true)
  if (targets.length === 0) {
    throw new TidingsError('E_DLQ_NOT_FOUND', `Dead letter ${entry.id}: nothing subscribes to "${env.type}" now; subscribe a handler, then retry`, { details: { id: entry.id, type: env.type } })
  }
  for (const [h, kind] of targets) await kernel.deliverOnce(h, kind, env, entry.attempts + 1)
}

/**
 * Keeps deliveries that failed for good (after retry(), if installed) as dead letters: in memory,
 * written through to the bus's store and reloaded from it on start. Adds `bus.dlq`.
 */
/* @__NO_SIDE_EFFECTS__ */
export function deadLetters(options: DeadLettersOptions = {}): Feature<DeadLettersApi> {
  return defineFeature((kernel) => {
    const prefix = idPrefix()
    const queue = createDeadLetters({
      store: kernel.store,
      report: kernel.report,
      track: kernel.track,
      lost: (error) => kernel.lost(1, error),
      max: options.max ?? 10_000,
      redeliver: redeliverer(kernel),
    })
    let seq = 0
    let listening = 0
    let warned = false
    const stepListeners = new Set<(step: DeadLetterStep) => void>()
    deadLetterSteps.set(kernel, stepListeners)
    const step = (kind: DeadLetterStep['kind'], entry: DeadLetterEntry | undefined) => {
      if (entry !== undefined) for (const listener of stepListeners) listener({ kind, entry })
    }
    const dlq: DeadLetterQueue = {
      ...queue.queue,
      async retry(target) {
        const result = await queue.queue.retry(target)
        if (stepListeners.size !== 0) for (const { id } of result.failed) step('dead-lettered', await queue.queue.get(id))
        return result
      },
      async discard(id) {
        const entry = stepListeners.size === 0 ? undefined : await queue.queue.get(id)
        const discarded = await queue.queue.discard(id)
        if (discarded) step('discarded', entry)
        return discarded
      },
      async purge() {
        const entries = stepListeners.size === 0 ? [] : await queue.queue.list()
        const purged = await queue.queue.purge()
        for (const entry of entries) step('discarded', entry)
        return purged
      },
      subscribe(listener) {
        listening++
        const off = queue.queue.subscribe(listener)
        let on = true
        return () => {
          if (on) listening--
          on = false
          off()
        }
      },
    }
    return {
      api: { dlq },
      gauges: { 'dlq.size': () => queue.size, 'dlq.overflowed': () => queue.overflowed },
      ready: queue.load(),
      deadLetter(envelope, subscription, attempts, firstFailedAt, error, handler) {
        const failedAt = Date.now()
        const entry: DeadLetterEntry = {
          id: `${prefix}d${(++seq).toString(36)}`,
          envelope,
          subscription,
          attempts,
          firstFailedAt: new Date(firstFailedAt || failedAt).toISOString(),
          lastFailedAt: new Date(failedAt).toISOString(),
          error: errorInfo(error),
        }
        // Written out here, not in a helper, so that a production define drops the whole message; guarded for browsers without process.
        if (typeof process !== 'undefined' && process.env.NODE_ENV !== 'production' && !warned && listening === 0) {
          warned = true
          console.warn(`Dead letter ${entry.id}: subscription "${subscription}" failed on "${envelope.type}" after ${attempts} ${attempts === 1 ? 'try' : 'tries'}: ${entry.error.message}. It is kept in bus.dlq; nothing listens for dead letters (bus.dlq.subscribe), so this is said once, in development builds only.`)
        }
        return queue.add(entry, handler)
      },
    }
  })
}
