import { asTidingsError } from '../../error-info'
import type { Delivery, Wrapped } from '../../kernel/delivery'
import { defineFeature } from '../../kernel/host'
import type { Feature, FeatureApi } from '../../kernel/types'
import { backoffDelay, resolveRetry, willRetry } from '../../retry'
import type { RetryPolicy } from '../../types'

/** retry() adds no API: it changes what happens to a failed delivery. */
export interface RetryApi extends FeatureApi {
  readonly api: object
}

/**
 * Retries failed deliveries with exponential backoff and jitter (default: 3 retries from 100 ms),
 * then gives them up: to the dead-letter queue with deadLetters(), else to `onError`. A
 * subscription's own `retry` option (`on(type, h, { retry })`) overrides the policy.
 */
/* @__NO_SIDE_EFFECTS__ */
export function retry(policy?: RetryPolicy): Feature<RetryApi> {
  return defineFeature((kernel) => {
    const base = resolveRetry(policy)
    const waiting = new Set<Delivery>()
    const policyOf = (h: Wrapped) => (h.sub?.retry === undefined ? base : resolveRetry(h.sub.retry, base))
    const threw = (thrown: unknown) =>
      kernel.report(asTidingsError(thrown, 'E_INVALID_ARGUMENT', "A retry policy's shouldRetry() threw, so the delivery was given up"))
    return {
      retry: {
        policyOf,
        later(d, error) {
          const p = policyOf(d.handler)
          if (!willRetry(p, error, d.attempt, threw)) return false
          d.error = error
          waiting.add(d)
          d.timer = setTimeout(() => {
            waiting.delete(d)
            kernel.again(d)
          }, backoffDelay(p, d.attempt))
          return true
        },
      },
      closing() {
        // Nothing is lost on close: deliveries waiting for a retry are given up now (to the dead-letter queue).
        for (const d of waiting) {
          clearTimeout(d.timer)
          kernel.giveUp(d, d.error)
        }
        waiting.clear()
      },
    }
  })
}
