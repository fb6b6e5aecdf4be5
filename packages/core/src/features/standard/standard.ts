import type { AnyFeature, ApiOf, Bus, EventsIn, Feature, FeatureApi } from '../../kernel/types'
import type { EventMap, RetryPolicy } from '../../types'
import { deadLetters } from '../dead-letters/dead-letters'
import type { DeadLettersApi, DeadLettersOptions } from '../dead-letters/dead-letters'
import { history } from '../history/history'
import type { HistoryApi, HistoryOptions } from '../history/history'
import { metrics } from '../metrics/metrics'
import type { MetricsApi } from '../metrics/metrics'
import { observe } from '../observe/observe'
import type { ObserveApi } from '../observe/observe'
import { publish } from '../publish/publish'
import type { PublishApi } from '../publish/publish'
import { retry } from '../retry/retry'

export interface StandardOptions {
  retry?: RetryPolicy
  deadLetters?: DeadLettersOptions
  history?: HistoryOptions
}

export interface StandardApi extends FeatureApi {
  readonly api: ApiOf<DeadLettersApi, EventsIn<this>> & ApiOf<PublishApi, EventsIn<this>> & ApiOf<MetricsApi, EventsIn<this>>
    & ApiOf<HistoryApi, EventsIn<this>> & ApiOf<ObserveApi, EventsIn<this>>
}

/** The type of a bus of events `E` created with standard(): `Bus<E>` and every in-process API. */
export type StandardBus<E extends EventMap = EventMap> = Bus<E> & ApiOf<StandardApi, E>

/**
 * Every in-process feature in one argument: retry, deadLetters, publish, metrics, history and
 * observe, each given its options. The preset is the one module that imports features.
 */
/* @__NO_SIDE_EFFECTS__ */
export function standard(options: StandardOptions = {}): Feature<StandardApi> {
  const features: AnyFeature[] = [retry(options.retry), deadLetters(options.deadLetters), publish(), metrics(), history(options.history), observe()]
  return ((core) => {
    for (const feature of features) feature(core)
  }) as Feature<StandardApi>
}
