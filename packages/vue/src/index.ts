export { busKey, tidings } from './plugin'
export { createTidingsComposables } from './create-composables'
export type { DeadLetterComposables, EventComposables, HistoryComposables, TidingsComposables } from './create-composables'
export type { DeadLettersRefs, HistoryRefs, ListRefs } from './types'
