import { asTidingsError, errorInfo } from '../../error-info'
import type { Tracker } from '../../kernel/delivery'
import type { Parts } from '../../kernel/feature'
import { defineFeature } from '../../kernel/host'
import type { Feature, FeatureApi } from '../../kernel/types'
import type { Observation } from '../../types'
import { deadLetterSteps } from '../dead-letters/dead-letter-steps'
import type { DeadLetterStep } from '../dead-letters/dead-letter-steps'
import { callSite } from './call-site'
import { observedKernel } from './observed-kernel'

export interface ObserveOptions {
  /**
   * Capture where each event of this process was emitted (`site` of 'emitted' observations): a
   * stack capture per emit while this observer is on, for devtools in development.
   */
  callSites?: boolean
}

export interface ObserveApi extends FeatureApi {
  readonly api: {
    /** Calls `observer` for every emit and delivery outcome (devtools, tracing); returns what stops it. */
    observe(observer: (observation: Observation) => void, options?: ObserveOptions): () => void
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
    /** Observers on that asked for call sites. */
    let sites = 0
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
      record(envelope, _slot, remote) {
        if (remote) notify({ kind: 'emitted', envelope, remote })
        else if (sites === 0) notify({ kind: 'emitted', envelope })
        else {
          const site = callSite()
          notify(site === undefined ? { kind: 'emitted', envelope } : { kind: 'emitted', envelope, site })
        }
      },
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
        observe(observer: (observation: Observation) => void, options?: ObserveOptions) {
          if (observers.has(observer)) return () => {}
          observers.add(observer)
          const withSites = options?.callSites === true
          if (withSites) sites++
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
            if (!observers.delete(observer)) return
            if (withSites) sites--
            if (observers.size !== 0) return
            unpatch?.()
            unpatch = undefined
          }
        },
      },
    }
  })
}
