export { TidingsProvider } from './context'
export { createTidingsHooks } from './create-hooks'
export type { DeadLetterHooks, EventHooks, HistoryHooks, TidingsHooks } from './create-hooks'
export type {
  DeadLettersState, EventKey, EventsOfBus, HandlerFor, HistoryEnvelope, HistoryQueryFor, HistoryState, TypesOf, UseEventOptions,
} from './types'
