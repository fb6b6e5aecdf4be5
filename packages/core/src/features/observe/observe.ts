import { asTidingsError, errorInfo } from '../../error-info'
import type { Tracker } from '../../kernel/delivery'
import type { Parts } from '../../kernel/feature'
import { defineFeature } from '../../kernel/host'
import type { Feature, FeatureApi } from '../../kernel/types'
import type { Observation } from '../../types'
import { deadLetterSteps } from '../dead-letters/dead-letter-steps'
import type { DeadLetterStep } from '../dead-letters/dead-letter-steps'
import { observedKernel } from './observed-kernel'

export interface ObserveApi extends FeatureApi {
  readonly api: {
    /** Calls `observer` for every emit and delivery outcome (devtools, tracing); returns what stops it. */
    observe(observer: (observation: Observation) => void): () => void
  }
}

// Every delivery timed and followed to its outcome, for the observers.
const FOLLOW: Tracker = {}

/**
 * Adds `bus.observe()`. Free while nobody observes: its steps are patched into the bus when the
 * first observer arrives and taken out when the last one leaves.
 */
/* @__NO_SIDE_EFFECTS__ */
export function observe(): Feature<ObserveApi> {
  return defineFeature((kernel) => {
    observedKernel.set(kernel.bus, kernel)
    const observers = new Set<(observation: Observation) => void>()
    let unpatch: (() => void) | undefined
    // A kept dead letter retried in vain, or discarded: its bus's queue says so, not a delivery step.
    const onStep = ({ kind, entry }: DeadLetterStep) => notify({
      kind, envelope: entry.envelope, subscription: entry.subscription, attempt: entry.attempts, durationMs: 0, ...(kind === 'dead-lettered' && { error: entry.error }),
    })
    const notify = (observation: Observation) => {
      for (const observer of observers) {
        try {
          observer(observation)
        } catch (error) {
          kernel.report(asTidingsError(error, 'E_INVALID_ARGUMENT', 'A bus observer threw'))
        }
      }
    }
    const steps: Parts = {
      record: (envelope, _slot, remote) => notify(remote ? { kind: 'emitted', envelope, remote } : { kind: 'emitted', envelope }),
      dispatch: (next) => (env, slot, tracker) => next(env, slot, tracker ?? FOLLOW),
      delivered: (d, ms) => notify({ kind: 'delivered', envelope: d.envelope, subscription: d.subscription, attempt: d.attempt, durationMs: Math.max(ms, 0) }),
      failed: (d, error, ms, willRetry) => notify({
        kind: 'failed', envelope: d.envelope, subscription: d.subscription, attempt: d.attempt, durationMs: Math.max(ms, 0), error: errorInfo(error), willRetry,
      }),
      gaveUp(d, error, outcome) {
        if (outcome === 'dead-lettered') notify({ kind: 'dead-lettered', envelope: d.envelope, subscription: d.subscription, attempt: d.attempt, durationMs: 0, error: errorInfo(error) })
      },
    }
    return {
      api: {
        observe(observer: (observation: Observation) => void) {
          observers.add(observer)
          if (unpatch === undefined) {
            const unpatchSteps = kernel.patch(steps)
            const heard = deadLetterSteps.get(kernel)
            heard?.add(onStep)
            unpatch = () => {
              unpatchSteps()
              heard?.delete(onStep)
            }
          }
          return () => {
            if (!observers.delete(observer) || observers.size !== 0) return
            unpatch?.()
            unpatch = undefined
          }
        },
      },
    }
  })
}
