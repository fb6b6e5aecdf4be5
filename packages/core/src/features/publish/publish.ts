import type { EmitInputArgs } from '../../catalog'
import type { Envelope } from '../../envelope'
import type { Tracker } from '../../kernel/delivery'
import { defineFeature } from '../../kernel/host'
import type { EventsIn, Feature, FeatureApi } from '../../kernel/types'
import type { EventMap, Keys } from '../../types'
import { ReportTracker } from './report'
import type { DeliveryReport } from './report'

export interface Publish<E extends EventMap> {
  /** Emits, and resolves once every handler (async ones and retries included) has an outcome. */
  publish<K extends Keys<E>>(type: K, ...args: EmitInputArgs<E, K>): Promise<DeliveryReport<Envelope<K, E[K]>>>
}

export interface PublishApi extends FeatureApi {
  readonly api: Publish<EventsIn<this>>
}

/** Adds `bus.publish()`. Emits that are not published cost one comparison more. */
/* @__NO_SIDE_EFFECTS__ */
export function publish(): Feature<PublishApi> {
  return defineFeature((kernel) => {
    // Set for the synchronous span of one publish(): its dispatch takes it before any handler runs.
    let pending: Tracker | undefined
    let recorded: Tracker | undefined
    return {
      record() {
        if (pending !== undefined) recorded = pending
      },
      dispatch: (next) => (env, slot, tracker) => {
        if (pending === undefined) return next(env, slot, tracker)
        const mine = pending
        pending = undefined
        return next(env, slot, mine)
      },
      api: {
        publish(type: string, data?: unknown, options?: never) {
          const report = new ReportTracker()
          pending = report
          recorded = undefined
          let env: Envelope
          try {
            env = kernel.bus.emit(type, data, options)
          } catch (error) {
            return Promise.reject(error)
          } finally {
            pending = undefined
          }
          // Not recorded: a middleware dropped it. Recorded but not taken: a transport carries it.
          report.seal(env, recorded !== report)
          return report.promise
        },
      } as Publish<EventMap>,
    }
  })
}
