export { busKey, tidings } from './plugin'
export { createTidingsComposables } from './create-composables'
export type { DeadLetterComposables, EventComposables, HistoryComposables, TidingsComposables } from './create-composables'
export type {
  DeadLettersRefs, EventKey, EventsOfBus, HandlerFor, HistoryEnvelope, HistoryQueryFor, HistoryRefs, ListRefs, TypesOf, UseEventOptions,
} from './types'
